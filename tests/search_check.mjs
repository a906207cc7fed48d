// Search the HTML edition as a reader does: open search.html from file://
// with the network cut, type a query into the search box, submit it, and
// wait for Sphinx's search to list its results. Used by tests/test_html.py.
//
//   node tests/search_check.mjs SEARCH_HTML QUERY
// prints one JSON line: {"query", "results": [{"href", "title"}, ...],
// "failed": [requests refused because they were not local files]}.

import { cutNetwork, launch } from "./offline_browser.mjs";

const [file, query] = process.argv.slice(2);
const browser = await launch();
try {
  const page = await browser.newPage();
  const failed = await cutNetwork(page);
  await page.goto(`file://${file}`, { waitUntil: "load" });
  // The search page's own form, the one a reader sees (the theme keeps a
  // second, hidden one for its pop-up): type the words, press Enter.
  const boxes = await page.$$('input[name="q"]');
  let box = null;
  for (const candidate of boxes) {
    if (await candidate.isVisible()) {
      box = candidate;
      break;
    }
  }
  if (!box) throw new Error("no visible search box on " + file);
  await box.type(query);
  await Promise.all([
    page.waitForNavigation({ waitUntil: "load", timeout: 20000 }),
    box.press("Enter"),
  ]);
  // Sphinx fills ul.search with one li per page found, then a summary.
  await page.waitForFunction(
    () => document.querySelector("#search-results .search-summary") ||
          document.querySelector("p.search-summary"),
    { timeout: 20000 });
  const results = await page.$$eval(
    "#search-results ul.search li a, ul.search li a",
    (links) => links.map((a) => ({ href: a.getAttribute("href"),
                                   title: a.textContent.trim() })));
  console.log(JSON.stringify({ query, results, failed }));
} finally {
  await browser.close();
}

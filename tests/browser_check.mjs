// Load pages in headless Chromium with the network cut, and report for each
// page the requests that failed and how far the layout overflows the
// viewport sideways. Used by tests/test_reading.py.
//
//   node tests/browser_check.mjs [--axe | --weight] WIDTH HEIGHT FILE...
// prints one JSON line per file: {"file", "failed": [...], "overflow": px,
// "wide": [descriptions of the widest overflowing elements]}; with --axe
// also "axe": {"light": [...], "dark": [...]}, the critical and serious
// violations axe-core finds with the theme in each mode. With --weight,
// instead: {"file", "failed", "bytes", "files": {path: bytes}, "loadMs"}:
// what the page reads from disk (every file:// request, each file counted
// once, at its size on disk) and how long it takes, median of three loads
// after one to warm up, from navigation until the load event has fired,
// every request has finished, the fonts are ready and any MathJax in the
// page has typeset. Pages are then loaded one at a time, so that no tab
// slows another.

import fs from "node:fs";
import { cutNetwork, launch } from "./offline_browser.mjs";

const args = process.argv.slice(2);
const withAxe = args[0] === "--axe";
const withWeight = args[0] === "--weight";
const [width, height, ...files] =
  withAxe || withWeight ? args.slice(1) : args;
const axeSource = withAxe
  ? fs.readFileSync(new URL("../node_modules/axe-core/axe.min.js",
                            import.meta.url), "utf8")
  : "";

async function axeViolations(page, mode) {
  return page.evaluate(async (source, mode) => {
    // sphinx-book-theme reads its light or dark mode from these attributes.
    document.documentElement.dataset.theme = mode;
    document.documentElement.dataset.mode = mode;
    if (!window.axe) {
      window.eval(source);
    }
    const result = await window.axe.run(document, {
      resultTypes: ["violations"],
    });
    return result.violations
      .filter((v) => v.impact === "critical" || v.impact === "serious")
      .map((v) => `${v.impact} ${v.id}: ${v.nodes.length} x ` +
                  v.nodes.slice(0, 2).map((n) => n.target.join(" "))
                    .join(", "));
  }, axeSource, mode);
}
// A page as a reader first opens it: until it has loaded, its requests
// have finished and its fonts and formulas are ready.
async function settle(page) {
  // MathJax loads deferred, so wait for it to start before awaiting it.
  await page.waitForFunction(
    // A boolean: a promise returned here would be awaited, not tested.
    () => !document.querySelector('script[src*="tex-svg"]') ||
          Boolean(window.MathJax && window.MathJax.startup &&
                  window.MathJax.startup.promise),
    { timeout: 30000 },
  );
  await page.evaluate(async () => {
    await document.fonts.ready;
    if (window.MathJax && window.MathJax.startup) {
      await window.MathJax.startup.promise;
    }
  });
}

async function weigh(file) {
  const times = [];
  let read = {};
  let failed = [];
  for (let run = 0; run < 4; run++) {
    const page = await browser.newPage();
    await page.setViewport({ width: Number(width),
                             height: Number(height) });
    // A fresh page: nothing comes from a memory cache.
    await page.setCacheEnabled(false);
    failed = await cutNetwork(page);
    const files = {};
    let pending = 0;
    let settled = null;
    const idle = new Promise((resolve) => { settled = resolve; });
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.protocol === "file:") {
        const where = decodeURIComponent(url.pathname);
        files[where] = fs.existsSync(where) ? fs.statSync(where).size : 0;
        pending += 1;
      }
    });
    const done = (request) => {
      if (request.url().startsWith("file:") && --pending === 0) {
        settled();
      }
    };
    page.on("requestfinished", done);
    page.on("requestfailed", done);
    const start = performance.now();
    await page.goto(`file://${file}`, { waitUntil: "load" });
    await settle(page);
    if (pending > 0) {
      await idle;
    }
    times.push(performance.now() - start);
    read = files;
    await page.close();
  }
  const sorted = times.slice(1).sort((a, b) => a - b);
  const bytes = Object.values(read).reduce((a, b) => a + b, 0);
  process.stdout.write(JSON.stringify({
    file, failed, bytes, files: read,
    loadMs: Math.round(sorted[1]),
  }) + "\n");
}

const browser = await launch();
// Pages are checked a few at a time: each tab renders in a process of its
// own, so on two cores three tabs finish sooner than one after another.
const TABS = 3;
async function check(file) {
    // A page of its own for each file, so that nothing one page left
    // loading is counted against the next.
    const page = await browser.newPage();
    // No network at all: every request for anything but a local file is
    // refused and counted. (That local files exist is checked by
    // tests/test_html.py, on the pages' own links.)
    await page.setViewport({ width: Number(width),
                             height: Number(height) });
    const failed = await cutNetwork(page);
    await page.goto(`file://${file}`, { waitUntil: "networkidle0" });
    // Judge the page as a reader sees it: fonts loaded, formulas typeset.
    await settle(page);
    const layout = await page.evaluate(() => {
      const limit = document.documentElement.clientWidth;
      const wide = [];
      for (const el of document.querySelectorAll("body *")) {
        const box = el.getBoundingClientRect();
        if (box.right > limit + 1 && box.width > 0) {
          // Content inside a scrolling box does not move the page.
          let inside = false;
          for (let up = el.parentElement; up; up = up.parentElement) {
            const style = getComputedStyle(up);
            if (/(auto|scroll|hidden)/.test(style.overflowX)) {
              inside = true;
              break;
            }
          }
          if (!inside) {
            wide.push(`${el.tagName.toLowerCase()}.${el.className}`
                      + ` right=${Math.round(box.right)}`);
          }
        }
      }
      return { overflow: document.documentElement.scrollWidth - limit,
               wide: wide.slice(0, 5) };
    });
    const axe = withAxe
      ? { light: await axeViolations(page, "light"),
          dark: await axeViolations(page, "dark") }
      : undefined;
    await page.close();
    process.stdout.write(
      JSON.stringify({ file, failed, ...layout, axe }) + "\n");
}
try {
  const queue = [...files];
  const worker = async () => {
    while (queue.length) {
      await (withWeight ? weigh : check)(queue.shift());
    }
  };
  await Promise.all(Array.from({ length: withWeight ? 1 : TABS }, worker));
} finally {
  await browser.close();
}

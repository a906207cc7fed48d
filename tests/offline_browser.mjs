// The headless Chromium the tests read pages with, and the one way they cut
// it off from the network. Shared by browser_check.mjs and search_check.mjs.

import puppeteer from "puppeteer-core";

// Debian's Chromium as root, with nothing that would phone home.
export function launch() {
  return puppeteer.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

// Refuse every request for anything but a local file, and record it: a
// page of the book must need none. Returns the list the refusals go into.
export async function cutNetwork(page) {
  const failed = [];
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    if (/^(file|data|blob|about):/.test(request.url())) {
      request.continue();
    } else {
      failed.push(request.url());
      request.abort("internetdisconnected");
    }
  });
  return failed;
}

// The headless Chromium the tests read pages with, and the one way they cut
// it off from the network. Shared by browser_check.mjs and search_check.mjs.

import fs from "node:fs";
import puppeteer from "puppeteer-core";

// Chromium launched as the build launches it: the one list of launch
// options (Debian's Chromium as root, nothing that would phone home, a pipe
// rather than a socket) in book_build/assets/chromium.json.
const options = JSON.parse(fs.readFileSync(
  new URL("../book_build/assets/chromium.json", import.meta.url), "utf8"));

export function launch() {
  return puppeteer.launch({ headless: true, ...options });
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

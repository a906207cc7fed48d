// Render many Mermaid diagrams in one run: two headless Chromium browsers
// (one per core) share the queue.
//
// Called by diagrams.py, beside it, with a JSON job list on stdin:
//   {"mermaidJs": path, "config": {...}, "chromium": path,
//    "jobs": [{"name": str, "source": str, "outDir": path}]}
// For each job it writes <outDir>/<name>.svg (HTML), .pdf (LaTeX, vector,
// selectable text) and .png (EPUB, twice the CSS size for sharp e-ink).
// Mermaid is loaded once per browser; each diagram costs one render, not
// one browser launch.
// It prints one JSON line per job: {"name", "ok"} or {"name", "error",
// "line"}; the exit status is 0 even when a diagram fails, so that the
// caller can report every broken diagram with its file and line.

import fs from "node:fs";
import path from "node:path";
import puppeteer from "puppeteer-core";

const request = JSON.parse(fs.readFileSync(0, "utf8"));

function launch() {
  return puppeteer.launch({
    executablePath: request.chromium,
    headless: true,
    // Talk to Chromium over a pipe, not a local socket: the build needs no
    // network at all, not even loopback.
    pipe: true,
    // --no-sandbox: CI runs as root. The rest keep Chromium off the
    // network, which this machine does not have and the build never needs.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-default-apps",
      "--no-first-run",
      "--font-render-hinting=none",
    ],
  });
}

// Two workers share the queue, each a browser of its own with a page that
// renders and a page that prints, so that both cores work.
const WORKERS = 2;

async function worker(queue) {
  const browser = await launch();
  try {
    await work(browser, queue);
  } finally {
    await browser.close();
  }
}

async function work(browser, queue) {
  const page = await browser.newPage();
  await page.setContent("<!doctype html><html><body></body></html>");
  await page.addScriptTag({ path: request.mermaidJs });
  await page.evaluate((config) => {
    window.mermaid.initialize({ startOnLoad: false, ...config });
  }, request.config);

  // The page that shows one finished SVG, for the PNG and the PDF.
  const sheet = await browser.newPage();
  await sheet.setViewport({ width: 1200, height: 800, deviceScaleFactor: 2 });

  for (let job = queue.shift(); job; job = queue.shift()) {
    const result = await page.evaluate(
      async (id, source) => {
        try {
          const { svg } = await window.mermaid.render(id, source);
          return { svg };
        } catch (err) {
          const message = String((err && err.message) || err);
          const match = /line (\d+)/i.exec(message);
          return { error: message, line: match ? Number(match[1]) : null };
        }
      },
      // A stable id (it prefixes ids inside the SVG) keeps output
      // identical whichever other diagrams render in the same session.
      `mmd-${job.name.replace(/[^A-Za-z0-9-]/g, "-")}`,
      job.source,
    );
    if (result.error) {
      process.stdout.write(
        JSON.stringify({ name: job.name, error: result.error,
                         line: result.line }) + "\n",
      );
      continue;
    }

    fs.mkdirSync(job.outDir, { recursive: true });
    const base = path.join(job.outDir, job.name);
    fs.writeFileSync(`${base}.svg`, result.svg);

    await sheet.setContent(
      "<!doctype html><html><head><style>" +
        "html,body{margin:0;padding:0;background:#fff}" +
        "svg{display:block}" +
        "</style></head><body>" + result.svg + "</body></html>",
    );
    // Mermaid sets max-width on the SVG; give it its natural size.
    const box = await sheet.evaluate(() => {
      const svg = document.querySelector("svg");
      const vb = svg.viewBox.baseVal;
      svg.style.maxWidth = "none";
      svg.setAttribute("width", String(Math.ceil(vb.width)));
      svg.setAttribute("height", String(Math.ceil(vb.height)));
      return { width: Math.ceil(vb.width), height: Math.ceil(vb.height) };
    });
    const element = await sheet.$("svg");
    await element.screenshot({ path: `${base}.png`, omitBackground: false });
    await sheet.pdf({
      path: `${base}.pdf`,
      width: `${box.width}px`,
      height: `${box.height + 1}px`,
      printBackground: true,
      pageRanges: "1",
    });
    process.stdout.write(JSON.stringify({ name: job.name, ok: true }) + "\n");
  }
}

const queue = [...request.jobs];
await Promise.all(
  Array.from({ length: Math.min(WORKERS, queue.length) },
             () => worker(queue)),
);

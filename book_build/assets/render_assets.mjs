// Render every missing browser asset of a build in ONE headless Chromium:
// Mermaid diagrams (SVG, PDF and PNG) and SVG pictures rasterized to PNG
// (the EPUB cover). A few tabs share the queue, so both cores work, in one
// browser launched once.
//
// Called by session.py, beside it, with a JSON request on stdin:
//   {"launchOptions": path of chromium.json (puppeteer's launch options,
//                     the one flag list the build, tests and benchmark use),
//    "launchLog": path, a line is appended to it for each browser launch,
//    "tabs": n, "mermaidJs": path, "mermaidConfig": {...},
//    "jobs": [{"kind": "diagram", "id", "name", "source", "outDir"} |
//             {"kind": "raster", "id", "svg", "width", "height", "out"}]}
// A diagram writes <outDir>/<name>.svg (HTML), .pdf (LaTeX, vector,
// selectable text) and .png (EPUB, twice the CSS size for sharp e-ink); a
// raster writes the PNG <out>, width x height pixels. Mermaid is loaded
// once per tab, and only when there are diagrams.
// It prints one JSON line per job: {"id", "ok": true} or {"id", "error",
// "line"}; the exit status is 0 even when a diagram fails, so that the
// caller can report every broken diagram with its file and line.

import fs from "node:fs";
import path from "node:path";
import puppeteer from "puppeteer-core";

const request = JSON.parse(fs.readFileSync(0, "utf8"));
const options = JSON.parse(fs.readFileSync(request.launchOptions, "utf8"));

function report(result) {
  process.stdout.write(JSON.stringify(result) + "\n");
}

// The tab Mermaid renders in, set up on first use.
async function mermaidPage(browser) {
  const page = await browser.newPage();
  await page.setContent("<!doctype html><html><body></body></html>");
  await page.addScriptTag({ path: request.mermaidJs });
  await page.evaluate((config) => {
    window.mermaid.initialize({ startOnLoad: false, ...config });
  }, request.mermaidConfig);
  return page;
}

async function showSvg(sheet, svg) {
  await sheet.setContent(
    "<!doctype html><html><head><style>" +
      "html,body{margin:0;padding:0;background:#fff}" +
      "svg{display:block}" +
      "</style></head><body>" + svg + "</body></html>",
  );
}

// Chromium paints only the tab in front: a screenshot of any other waits
// for a frame that never comes. So the tabs take turns to come to the
// front and take their pictures, one at a time; Mermaid's layout, the
// slow part, runs in every tab at once.
let turn = Promise.resolve();
function inFront(page, picture) {
  const mine = turn.then(async () => {
    await page.bringToFront();
    return picture();
  });
  turn = mine.catch(() => {});
  return mine;
}

// The SVG alone, at its full size even where it is taller than the window.
async function svgClip(sheet) {
  const clip = await sheet.evaluate(() => {
    const box = document.querySelector("svg").getBoundingClientRect();
    return { x: box.x + window.scrollX, y: box.y + window.scrollY,
             width: box.width, height: box.height };
  });
  return { clip, captureBeyondViewport: true, omitBackground: false };
}

// Chromium dates every PDF it prints; a fixed date, of the same length,
// makes a cache entry the same bytes whenever and wherever it is rendered.
// (LaTeX keeps none of it, so the book's PDF never showed the date.)
function fixedDates(pdf) {
  const text = pdf.toString("latin1").replace(
    /\/(CreationDate|ModDate) \(D:\d{14}[^)]*\)/g,
    (_, name) => `/${name} (D:20000101000000+00'00')`);
  return Buffer.from(text, "latin1");
}

async function diagram(tab, job) {
  const result = await tab.mermaid.evaluate(
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
    // A stable id (it prefixes ids inside the SVG) keeps output identical
    // whichever other diagrams render in the same session.
    `mmd-${job.name.replace(/[^A-Za-z0-9-]/g, "-")}`,
    job.source,
  );
  if (result.error) {
    return { id: job.id, error: result.error, line: result.line };
  }
  fs.mkdirSync(job.outDir, { recursive: true });
  const base = path.join(job.outDir, job.name);
  fs.writeFileSync(`${base}.svg`, result.svg);

  const sheet = tab.sheet;
  const box = await inFront(sheet, async () => {
    await sheet.setViewport({ width: 1200, height: 800,
                              deviceScaleFactor: 2 });
    await showSvg(sheet, result.svg);
    // Mermaid sets max-width on the SVG; give it its natural size.
    const size = await sheet.evaluate(() => {
      const svg = document.querySelector("svg");
      const vb = svg.viewBox.baseVal;
      svg.style.maxWidth = "none";
      svg.setAttribute("width", String(Math.ceil(vb.width)));
      svg.setAttribute("height", String(Math.ceil(vb.height)));
      return { width: Math.ceil(vb.width), height: Math.ceil(vb.height) };
    });
    await sheet.screenshot({ path: `${base}.png`,
                             ...(await svgClip(sheet)) });
    return size;
  });
  const pdf = await sheet.pdf({
    width: `${box.width}px`,
    height: `${box.height + 1}px`,
    printBackground: true,
    pageRanges: "1",
  });
  fs.writeFileSync(`${base}.pdf`, fixedDates(Buffer.from(pdf)));
  return { id: job.id, ok: true };
}

async function raster(tab, job) {
  const sheet = tab.sheet;
  fs.mkdirSync(path.dirname(job.out), { recursive: true });
  await inFront(sheet, async () => {
    await sheet.setViewport({ width: job.width, height: job.height,
                              deviceScaleFactor: 1 });
    await showSvg(sheet, job.svg);
    await sheet.screenshot({
      path: job.out,
      clip: { x: 0, y: 0, width: job.width, height: job.height },
    });
  });
  return { id: job.id, ok: true };
}

const KINDS = { diagram, raster };

async function worker(browser, queue) {
  // Each worker: one tab that runs Mermaid, and one that shows a finished
  // picture for the PNG and the PDF.
  const tab = { mermaid: null, sheet: await browser.newPage() };
  for (let job = queue.shift(); job; job = queue.shift()) {
    if (job.kind === "diagram" && !tab.mermaid) {
      tab.mermaid = await mermaidPage(browser);
    }
    report(await KINDS[job.kind](tab, job));
  }
}

const queue = [...request.jobs];
const unknown = queue.find((job) => !(job.kind in KINDS));
if (unknown) {
  throw new Error(`unknown job kind ${JSON.stringify(unknown.kind)}`);
}
if (queue.length) {
  const browser = await puppeteer.launch({ headless: true, ...options });
  fs.appendFileSync(request.launchLog,
                    JSON.stringify({ jobs: queue.length }) + "\n");
  try {
    await Promise.all(
      Array.from({ length: Math.min(request.tabs, queue.length) },
                 () => worker(browser, queue)),
    );
  } finally {
    await browser.close();
  }
}

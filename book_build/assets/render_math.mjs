// Typeset a batch of TeX formulas to SVG with the pinned MathJax, in Node
// (the `mathjax` package's Node entry and its liteDOM; no browser), with a
// spoken form from MathJax's speech rule engine (SRE). formulas.py, beside
// it, runs it once per build, for every formula not yet in the cache.
//
//   node book_build/assets/render_math.mjs < request.json
// request: {"mathjax": "<node_modules/mathjax>",
//           "formulas": [{"key", "tex", "display"}, ...]}
// prints one JSON line per formula: {"key", "svg", "speech"} or
// {"key", "error"}.
//
// Each SVG stands alone: it defines the glyphs it draws (fontCache "local")
// under ids named after the glyph alone ("mjx-I-1D465": TeX font variant
// and character), never after a counter, so the bytes of one formula do not
// depend on which formulas were typeset before it, and a page that shows
// several formulas can keep one copy of each glyph (formulas.py). Its size
// is in em of the surrounding text (the TeX font's 1000 units to the em),
// its colour is currentColor, and its accessible name is the speech string.

import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const request = JSON.parse(fs.readFileSync(0, "utf8"));
const mathjaxDir = path.resolve(request.mathjax);
const require = createRequire(import.meta.url);
const { init } = require(path.join(mathjaxDir, "es5", "node-main.js"));

const MathJax = await init({
  loader: {
    paths: { mathjax: path.join(mathjaxDir, "es5") },
    load: ["input/tex", "output/svg", "adaptors/liteDOM",
           "a11y/semantic-enrich"],
  },
  tex: {
    // amsmath's environments and symbols, as the PDF's preamble has them;
    // anything else MathJax knows is loaded on first use (autoload).
    // An unknown command is an error (not red text): no "noundefined".
    packages: { "[+]": ["ams"], "[-]": ["noundefined"] },
    macros: { bm: ["\\boldsymbol{#1}", 1] },
    // A formula MathJax cannot read is an error to report, not red text.
    formatError: (_jax, error) => { throw error; },
  },
  svg: { fontCache: "local" },
  options: {
    // Speech for the whole formula only (SRE's ClearSpeak rules, English,
    // read from the package's own files: nothing is fetched).
    enableEnrichment: true,
    sre: { speech: "shallow", domain: "clearspeak", locale: "en" },
  },
  startup: { typeset: false },
});

const adaptor = MathJax.startup.adaptor;
const round = (x) => Number(x.toFixed(3)).toString();
// Attributes that only MathJax's own scripts or its explorer read.
const DROP = /^(data-|focusable$|aria-hidden$)/;

// MathJax's own ids carry a counter of the formulas typeset so far.
const GLYPH = /^#?MJX-\d+-TEX-/;

const invisible = new Set();

function strip(node) {
  if (adaptor.kind(node) === "#text") {
    return;
  }
  for (const { name, value } of adaptor.allAttributes(node)) {
    if (DROP.test(name)) {
      adaptor.removeAttribute(node, name);
    } else if ((name === "id" || name === "xlink:href") && GLYPH.test(value)) {
      adaptor.setAttribute(node, name, value.replace(GLYPH, (m) =>
        (m.startsWith("#") ? "#" : "") + "mjx-"));
    }
  }
  for (const child of [...adaptor.childNodes(node)]) {
    strip(child);
  }
  const kind = adaptor.kind(node);
  const bare = adaptor.allAttributes(node).length === 0;
  if (kind === "g" && bare) {
    // A group with no attribute does nothing: keep its children only.
    for (const child of [...adaptor.childNodes(node)]) {
      adaptor.insert(child, node);
    }
    adaptor.remove(node);
  } else if (kind === "path" && adaptor.getAttribute(node, "d") === "") {
    // An invisible character (function application, invisible times):
    // its outline goes, and so does every use of it (the <defs> come
    // first in the SVG, so its id is known by then).
    invisible.add("#" + adaptor.getAttribute(node, "id"));
    adaptor.remove(node);
  } else if (kind === "use" &&
             invisible.has(adaptor.getAttribute(node, "xlink:href"))) {
    adaptor.remove(node);
  }
}

async function typeset({ key, tex, display }) {
  const container = await MathJax.tex2svgPromise(tex, { display });
  const speech = (adaptor.getAttribute(container, "aria-label") || "").trim();
  const svg = adaptor.firstChild(container);
  strip(svg);
  // viewBox "x y w h" in the font's units (1000 to the em), y pointing
  // down from the baseline: the depth below the baseline is h + y.
  const [, y, w, h] = adaptor.getAttribute(svg, "viewBox")
    .split(/\s+/).map(Number);
  adaptor.setAttribute(svg, "width", `${round(w / 1000)}em`);
  adaptor.setAttribute(svg, "height", `${round(h / 1000)}em`);
  adaptor.setAttribute(svg, "style",
                       `vertical-align: ${round(-(h + y) / 1000)}em`);
  adaptor.setAttribute(svg, "role", "img");
  adaptor.setAttribute(svg, "aria-label", speech);
  return { key, svg: adaptor.outerHTML(svg), speech };
}

for (const formula of request.formulas) {
  let result;
  try {
    result = await typeset(formula);
  } catch (error) {
    result = { key: formula.key, error: String(error.message || error) };
  }
  process.stdout.write(JSON.stringify(result) + "\n");
}

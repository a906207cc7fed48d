"""Formulas typeset once, at build time, for the HTML and the EPUB alike.

The pinned MathJax (npm ``mathjax``, its Node entry with the liteDOM; no
browser) turns each formula's TeX into an SVG, and MathJax's speech rule
engine into the words a screen reader speaks ("a over b plus x squared"),
the SVG's accessible name. No page loads any math JavaScript, and the PDF
keeps LaTeX's own typesetting.

- Collecting: every formula's TeX is noted while its chapter is read.
- Typesetting: once the environment is up to date, every formula not yet in
  the cache goes to ONE Node process (``render_math.mjs``), for the whole
  build. No browser: the build's one browser session (session.py) runs
  before any chapter is read, and formulas are known only after. Each
  result is cached under a hash of the TeX, display or inline, and the
  asset pipeline's one fingerprint (cache.py: MathJax, Node, the scripts,
  ...), in ``build_cache_dir``/formulas, outside any builder's output: the
  HTML and the EPUB share it, and a rebuild with no change starts no Node
  at all.
  A formula MathJax rejects is reported at its chapter's file and line.
- Writing: each formula is inline SVG in the page, sized in em (it scales
  with the reader's font), drawn in currentColor (it follows light and dark
  mode and an e-reader's night mode). Each cached SVG defines its own
  glyphs under ids named after the glyph; as a page is written, the glyph
  definitions of all its formulas move into one block at the end of the
  page, one copy each, sorted by id. A formula-heavy chapter then carries
  each glyph once instead of once per formula, and the block depends only
  on which glyphs the page uses, not on the order anything was typeset in.

conf.py selects it with ``html_math_renderer = "svgmath"``; the EPUB
builder, having no setting of its own, uses the same.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

from book_build.assets import cache

logger = logging.getLogger(__name__)

RENDERER = "svgmath"
SCRIPT = Path(__file__).with_name("render_math.mjs")


def tex_of(node: nodes.Element) -> str:
    """The TeX MathJax typesets for a math node: a display block of
    several equations (blank lines between them) is aligned, and one with
    line breaks is split, as LaTeX's amsmath does in the PDF."""
    if not isinstance(node, nodes.math_block) or node.get("nowrap"):
        return node.astext()
    parts = [part for part in node.astext().split("\n\n") if part.strip()]
    parts = [rf"\begin{{split}}{part}\end{{split}}" if r"\\" in part
             else part for part in parts]
    if len(parts) > 1:
        return (r"\begin{align}\begin{aligned}" + r"\\".join(parts)
                + r"\end{aligned}\end{align}")
    return parts[0] if parts else ""


def key_of(app: Sphinx, tex: str, display: bool) -> str:
    return cache.key(app, "formula", "display" if display else "inline",
                     tex)


def key_of_node(app: Sphinx, node: nodes.Element) -> str:
    return key_of(app, tex_of(node), isinstance(node, nodes.math_block))


def cache_dir(app: Sphinx) -> Path:
    return cache.folder(app, "formulas")


# -- Collecting formulas while reading ---------------------------------------

def collect(app: Sphinx, doctree: nodes.document) -> None:
    # The TeX, not the cache key: a new MathJax or Node changes every key
    # without re-reading any chapter.
    found = {}
    for node in doctree.findall(lambda n: isinstance(
            n, (nodes.math, nodes.math_block))):
        display = isinstance(node, nodes.math_block)
        found.setdefault((tex_of(node), display), node.line or 0)
    app.env.formulas[app.env.docname] = found


def init_env(app: Sphinx) -> None:
    if not hasattr(app.env, "formulas"):
        app.env.formulas = {}


def purge(app: Sphinx, env, docname: str) -> None:
    env.formulas.pop(docname, None)


def merge(app: Sphinx, env, docnames, other) -> None:
    for docname in docnames:
        env.formulas[docname] = other.formulas.get(docname, {})


# -- Typesetting every missing formula in one Node process --------------------

def render_pending(app: Sphinx, env) -> None:
    if getattr(app.builder, "math_renderer_name", None) != RENDERER:
        return
    folder = cache_dir(app)
    with cache.locked(folder):
        pending = {}
        for docname, formulas in sorted(env.formulas.items()):
            for (tex, display), line in formulas.items():
                key = key_of(app, tex, display)
                if not (folder / f"{key}.json").is_file():
                    pending.setdefault(key, (tex, display, docname, line))
        if pending:
            typeset(app, folder, pending)


def typeset(app: Sphinx, folder: Path, pending: dict) -> None:
    request = {
        "mathjax": str(Path(app.config.assets_node_modules, "mathjax")),
        "formulas": [{"key": key, "tex": tex, "display": display}
                     for key, (tex, display, _doc, _line)
                     in pending.items()],
    }
    logger.info(f"typesetting {len(pending)} formula(s) with MathJax "
                "in one Node process...")
    try:
        run = subprocess.run(["node", str(SCRIPT)], input=json.dumps(request),
                             capture_output=True, text=True, check=False)
    except OSError as error:
        logger.warning(f"Node cannot run ({error}); the formulas need it "
                       "(apt-get install nodejs, or make setup)",
                       type="formulas", subtype="tool")
        return
    results = [json.loads(line) for line in run.stdout.splitlines()]
    if run.returncode != 0 or len(results) != len(pending):
        logger.warning("MathJax stopped early:\n" + run.stderr.strip(),
                       type="formulas", subtype="mathjax")
    for result in results:
        key = result["key"]
        tex, _display, docname, line = pending[key]
        if "error" in result:
            logger.warning(
                f"MathJax cannot typeset this formula: {result['error']}: "
                f"{tex!r}", location=(docname, line), type="formulas",
                subtype="tex")
            continue
        entry = {"svg": result["svg"], "speech": result["speech"]}
        # Written whole, then renamed: a build cut short leaves no half
        # entry for the next one to trust.
        with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".tmp",
                                         delete=False) as tmp:
            json.dump(entry, tmp, ensure_ascii=False, sort_keys=True)
        os.replace(tmp.name, folder / f"{key}.json")


# -- Writing: inline SVG per formula ------------------------------------------

@functools.lru_cache(maxsize=4096)
def _entry(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        return None


def _svg(self, node: nodes.Element) -> str:
    app = self.builder.app
    entry = _entry(cache_dir(app) / f"{key_of_node(app, node)}.json")
    if entry is None:
        # Typesetting failed and was reported at the formula's line; the
        # strict build fails, so this stand-in is never published.
        logger.warning("formula not typeset: %r", node.astext(),
                       location=node, type="formulas", subtype="missing")
        return html.escape(node.astext())
    return entry["svg"]


def visit_math(self, node: nodes.math) -> None:
    self.body.append(f'<span class="math">{_svg(self, node)}</span>')
    raise nodes.SkipNode


def visit_displaymath(self, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math"))
    if node["number"]:
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})</span>')
    self.body.append(_svg(self, node) + "</div>\n")
    raise nodes.SkipNode


# -- One copy of each glyph per page ------------------------------------------

DEFS = re.compile(r"<defs>((?:<path id=\"mjx-[^\"]+\" d=\"[^\"]*\"></path>)+)"
                  r"</defs>")
GLYPH = re.compile(r"<path id=\"(mjx-[^\"]+)\" d=\"([^\"]*)\"></path>")
XMLNS = re.compile(r' xmlns(?::xlink)?="[^"]+"')


def share_glyphs(app: Sphinx, pagename: str, templatename: str,
                 context: dict, doctree) -> None:
    if getattr(app.builder, "math_renderer_name", None) != RENDERER:
        return
    body = context.get("body", "")
    if "<defs><path id=\"mjx-" not in body:
        return
    glyphs: dict[str, str] = {}

    def hoist(match: re.Match) -> str:
        for glyph, outline in GLYPH.findall(match[1]):
            if glyphs.setdefault(glyph, outline) != outline:
                # Never expected: MathJax names a glyph by font and
                # character. Keep the formula whole rather than misdraw it.
                logger.warning(f"two outlines for glyph {glyph}",
                               location=pagename, type="formulas",
                               subtype="glyph")
                return match[0]
        return ""

    body = DEFS.sub(hoist, body)
    block = ('<svg class="math-glyphs" xmlns="http://www.w3.org/2000/svg" '
             'width="0" height="0" style="position:absolute" '
             'aria-hidden="true">'
             "<defs>" + "".join(
                 f'<path id="{glyph}" d="{glyphs[glyph]}"></path>'
                 for glyph in sorted(glyphs)) + "</defs></svg>\n")
    if app.builder.name == "html":
        # HTML needs no namespace declarations on inline SVG (the EPUB's
        # XHTML does): dropping them saves some 80 bytes a formula.
        body = XMLNS.sub("", body)
        block = XMLNS.sub("", block)
    context["body"] = body + block


def setup(app: Sphinx) -> dict:
    cache.register(app)
    app.add_html_math_renderer(RENDERER, (visit_math, None),
                               (visit_displaymath, None))
    app.connect("builder-inited", init_env)
    app.connect("doctree-read", collect)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("env-updated", render_pending)
    app.connect("html-page-context", share_glyphs)
    return {"version": "3", "parallel_read_safe": True,
            "parallel_write_safe": True}

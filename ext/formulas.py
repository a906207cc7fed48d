"""Formulas as SVG images for editions without JavaScript (the EPUB).

Sphinx's ``imgmath`` runs LaTeX and dvisvgm once per formula, at write
time, and keeps the images inside one builder's output. This renderer
gathers every formula of the book while the sources are read, typesets all
the ones not yet cached in ONE LaTeX run (one page each, cut to size by the
``preview`` package) and ONE dvisvgm run, and caches each SVG under a hash
of its TeX, the preamble and the renderer's settings, outside any builder's
output. A rebuild with no change typesets nothing.

conf.py selects it for the EPUB with ``epub_math_renderer = "svgmath"``.
A formula LaTeX rejects is reported at its chapter's file and line.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number, wrap_displaymath

import cache

logger = logging.getLogger(__name__)

RENDERER = "svgmath"
PREAMBLE = r"""\documentclass[12pt]{article}
\usepackage{amsmath,amssymb,amsfonts,bm}
\usepackage[active,tightpage,textmath,displaymath]{preview}
\pagestyle{empty}
\begin{document}
"""
# Bumped when the output of the same TeX would change.
VERSION = "2"
# dvisvgm reads the preview package's box of each page and reports it:
# "processing page 3" ... "width=34.2pt, height=9.67pt, depth=.924pt".
PAGE_BOX = re.compile(
    r"processing page (\d+)\n(?:.*\n)*?\s*width=([\d.]+)pt, "
    r"height=([\d.]+)pt, depth=([\d.]+)pt")


def tex_of(node: nodes.Element) -> str:
    """The TeX that one page of the batch typesets for a math node."""
    if isinstance(node, nodes.math_block):
        if node.get("nowrap"):
            return node.astext()
        return wrap_displaymath(node.astext(), None, False)
    return "$" + node.astext() + "$"


@functools.cache
def tools_fingerprint() -> str:
    """The versions of the tools that shape a formula's bytes."""
    found = []
    for tool in (["latex", "--version"], ["dvisvgm", "--version"]):
        try:
            run = subprocess.run(tool, capture_output=True, text=True,
                                 check=False)
            found.append(run.stdout.splitlines()[0] if run.stdout else "")
        except OSError:
            found.append("missing")
    return "\0".join(found)


def key_of(tex: str) -> str:
    data = "\0".join((VERSION, tools_fingerprint(), PREAMBLE, tex))
    return hashlib.sha256(data.encode()).hexdigest()[:20]


# dvisvgm lists each glyph's outline once, in <defs>, in an order that
# varies from one process to the next (the same file, built twice on a
# fresh machine, listed them differently). Sorting them by id, which is
# the font's and the character's number, makes the bytes depend on the TeX
# alone.
DEFS = re.compile(r"<defs>\n(.*?)</defs>", re.S)
GLYPH_ID = re.compile(r"<path id='g(\d+)-(\d+)'")


def _glyph_order(line: str) -> tuple:
    match = GLYPH_ID.match(line)
    return (int(match[1]), int(match[2])) if match else (float("inf"), line)


def canonical_svg(svg: str) -> str:
    def sort(match: re.Match) -> str:
        lines = [line for line in match[1].split("\n") if line.strip()]
        return "<defs>\n" + "\n".join(sorted(lines, key=_glyph_order)) \
            + "\n</defs>"
    return DEFS.sub(sort, svg)


def cache_dir(app: Sphinx) -> Path:
    return cache.folder(app, "formulas")


# -- Collecting formulas while reading ---------------------------------------

def collect(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    found = {}
    for node in doctree.findall(lambda n: isinstance(
            n, (nodes.math, nodes.math_block))):
        tex = tex_of(node)
        found[key_of(tex)] = (tex, node.line or 0)
    app.env.formulas[docname] = found


def init_env(app: Sphinx) -> None:
    if not hasattr(app.env, "formulas"):
        app.env.formulas = {}


def purge(app: Sphinx, env, docname: str) -> None:
    env.formulas.pop(docname, None)


def merge(app: Sphinx, env, docnames, other) -> None:
    for docname in docnames:
        env.formulas[docname] = other.formulas.get(docname, {})


# -- Typesetting every missing formula in one batch ---------------------------

def render_pending(app: Sphinx, env) -> None:
    if getattr(app.builder, "math_renderer_name", None) != RENDERER:
        return
    folder = cache_dir(app)
    with cache.locked(folder):
        pending = {}
        for docname, formulas in sorted(env.formulas.items()):
            for key, (tex, line) in formulas.items():
                if not (folder / f"{key}.json").is_file():
                    pending.setdefault(key, (tex, docname, line))
        if pending:
            typeset(app, folder, pending)


def typeset(app: Sphinx, folder: Path, pending: dict) -> None:
    for tool in ("latex", "dvisvgm"):
        if not shutil.which(tool):
            logger.warning(
                f"{tool} is missing; the EPUB's formulas need it "
                "(apt-get install texlive-latex-base dvisvgm, or make setup)",
                type="formulas", subtype="tool",
            )
            return
    items = list(pending.items())
    lines = [PREAMBLE]
    starts = []  # first line of each formula in the .tex file
    for _key, (tex, _doc, _line) in items:
        starts.append(sum(chunk.count("\n") for chunk in lines) + 1)
        lines.append(f"\\begin{{preview}}{tex}\\end{{preview}}\n\\clearpage\n")
    lines.append("\\end{document}\n")
    logger.info(f"typesetting {len(items)} formula(s) in one LaTeX run...")

    with tempfile.TemporaryDirectory(dir=folder, prefix=".math-") as tmp:
        tmp = Path(tmp)
        (tmp / "batch.tex").write_text("".join(lines), encoding="utf-8")
        run = subprocess.run(
            ["latex", "-interaction=nonstopmode", "batch.tex"],
            cwd=tmp, capture_output=True, text=True, check=False,
        )
        log = (tmp / "batch.log").read_text(encoding="utf-8",
                                            errors="replace")
        errors = re.findall(r"^! (.*)\n(?:.*\n)*?l\.(\d+)", log, re.M)
        if run.returncode != 0 or errors:
            for message, tex_line in errors or [("LaTeX failed", "0")]:
                index = max(i for i, s in enumerate(starts)
                            if s <= int(tex_line)) if starts else 0
                tex, docname, line = items[index][1]
                logger.warning(
                    f"LaTeX cannot typeset this formula: {message}: {tex!r}",
                    location=(docname, line), type="formulas",
                    subtype="latex",
                )
            return
        convert = subprocess.run(
            ["dvisvgm", "--page=1-", "--no-fonts", "--exact-bbox",
             "--output=page-%p", "batch.dvi"],
            cwd=tmp, capture_output=True, text=True, check=True,
        )
        boxes = {int(n): (float(w), float(h), float(d))
                 for n, w, h, d in PAGE_BOX.findall(convert.stderr)}
        for number, (key, _item) in enumerate(items, start=1):
            # dvisvgm pads page numbers to the width of the last one.
            svg = next(p for width in range(1, 7)
                       if (p := tmp / f"page-{number:0{width}d}.svg").exists())
            width, height, depth = boxes[number]
            meta = {"width_pt": width, "height_pt": height + depth,
                    "depth_pt": depth}
            # The image first, its size last: the size marks it complete.
            (folder / f"{key}.svg").write_text(
                canonical_svg(svg.read_text(encoding="utf-8")),
                encoding="utf-8")
            (folder / f"{key}.json").write_text(json.dumps(meta))


# -- Writing: an <img> per formula --------------------------------------------

def _image(self, node: nodes.Element) -> str:
    key = key_of(tex_of(node))
    folder = cache_dir(self.builder.app)
    if not (folder / f"{key}.json").is_file():
        # Typesetting failed and was reported at the formula's line; the
        # strict build fails, so this stand-in is never published.
        return f'<span class="math">{html.escape(node.astext())}</span>'
    meta = json.loads((folder / f"{key}.json").read_text())
    target = Path(self.builder.outdir, self.builder.imagedir, "math")
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(folder / f"{key}.svg", target / f"{key}.svg")
    src = f"{self.builder.imgpath}/math/{key}.svg"
    # Sizes in em of the 12 pt text LaTeX set them in, so that formulas
    # scale with the reader's chosen font size.
    style = (f"height:{meta['height_pt'] / 12:.3f}em;"
             f"vertical-align:{-meta['depth_pt'] / 12:.3f}em")
    alt = html.escape(node.astext().strip(), quote=True)
    return f'<img class="math" src="{src}" alt="{alt}" style="{style}"/>'


def visit_math(self, node: nodes.math) -> None:
    self.body.append(_image(self, node))
    raise nodes.SkipNode


def visit_displaymath(self, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math"))
    self.body.append("<p>")
    if node["number"]:
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})</span>')
    self.body.append(_image(self, node) + "</p>\n</div>\n")
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict:
    cache.register(app)
    app.add_html_math_renderer(RENDERER, (visit_math, None),
                               (visit_displaymath, None))
    app.connect("builder-inited", init_env)
    app.connect("doctree-read", collect)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("env-updated", render_pending)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

"""Light HTML pages: what the theme loads that the book's pages never use.

pydata-sphinx-theme (under sphinx-book-theme) loads on every page:
Font Awesome's script (1.5 MB) to draw a dozen icons, Sphinx's search
index and tools (200 kB) for searching as you type, and its stylesheet
(376 kB), of which Bootstrap and Font Awesome rules for classes no page
uses are three quarters. This module:

- renders every page through ``templates/book-light.html``, which extends
  the page's own template and leaves out the Font Awesome script, and the
  search scripts except on the search page (html-page-context);
  static/icons.css draws the icons the pages show instead;
- after the build, deletes Font Awesome's script and fonts from
  ``_static``, and writes the theme's stylesheet afresh from the theme's
  own copy, keeping only the rules that can match: a rule is dropped when
  one of its selectors' class names appears in no page and in no script of
  the build (the scripts add classes such as ``show`` at run time), and
  Font Awesome's font faces go (build-finished).

The HTML builder only; the EPUB has its own theme and stylesheet.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pydata_sphinx_theme
from markupsafe import Markup
from sphinx.application import Sphinx

THEME_CSS = Path(pydata_sphinx_theme.__file__).parent.joinpath(
    "theme", "pydata_sphinx_theme", "static", "styles",
    "pydata-sphinx-theme.css")
DROPPED = ["scripts/fontawesome.js", "scripts/fontawesome.js.map",
           "scripts/fontawesome.js.LICENSE.txt", "vendor/fontawesome"]


def without(markup: str, *names: str) -> Markup:
    """The markup less each <script src> or <link href> naming a file."""
    for name in names:
        markup = re.sub(
            rf'[ \t]*<(?:script|link)\b[^>]*"[^"]*{re.escape(name)}'
            rf'(?:\?[^"]*)?"[^>]*>(?:</script>)?\n?', "", str(markup))
    return Markup(markup)


def light_template(app: Sphinx, pagename: str, templatename: str,
                   context: dict, doctree) -> str | None:
    if app.builder.name != "html":
        return None
    context["book_base"] = templatename
    context["book_without"] = without
    return "book-light.html"


# -- The theme's stylesheet, less what cannot match ---------------------------

def _blocks(css: str, i: int = 0) -> tuple[list, int]:
    """[(prelude, body)]: body is a list for @media-like blocks, the
    declarations in braces for a rule, None for a statement (@import)."""
    found = []
    while i < len(css):
        if css[i] == "}":
            return found, i + 1
        brace = css.find("{", i)
        semi = css.find(";", i)
        if brace == -1:
            found.append((css[i:], None))
            return found, len(css)
        if css[i:].lstrip().startswith("@") and -1 < semi < brace:
            found.append((css[i:semi + 1], None))
            i = semi + 1
            continue
        prelude = css[i:brace]
        if re.match(r"\s*@(media|supports|layer|container)\b", prelude):
            inner, i = _blocks(css, brace + 1)
            found.append((prelude, inner))
            continue
        depth, end = 0, brace
        while True:
            depth += {"{": 1, "}": -1}.get(css[end], 0)
            if depth == 0:
                break
            end += 1
        found.append((prelude, css[brace:end + 1]))
        i = end + 1
    return found, i


def _selectors(prelude: str) -> list[str]:
    """Split a selector list at its top-level commas."""
    parts, depth, start = [], 0, 0
    for at, char in enumerate(prelude):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(prelude[start:at])
            start = at + 1
    return parts + [prelude[start:]]


def _can_match(selector: str, used: set[str]) -> bool:
    # Inside :not(), :is(), :where() and :has() a missing class proves
    # nothing: leave them out of the judgement (keep rather than guess).
    while re.search(r":(?:not|is|where|has)\([^()]*\)", selector):
        selector = re.sub(r":(?:not|is|where|has)\([^()]*\)", "", selector)
    selector = re.sub(r"\\.", "", selector)
    return all(name in used for name in
               re.findall(r"\.(-?[A-Za-z_][\w-]*)", selector))


def _purge(blocks: list, used: set[str]) -> str:
    out = []
    for prelude, body in blocks:
        if isinstance(body, list):
            inner = _purge(body, used)
            if inner:
                out.append(f"{prelude}{{{inner}}}")
        elif body is None or prelude.lstrip().startswith("@"):
            if "Font Awesome" not in (body or ""):
                out.append(prelude + (body or ""))
        else:
            kept = [s for s in _selectors(prelude) if _can_match(s, used)]
            if kept:
                out.append(",".join(kept) + body)
    return "".join(out)


def light_css(css: str, used: set[str]) -> str:
    css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)
    return _purge(_blocks(css)[0], used).strip() + "\n"


def finish(app: Sphinx, exception: Exception | None) -> None:
    if exception or app.builder.name != "html":
        return
    static = Path(app.outdir, "_static")
    for name in DROPPED:
        path = static / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    used: set[str] = set()
    for path in [*Path(app.outdir).glob("*.html"), *static.rglob("*.js")]:
        used.update(re.findall(r"[A-Za-z_][\w-]*", path.read_text(
            encoding="utf-8", errors="replace")))
    styles = static / "styles"
    (styles / "pydata-sphinx-theme.css").write_text(
        light_css(THEME_CSS.read_text(encoding="utf-8"), used),
        encoding="utf-8")
    (styles / "pydata-sphinx-theme.css.map").unlink(missing_ok=True)


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", light_template)
    app.connect("build-finished", finish)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

"""The speed-ups in book_build/patches/ change speed, never output: the
private-API patches, and the caches of formatted bibliography entries and
of highlighted code.

Each is checked on a tiny book built in this process (sphinx.testing),
once with the patch and once with the original function, and the reader's
text is compared: the {numref} link text across chapters, the
bibliography's labels and entries, and the HTML and LaTeX of code blocks
and tables. They also pin the output itself, so
that a patch and an upstream change that broke both alike would still be
caught.
"""

from __future__ import annotations

import re
from pathlib import Path

import pybtex.plugin
from docutils import nodes
from pybtex.style.formatting import BaseStyle
from sphinx.domains.std import StandardDomain
from sphinx.highlighting import PygmentsBridge
from sphinx.testing.util import SphinxTestApp

# conftest.py puts the project root on sys.path, as conf.py does.
from book_build.patches import (
    bibtex_cache,
    doctest_cache,
    fignumber_speedup,
    highlight_cache,
    numref_speedup,
)

NUMREF = "book_build.patches.numref_speedup"
BIBTEX = "book_build.patches.bibtex_speedup"
BIBTEX_CACHE = "book_build.patches.bibtex_cache"
HIGHLIGHT = "book_build.patches.highlight_cache"
TEMPLATES = "book_build.patches.latex_templates"
DOCTEST = "book_build.patches.doctest_cache"
FIGNUMBER = "book_build.patches.fignumber_speedup"
INLINE = "book_build.patches.latex_inline"
COLOURS = "book_build.patches.latex_colors"
NUMREF_INDEX = "book_build.patches.numref_index"

CONF = """\
extensions = {extensions!r}
numfig = True
numfig_format = {{"figure": "Figure %s", "section": "Section %s"}}
bibtex_bibfiles = ["refs.bib"]
"""

NUMREF_BOOK = {
    "index.md": "# Book\n\n```{toctree}\n:numbered:\n\none\ntwo\n```\n",
    "one.md": (
        "# One\n\n(one-intro)=\n## Intro\n\nText.\n\n(one-deep)=\n"
        "## Deep\n\n```{figure} pic.svg\n:name: fig-one\n\nA picture.\n```\n"
    ),
    "two.md": (
        "# Two\n\n## Links\n\nSee {numref}`one-deep`, "
        "{numref}`Section %s <one-intro>` and {numref}`fig-one`.\n"
    ),
    "pic.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="1" '
               'height="1"/>',
}

BIBLIOGRAPHY_BOOK = {
    "index.md": (
        "# Book\n\nCited {cite:p}`hohnhold2015` and {cite:p}`solo2020`.\n\n"
        "```{bibliography}\n:all:\n:style: book-alpha\n```\n"
    ),
    "refs.bib": (
        "@inproceedings{hohnhold2015, author = {Hohnhold, Henning and "
        "O'Brien, Deirdre and Tang, Diane}, title = {Focusing on the "
        "Long-term}, booktitle = {KDD}, year = {2015}}\n"
        "@book{solo2020, author = {Doe, Jane}, title = {A Book}, "
        "publisher = {Press}, year = {2020}}\n"
    ),
}


def build(root: Path, files: dict[str, str], extensions: list[str],
          conf: str = "", builder: str = "html", warnings: str = "",
          out: str = "out") -> Path:
    """Build into root/out, and check that Sphinx said exactly `warnings`.
    The sources are written to root/src, again if they are there."""
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    (src / "conf.py").write_text(CONF.format(extensions=extensions) + conf)
    for name, text in files.items():
        (src / name).write_text(text)
    app = SphinxTestApp(builder, srcdir=src, builddir=root / out)
    try:
        app.build()
        said = re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue())
        said = re.sub(r"^\S*index\.md:\d+: ", "", said, flags=re.M)
        assert said == warnings, app.warning.getvalue()
    finally:
        app.cleanup()
    return root / out / builder


def link_texts(page: Path) -> list[str]:
    html = page.read_text(encoding="utf-8")
    return re.findall(r'class="std std-numref">(.*?)</span>', html)


def test_numref_speedup_keeps_the_link_text(tmp_path, monkeypatch):
    extensions = ["myst_parser"]
    monkeypatch.setattr(StandardDomain, "_resolve_numref_xref",
                        numref_speedup._resolve)
    plain = link_texts(build(tmp_path / "plain", NUMREF_BOOK, extensions)
                       / "two.html")
    fast = link_texts(build(tmp_path / "fast", NUMREF_BOOK,
                            extensions + [NUMREF]) / "two.html")
    assert StandardDomain._resolve_numref_xref is not numref_speedup._resolve
    assert fast == plain == ["Section 1.2", "Section 1.1", "Figure 1.1"]


def labels(page: Path) -> list[str]:
    html = page.read_text(encoding="utf-8")
    found = re.findall(r'<span class="label"><span class="fn-bracket">\['
                       r'</span>(.*?)<span', html)
    return [re.sub(r"<[^>]+>", "", label) for label in found]


def test_bibtex_speedup_keeps_the_bibliography_labels(tmp_path, monkeypatch):
    lookup = pybtex.plugin._load_entry_point
    uncached = getattr(lookup, "__wrapped__", lookup)
    extensions = ["myst_parser", "sphinxcontrib.bibtex",
                  "book_build.bibliography_labels"]
    monkeypatch.setattr(pybtex.plugin, "_load_entry_point", uncached)
    plain = labels(build(tmp_path / "plain", BIBLIOGRAPHY_BOOK, extensions)
                   / "index.html")
    fast = labels(build(tmp_path / "fast", BIBLIOGRAPHY_BOOK,
                        [BIBTEX] + extensions) / "index.html")
    assert hasattr(pybtex.plugin._load_entry_point, "cache_info")
    assert fast == plain == ["Doe20", "HOT15"]


def bibliography_html(page: Path) -> str:
    html = page.read_text(encoding="utf-8")
    return html[html.index('<div class="citation"'):
                html.rindex('</div>\n</div>')]


def test_bibtex_cache_keeps_the_bibliography(tmp_path, monkeypatch):
    """Formatted from scratch, from a cold cache and from a warm one, the
    bibliography is the same, and the warm build formats nothing."""
    monkeypatch.setattr(BaseStyle, "format_entry", BaseStyle.format_entry)
    monkeypatch.setattr(bibtex_cache, "_folder", None)
    extensions = ["myst_parser", "sphinxcontrib.bibtex",
                  "book_build.bibliography_labels"]
    plain = bibliography_html(build(tmp_path / "plain", BIBLIOGRAPHY_BOOK,
                                    extensions) / "index.html")
    conf = f"build_cache_dir = {str(tmp_path / 'cache')!r}\n"
    cached = extensions + [BIBTEX_CACHE]
    cold = bibliography_html(build(tmp_path / "cold", BIBLIOGRAPHY_BOOK,
                                   cached, conf) / "index.html")
    stored = sorted((tmp_path / "cache" / "bibliography").glob("*.pickle"))
    assert stored, "the cold build stored no entry"
    formatted = []
    monkeypatch.setattr(bibtex_cache, "_original",
                        lambda *a, **k: formatted.append(a) or None)
    warm = bibliography_html(build(tmp_path / "warm", BIBLIOGRAPHY_BOOK,
                                   cached, conf) / "index.html")
    assert not formatted, "the warm build formatted entries again"
    assert warm == cold == plain
    assert "Focusing on the long-term" in plain and "HOT15" in plain


def test_bibtex_cache_key_follows_the_entry():
    """Another title, author or label is another key; the same entry
    parsed again is the same key."""
    from pybtex.database import parse_string
    style = pybtex.plugin.find_plugin("pybtex.style.formatting", "alpha")()

    def key(bib: str, label: str = "A") -> str:
        entry, = parse_string(bib, "bibtex").entries.values()
        return bibtex_cache.entry_key(style, label, entry)

    base = "@book{k, author = {Doe, Jane}, title = {T}, year = {2020}}"
    assert key(base) == key(base)
    assert key(base) != key(base.replace("{T}", "{U}"))
    assert key(base) != key(base.replace("Jane", "John"))
    assert key(base) != key(base, label="B")


CODE_BOOK = {
    "index.md": (
        "# Book\n\n```python\ndef f(x):\n    return {'a': x ** 2}  # \\o/\n"
        "```\n\n```pycon\n>>> f(2)\n{'a': 4}\n```\n\n"
        "| Name | Value |\n| --- | --- |\n| `a_b` | 1 % |\n| c | {} |\n"
    ),
}


def code_text(out: Path, builder: str) -> str:
    if builder == "html":
        html = (out / "index.html").read_text(encoding="utf-8")
        return "".join(re.findall(r'<div class="highlight.*?</pre></div>',
                                  html, re.S))
    tex = next(out.glob("*.tex")).read_text(encoding="utf-8")
    return tex[tex.index(r"\begin{document}"):]


def test_highlight_cache_and_latex_templates_keep_code_and_tables(
        tmp_path, monkeypatch):
    """Code blocks and tables, in HTML and LaTeX, are the same highlighted
    afresh, from a cold cache and from a warm one (which highlights
    nothing), and with one LaTeX renderer for every table."""
    from sphinx.util.template import LaTeXRenderer
    from sphinx.writers import latex
    monkeypatch.setattr(PygmentsBridge, "highlight_block",
                        PygmentsBridge.highlight_block)
    monkeypatch.setattr(latex, "LaTeXRenderer", LaTeXRenderer)
    monkeypatch.setattr(highlight_cache, "_folder", None)
    conf = f"build_cache_dir = {str(tmp_path / 'cache')!r}\n"
    base = ["myst_parser"]
    for builder in ("html", "latex"):
        plain = code_text(build(tmp_path / f"plain-{builder}", CODE_BOOK,
                                base, builder=builder), builder)
        cold = code_text(build(tmp_path / f"cold-{builder}", CODE_BOOK,
                               base + [HIGHLIGHT, TEMPLATES], conf,
                               builder=builder), builder)
        assert latex.LaTeXRenderer is not LaTeXRenderer
        with monkeypatch.context() as m:
            m.setattr(highlight_cache, "_original", None)  # must not run
            warm = code_text(build(tmp_path / f"warm-{builder}", CODE_BOOK,
                                   base + [HIGHLIGHT, TEMPLATES], conf,
                                   builder=builder), builder)
        assert warm == cold == plain, builder
        assert "return" in plain and ("a\\_b" in plain or builder == "html")
    assert len(list((tmp_path / "cache" / "highlight").iterdir())) >= 4


def test_highlight_cache_keeps_no_warning_away(tmp_path, monkeypatch):
    """A block Pygments cannot highlight warns on every build, warm or
    cold, as it does uncached."""
    monkeypatch.setattr(PygmentsBridge, "highlight_block",
                        PygmentsBridge.highlight_block)
    monkeypatch.setattr(highlight_cache, "_folder", None)
    book = {"index.md": "# Book\n\n```nosuchlanguage\nx = 1\n```\n"}
    conf = f"build_cache_dir = {str(tmp_path / 'cache')!r}\n"
    said = ("WARNING: Pygments lexer name 'nosuchlanguage' is not known "
            "[misc.highlighting_failure]\n")
    build(tmp_path / "plain", book, ["myst_parser"], warnings=said)
    for run in ("cold", "warm"):
        build(tmp_path / run, book, ["myst_parser", HIGHLIGHT], conf,
              warnings=said)


SNIPPET_BOOK = {
    "index.md": "# Book\n\n```{toctree}\none\ntwo\nthree\n```\n",
    "one.md": "# One\n\n```{doctest}\n>>> 1 + 1\n2\n>>> x = 3\n```\n",
    "two.md": ("# Two\n\n```{doctest}\n>>> x = 2\n```\n\n"
               "```{doctest}\n>>> x * 21\n42\n```\n"),
    "three.md": "# Three\n\nNo snippet.\n",
}


def doctest_report(out: Path) -> str:
    """output.txt less its first two lines (the date of the run)."""
    return "".join((out / "output.txt").read_text().splitlines(True)[2:])


def test_doctest_cache_keeps_the_report(tmp_path, monkeypatch):
    """output.txt is the same run afresh, from a cold cache and from a warm
    one, which runs no snippet; a failing snippet fails every time. (The
    doctrees name their source folder, so the cached builds share one.)"""
    from sphinx.ext.doctest import DocTestBuilder
    monkeypatch.setattr(DocTestBuilder, "write_documents",
                        DocTestBuilder.write_documents)
    monkeypatch.setattr(doctest_cache, "_folder", None)
    conf = f"build_cache_dir = {str(tmp_path / 'cache')!r}\n"
    base = ["myst_parser", "sphinx.ext.doctest"]
    plain = doctest_report(build(tmp_path / "plain", SNIPPET_BOOK, base,
                                 builder="doctest"))
    cold = doctest_report(build(tmp_path / "cached", SNIPPET_BOOK,
                                base + [DOCTEST], conf, builder="doctest",
                                out="cold"))
    with monkeypatch.context() as m:
        m.setattr(DocTestBuilder, "test_doc", None)  # must not run
        warm = doctest_report(build(tmp_path / "cached", SNIPPET_BOOK,
                                    base + [DOCTEST], conf,
                                    builder="doctest", out="warm"))
    assert warm == cold == plain
    assert "    4 tests\n    0 failures in tests" in plain
    failing = {**SNIPPET_BOOK, "two.md": SNIPPET_BOOK["two.md"].replace(
        "42", "41")}
    for run in ("fail-cold", "fail-warm"):
        report = doctest_report(build(tmp_path / "failing", failing,
                                      base + [DOCTEST], conf,
                                      builder="doctest", out=run))
        assert "1 failure in tests" in report, run


def test_doctest_cache_leaves_snippets_that_reach_out_uncached(tmp_path):
    from docutils.utils import new_document
    from sphinx.ext.doctest import TestDirective  # noqa: F401 (the nodes)
    tree = new_document("<test>")
    block = nodes.literal_block("", ">>> import os\n>>> os.sep\n'/'\n")
    block["testnodetype"] = "doctest"
    tree += block
    assert doctest_cache.reaches_out(tree)
    block.children[0] = nodes.Text(">>> import math\n")
    assert not doctest_cache.reaches_out(tree)


FIGURE_BOOK = {
    **NUMREF_BOOK,
    "two.md": NUMREF_BOOK["two.md"] + (
        "\n## Tables\n\n```{table} A table.\n:name: tab-two\n\n"
        "| a | b |\n| - | - |\n| 1 | 2 |\n```\n\n"
        "```{code-block} python\n:caption: Code.\n:name: code-two\n\n"
        "x = 1\n```\n\n:::{note}\n```{figure} pic.svg\n:name: fig-note\n\n"
        "Inside a note.\n```\n:::\n"),
}


def test_fignumber_speedup_keeps_every_number(tmp_path, monkeypatch):
    """Figure, table and code-block numbers are Sphinx's own, on a fresh
    build and after an edit that adds a figure before the others."""
    from sphinx.environment.collectors.toctree import TocTreeCollector
    monkeypatch.setattr(TocTreeCollector, "assign_figure_numbers",
                        TocTreeCollector.assign_figure_numbers)
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        CONF.format(extensions=["myst_parser", FIGNUMBER]))
    pages = dict(FIGURE_BOOK)
    for edit in range(2):
        for name, text in pages.items():
            (src / name).write_text(text)
        app = SphinxTestApp("html", srcdir=src, builddir=tmp_path / "out")
        try:
            app.build()
            assert not app.warning.getvalue(), app.warning.getvalue()
            fast = app.env.toc_fignumbers
            fignumber_speedup._assign(TocTreeCollector(), app.env)
            assert fast == app.env.toc_fignumbers
        finally:
            app.cleanup()
        numbers = {key: number for page in fast.values()
                   for kind in page.values() for key, number in kind.items()}
        figures = 1 + edit
        assert numbers["fig-one"] == (1, 1 + edit)
        assert numbers["fig-note"] == (2, 1)
        assert numbers["tab-two"] == (2, 1) and numbers["code-two"] == (2, 1)
        assert len(numbers) == 3 + figures
        pages["one.md"] = pages["one.md"].replace(
            "## Deep\n", "## Deep\n\n```{figure} pic.svg\n:name: fig-new"
            "\n\nA new one.\n```\n", 1)


def test_latex_inline_keeps_the_document(tmp_path, monkeypatch):
    """The PDF's one LaTeX document is the same whether Sphinx deep-copies
    each page before joining them or not, and the pages are left with
    their own deepcopy afterwards."""
    from sphinx.builders import latex
    from sphinx.environment import BuildEnvironment
    monkeypatch.setattr(latex, "inline_all_toctrees",
                        latex.inline_all_toctrees)
    base = ["myst_parser"]
    plain = code_text(build(tmp_path / "plain", FIGURE_BOOK, base,
                            builder="latex"), "latex")
    loaded = []
    real = BuildEnvironment.get_doctree
    monkeypatch.setattr(BuildEnvironment, "get_doctree",
                        lambda env, name: loaded.append(real(env, name))
                        or loaded[-1])
    fast = code_text(build(tmp_path / "fast", FIGURE_BOOK, base + [INLINE],
                           builder="latex"), "latex")
    assert fast == plain
    assert r"\label{\detokenize{one:fig-one}}" in plain
    assert loaded and not any("deepcopy" in vars(page) for page in loaded)


def test_latex_colors_define_each_colour_once(tmp_path, monkeypatch):
    """The LaTeX style names each token colour, defined once with the same
    numbers; the HTML stylesheet is Pygments' own."""
    from book_build.patches import latex_colors
    monkeypatch.setattr(PygmentsBridge, "get_stylesheet",
                        PygmentsBridge.get_stylesheet)
    plain = (build(tmp_path / "plain", CODE_BOOK, ["myst_parser"],
                   builder="latex") / "sphinxhighlight.sty").read_text()
    named = (build(tmp_path / "named", CODE_BOOK, ["myst_parser", COLOURS],
                   builder="latex") / "sphinxhighlight.sty").read_text()
    assert r"\textcolor[rgb]" in plain and r"\textcolor[rgb]" not in named
    definition = re.compile(r"^\\definecolor\{(\w+)\}\{rgb\}\{([\d.,]+)\}\n",
                            re.M)
    defined = dict(definition.findall(named))
    assert len(defined) == len(set(defined.values())) > 10
    rest = definition.sub("", named).replace(
        "% Each colour defined once (book_build/patches/latex_colors.py)\n",
        "")
    spelled = re.sub(r"\\textcolor\{(\w+)\}",
                     lambda m: rf"\textcolor[rgb]{{{defined[m.group(1)]}}}",
                     rest)
    assert spelled == plain
    html = PygmentsBridge("html")
    assert html.get_stylesheet() == latex_colors._stylesheet(html)


def test_numref_index_keeps_the_link_text(tmp_path, monkeypatch):
    """Numrefs to a section, figures, a table and a code block read the
    same resolved from each page's index as from the page, in HTML and
    LaTeX, and after an edit that renumbers a figure."""
    from book_build.patches import numref_index
    monkeypatch.setattr(StandardDomain, "_resolve_numref_xref",
                        StandardDomain._resolve_numref_xref)
    monkeypatch.setattr(numref_index, "_folder", None)
    links = ("\n## More links\n\n{numref}`tab-two`, {numref}`code-two`, "
             "{numref}`fig-note`, {numref}`Figure %s <fig-one>` and "
             "{numref}`one-intro`.\n")
    book = {**FIGURE_BOOK, "two.md": FIGURE_BOOK["two.md"] + links}
    edited = {**book, "one.md": book["one.md"].replace(
        "## Deep\n", "## Deep\n\n```{figure} pic.svg\n:name: fig-new\n\n"
        "New.\n```\n", 1)}
    base = ["myst_parser", NUMREF]
    conf = f"build_cache_dir = {str(tmp_path / 'cache')!r}\n"

    def texts(out: Path, builder: str) -> list[str]:
        if builder == "html":
            return link_texts(out / "two.html")
        tex = next(out.glob("*.tex")).read_text(encoding="utf-8")
        return re.findall(r"\\hyperref\[\\detokenize\{([^}]*)\}\]"
                          r"\{(\w+) \\ref", tex)

    seen = {}
    for builder in ("html", "latex"):
        plain = [texts(build(tmp_path / f"plain-{builder}", pages, base,
                             builder=builder, out=name), builder)
                 for name, pages in (("first", book), ("edited", edited))]
        fast = [texts(build(tmp_path / f"fast-{builder}", pages,
                            base + [NUMREF_INDEX], conf, builder=builder,
                            out="out"), builder)
                for pages in (book, edited)]
        assert fast == plain, builder
        seen[builder] = plain
    assert list((tmp_path / "cache" / "numref").glob("*.pickle"))
    assert "Figure 1.2" in seen["html"][1] and "Table 2.1" in seen["html"][0]
    assert ("two:code-two", "Listing") in seen["latex"][0]

"""The HTML edition, as a reader opens it from file:// with no network."""

from __future__ import annotations

import html as htmllib
import json
import re
import subprocess
from pathlib import Path

from conftest import (
    ROOT,
    diagram_placements,
    edition_href,
    formulas_in_sources,
    mermaid_fragments,
)

# Attributes through which a page loads something (not plain links).
RESOURCE = re.compile(
    r"<(?:script|img|iframe|source|video|audio|embed)\b[^>]*?\bsrc=\"([^\"]+)\""
    r"|<link\b[^>]*?\bhref=\"([^\"]+)\"[^>]*>",
    re.I,
)


def _pages(html_dir: Path) -> list[Path]:
    """The pages a reader opens (the book is one folder deep)."""
    return sorted(html_dir.glob("*.html"))


def _text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def test_every_chapter_has_a_page_with_its_number_and_title(
        html_dir, chapters):
    for ch in chapters:
        page = _text(html_dir / f"{ch.docname}.html")
        article = page[page.index('<article class="bd-article">'):]
        h1 = re.search(r"<h1>(.*?)</h1>", article, re.S)
        assert h1, f"{ch.docname}.html has no <h1>"
        heading = htmllib.unescape(re.sub(r"<[^>]+>|#", "", h1.group(1)))
        expected = (f"{ch.number}. {ch.title}" if ch.number else ch.title)
        assert " ".join(heading.split()) == expected


def test_no_resource_comes_from_another_host(html_dir):
    offenders = []
    for page in _pages(html_dir):
        for match in RESOURCE.finditer(_text(page)):
            url = match.group(1) or match.group(2)
            link = match.group(0)
            if match.group(2) and not re.search(
                    r"rel=\"(?:stylesheet|preload|icon|modulepreload)",
                    link):
                continue  # rel=index/search/next: navigation, not a load
            if re.match(r"(?:[a-z]+:)?//", url, re.I):
                offenders.append(f"{page.name}: {url}")
    for css in html_dir.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(
                encoding="utf-8", errors="replace")):
            if re.match(r"(?:https?:)?//", url):
                offenders.append(f"{css.name}: {url}")
    assert not offenders, offenders


def test_every_local_resource_exists(html_dir):
    missing = []
    for page in _pages(html_dir):
        for match in RESOURCE.finditer(_text(page)):
            url = (match.group(1) or match.group(2)).split("#")[0]
            url = url.split("?")[0]
            if not url or re.match(r"[a-z]+:", url, re.I):
                continue
            if not (page.parent / url).exists():
                missing.append(f"{page.name}: {url}")
    assert not missing, missing


def test_no_page_loads_math_javascript(html_dir):
    """Formulas are typeset at build time: no page, the generated ones
    (genindex, search) included, loads or carries MathJax."""
    for page in _pages(html_dir):
        text = _text(page)
        scripts = re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", text)
        assert not [s for s in scripts
                    if re.search(r"mathjax|tex-|mml-|katex", s, re.I)], page
        assert "MathJax" not in text, page
    assert not [p for p in html_dir.rglob("*")
                if re.search(r"tex-svg|tex-chtml|mathjax", p.name, re.I)]


def test_every_formula_is_svg_with_its_spoken_form(html_dir):
    """Each formula of the sources is on its page as inline SVG whose
    accessible name is spoken words, not TeX; no TeX is left as text."""
    sources = formulas_in_sources()
    assert sources, "the sources have no formula: the check is idle"
    for docname, formulas in sources.items():
        page = _text(html_dir / f"{docname}.html")
        article = page[page.index('<article class="bd-article">'):
                       page.index("</article>")]
        found = re.findall(
            r'<(span|div)[^>]*class="math"[^>]*>\s*(?:<span class="eqno">'
            r'.*?</span>)?<svg\b([^>]*)>', article)
        assert len(found) == len(formulas), (docname, len(found),
                                             len(formulas))
        for _tag, attributes in found:
            assert 'role="img"' in attributes, (docname, attributes)
            label = re.search(r'aria-label="([^"]*)"', attributes)
            spoken = htmllib.unescape(label.group(1)) if label else ""
            assert spoken.strip(), (docname, attributes)
            # "x" speaks as x, but no command reaches a listener as TeX.
            assert "\\" not in spoken, (docname, spoken)
        shown = htmllib.unescape(re.sub(r"<[^>]+>", " ", article))
        for tex in formulas:
            if "\\" in tex:
                assert tex.strip() not in shown, f"{docname}: raw TeX {tex}"
        # Each glyph a formula uses is defined once on the page.
        uses = set(re.findall(r'xlink:href="#(mjx-[^"]+)"', page))
        defined = re.findall(r'<path id="(mjx-[^"]+)"', page)
        assert uses <= set(defined), (docname, uses - set(defined))
        assert len(defined) == len(set(defined)), docname


def search(html_dir: Path, query: str) -> dict:
    """Type a query into the search page in Chromium, from file://."""
    result = subprocess.run(
        ["node", str(ROOT / "tests" / "search_check.mjs"),
         str(html_dir / "search.html"), query],
        capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(result.stdout)


def test_search_finds_a_glossary_term_offline(html_dir):
    # The chapters that link the term to its glossary entry.
    term = "interleaving"
    users = {page.name for page in _pages(html_dir)
             if page.name != "glossary.html"
             and f'glossary.html#term-{term}"' in _text(page)}
    assert users, f"no chapter links {term!r}: pick another term"
    found = search(html_dir, term)
    assert not found["failed"], found["failed"]
    pages = {r["href"].split("#")[0] for r in found["results"]}
    assert users & pages, (users, found["results"])
    assert "glossary.html" in pages


def test_search_can_find_nothing(html_dir):
    found = search(html_dir, "zqxjkvw")
    assert found["results"] == [] and not found["failed"]


def validate(page: Path) -> list[str]:
    """The W3C validator's (Nu's) errors on one page."""
    jar = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    result = subprocess.run(
        ["java", "-jar", str(jar), "--errors-only", "--format", "text",
         str(page)], capture_output=True, text=True, check=False)
    return [line for line in (result.stdout + result.stderr).splitlines()
            if line.startswith("Error:")]


def test_landing_page_is_valid_html(html_dir, tmp_path):
    assert validate(html_dir / "index.html") == []
    # The validator does see an error: a duplicated attribute.
    bad = tmp_path / "bad.html"
    bad.write_text('<!doctype html><html lang="en"><title>b</title>'
                   '<p role="heading" aria-level="2" aria-level="2">b</p>')
    assert any("Duplicate attribute" in e for e in validate(bad))


def test_landing_page_links_the_other_editions(html_dir):
    page = _text(html_dir / "index.html")
    for edition in ("pdf", "epub"):
        assert f'href="{edition_href(edition)}"' in page
        assert (html_dir.parent / f"mlsd-book.{edition}").is_file()


def test_every_diagram_is_an_svg_image_with_its_alt_text(html_dir):
    placements = diagram_placements()
    assert placements, "the book places no diagram"
    for docname, diagrams in placements.items():
        page = _text(html_dir / f"{docname}.html")
        for name, alt in diagrams:
            img = re.search(
                rf'<img[^>]*src="(_images/{re.escape(name)}\.svg)"[^>]*>',
                page)
            assert img, f"{docname}.html lacks the image of {name}"
            assert (html_dir / img.group(1)).stat().st_size > 1000
            found = re.search(r'alt="([^"]*)"', img.group(0)).group(1)
            assert htmllib.unescape(found) == alt


def test_no_mermaid_source_reaches_the_reader(html_dir):
    fragments = mermaid_fragments()
    for page in _pages(html_dir):
        text = htmllib.unescape(re.sub(r"<[^>]+>", " ", _text(page)))
        for fragment in fragments:
            assert fragment not in text, f"{page.name}: {fragment}"
    assert not list(html_dir.rglob("mermaid*.js")), "a Mermaid runtime"

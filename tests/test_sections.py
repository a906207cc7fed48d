"""A reader's note such as "Ch. 3, 3.2 Understand scale and latency" finds
the same section in every edition: the same numbers and titles in the HTML,
the EPUB and the PDF's bookmarks, and the same anchors in HTML and EPUB."""

from __future__ import annotations

import re

import pypdf
from bs4 import BeautifulSoup

from conftest import BOOK


def sections(page: str) -> list[tuple[str, str, str]]:
    """(anchor, number, title) of each numbered section of a built page."""
    soup = BeautifulSoup(page, "html.parser")
    found = []
    for heading in soup.select("section > h2, section > h3"):
        number = heading.select_one("span.section-number")
        if number is None:
            continue
        title = heading.get_text().replace(number.get_text(), "", 1)
        found.append((heading.parent["id"], number.get_text().strip(" ."),
                      " ".join(title.replace("#", "").split())))
    return found


def pdf_sections(reader: pypdf.PdfReader, number: int) -> list[tuple]:
    """(number, title) of the bookmarks below chapter `number`."""
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            elif depth > 0:
                num, _, title = item.title.partition(" ")
                if num.split(".")[0] == str(number):
                    found.append((num, title))
    walk(reader.outline, 0)
    return found


def test_sections_have_the_same_numbers_titles_and_anchors_everywhere(
        html_dir, epub, pdf_path, chapters):
    reader = pypdf.PdfReader(pdf_path)
    for ch in chapters:
        if not ch.number:
            continue
        html = sections((html_dir / f"{ch.docname}.html").read_text())
        xhtml = sections(epub.read(f"{ch.docname}.xhtml").decode())
        assert len(html) >= 8, ch.docname
        assert xhtml == html, ch.docname
        # The PDF prints a chapter's references as footnotes, so its
        # References section is the one the PDF leaves out
        # (book_build/editions/pdf.py).
        assert pdf_sections(reader, ch.number) == [
            (n, t) for a, n, t in html
            if a != f"{ch.docname}-references"], ch.docname
        source = (BOOK / f"{ch.docname}.md").read_text(encoding="utf-8")
        labels = re.findall(r"^\(([a-z0-9-]+)\)=\n#{2,3} ", source, re.M)
        anchors = {a for a, _, _ in html}
        assert set(labels) <= anchors, set(labels) - anchors


def test_the_section_check_sees_a_renumbered_section():
    page = ('<section id="x-a"><h2><span class="section-number">3.1. </span>'
            'Set up</h2></section>')
    assert sections(page) == [("x-a", "3.1", "Set up")]
    assert sections(page.replace("3.1", "3.2")) != sections(page)

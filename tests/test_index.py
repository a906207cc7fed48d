"""The index: the key terms and methods in the HTML's, the EPUB's and the
PDF's, each glossary term once, leading to its definition and its uses."""

from __future__ import annotations

import re
import subprocess

import pypdf
from bs4 import BeautifulSoup

from glossary_terms import entries


def entry_name(li) -> str:
    """An index entry's words: its own text, or its first link's."""
    return " ".join(li.find(string=True).split()) or \
        " ".join(li.a.get_text().split())


def index_entries(page: str) -> dict[str, list[str]]:
    """Top-level entry -> the pages its links lead to, from a genindex."""
    soup = BeautifulSoup(page, "html.parser")
    found: dict[str, list[str]] = {}
    for li in soup.select("table.indextable > tr > td > ul > li"):
        found.setdefault(entry_name(li).replace("\u2019", "'"), []).extend(
            a["href"].split("#")[0] for a in li.find_all("a"))
    return found


def test_the_html_and_epub_indexes_list_the_same_terms(html_dir, epub):
    html = index_entries((html_dir / "genindex.html").read_text())
    xhtml = index_entries(epub.read("genindex.xhtml").decode())
    assert len(html) >= 150
    assert set(xhtml) == set(html)


def test_every_html_page_leads_to_the_index(html_dir, chapters):
    for ch in chapters:
        page = (html_dir / f"{ch.docname}.html").read_text()
        assert re.search(r'<a [^>]*href="genindex.html"[^>]*>\s*Index\s*</a>',
                         page), ch.docname


def test_each_glossary_term_is_indexed_with_its_definition(html_dir):
    html = index_entries((html_dir / "genindex.html").read_text())
    for entry in entries():
        for term in entry:
            assert term in html, term
            assert "glossary.html" in html[term], term


def subentries(page: str) -> list[str]:
    """Entries listed under another one ("negative sampling, word2vec")."""
    soup = BeautifulSoup(page, "html.parser")
    return [entry_name(li) for li in soup.select("table.indextable li li")]


def test_the_pdf_index_lists_each_glossary_term_once(pdf_path, html_dir):
    # pdftotext prints a sub-entry like an entry, so those the HTML's
    # index nests under another entry are allowed one more line each.
    nested = subentries((html_dir / "genindex.html").read_text())
    reader = pypdf.PdfReader(pdf_path)
    start = [reader.get_destination_page_number(item)
             for item in reader.outline
             if not isinstance(item, list) and item.title == "Index"]
    assert start, "no Index bookmark"
    text = subprocess.run(
        ["pdftotext", "-f", str(start[0] + 1), str(pdf_path), "-"],
        capture_output=True, text=True, check=True).stdout
    lines = [" ".join(x.split()).replace("\u2019", "'")
             for x in text.splitlines()]
    for entry in entries():
        for term in entry:
            rows = [x for x in lines
                    if re.match(rf"{re.escape(term)},( \d+,?)+$", x)]
            assert len(rows) == 1 + nested.count(term), (term, rows)

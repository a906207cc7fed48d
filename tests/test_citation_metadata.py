"""What reference managers read from the HTML edition: every numbered
chapter's page carries Highwire Press `citation_*` tags (Zotero, Mendeley,
Google Scholar) and a schema.org Chapter in JSON-LD, part of a Book; the
landing page carries the Book. Every value must equal the corresponding
field of the page's own "Cite this chapter" block (its BibTeX and its
plain text), field by field: book_build/citing.py writes them all from one
source, and this checks that they stayed one."""

from __future__ import annotations

import json
import re

from bs4 import BeautifulSoup

from conftest import RELEASE, edition_href

ONCE = ("citation_title", "citation_author", "citation_inbook_title",
        "citation_book_title", "citation_publication_date",
        "citation_publisher", "citation_language")


def bibtex_fields(entry: str) -> dict[str, str]:
    found = dict(re.findall(r"^\s*(\w+)\s*=\s*\{(.*)\},?\s*$", entry, re.M))
    # {{The mlsd-book contributors}}: braces keep a group name whole.
    found["author"] = found.get("author", "").strip("{}")
    return found


def json_ld(soup: BeautifulSoup) -> list[dict]:
    return [json.loads(s.string) for s in
            soup.find_all("script", type="application/ld+json")]


def disagreements(page: str, number: int) -> list[str]:
    """Every way a chapter page's metadata differs from its citation block
    (empty when they agree)."""
    soup = BeautifulSoup(page, "html.parser")
    head = soup.head
    meta: dict[str, list[str]] = {}
    for tag in head.find_all("meta", attrs={"name": re.compile("^citation_")}):
        meta.setdefault(tag["name"], []).append(tag["content"])
    box = soup.select_one("div.cite-this-chapter")
    if box is None:
        return ["no Cite this chapter block"]
    plain = " ".join(box.find("p", class_=None).get_text().split())
    bib = bibtex_fields(box.find("pre").get_text())
    lds = json_ld(soup)
    if len(lds) != 1 or lds[0].get("@type") != "Chapter":
        return [f"JSON-LD is not one Chapter: {lds}"]
    ld, book = lds[0], lds[0]["isPartOf"]

    wrong = [f"{name} appears {len(meta.get(name, []))} times"
             for name in ONCE if len(meta.get(name, [])) != 1]
    if wrong:
        return wrong
    hw = {name: values[0] for name, values in meta.items()}
    pairs = {
        "title": [hw["citation_title"], bib["title"], ld["name"]],
        "author": [hw["citation_author"], bib["author"],
                   ld["author"]["name"], book["author"]["name"]],
        "book title": [hw["citation_inbook_title"],
                       hw["citation_book_title"], bib["booktitle"],
                       book["name"]],
        "year": [hw["citation_publication_date"], bib["year"],
                 ld["datePublished"], book["datePublished"]],
        "publisher": [hw["citation_publisher"], bib["publisher"],
                      book["publisher"]["name"]],
        "language": [hw["citation_language"], soup.html.get("lang"),
                     ld["inLanguage"], book["inLanguage"]],
        "chapter": [bib["chapter"], ld["position"], str(number)],
        "version": [bib["edition"], book["bookEdition"], book["version"],
                    RELEASE],
        "pdf": [hw.get("citation_pdf_url", ""),
                book.get("encoding", {}).get("contentUrl", ""),
                # Only a release build knows a stable address for the PDF.
                edition_href("pdf") if edition_href("pdf").startswith(
                    "https://") else ""],
    }
    for field, values in pairs.items():
        if len(set(values)) != 1:
            wrong.append(f"{field}: {values}")
    expected = (f"{bib['author']}. \u201c{bib['title']}.\u201d Chapter "
                f"{bib['chapter']} of {bib['booktitle']}, version "
                f"{bib['edition']}, {bib['year']}.")
    if not plain.startswith(expected):
        wrong.append(f"plain text {plain!r} does not start {expected!r}")
    return wrong


def test_every_chapter_page_describes_itself_as_its_citation_does(
        html_dir, chapters):
    numbered = [c for c in chapters if c.number]
    assert numbered
    for ch in numbered:
        page = (html_dir / f"{ch.docname}.html").read_text()
        assert disagreements(page, ch.number) == [], ch.docname


def test_the_landing_page_is_the_book_every_chapter_is_part_of(
        html_dir, chapters):
    soup = BeautifulSoup((html_dir / "index.html").read_text(),
                         "html.parser")
    (book,) = json_ld(soup)
    assert book["@type"] == "Book"
    assert book["@context"] == "https://schema.org"
    first = next(c for c in chapters if c.number)
    chapter = json_ld(BeautifulSoup(
        (html_dir / f"{first.docname}.html").read_text(), "html.parser"))[0]
    assert {k: v for k, v in book.items() if k != "@context"} \
        == chapter["isPartOf"]
    assert book["bookEdition"] == RELEASE


def test_pages_that_are_not_chapters_claim_to_be_none(html_dir, chapters):
    for ch in chapters:
        if ch.number:
            continue
        soup = BeautifulSoup((html_dir / f"{ch.docname}.html").read_text(),
                             "html.parser")
        assert not soup.head.find("meta", attrs={
            "name": re.compile("^citation_")}), ch.docname
        assert not json_ld(soup), ch.docname


def test_the_comparison_sees_each_kind_of_disagreement(html_dir, chapters):
    ch = next(c for c in chapters if c.number)
    page = (html_dir / f"{ch.docname}.html").read_text()
    assert disagreements(page, ch.number) == []
    assert disagreements(page, ch.number + 1)  # another chapter's number
    title = re.search(r'<meta name="citation_title" content="([^"]+)"',
                      page).group(1)
    changes = [
        (f'name="citation_title" content="{title}"',
         f'name="citation_title" content="{title} (draft)"'),
        ('name="citation_inbook_title"', 'name="citation_journal_title"'),
        ('"bookEdition": "', '"bookEdition": "9'),
        ('"datePublished": "', '"datePublished": "1'),
        ('<meta name="citation_language"', '<meta name="x"'),
    ]
    for old, new in changes:
        assert old in page, old
        assert disagreements(page.replace(old, new, 1), ch.number), new

"""The glossary: every key term defined once, in a few sentences; each
chapter links its first use of a term to the definition; each definition
links back to the sections that use it, in the HTML, the EPUB and the PDF.
"""

from __future__ import annotations

import re
from collections import Counter

import pypdf
import pytest
from bs4 import BeautifulSoup, NavigableString

from glossary_terms import Matcher, definitions, entries

# Text a reader does not meet as running prose: headings, code, formulas,
# captions, admonition titles, references. A term there need not link.
SKIP = ("h1", "h2", "h3", "h4", "h5", "h6", "pre", "code", "script", "style",
        "figcaption", "caption", "math", "nav")
SKIP_CLASSES = {"math", "admonition-title", "footnote", "footnote-list",
                "citation", "headerlink", "caption-text"}


@pytest.fixture(scope="session")
def glossary() -> list[list[str]]:
    return entries()


@pytest.fixture(scope="session")
def matcher(glossary) -> Matcher:
    return Matcher(glossary)


def sentences(text: str) -> int:
    return len(re.findall(r"[.!?](?:\s+(?=[A-Z])|$)", text))


def test_every_entry_is_defined_in_one_to_three_sentences():
    found = definitions()
    assert len(found) >= 60
    for terms, definition in found:
        assert terms, definition
        assert 1 <= sentences(definition) <= 3, (terms, definition)
        assert "{" not in definition, (terms, "markup in a definition")


def test_the_glossary_is_alphabetical_and_names_each_term_once(glossary):
    heads = [e[0] for e in glossary]
    assert heads == sorted(heads, key=str.lower)
    counts = Counter(t.lower() for e in glossary for t in e)
    assert [t for t, n in counts.items() if n > 1] == []


def entry_ids(glossary_page: str) -> dict[str, str]:
    """Anchor id of each term on the built glossary -> its headword."""
    soup = BeautifulSoup(glossary_page, "html.parser")
    ids, group = {}, []
    for node in soup.select("dl.glossary > dt, dl.glossary > dd"):
        if node.name == "dt":
            group.append(node)
            continue
        head = group[0].find(string=True, recursive=False) or \
            group[0].get_text()
        for dt in group:
            ids[dt["id"]] = str(head).strip().replace("\u2019", "'")
        group = []
    return ids


def _skipped(node) -> bool:
    for parent in node.parents:
        if parent.name in SKIP:
            return True
        if SKIP_CLASSES & set(parent.get("class") or []):
            return True
    return False


def reading(page: str, glossary_file: str, ids: dict[str, str], matcher):
    """Events of a chapter's running text in reading order: ("use", i,
    headword) for a term in plain text, ("link", i, headword) for a link to
    the glossary. Reading stops where the chapter's citation block begins.
    """
    soup = BeautifulSoup(page, "html.parser")
    body = soup.select_one("article.bd-article") or soup.body
    events = []
    for i, node in enumerate(body.descendants):
        if not isinstance(node, NavigableString) or _skipped(node):
            continue
        if node.strip() == "Cite this chapter":
            break
        link = node.find_parent("a")
        if link is not None:
            href = link.get("href", "")
            if href.startswith(f"{glossary_file}#"):
                head = ids.get(href.split("#", 1)[1])
                assert head, f"link to no glossary term: {href}"
                events.append(("link", i, head))
            continue
        for _start, _end, head in matcher.find(str(node)):
            events.append(("use", i, head))
    return events


def first_use_problems(events) -> list[str]:
    """Terms whose first plain use comes before any link to the glossary."""
    linked, problems = set(), []
    for kind, _i, head in events:
        if kind == "link":
            linked.add(head)
        elif head not in linked and head not in problems:
            problems.append(head)
    return problems


def chapter_pages(chapters, suffix, read):
    for ch in chapters:
        if ch.number:
            yield ch, read(f"{ch.docname}.{suffix}")


@pytest.mark.parametrize("edition", ["html", "epub"])
def test_first_use_of_each_term_links_to_its_definition(
        edition, html_dir, epub, chapters, matcher):
    if edition == "html":
        suffix, read = "html", lambda f: (html_dir / f).read_text()
    else:
        suffix, read = "xhtml", lambda f: epub.read(f).decode()
    ids = entry_ids(read(f"glossary.{suffix}"))
    assert set(ids.values()) == set(matcher.entry_of.values())
    linked = 0
    for ch, page in chapter_pages(chapters, suffix, read):
        events = reading(page, f"glossary.{suffix}", ids, matcher)
        assert not first_use_problems(events), (
            ch.docname, "first use not linked",
            first_use_problems(events))
        linked += sum(kind == "link" for kind, _, _ in events)
    assert linked >= 100


def test_the_first_use_check_sees_an_unlinked_term(matcher):
    ids = {"term-embedding": "embedding"}
    linked = ('<body><p>An <a href="glossary.html#term-embedding">embedding'
              '</a> and embeddings.</p><h2>Embedding</h2></body>')
    unlinked = ('<body><p>Each embedding, then an <a href="glossary.html'
                '#term-embedding">embedding</a>.</p></body>')
    assert first_use_problems(
        reading(linked, "glossary.html", ids, matcher)) == []
    assert first_use_problems(
        reading(unlinked, "glossary.html", ids, matcher)) == ["embedding"]


def back_links(glossary_page: str, suffix: str) -> list[tuple[str, str]]:
    """(page, anchor) of every "Used in" link under the definitions."""
    soup = BeautifulSoup(glossary_page, "html.parser")
    found = []
    for para in soup.select("dl.glossary p.glossary-uses"):
        for a in para.find_all("a"):
            page, _, anchor = a["href"].partition("#")
            assert page.endswith(f".{suffix}"), a["href"]
            found.append((page, anchor))
    return found


@pytest.mark.parametrize("edition", ["html", "epub"])
def test_each_definition_links_back_to_the_sentences_using_it(
        edition, html_dir, epub, glossary):
    if edition == "html":
        suffix, read = "html", lambda f: (html_dir / f).read_text()
    else:
        suffix, read = "xhtml", lambda f: epub.read(f).decode()
    soup = BeautifulSoup(read(f"glossary.{suffix}"), "html.parser")
    used = soup.select("dl.glossary > dd p.glossary-uses")
    assert len(used) == len(glossary), "an entry no chapter links"
    parsed: dict[str, BeautifulSoup] = {}
    for page, anchor in back_links(read(f"glossary.{suffix}"), suffix):
        if page not in parsed:
            parsed[page] = BeautifulSoup(read(page), "html.parser")
        target = parsed[page].find(id=anchor)
        assert target is not None, (page, anchor)
        # The anchor sits just before the link it marks.
        link = target.find_next("a")
        assert link["href"].startswith(f"glossary.{suffix}#term-"), (
            page, anchor)


def pdf_links(reader: pypdf.PdfReader) -> list[tuple[int, int]]:
    """(page index, destination page index) of each internal link."""
    names = reader.named_destinations
    found = []
    for number, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            action = annot.get("/A") or {}
            if annot.get("/Subtype") == "/Link" and action.get("/S") \
                    == "/GoTo" and str(action["/D"]) in names:
                found.append((number, reader.get_destination_page_number(
                    names[str(action["/D"])])))
    return found


def test_pdf_terms_and_definitions_link_both_ways(pdf_path, chapters):
    reader = pypdf.PdfReader(pdf_path)
    starts = {item.title: reader.get_destination_page_number(item)
              for item in reader.outline if not isinstance(item, list)}
    order = sorted(starts.values())

    def pages_of(title: str) -> range:
        start = starts[title]
        later = [p for p in order if p > start]
        return range(start, later[0] if later else len(reader.pages))

    glossary = pages_of("Glossary")
    links = pdf_links(reader)
    for ch in chapters:
        if not ch.number:
            continue
        pages = pages_of(f"{ch.number} {ch.title}")
        out = sum(p in pages and d in glossary for p, d in links)
        back = sum(p in glossary and d in pages for p, d in links)
        assert out >= 10, (ch.title, "links to the glossary", out)
        assert back >= 10, (ch.title, "links back from the glossary", back)

"""The bibliography: one .bib of real, complete, distinct works, each cited,
and the whole list in the back matter of every edition."""

from __future__ import annotations

import html as htmllib
import re
import subprocess

from pybtex.database import BibliographyData, parse_file, parse_string

from conftest import BOOK

BIB = BOOK / "references.bib"

# Where each kind of work names its venue or publisher.
VENUE = {
    "article": ("journal",),
    "inproceedings": ("booktitle",),
    "incollection": ("booktitle",),
    "book": ("publisher",),
    "techreport": ("institution",),
    "misc": ("howpublished", "publisher", "organization"),
}
# A book is found by its ISBN; every other work has a DOI or a stable URL.
LOCATOR = {"book": ("doi", "url", "isbn")}


def entry_problems(bib: BibliographyData) -> list[str]:
    problems = []
    for key, entry in bib.entries.items():
        fields = {k.lower(): v for k, v in entry.fields.items()}
        if not (entry.persons.get("author") or entry.persons.get("editor")):
            problems.append(f"{key}: no author")
        for field in ("title", "year"):
            if not fields.get(field, "").strip():
                problems.append(f"{key}: no {field}")
        venues = VENUE.get(entry.type)
        if venues is None:
            problems.append(f"{key}: entry type @{entry.type} not expected")
        elif not any(fields.get(v) for v in venues):
            problems.append(f"{key}: no {' or '.join(venues)}")
        if not any(fields.get(f) for f in LOCATOR.get(entry.type,
                                                     ("doi", "url"))):
            problems.append(f"{key}: no DOI or URL")
    return problems


def duplicates(bib: BibliographyData) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    found = []
    for key, entry in bib.entries.items():
        title = re.sub(r"[^a-z0-9]", "", entry.fields["title"].lower())
        for mark in (entry.fields.get("doi", "").lower(), title):
            if mark and mark in seen:
                found.append((seen[mark], key))
            seen.setdefault(mark, key)
    return found


def cited_keys() -> set[str]:
    keys = set()
    for md in BOOK.glob("*.md"):
        for group in re.findall(r"\{(?:foot)?cite(?::\w+)?\}`([^`]+)`",
                                md.read_text(encoding="utf-8")):
            keys.update(k.strip() for k in group.split(","))
    return keys


def labels(page: str) -> list[str]:
    """The labels of the citation list on a built page, in order."""
    return re.findall(
        r'<span class="label"><span class="fn-bracket">\[</span>'
        r'([^<]+)<span class="fn-bracket">\]</span></span>', page)


def test_every_entry_names_authors_title_venue_year_and_a_locator():
    assert not entry_problems(parse_file(BIB))


def test_the_entry_check_sees_what_is_missing():
    bib = parse_string(
        "@inproceedings{x, author = {A, B}, title = {T}, year = {2020}}",
        "bibtex")
    assert entry_problems(bib) == ["x: no booktitle", "x: no DOI or URL"]


def test_no_work_is_listed_twice():
    bib = parse_file(BIB)
    assert not duplicates(bib)
    twice = parse_string(
        "@misc{a, title = {Same Work}, doi = {10.1/x}}\n"
        "@misc{b, title = {Same work}, doi = {10.1/X}}", "bibtex")
    assert duplicates(twice) == [("a", "b"), ("a", "b")]


def test_every_entry_is_cited_and_every_citation_has_an_entry():
    keys = set(parse_file(BIB).entries)
    cited = cited_keys()
    assert keys - cited == set(), "listed but never cited"
    assert cited - keys == set(), "cited but not in references.bib"


def test_the_back_matter_lists_every_work_in_every_edition(
        html_dir, epub, pdf_path):
    count = len(parse_file(BIB).entries)
    html_labels = labels((html_dir / "bibliography.html").read_text())
    assert len(html_labels) == count
    assert len(set(html_labels)) == count, "two works share a label"
    assert labels(epub.read("bibliography.xhtml").decode()) == html_labels
    pdf = subprocess.run(["pdftotext", str(pdf_path), "-"],
                         capture_output=True, text=True, check=True).stdout
    back_matter = pdf[pdf.rindex("BIBLIOGRAPHY"):]
    missing = [x for x in html_labels if f"[{x}]" not in back_matter]
    assert not missing, missing


def test_no_tex_markup_reaches_a_reader(html_dir, epub, chapters):
    pages = [(html_dir / "bibliography.html").read_text(),
             epub.read("bibliography.xhtml").decode()]
    for ch in chapters:
        pages.append((html_dir / f"{ch.docname}.html").read_text())
    for page in pages:
        for item in re.findall(r'<(?:div|aside) class="(?:citation|footnote)'
                               r'[^"]*".*?</(?:div|aside)>', page, re.S):
            text = htmllib.unescape(re.sub(r"<[^>]+>", "", item))
            assert not re.search(r"\\[A-Za-z]|[{}]|--", text), text


def test_the_pdf_has_one_bibliography_chapter():
    # Checked on the LaTeX Sphinx wrote, which the PDF is made from: the
    # chapter heading once, and the list inside it (not a second chapter).
    tex = (BOOK.parent / "_build" / "work" / "latex" / "mlsd-book.tex")\
        .read_text(encoding="utf-8")
    assert tex.count(r"\chapter{Bibliography}") == 1
    heading = tex.index(r"\chapter{Bibliography}")
    assert heading < tex.index(r"\begin{sphinxthebibliography}")
    assert r"\chapter" not in tex[heading + 1:tex.index(
        r"\begin{sphinxthebibliography}")]

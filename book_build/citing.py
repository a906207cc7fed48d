""""Cite this chapter": a citation block at the end of every numbered
chapter, in plain text and BibTeX, a .bib file of all chapters for the
HTML edition, and the metadata reference managers read in each page's head.

Everything in a citation comes from one place, conf.py (title, subtitle,
author, version, slug, language), the chapter's number from the numbered
table of contents, its title and its label; the year is that of
SOURCE_DATE_EPOCH (the last commit's, as the Makefile sets it), so that
builds stay reproducible. No citation is typed by hand. `fields()` puts
them together once; the block, the BibTeX, the Highwire Press `citation_*`
tags (Zotero, Mendeley, Google Scholar) and the schema.org JSON-LD are all
written from its result, so they cannot disagree.
"""

from __future__ import annotations

import html
import json
import os
import time
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

from book_build import downloads


def _year() -> int:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return time.gmtime(int(epoch) if epoch else time.time()).tm_year


def chapters(app: Sphinx) -> list[dict]:
    """Every numbered chapter: number, title, label, docname."""
    env = app.env
    found = []
    for docname, numbers in env.toc_secnumbers.items():
        if not numbers.get(""):
            continue
        title = env.titles[docname].astext()
        doctree_labels = [
            name for name, (doc, _anchor, _title)
            in env.get_domain("std").labels.items()
            if doc == docname and name.startswith("ch-")
        ]
        found.append({"docname": docname, "number": numbers[""][0],
                      "title": title,
                      "label": doctree_labels[0] if doctree_labels else ""})
    return sorted(found, key=lambda c: c["number"])


def book_fields(app: Sphinx) -> dict:
    """What identifies the book, for every citation of it or of a chapter."""
    c = app.config
    return {"author": c.author, "booktitle": f"{c.project}: {c.subtitle}",
            "edition": c.release, "year": str(_year()),
            "publisher": c.author, "language": c.language,
            # The PDF's address only where it is stable: a release's file.
            "pdf_url": downloads.release_url(c, "pdf")}


def fields(app: Sphinx, ch: dict) -> dict:
    """Every field of a chapter's citation, once."""
    return {**book_fields(app), "key": f"{app.config.slug}-{ch['docname']}",
            "title": ch["title"], "chapter": str(ch["number"]),
            "label": ch["label"]}


def plain_text(app: Sphinx, ch: dict) -> str:
    f = fields(app, ch)
    return (f"{f['author']}. \u201c{f['title']}.\u201d Chapter {f['chapter']} "
            f"of {f['booktitle']}, version {f['edition']}, "
            f"{f['year']}. Section label {f['label']}.")


def bibtex(app: Sphinx, ch: dict) -> str:
    f = fields(app, ch)
    return (
        f"@incollection{{{f['key']},\n"
        f"  author    = {{{{{f['author']}}}}},\n"
        f"  title     = {{{f['title']}}},\n"
        f"  booktitle = {{{f['booktitle']}}},\n"
        f"  chapter   = {{{f['chapter']}}},\n"
        f"  edition   = {{{f['edition']}}},\n"
        f"  publisher = {{{f['publisher']}}},\n"
        f"  year      = {{{f['year']}}},\n"
        f"  note      = {{Section label {f['label']}}}\n"
        "}\n"
    )


def highwire(app: Sphinx, ch: dict) -> list[tuple[str, str]]:
    """The Highwire Press tags of a book chapter, in order. Google Scholar
    reads the book's title from citation_inbook_title; Zotero takes
    citation_book_title as the sign of a book section (with only the
    first it would file the chapter as a journal article), so both carry
    it. Highwire has no tag for a version: the JSON-LD carries it."""
    f = fields(app, ch)
    tags = [("citation_title", f["title"]),
            ("citation_author", f["author"]),
            ("citation_inbook_title", f["booktitle"]),
            ("citation_book_title", f["booktitle"]),
            ("citation_publication_date", f["year"]),
            ("citation_publisher", f["publisher"]),
            ("citation_language", f["language"])]
    if f["pdf_url"]:
        tags.append(("citation_pdf_url", f["pdf_url"]))
    return tags


def book_json_ld(app: Sphinx) -> dict:
    """schema.org's Book: the landing page's, and every chapter's isPartOf."""
    f = book_fields(app)
    book = {"@type": "Book", "name": f["booktitle"],
            "author": {"@type": "Organization", "name": f["author"]},
            "publisher": {"@type": "Organization", "name": f["publisher"]},
            "bookEdition": f["edition"], "version": f["edition"],
            "datePublished": f["year"], "inLanguage": f["language"],
            "license": "https://creativecommons.org/licenses/by/4.0/"}
    if f["pdf_url"]:
        book["encoding"] = {"@type": "MediaObject",
                            "encodingFormat": "application/pdf",
                            "contentUrl": f["pdf_url"]}
    return book


def chapter_json_ld(app: Sphinx, ch: dict) -> dict:
    f = fields(app, ch)
    return {"@type": "Chapter", "name": f["title"],
            "position": f["chapter"],
            "author": {"@type": "Organization", "name": f["author"]},
            "datePublished": f["year"], "inLanguage": f["language"],
            "isPartOf": book_json_ld(app)}


def head_metadata(app: Sphinx, pagename: str, templatename: str,
                  context: dict, doctree: nodes.document | None) -> None:
    """Highwire tags and JSON-LD in the head of the HTML edition's pages:
    a Chapter on each numbered chapter's page, the Book on the landing
    page. The EPUB's pages need none (its package document describes it)."""
    if app.builder.format != "html" or app.builder.name.startswith("epub"):
        return
    if pagename == app.config.root_doc:
        meta, data = [], book_json_ld(app)
    else:
        ch = {c["docname"]: c for c in chapters(app)}.get(pagename)
        if not ch:
            return
        meta, data = highwire(app, ch), chapter_json_ld(app, ch)
    lines = [f'<meta name="{name}" content="{html.escape(value)}">'
             for name, value in meta]
    # "</" cannot occur in the JSON (no value holds "<"); escaped anyway,
    # so that no value could ever close the script element.
    text = json.dumps({"@context": "https://schema.org", **data},
                      ensure_ascii=False).replace("</", "<\\/")
    lines.append(f'<script type="application/ld+json">{text}</script>')
    context["metatags"] = context.get("metatags", "") + "\n".join(lines) + "\n"


def citation_block(app: Sphinx, ch: dict) -> nodes.container:
    """An unnumbered heading (a rubric, so that no edition numbers it or
    lists it in the contents), the plain-text citation and the BibTeX."""
    box = nodes.container(ids=[f"{ch['docname']}-cite"],
                          classes=["cite-this-chapter"])
    box += nodes.rubric("", "Cite this chapter")
    box += nodes.paragraph("", plain_text(app, ch))
    entry = bibtex(app, ch)
    block = nodes.literal_block(entry, entry)
    block["language"] = "bibtex"
    box += block
    return box


def place(top: nodes.section, block: nodes.Element) -> None:
    """Put the block before the chapter's references (whose footnotes
    Sphinx lists at the very end), or at the end of the chapter."""
    for child in top.children:
        if (isinstance(child, nodes.section) and child.children
                and child[0].astext() == "References"):
            top.insert(top.index(child), block)
            return
    top += block


def add_citation(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Add the block to each numbered chapter's top section."""
    by_doc = {ch["docname"]: ch for ch in chapters(app)}
    if app.builder.name == "latex":
        # One tree holds the whole book; each chapter follows its
        # start_of_file marker.
        for start in doctree.findall(addnodes.start_of_file):
            ch = by_doc.get(start["docname"])
            top = next(iter(start.findall(nodes.section)), None)
            if ch and top is not None:
                place(top, citation_block(app, ch))
        return
    ch = by_doc.get(docname)
    top = next(iter(doctree.findall(nodes.section)), None)
    if ch and top is not None:
        place(top, citation_block(app, ch))


def write_bib(app: Sphinx, exception: Exception | None) -> None:
    """The HTML edition offers a .bib file with an entry per chapter."""
    if exception or app.builder.name != "html":
        return
    entries = "\n".join(bibtex(app, ch) for ch in chapters(app))
    Path(app.outdir, f"{app.config.slug}-chapters.bib").write_text(
        entries, encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.add_config_value("slug", "", "env", str)
    app.connect("doctree-resolved", add_citation)
    app.connect("html-page-context", head_metadata)
    app.connect("build-finished", write_bib)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

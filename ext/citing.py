""""Cite this chapter": a citation block at the end of every numbered
chapter, in plain text and BibTeX, and a .bib file of all chapters for the
HTML edition.

Everything in a citation comes from one place, conf.py (title, subtitle,
author, version, slug), the chapter's number from the numbered table of
contents, its title and its label; the year is that of SOURCE_DATE_EPOCH
(the last commit's, as the Makefile sets it), so that builds stay
reproducible. No citation is typed by hand.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx


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


def plain_text(app: Sphinx, ch: dict) -> str:
    c = app.config
    return (f"{c.author}. \u201c{ch['title']}.\u201d Chapter {ch['number']} "
            f"of {c.project}: {c.subtitle}, version {c.release}, "
            f"{_year()}. Section label {ch['label']}.")


def bibtex(app: Sphinx, ch: dict) -> str:
    c = app.config
    return (
        f"@incollection{{{c.slug}-{ch['docname']},\n"
        f"  author    = {{{{{c.author}}}}},\n"
        f"  title     = {{{ch['title']}}},\n"
        f"  booktitle = {{{c.project}: {c.subtitle}}},\n"
        f"  chapter   = {{{ch['number']}}},\n"
        f"  edition   = {{{c.release}}},\n"
        f"  year      = {{{_year()}}},\n"
        f"  note      = {{Section label {ch['label']}}}\n"
        "}\n"
    )


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
    app.connect("build-finished", write_bib)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

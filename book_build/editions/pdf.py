"""The PDF edition: the book's structure in the one LaTeX document.

- Book matter: the preface is front matter (unnumbered, roman page
  numbers), numbered chapters are main matter, and unnumbered pages after
  them are back matter, so that chapter numbers match the HTML's and the
  EPUB's. The macros \\bookmainmatter and \\bookbackmatter are defined in
  conf.py's LaTeX preamble.
- Alternative text: each image is wrapped in the accsupp package's marked
  content with its description as /Alt, so that a PDF screen reader speaks
  the same sentence as the HTML's and EPUB's alt text. The text is passed
  hex-encoded (UTF-16), so no TeX character in it needs escaping.
- A glossary term's index entry is written from its definition's first
  paragraph, not from the term: LaTeX writes an \\index inside the item
  label with a space after each macro ("\\sphinxhyphen {}"), so the index
  listed "fine-tuning" twice, once for the chapters and once for the
  glossary.
- The back matter's toctree lists the index ("genindex") for the HTML and
  the EPUB; LaTeX prints its own index at the end and would report the
  entry as a missing file, so the PDF's toctrees leave it out.
- A run-sheet (a section labelled ``<chapter>-run-sheet``) is set in
  smaller type, its rubric in two columns, on pages of its own, so that a
  reader can print those two pages and keep them beside the whiteboard.
  Only the PDF changes: screens reflow, and the HTML and EPUB keep the
  one-column rubric.
- A chapter's "References" section is dropped from the PDF: there its
  references are footnotes on the pages that cite them, and the section
  would be left as an empty heading.
- Two papers from one XeTeX run: Sphinx writes ``mlsd-book.tex`` (A4)
  only; tools/papers.py draws the US Letter edition from the same typeset
  pages (conf.py's preamble marks the running head and foot for it).
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx


def shape_pdf(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.name != "latex":
        return
    drop_emptied_sections(doctree)
    compact_run_sheets(doctree)
    move_glossary_index_entries(doctree)
    mark_book_matter(app, doctree)
    add_alt_text(doctree)


def add_alt_text(doctree: nodes.document) -> None:
    for image in list(doctree.findall(nodes.image)):
        alt = image.get("alt", "").strip()
        if not alt:
            continue
        code = alt.encode("utf-16-be").hex().upper()  # accsupp adds the BOM
        parent = image.parent
        at = parent.index(image)
        end = nodes.raw("", "\\EndAccSupp{}", format="latex")
        begin = nodes.raw(
            "", f"\\BeginAccSupp{{method=hex,unicode,Alt={code}}}",
            format="latex")
        parent.insert(at + 1, end)
        parent.insert(at, begin)


def compact_run_sheets(doctree: nodes.document) -> None:
    for section in list(doctree.findall(nodes.section)):
        if not any(i.endswith("-run-sheet") for i in section["ids"]):
            continue
        parent = section.parent
        parent.insert(parent.index(section), nodes.raw(
            "", r"\clearpage" + "\n", format="latex"))
        title = section.next_node(nodes.title)
        section.insert(section.index(title) + 1, nodes.raw(
            "", r"\begingroup\small" + "\n", format="latex"))
        section.append(nodes.raw("", r"\par\endgroup\clearpage" + "\n",
                                 format="latex"))
        for rubric in list(section.findall(nodes.definition_list)):
            parent = rubric.parent
            parent.insert(parent.index(rubric) + 1, nodes.raw(
                "", r"\end{multicols}" + "\n", format="latex"))
            parent.insert(parent.index(rubric), nodes.raw(
                "", r"\begin{multicols}{2}\footnotesize" + "\n",
                format="latex"))


def move_glossary_index_entries(doctree: nodes.document) -> None:
    for glossary in doctree.findall(addnodes.glossary):
        for item in glossary.findall(nodes.definition_list_item):
            entries = [n for term in item.findall(nodes.term)
                       for n in term.findall(addnodes.index)]
            first = next(item.findall(nodes.paragraph), None)
            if first is None:
                continue
            for entry in reversed(entries):
                entry.parent.remove(entry)
                first.insert(0, entry)


def drop_emptied_sections(doctree: nodes.document) -> None:
    """Remove sections left with a title and empty containers only."""
    for section in list(doctree.findall(nodes.section)):
        body = [
            n for n in section.children
            if not isinstance(n, (nodes.title, nodes.target))
            and not (isinstance(n, nodes.container) and not n.children)
        ]
        if not body:
            section.parent.remove(section)


def mark_book_matter(app: Sphinx, doctree: nodes.document) -> None:
    """Start the main and back matter before the right chapters."""
    numbered = app.env.toc_secnumbers
    seen_numbered = False
    for start in list(doctree.findall(addnodes.start_of_file)):
        is_numbered = bool(numbered.get(start["docname"]))
        if is_numbered and not seen_numbered:
            command = r"\bookmainmatter"
        elif seen_numbered and not is_numbered:
            command = r"\bookbackmatter"
        else:
            continue
        seen_numbered = seen_numbered or is_numbered
        start.parent.insert(
            start.parent.index(start),
            nodes.raw("", command + "\n", format="latex"),
        )
        if command == r"\bookbackmatter":
            break


def drop_generated_pages(app: Sphinx, doctree: nodes.document) -> None:
    if app.builder.name != "latex":
        return
    for toctree in doctree.findall(addnodes.toctree):
        toctree["entries"] = [(title, ref) for title, ref in
                              toctree["entries"] if ref != "genindex"]
        toctree["includefiles"] = [ref for ref in toctree["includefiles"]
                                   if ref != "genindex"]


def setup(app: Sphinx) -> dict:
    app.connect("doctree-read", drop_generated_pages)
    app.connect("doctree-resolved", shape_pdf)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

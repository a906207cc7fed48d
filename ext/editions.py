"""Per-edition choices that Sphinx has no setting for.

- EPUB: formulas as images. Sphinx's EPUB builder reads an
  ``epub_math_renderer`` setting but never registers it; registering it here
  lets conf.py give the EPUB ``imgmath`` while HTML keeps MathJax (an EPUB
  has no JavaScript to run MathJax).
- EPUB: diagrams as PNG. E-readers handle raster images most reliably, and
  Mermaid's SVG uses markup that EPUBCheck rejects.
- EPUB: chapter and section numbers in the navigation (Sphinx's EPUB
  builder leaves them out), so "Ch. 3, Metrics" reads the same on an
  e-reader's contents as in the HTML and the PDF.
- EPUB: the cover image flagged the EPUB 3 way (``properties="cover-image"``
  in the package document); Sphinx writes only the older EPUB 2 hint.
- EPUB: citations without the ``doc-biblioentry`` role, which EPUBCheck
  reports as deprecated; ``listitem`` is the role its list parent expects.
- PDF: a chapter's "References" section is dropped, because LaTeX gathers
  every citation into the one bibliography at the back of the book and the
  section would be left as an empty heading.
- PDF: book structure. The preface is front matter (unnumbered, roman page
  numbers), numbered chapters are main matter, and unnumbered pages after
  them are back matter, so chapter numbers match the HTML's and EPUB's.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.epub3 import Epub3Builder
from sphinx.writers.html5 import HTML5Translator

EPUB_IMAGE_PREFERENCE = ["image/png", "image/jpeg", "image/gif",
                         "image/svg+xml"]


def prefer_raster_in_epub(app: Sphinx) -> None:
    if app.builder.name == "epub":
        app.builder.supported_image_types = EPUB_IMAGE_PREFERENCE


class NumberedEpubBuilder(Epub3Builder):
    def toc_add_files(self, refnodes: list[dict]) -> None:
        # Every navigation list (nav.xhtml, toc.ncx) passes through here.
        secnumbers = self.env.toc_secnumbers
        for item in refnodes:
            page, _, anchor = item["refuri"].partition("#")
            docname = page.removesuffix(self.out_suffix)
            number = secnumbers.get(docname, {}).get(
                f"#{anchor}" if anchor else ""
            )
            prefix = ".".join(map(str, number or ())) + ". "
            if number and not item["text"].startswith(prefix):
                item["text"] = prefix + item["text"]
        super().toc_add_files(refnodes)

    def build_content(self) -> None:
        super().build_content()
        opf = self.outdir / "content.opf"
        text = opf.read_text(encoding="utf-8")
        cover = re.search(r'<meta name="cover" content="([^"]+)"', text)
        if cover:
            text = re.sub(
                rf'(<item id="{re.escape(cover.group(1))}" [^>]*?)\s*/>',
                r'\1 properties="cover-image" />', text, count=1,
            )
            opf.write_text(text, encoding="utf-8")


class EpubTranslator(HTML5Translator):
    def visit_citation(self, node: nodes.Element) -> None:
        super().visit_citation(node)
        self.body[-1] = self.body[-1].replace(
            'role="doc-biblioentry"', 'role="listitem"'
        )


def shape_pdf(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.name != "latex":
        return
    drop_emptied_sections(doctree)
    mark_book_matter(app, doctree)


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
    """Start the main and back matter (macros defined in conf.py)."""
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


def setup(app: Sphinx) -> dict:
    app.add_config_value("epub_math_renderer", None, "env", [str, None])
    app.connect("builder-inited", prefer_raster_in_epub)
    app.add_builder(NumberedEpubBuilder, override=True)
    app.set_translator("epub", EpubTranslator)
    app.connect("doctree-resolved", shape_pdf)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

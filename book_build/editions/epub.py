"""The EPUB edition: what Sphinx's EPUB 3 builder has no setting for.

- Formulas: the same inline SVG as the HTML (assets/formulas.py); EPUB 3
  wants every content document that holds inline SVG flagged ``svg`` in the
  package document, which Sphinx does not do.
- Diagrams as PNG: e-readers show raster images most reliably, and
  Mermaid's SVG uses markup that EPUBCheck rejects. Each diagram is as wide
  as the text (static/epub-book.css), unless that would make it taller
  than a portrait e-reader's screen: a diagram whose height exceeds
  ``TALL`` times its width gets the class ``diagram-tall`` and a width in
  percent of the text that makes it fit one 600x800 screen with its
  caption. Plain percentages, so every reading engine sizes it alike
  (calibre's and others' ``vh`` do not mean the screen). The PNG keeps its
  full resolution for tap-to-zoom. ``make ereader`` (tools/ereader_check.py)
  shows the result in calibre; tests/test_ereader.py holds the same sizes
  and the minimum label size from the files.
- Chapter and section numbers in the navigation, which Sphinx leaves out,
  so that "Ch. 3, Metrics" reads the same as in the HTML and the PDF.
- Accessibility: every content document declares its language; the
  package document carries schema.org accessibility metadata (from
  conf.py's ``epub_accessibility``) and flags the cover the EPUB 3 way; the
  navigation document has landmarks and the roles readers expect. Sphinx's
  templates come from its own package, so these are added to its output.
- Back matter: the landmarks lead to the glossary, the bibliography and
  the index, and the index, listed in the book's toctree and appended by
  Sphinx as well, appears once in the reading order.
- Reproducible: with SOURCE_DATE_EPOCH set, every entry of the EPUB's zip
  carries that date instead of its file's time, so two builds of the same
  sources give the same bytes.
(Valid ARIA in the pages themselves comes from aria.py, beside this one.)
"""

from __future__ import annotations

import html
import os
import re
import time
import zipfile
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.epub3 import Epub3Builder

from book_build.glossary import glossary_docs

IMAGE_PREFERENCE = ["image/png", "image/jpeg", "image/gif", "image/svg+xml"]

# A diagram may be this many times as tall as the text is wide: on a
# 6-inch 600x800 screen the text is about 530 px wide and 740 px tall, and
# the caption needs a few lines below the picture.
TALL = 1.3


def png_size(path: Path) -> tuple[int, int]:
    with open(path, "rb") as png:
        head = png.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    return int.from_bytes(head[16:20], "big"), \
        int.from_bytes(head[20:24], "big")


def width_cap(width: int, height: int) -> int:
    """The percentage of the text width a diagram takes: 100, or less for a
    diagram taller than TALL times its width."""
    if height <= TALL * width:
        return 100
    return max(10, int(100 * TALL * width / height))


def size_diagrams(app: Sphinx, doctree, docname: str) -> None:
    if app.builder.name != "epub":
        return
    for image in doctree.findall(nodes.image):
        png = image.get("candidates", {}).get("image/png")
        if "diagram" not in image["classes"] or not png:
            continue
        cap = width_cap(*png_size(Path(app.srcdir, png)))
        if cap < 100:
            image["classes"].append("diagram-tall")
            image["width"] = f"{cap}%"  # written as style="width: NN%;"


class BookEpubBuilder(Epub3Builder):
    supported_image_types = IMAGE_PREFERENCE

    def init(self) -> None:
        super().init()
        lang = html.escape(self.config.language or "en")
        self.html_tag = (
            '<html xmlns="http://www.w3.org/1999/xhtml" '
            'xmlns:epub="http://www.idpf.org/2007/ops" '
            f'lang="{lang}" xml:lang="{lang}">'
        )

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
        metadata = "".join(
            f'    <meta property="schema:{name}">{html.escape(value)}'
            "</meta>\n"
            for name, values in self.config.epub_accessibility.items()
            for value in ([values] if isinstance(values, str) else values)
        )
        text = text.replace("  </metadata>", metadata + "  </metadata>", 1)

        def flag_svg(match: re.Match) -> str:
            page = self.outdir / html.unescape(match.group(2))
            if "<svg" not in page.read_text(encoding="utf-8"):
                return match.group(0)
            return match.group(1) + ' properties="svg"' + match.group(3)

        text = re.sub(r'(<item id="[^"]+" href="([^"]+\.xhtml)" '
                      r'media-type="application/xhtml\+xml")( ?/>)',
                      flag_svg, text)
        # The back matter's toctree lists the index, which Sphinx also
        # appends to the reading order: a page may appear there once.
        seen: set[str] = set()

        def once(match: re.Match) -> str:
            if match.group(1) in seen:
                return ""
            seen.add(match.group(1))
            return match.group(0)

        text = re.sub(r'[ \t]*<itemref idref="([^"]+)"[^>]*/>\n', once, text)
        opf.write_text(text, encoding="utf-8")

    def build_navigation_doc(self) -> None:
        super().build_navigation_doc()
        nav = self.outdir / "nav.xhtml"
        text = nav.read_text(encoding="utf-8")
        text = text.replace('<nav epub:type="toc">',
                            '<nav epub:type="toc" role="doc-toc">', 1)
        # The body matter starts at the first numbered chapter.
        chapters = {doc: numbers[""] for doc, numbers
                    in self.env.toc_secnumbers.items() if numbers.get("")}
        start = min(chapters, key=chapters.get, default=None)
        landmarks = (
            '    <nav epub:type="landmarks" hidden="">\n'
            "      <h2>Landmarks</h2>\n      <ol>\n"
            # The root page lists the chapters; the nav document itself is
            # not in the reading order, so it cannot be a landmark.
            f'        <li><a epub:type="toc" href="{self.config.root_doc}'
            f'{self.out_suffix}">Table of contents</a></li>\n'
            + (f'        <li><a epub:type="bodymatter" '
               f'href="{start}{self.out_suffix}">Start of content</a></li>\n'
               if start else "")
            + "".join(
                f'        <li><a epub:type="{kind}" href="{doc}'
                f'{self.out_suffix}">{kind.capitalize()}</a></li>\n'
                for kind, doc in self.back_matter())
            + "      </ol>\n    </nav>\n"
        )
        text = text.replace("  </body>", landmarks + "  </body>", 1)
        nav.write_text(text, encoding="utf-8")

    def back_matter(self) -> list[tuple[str, str]]:
        """(EPUB landmark type, docname) of the glossary, the full
        bibliography and the index."""
        found = [("glossary", doc)
                 for doc in sorted(glossary_docs(self.env))]
        cite = self.env.get_domain("cite")
        found += [("bibliography", doc) for doc in sorted(
            {key.docname for key in cite.bibliographies})]
        if self.use_index:
            found.append(("index", "genindex"))
        return found


    def build_epub(self) -> None:
        super().build_epub()
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if not epoch:
            return
        stamp = time.gmtime(max(int(epoch), 315532800))[:6]  # zip: >= 1980
        path = Path(self.outdir, self.config.epub_basename)
        path = path.with_name(path.name + ".epub")
        fixed = path.with_name(path.name + ".tmp")
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(fixed, "w") as dst:
            for item in src.infolist():
                entry = zipfile.ZipInfo(item.filename, date_time=stamp)
                entry.compress_type = item.compress_type
                entry.external_attr = 0o644 << 16
                dst.writestr(entry, src.read(item.filename))
        fixed.replace(path)


def setup(app: Sphinx) -> dict:
    # Sphinx reads epub_math_renderer but never declares it. The book leaves
    # it unset (the EPUB then uses html_math_renderer, the build-time SVG);
    # the benchmark's default path sets imgmath.
    app.add_config_value("epub_math_renderer", None, "env", [str, None])
    app.add_config_value("epub_accessibility", {}, "env", dict)
    app.add_builder(BookEpubBuilder, override=True)
    app.connect("doctree-resolved", size_diagrams)
    # env_version 2: pages written before diagrams were sized are read
    # and written afresh once (Sphinx rewrites no page for an extension's
    # new code otherwise).
    return {"version": "2", "env_version": 2, "parallel_read_safe": True,
            "parallel_write_safe": True}

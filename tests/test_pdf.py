"""The PDF edition: outline, fonts, diagrams as vector text, the index."""

from __future__ import annotations

import re
import subprocess

import pypdf
import pytest
from pypdf.generic import ContentStream

from conftest import BOOK, DIAGRAMS, diagram_placements, mermaid_fragments


@pytest.fixture(scope="session")
def reader(pdf_path):
    return pypdf.PdfReader(pdf_path)


@pytest.fixture(scope="session")
def pdf_text(pdf_path):
    return subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"],
                          capture_output=True, text=True, check=True).stdout


def outline(reader):
    """[(depth, title, page index)] of the PDF's bookmarks."""
    rows = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                rows.append((depth, item.title,
                             reader.get_destination_page_number(item)))
    walk(reader.outline, 0)
    return rows


def test_outline_lists_every_chapter_in_order_with_its_number(
        reader, chapters):
    top = [title for depth, title, _ in outline(reader) if depth == 0]
    expected = [f"{c.number} {c.title}" if c.number else c.title
                for c in chapters]
    assert [t for t in top if t in expected] == expected, top


def test_outline_has_sections_and_an_index(reader):
    rows = outline(reader)
    assert any(depth == 1 for depth, _, _ in rows), "no section bookmarks"
    assert "Index" in [title for depth, title, _ in rows if depth == 0]


def test_every_font_is_embedded(pdf_path):
    out = subprocess.run(["pdffonts", str(pdf_path)], capture_output=True,
                         text=True, check=True).stdout.splitlines()[2:]
    assert out, "pdffonts listed no font"
    not_embedded = [line for line in out if line.split()[-5] != "yes"]
    assert not not_embedded, not_embedded


def source_cross_references() -> int:
    """How many {ref}, {numref} and {term} links the chapters make."""
    return sum(len(re.findall(r"\{(?:ref|numref|term)\}`",
                              md.read_text(encoding="utf-8")))
               for md in BOOK.glob("*.md"))


def test_contents_and_cross_references_are_links(reader):
    internal = 0
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and (
                    "/Dest" in annot or
                    annot.get("/A", {}).get("/S") == "/GoTo"):
                internal += 1
    # Every cross-reference of the sources is a link, and so is every line
    # of the contents: at least as many links as the sources ask for.
    wanted = source_cross_references()
    assert wanted > 300, "the count of the sources' links is idle"
    assert internal >= wanted, f"{internal} internal links, {wanted} asked"


def _times(a: tuple, b: tuple) -> tuple:
    """The product of two PDF transformation matrices, a then b."""
    a1, b1, c1, d1, e1, f1 = a
    a2, b2, c2, d2, e2, f2 = b
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2,
            c1 * b2 + d1 * d2, e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


def figure_boxes(reader, page) -> list[tuple[float, float, float, float]]:
    """Where each vector figure (a form XObject) is drawn on a page, in
    the page's coordinates, in drawing order."""
    xobjects = page.get("/Resources", {}).get("/XObject")
    if not xobjects:
        return []
    xobjects = xobjects.get_object()
    matrix, saved, boxes = (1, 0, 0, 1, 0, 0), [], []
    for operands, operator in ContentStream(page.get_contents(),
                                            reader).operations:
        if operator == b"q":
            saved.append(matrix)
        elif operator == b"Q":
            matrix = saved.pop()
        elif operator == b"cm":
            matrix = _times(tuple(float(x) for x in operands), matrix)
        elif operator == b"Do":
            form = xobjects[operands[0]].get_object()
            if form.get("/Subtype") != "/Form":
                continue
            x0, y0, x1, y1 = (float(v) for v in form["/BBox"])
            corners = [(x * matrix[0] + y * matrix[2] + matrix[4],
                        x * matrix[1] + y * matrix[3] + matrix[5])
                       for x, y in ((x0, y0), (x1, y1), (x0, y1), (x1, y0))]
            xs, ys = [c[0] for c in corners], [c[1] for c in corners]
            boxes.append((min(xs), min(ys), max(xs), max(ys)))
    return boxes


def text_in_box(pdf_path, number: int, height: float, box) -> str:
    """The text pdftotext finds inside one box of one page (1-based)."""
    x0, y0, x1, y1 = box
    crop = ["-x", str(int(x0)), "-y", str(int(height - y1)),
            "-W", str(int(x1 - x0) + 1), "-H", str(int(y1 - y0) + 1)]
    return subprocess.run(
        ["pdftotext", "-f", str(number), "-l", str(number), *crop,
         str(pdf_path), "-"],
        capture_output=True, text=True, check=True).stdout


def label_words(name: str) -> set[str]:
    source = (DIAGRAMS / f"{name}.mmd").read_text(encoding="utf-8")
    labels = re.findall(r"\[\"?([^\]\"]+)\"?\]", source)
    return {w for label in labels
            for w in re.findall(r"[A-Za-z]{4,}", label.replace("<br/>", " "))}


@pytest.fixture(scope="session")
def figure_texts(reader, pdf_path) -> dict[str, str]:
    """Each diagram's alt text -> the text inside its drawn figure only."""
    found = {}
    for index, page in enumerate(reader.pages):
        boxes = figure_boxes(reader, page)
        if not boxes:
            continue
        alts = page_alt_texts(page)
        assert len(alts) == len(boxes), (index + 1, alts, boxes)
        height = float(page.mediabox.height)
        for alt, box in zip(alts, boxes, strict=True):
            found[alt] = text_in_box(pdf_path, index + 1, height, box)
    return found


def missing_labels(name: str, figure_text: str) -> set[str]:
    wanted = label_words(name)
    assert wanted, f"{name} has no labelled node"
    return wanted - set(re.findall(r"[A-Za-z]{4,}", figure_text))


def test_diagram_labels_are_selectable_text_inside_each_figure(figure_texts):
    """Each diagram's node labels come out of the PDF as text, read from
    the area where that figure is drawn (not from the page's prose)."""
    placed = [d for ds in diagram_placements().values() for d in ds]
    assert placed
    for name, alt in placed:
        assert alt in figure_texts, f"{name}: no figure drawn with its alt"
        assert not missing_labels(name, figure_texts[alt]), name


def test_the_label_check_fails_on_another_figure(figure_texts):
    placed = [d for ds in diagram_placements().values() for d in ds]
    (first, _), (_, other_alt) = placed[0], placed[-1]
    assert missing_labels(first, figure_texts[other_alt])


def test_diagrams_are_vector_figures(pdf_path):
    """pdfimages lists raster images; diagrams must not be among them."""
    out = subprocess.run(["pdfimages", "-list", str(pdf_path)],
                         capture_output=True, text=True, check=True).stdout
    assert len(out.splitlines()) <= 2, out


def test_no_mermaid_source_in_the_pdf(pdf_text):
    flat = " ".join(pdf_text.split())
    for fragment in mermaid_fragments():
        assert " ".join(fragment.split()) not in flat


def test_pdf_has_title_and_version(reader, pdf_text):
    assert reader.metadata.title == \
        "Machine Learning System Design Interviews"
    assert re.search(r"Version \d+\.\d+\.\d+", pdf_text)


def page_alt_texts(page) -> list[str]:
    """The /Alt strings of marked content on one page, in order."""
    found = []
    contents = page.get_contents()
    data = contents.get_data() if contents is not None else b""
    for code in re.findall(rb"/Alt\s*<([0-9A-Fa-f\s]+)>", data):
        raw = bytes.fromhex(code.decode().replace(" ", "")
                            .replace("\n", ""))
        found.append(" ".join(raw.decode("utf-16").split()))
    return found


def alt_texts(reader) -> list[str]:
    """The /Alt strings of marked content on every page."""
    return [alt for page in reader.pages for alt in page_alt_texts(page)]


def test_every_diagram_has_its_alt_text_for_screen_readers(reader):
    alts = alt_texts(reader)
    expected = [alt for ds in diagram_placements().values()
                for _name, alt in ds]
    assert expected
    assert sorted(alts) == sorted(expected)


def test_every_run_sheet_prints_on_two_pages(reader, chapters):
    # book_build/editions/pdf.py starts each run-sheet on a page of its own
    # and the next section on a fresh page after it, so its length is a page
    # difference.
    rows = outline(reader)
    spans = {}
    for at, (depth, title, page) in enumerate(rows):
        if title.endswith("The 45-minute run-sheet"):
            following = next(p for d, _, p in rows[at + 1:] if d <= depth)
            spans[title] = following - page
    labelled = [c for c in chapters if f"({c.docname}-run-sheet)=" in
                (BOOK / f"{c.docname}.md").read_text(encoding="utf-8")]
    assert len(spans) == len(labelled) >= 8, spans
    too_long = {title: n for title, n in spans.items() if n > 2}
    assert not too_long, f"run-sheets longer than two pages: {too_long}"


# -- Two papers ------------------------------------------------------------
# XeTeX typesets the one LaTeX document once, and tools/papers.py draws
# Letter from A4's pages, A4's text block centred on the page (conf.py's
# preamble marks the head and foot it moves). So both papers break every
# line and page alike; only the paper around the text differs.

PAPER_PT = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}
# A4's text block as Sphinx sets it (1 inch margins), in PDF points.
TEXT_WIDTH_PT = 210 / 25.4 * 72 - 2 * 72


@pytest.fixture(scope="session")
def papers():
    from conftest import DIST, PDFS
    paths = {paper: DIST / name for paper, name in PDFS.items()}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    assert not missing, f"run `make book` first: {missing}"
    return paths


def test_each_paper_size_is_in_the_file(papers):
    for paper, path in papers.items():
        sizes = {(round(float(p.mediabox.width), 2),
                  round(float(p.mediabox.height), 2))
                 for p in pypdf.PdfReader(path).pages}
        assert len(sizes) == 1, (paper, sizes)
        (width, height), = sizes
        want = PAPER_PT[paper]
        assert abs(width - want[0]) < 0.5 and abs(height - want[1]) < 0.5, \
            (paper, width, height)


def block_text(path, paper: str) -> list[str]:
    """Each page's characters inside the text block's columns (header and
    footer included), sorted: the same page on both papers gives the same
    string, whatever order pdftotext reads sub- and superscripts in, and
    text that overflows the block is cut at the same place on both.
    Hyphens are left out: when a page's last line ends in one, pdftotext
    may join that line to the page number below and drop the hyphen, and
    the foot sits closer to the text on Letter than on A4."""
    width, height = PAPER_PT[paper]
    scale = 10  # pdftotext's crop box is in pixels at -r: 0.1 pt steps
    left = (width - TEXT_WIDTH_PT) / 2 - 2
    crop = ["-r", str(72 * scale), "-x", str(round(left * scale)),
            "-y", "0", "-W", str(round((TEXT_WIDTH_PT + 4) * scale)),
            "-H", str(round(height * scale))]
    text = subprocess.run(["pdftotext", *crop, str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    return ["".join(sorted("".join(page.split()).replace("-", "")))
            for page in text.split("\f")]


@pytest.fixture(scope="session")
def blocks(papers) -> dict[str, list[str]]:
    return {paper: block_text(path, paper) for paper, path in papers.items()}


def test_both_papers_have_the_same_pages_numbers_bookmarks(papers, blocks):
    readers = {paper: pypdf.PdfReader(path) for paper, path in papers.items()}
    assert len(readers["a4"].pages) == len(readers["letter"].pages)
    assert outline(readers["a4"]) == outline(readers["letter"])
    assert readers["a4"].page_labels == readers["letter"].page_labels
    a4, letter = blocks["a4"], blocks["letter"]
    differ = [n + 1 for n, (a, b) in enumerate(zip(a4, letter, strict=True))
              if a != b]
    assert not differ, f"pages that differ between A4 and Letter: {differ}"


def test_the_page_comparison_sees_a_page_moved_by_one(blocks):
    a4, letter = blocks["a4"], blocks["letter"]
    assert a4[40] == letter[40]
    assert a4[40] != letter[41] and a4[40] != letter[39]


def test_head_and_foot_keep_clear_of_the_paper_edge(papers):
    """At least 18 pt (a quarter inch, what printers leave blank) of paper
    above the running head and below the page number, on both papers."""
    for paper, path in papers.items():
        out = subprocess.run(["pdftotext", "-bbox", str(path), "-"],
                             capture_output=True, text=True,
                             check=True).stdout
        tops = [float(y) for y in re.findall(r'<word [^>]*yMin="([\d.]+)"',
                                             out)]
        bottoms = [float(y) for y in
                   re.findall(r'<word [^>]*yMax="([\d.]+)"', out)]
        height = PAPER_PT[paper][1]
        assert min(tops) >= 18, (paper, min(tops))
        assert max(bottoms) <= height - 18, (paper, height - max(bottoms))

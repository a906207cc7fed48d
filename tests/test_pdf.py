"""The PDF edition: outline, fonts, diagrams as vector text, the index."""

from __future__ import annotations

import re
import subprocess

import pypdf
import pytest

from conftest import DIAGRAMS, diagram_placements, mermaid_fragments


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


def test_contents_and_cross_references_are_links(reader):
    internal = 0
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and (
                    "/Dest" in annot or
                    annot.get("/A", {}).get("/S") == "/GoTo"):
                internal += 1
    assert internal >= 20, f"only {internal} internal links"


def test_diagram_labels_are_selectable_text(pdf_text):
    """Each diagram's node labels come out of the PDF as text."""
    words = re.findall(r"[A-Za-z]{4,}", pdf_text)
    placed = {name for ds in diagram_placements().values()
              for name, _ in ds}
    assert placed
    for name in placed:
        source = (DIAGRAMS / f"{name}.mmd").read_text(encoding="utf-8")
        labels = re.findall(r"\[\"?([^\]\"]+)\"?\]", source)
        label_words = {w for label in labels
                       for w in re.findall(r"[A-Za-z]{4,}",
                                           label.replace("<br/>", " "))}
        assert label_words, f"{name} has no labelled node"
        found = label_words & set(words)
        assert len(found) >= 0.8 * len(label_words), (
            f"{name}: labels not in the PDF text: {label_words - found}")


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


def alt_texts(reader) -> list[str]:
    """The /Alt strings of marked content on every page."""
    found = []
    for page in reader.pages:
        contents = page.get_contents()
        data = contents.get_data() if contents is not None else b""
        for code in re.findall(rb"/Alt\s*<([0-9A-Fa-f\s]+)>", data):
            raw = bytes.fromhex(code.decode().replace(" ", "")
                                .replace("\n", ""))
            found.append(" ".join(raw.decode("utf-16").split()))
    return found


def test_every_diagram_has_its_alt_text_for_screen_readers(reader):
    alts = alt_texts(reader)
    expected = [alt for ds in diagram_placements().values()
                for _name, alt in ds]
    assert expected
    assert sorted(alts) == sorted(expected)

"""The EPUB on a 6-inch e-reader, checked from its files.

tools/ereader_check.py (`make ereader`) lays the EPUB out in calibre, a
second reading system, and measures what a reader sees; calibre is too
large and too slow (minutes) for `make test`, so these tests hold the same
invariants from the EPUB's own files: the stylesheet, the diagrams'
classes and the PNGs' pixel sizes, on the same model of the screen
(600 x 800 px, text 530 px wide).
"""

from __future__ import annotations

import re
import sys

import pytest

from conftest import ROOT, diagram_placements

sys.path.insert(0, str(ROOT / "tools"))
import ereader_check as ereader  # noqa: E402

# book_build/editions/epub.py: a diagram may be 1.3 times as tall as the
# text is wide.
TALL = 1.3


@pytest.fixture(scope="session")
def diagrams(epub_path) -> dict[str, dict]:
    return ereader.epub_diagrams(epub_path)


@pytest.fixture(scope="session")
def scales(html_dir, diagrams) -> dict[str, float]:
    return ereader.html_scales(html_dir, diagrams)


@pytest.fixture(scope="session")
def css(epub) -> str:
    text = epub.read("_static/epub-book.css").decode("utf-8")
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def rule(css: str, selector: str) -> str:
    """The declarations of the first rule whose selector list names it."""
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        if selector in [s.strip() for s in selectors.split(",")]:
            return " ".join(body.split())
    return ""


def shown_px(d: dict) -> float:
    return ereader.TEXT_WIDTH_PX * d["width"] / 100


def test_every_placed_diagram_is_sized(diagrams):
    placed = {name for ds in diagram_placements().values() for name, _ in ds}
    assert placed and set(diagrams) == placed


def test_figures_span_the_text_and_diagrams_fill_it(css):
    figure = rule(css, "figure")
    assert "margin-left: 0" in figure and "margin-right: 0" in figure
    diagram = rule(css, "img.diagram")
    assert "width: 100%" in diagram and "height: auto" in diagram
    # Nor is the height capped apart from the width, which squashes the
    # picture; and vh and vw are not the screen in every reading system
    # (calibre's are 0.6 of its page).
    assert "max-height: 100%" in diagram
    assert "object-fit: contain" in diagram
    assert not re.search(r"\d\s*v(?:h|w|min|max)\b", css)


def test_a_tall_diagram_fits_the_screen_and_no_other_is_narrowed(
        diagrams, css):
    for name, d in diagrams.items():
        width, height = d["png"]
        shown_height = shown_px(d) * height / width
        assert shown_height <= TALL * ereader.TEXT_WIDTH_PX + 1, name
        if d["width"] < 100:
            wider = shown_height * (d["width"] + 2) / d["width"]
            assert wider > TALL * ereader.TEXT_WIDTH_PX, \
                f"{name} is narrower than the screen needs"


def label_sizes(diagrams, scales) -> dict[str, float]:
    return {name: ereader.label_px(d["png"][0], scales[name], shown_px(d))
            for name, d in diagrams.items()}


def test_labels_reach_the_minimum_on_a_six_inch_screen(diagrams, scales):
    sizes = label_sizes(diagrams, scales)
    small = {name: round(px, 1) for name, px in sizes.items()
             if px < ereader.MIN_LABEL_PX}
    assert not small, (f"labels below {ereader.MIN_LABEL_PX} px on a 600 px "
                       f"screen: {small}; lay the diagram out for a portrait "
                       "screen (fewer nodes side by side, shorter labels) "
                       "or split it in two")


def test_the_label_check_sees_a_wide_diagram(scales):
    any_scale = next(iter(scales.values()))
    assert ereader.label_px(2400, any_scale, ereader.TEXT_WIDTH_PX) < \
        ereader.MIN_LABEL_PX


def test_tap_to_zoom_has_pixels_to_spare(diagrams, scales):
    for name, d in diagrams.items():
        assert scales[name] >= 2, name  # PNG pixels per CSS px
        assert d["png"][0] >= 1.5 * shown_px(d), name


def test_headings_never_break_inside_a_word(css):
    for selector in ("h1", "h2", "h3"):
        heading = rule(css, selector)
        assert "overflow-wrap: normal" in heading, selector
        assert "hyphens: none" in heading, selector
    assert re.search(r"(?m)^h1\s*\{[^}]*font-size", css), "no title size"
    small = re.search(r"@media \(max-width: [\d.]+em\)\s*\{\s*h1\s*\{"
                      r"[^}]*font-size", css)
    assert small, "no smaller title on a small screen"

"""The EPUB in a second reading system: calibre, at a 6-inch e-reader screen.

    make ereader                  # or:
    .venv/bin/python tools/ereader_check.py [EPUB] [OUT]

calibre's ebook-convert (its own engine, not the Chromium the tests use)
lays the EPUB out on 3.6 x 4.8 inch pages, a 6-inch e-reader's 600 x 800
pixels at 167 ppi, with 14 pt margins and calibre's default type size.
From that PDF the script checks what a reader sees:

- the title page shows the book's title with no word broken;
- every diagram is as wide as the text (or, for a diagram too tall for a
  portrait screen, the narrower width book_build/editions/epub.py gives
  it), undistorted;
- every diagram's labels are at least MIN_LABEL_PX pixels high on that
  screen (the label's font size; capitals are about 0.7 of it), with no
  exceptions: a diagram too wide for a portrait screen is laid out again
  (fewer nodes side by side, shorter labels) or split in two;

and renders the title page and every diagram's page as the screen would
show them, 600 x 800 PNGs in OUT/pages (default _build/ereader/pages).

calibre is a large install and a conversion takes two to four minutes on
two cores, so this is not part of `make test`; tests/test_ereader.py checks
the same sizes from the EPUB's files (classes, CSS, PNG sizes) instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The screen: a 6-inch e-reader, 600 x 800 px at 167 ppi.
SCREEN_PX = (600, 800)
PAGE_IN = (3.6, 4.8)
DPI = SCREEN_PX[0] / PAGE_IN[0]
MARGIN_PT = 14  # each side, about 32 px: a typical e-reader margin
# The text width the tests assume on that screen (calibre measures 535).
TEXT_WIDTH_PX = 530

# The minimum label size held to: the labels' font size, in screen pixels
# of the 600 px-wide screen, with the diagram at the width the EPUB gives
# it. 12 px is about 5 pt at 167 ppi, the size of small print in a book's
# figure; below it a reader has to tap to zoom.
MIN_LABEL_PX = 12.0

TITLE = "Machine Learning System Design Interviews"


def png_size(data: bytes) -> tuple[int, int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return (int.from_bytes(data[16:20], "big"),
            int.from_bytes(data[20:24], "big"))


def mermaid_font_px() -> float:
    """The diagrams' label font size in CSS px (diagrams' Mermaid config)."""
    config = json.loads((ROOT / "diagrams" / "mermaid-config.json")
                        .read_text(encoding="utf-8"))
    return float(config.get("fontSize", 16))


def svg_width(svg: str) -> float:
    """The CSS width of a diagram's SVG (its viewBox), the size that the
    PNG renders at twice or more."""
    box = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) [\d.]+"', svg)
    if not box:
        raise ValueError("SVG without a viewBox")
    return float(box.group(1))


def label_px(png_width: int, png_scale: float, shown_px: float) -> float:
    """Label font size on the screen: the font's CSS px times the PNG's
    pixels per CSS px gives its height in PNG pixels, scaled by how wide
    the PNG is shown."""
    return mermaid_font_px() * png_scale * shown_px / png_width


def epub_diagrams(epub: Path) -> dict[str, dict]:
    """name -> {png: (w, h), width: percent of the text, page: xhtml}
    for every diagram the EPUB places."""
    found = {}
    with zipfile.ZipFile(epub) as book:
        for name in book.namelist():
            if not name.endswith(".xhtml"):
                continue
            page = book.read(name).decode("utf-8")
            for img in re.findall(r"<img\b[^>]*>", page):
                classes = re.search(r'class="([^"]*)"', img)
                classes = classes.group(1).split() if classes else []
                if "diagram" not in classes:
                    continue
                src = re.search(r'src="([^"]+)"', img).group(1)
                cap = re.search(r'style="width: (\d+)%;?"', img)
                found[Path(src).stem] = {
                    "src": src, "page": name,
                    "png": png_size(book.read(src)),
                    "width": int(cap.group(1)) if cap else 100,
                }
    return found


def html_scales(html: Path, diagrams: dict[str, dict]) -> dict[str, float]:
    """PNG pixels per CSS pixel of each diagram, from the HTML's SVG."""
    scales = {}
    for name, d in diagrams.items():
        svg = html / "_images" / f"{name}.svg"
        scales[name] = d["png"][0] / svg_width(svg.read_text("utf-8"))
    return scales


def need(tool: str, package: str, note: str = "") -> str:
    path = shutil.which(tool)
    if not path:
        sys.exit(f"ereader-check: {tool} is missing. Install Debian's "
                 f"{package} (as root): apt-get install {package}{note}")
    return path


def convert(epub: Path, pdf: Path) -> None:
    need("ebook-convert", "calibre",
         " (a large install, about 1 GB with its dependencies)")
    margins = [f"--pdf-page-margin-{side}={MARGIN_PT}"
               for side in ("left", "right", "top", "bottom")]
    margins += [f"--margin-{side}=0"
                for side in ("left", "right", "top", "bottom")]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           # calibre renders with QtWebEngine (Chromium), which as root
           # refuses to start with its sandbox.
           "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox"}
    result = subprocess.run(
        ["ebook-convert", str(epub), str(pdf),
         f"--custom-size={PAGE_IN[0]}x{PAGE_IN[1]}", "--unit=inch",
         *margins],
        capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0 or not pdf.is_file():
        sys.exit("ereader-check: ebook-convert failed:\n"
                 + result.stdout[-3000:] + result.stderr[-3000:])


def placed_images(pdf: Path) -> list[dict]:
    """pdfimages -list: page, pixel size and pixels per inch of each."""
    out = subprocess.run(["pdfimages", "-list", str(pdf)],
                         capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        cols = line.split()
        if len(cols) >= 14 and cols[2] == "image":
            rows.append({"page": int(cols[0]), "w": int(cols[3]),
                         "h": int(cols[4]), "xppi": float(cols[12]),
                         "yppi": float(cols[13])})
    return rows


def text_width_px(pdf: Path) -> float:
    """The widest line of text on the pages, in screen pixels: what the
    reading system gives the text."""
    out = subprocess.run(["pdftotext", "-bbox", "-l", "60", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    xs = [(float(a), float(b)) for a, b in re.findall(
        r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', out)]
    return (max(b for _, b in xs) - min(a for a, _ in xs)) * DPI / 72


def title_page(pdf: Path) -> tuple[int, str]:
    """(page number, text) of the first page with the title's first word."""
    for number in range(1, 8):
        text = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), str(pdf),
             "-"], capture_output=True, text=True, check=True).stdout
        if TITLE.split()[0] in text:
            return number, text
    return 0, ""


def check(epub: Path, html: Path, out: Path) -> list[str]:
    need("pdfimages", "poppler-utils")
    out.mkdir(parents=True, exist_ok=True)
    pdf = out / "ereader.pdf"
    print(f"ereader-check: calibre lays out {epub} at {PAGE_IN[0]}x"
          f"{PAGE_IN[1]} in ({SCREEN_PX[0]}x{SCREEN_PX[1]} px); "
          "this takes a few minutes")
    convert(epub, pdf)
    problems = []

    number, text = title_page(pdf)
    words = text.split()
    shown = " ".join(words[:len(TITLE.split())])
    print(f"title page (p. {number}): {shown!r}")
    if shown != TITLE:
        problems.append(f"the title page shows {shown!r}, not {TITLE!r}")

    diagrams = epub_diagrams(epub)
    scales = html_scales(html, diagrams)
    by_size = {d["png"]: name for name, d in diagrams.items()}
    width = text_width_px(pdf)
    print(f"text width: {width:.0f} px of {SCREEN_PX[0]}; "
          f"minimum label size: {MIN_LABEL_PX:g} px")
    pages = {number}
    seen = set()
    for image in placed_images(pdf):
        name = by_size.get((image["w"], image["h"]))
        if name is None:
            continue
        seen.add(name)
        pages.add(image["page"])
        d = diagrams[name]
        shown_px = image["w"] / image["xppi"] * DPI
        label = label_px(image["w"], scales[name], shown_px)
        share = 100 * shown_px / width
        distorted = abs(image["xppi"] - image["yppi"]) > 0.02 * image["xppi"]
        flag = []
        if abs(share - d["width"]) > 4:
            flag.append(f"{share:.0f}% of the text width, not {d['width']}%")
        if distorted:
            flag.append(f"distorted ({image['xppi']:g} x {image['yppi']:g} "
                        "ppi)")
        if label < MIN_LABEL_PX:
            flag.append(f"labels {label:.1f} px")
        print(f"  p. {image['page']:4d} {name:34s} {shown_px:4.0f} px wide "
              f"({share:3.0f}%, wanted {d['width']}%), labels "
              f"{label:4.1f} px, PNG {image['w']}x{image['h']}")
        problems += [f"{name}: {f}" for f in flag]
    problems += [f"{name}: not found in calibre's PDF"
                 for name in sorted(set(diagrams) - seen)]

    folder = out / "pages"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    with tempfile.TemporaryDirectory() as tmp:
        for page in sorted(pages):
            subprocess.run(["pdftoppm", "-r", f"{DPI:.4f}", "-f", str(page),
                            "-l", str(page), "-png", "-singlefile", str(pdf),
                            str(Path(tmp) / f"page-{page:04d}")], check=True)
        for png in sorted(Path(tmp).glob("*.png")):
            shutil.move(png, folder / png.name)
    print(f"pages as the screen shows them: {folder}/page-*.png")
    return problems


def main() -> None:
    args = sys.argv[1:]
    epub = Path(args[0]) if args else ROOT / "_build/dist/mlsd-book.epub"
    out = Path(args[1]) if len(args) > 1 else ROOT / "_build/ereader"
    html = ROOT / "_build/dist/html"
    for path in (epub, html):
        if not path.exists():
            sys.exit(f"ereader-check: {path} is missing; run make book")
    problems = check(epub, html, out)
    for problem in problems:
        print(f"PROBLEM: {problem}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

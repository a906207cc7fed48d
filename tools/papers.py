"""Write the PDF on A4 and on US Letter from one XeTeX run.

Usage: python tools/papers.py mlsd-book.xdv mlsd-book.pdf

latexmk runs this in place of xdvipdfmx (tools/latexmkrc): XeTeX typesets
the book once, on A4, into ``mlsd-book.xdv``, and this writes
``mlsd-book.pdf`` from it and ``mlsd-book-letter.pdf`` beside it. The US
Letter edition has the same pages, lines and page numbers (conf.py's
preamble): A4's text block centred on the wider, shorter paper, with the
running head and foot closer to the text. Typesetting the book a second
time for that was most of the PDF's build time, so this script draws
Letter from the same pages:

- the page size: every page's ``pdf:pagesize`` special is rewritten to
  Letter's, the numbers padded to the same length;
- the text block's place: xdvipdfmx's offsets (-x, -y) move everything on
  the page, links and bookmarks included, by what centring it takes;
- the head and the foot: conf.py's preamble wraps each in a
  ``pdf:code`` translation that is zero on A4 (``+000.0000`` for the head,
  ``-000.0000`` for the foot); here the zeros become the distance each
  moves toward the text, in the same number of characters.

Every rewrite keeps each special's length, so no offset inside the XDV
file changes. The distances come from TeX itself: the preamble writes
Letter's size, the text block's shift and how much closer the head and
foot sit, computed from the layout it has just set, into
``mlsd-book.letter``, one ``name value`` line each.

xdvipdfmx then writes both PDFs side by side, as latexmk would write A4's
alone (``-E``: every font embedded), each under a temporary name renamed
once both are done, so that a failure leaves no half-written PDF.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

TEX_PT_PER_BP = 72.27 / 72
# The zero translations conf.py's preamble puts around the head and foot.
HEAD = b"pdf:code q 1 0 0 1 0 +000.0000 cm"
FOOT = b"pdf:code q 1 0 0 1 0 -000.0000 cm"
PAGESIZE = re.compile(rb"pdf:pagesize width ([0-9.]+)pt height ([0-9.]+)pt")


def points(dimen: str) -> float:
    """A TeX dimension as \\the writes it ("12.5pt"), in TeX points."""
    if not dimen.endswith("pt"):
        raise ValueError(f"not a TeX dimension in pt: {dimen!r}")
    return float(dimen[:-2])


def same_length(number: float, width: int) -> bytes:
    """A number with a decimal point in exactly `width` characters, for a
    special's text (trailing zeros, or fewer decimals)."""
    for decimals in range(5, 0, -1):
        text = f"{number:.{decimals}f}".encode()
        if len(text) <= width:
            return text.ljust(width, b"0")
    raise ValueError(f"{number} does not fit in {width} characters")


def translation(marker: bytes, shift_bp: float) -> bytes:
    """The marker with its zero replaced by a shift, same length."""
    zero = marker.split()[-2]
    text = f"{shift_bp:+0{len(zero)}.4f}".encode()
    if len(text) != len(zero):
        raise ValueError(f"shift {shift_bp} does not fit in {zero!r}")
    return marker.replace(zero, text)


def letter_xdv(xdv: bytes, layout: dict[str, str]
               ) -> tuple[bytes, list[str]]:
    """Letter's XDV and xdvipdfmx's offset options, from A4's XDV."""
    sizes = set(PAGESIZE.findall(xdv))
    if len(sizes) != 1:
        raise SystemExit(f"expected one page size in the XDV, found {sizes}")
    (a4_width, a4_height), = sizes
    old = PAGESIZE.search(xdv).group(0)
    new = (b"pdf:pagesize width "
           + same_length(points(layout["width"]), len(a4_width))
           + b"pt height "
           + same_length(points(layout["height"]), len(a4_height)) + b"pt")
    for marker in (HEAD, FOOT):
        if marker not in xdv:
            raise SystemExit(f"no {marker!r} in the XDV: is conf.py's "
                             "preamble wrapping the head and foot?")
    xdv = xdv.replace(old, new)
    # PDF's y axis points up: the head moves down, the foot up.
    xdv = xdv.replace(HEAD, translation(
        HEAD, -points(layout["head"]) / TEX_PT_PER_BP))
    xdv = xdv.replace(FOOT, translation(
        FOOT, points(layout["foot"]) / TEX_PT_PER_BP))
    # xdvipdfmx puts TeX's origin 1in from the paper's left and top edges.
    offsets = ["-x", f"{72.27 + points(layout['right']):.5f}pt",
               "-y", f"{72.27 + points(layout['down']):.5f}pt"]
    return xdv, offsets


def main() -> None:
    xdv_path, pdf_path = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    folder, name = xdv_path.parent, xdv_path.stem
    a4 = pdf_path.resolve().with_suffix("")
    letter = a4.with_name(f"{a4.name}-letter")
    layout = dict(line.split() for line in
                  (folder / f"{name}.letter").read_text().splitlines()
                  if line.strip())
    xdv, offsets = letter_xdv(xdv_path.read_bytes(), layout)
    letter.with_suffix(".xdv").write_bytes(xdv)
    # Both papers at once (two cores), each into a temporary name: the
    # PDF's /ID is made from its file name, and the temporary name is the
    # same on every build, so the bytes are too.
    jobs = {
        a4: subprocess.Popen(["xdvipdfmx", "-q", "-E", "-o",
                              f"{a4.name}.pdf.tmp", xdv_path.name],
                             cwd=folder),
        letter: subprocess.Popen(["xdvipdfmx", "-q", "-E", *offsets, "-o",
                                  f"{letter.name}.pdf.tmp",
                                  f"{letter.name}.xdv"], cwd=folder),
    }
    failed = [str(pdf) for pdf, job in jobs.items() if job.wait() != 0]
    if failed:
        sys.exit(f"xdvipdfmx failed for {', '.join(failed)}")
    for pdf in jobs:
        os.replace(f"{pdf}.pdf.tmp", f"{pdf}.pdf")


if __name__ == "__main__":
    main()

"""Pygments' colours named once in the PDF's style, not parsed per token.

Pygments' LaTeX style, which Sphinx writes to ``sphinxhighlight.sty``,
colours each token with ``\\textcolor[rgb]{r,g,b}{...}``, so xcolor parses
the three numbers again for every one of the book's 27,000 code tokens:
about 1.3 s of XeTeX's 8, on the PDF's critical path. This defines each
colour once (``\\definecolor``) at the top of the style and names it in
the token styles. The PDF is byte-identical (xdvipdfmx writes the same
colour operators; only the XDV's specials spell the numbers differently,
"0.4" for "0.40").

This wraps ``PygmentsBridge.get_stylesheet`` (public in Sphinx, though
not documented) for LaTeX only; tests/test_patches.py checks the style it
writes. Drop it when Pygments' LaTeX formatter names its colours.
"""

from __future__ import annotations

import re

from sphinx.application import Sphinx
from sphinx.highlighting import PygmentsBridge

_stylesheet = PygmentsBridge.get_stylesheet
RGB = re.compile(r"\\textcolor\[rgb\]\{([0-9.]+,[0-9.]+,[0-9.]+)\}")


def named_colours(style: str) -> str:
    """The style with each \\textcolor[rgb]{...} colour defined once."""
    names: dict[str, str] = {}

    def name(match: re.Match) -> str:
        colour = names.setdefault(match.group(1), f"bookpyg{len(names)}")
        return rf"\textcolor{{{colour}}}"

    style = RGB.sub(name, style)
    defined = "".join(rf"\definecolor{{{colour}}}{{rgb}}{{{rgb}}}" + "\n"
                      for rgb, colour in names.items())
    return ("% Each colour defined once (book_build/patches/latex_colors.py)\n"
            + defined + style) if names else style


def get_stylesheet(self) -> str:
    style = _stylesheet(self)
    return style if self.dest == "html" else named_colours(style)


def setup(app: Sphinx) -> dict:
    PygmentsBridge.get_stylesheet = get_stylesheet
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

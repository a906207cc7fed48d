"""Labels for the back matter's bibliography that read as authors and year.

pybtex's "alpha" labels take one letter from each author's surname, but a
surname with an apostrophe comes out whole ("HOBrienT15" for Hohnhold,
O'Brien and Tang), which reads as a typo. This style takes the first
letter or digit of each surname part instead ("HOT15") and is otherwise
pybtex's alpha style. The bibliography page selects it with
``:style: book-alpha``.
"""

from __future__ import annotations

import re

import pybtex.plugin
from pybtex.style.formatting.alpha import Style as AlphaStyle
from pybtex.style.labels.alpha import LabelStyle as AlphaLabels
from sphinx.application import Sphinx

NAME = "book-alpha"


def initials(person) -> str:
    parts = person.prelast_names + person.last_names
    found = (re.search(r"[^\W_]", part) for part in parts)
    return "".join(m.group(0) for m in found if m)


class BookLabels(AlphaLabels):
    def format_lab_names(self, persons):
        if len(persons) == 1:
            return super().format_lab_names(persons)
        others = str(persons[-1]) == "others"
        shown = persons[:3] if len(persons) > 4 else persons
        label = "".join(initials(p) for p in shown if str(p) != "others")
        return label + ("+" if others or len(persons) > 4 else "")


class BookStyle(AlphaStyle):
    default_label_style = NAME


def setup(app: Sphinx) -> dict:
    pybtex.plugin.register_plugin("pybtex.style.labels", NAME, BookLabels)
    pybtex.plugin.register_plugin("pybtex.style.formatting", NAME, BookStyle)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

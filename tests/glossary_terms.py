"""The glossary's terms, read from book/glossary.md, and how prose names them.

One entry is a headword and its aliases ("NDCG" beside "normalized
discounted cumulative gain"). A term is found in text with its plural,
with a space or a hyphen between words alike, and ignoring case unless it
has a capital after its first letter (NDCG, IoU, A/B test), so that the
word "map" is not the metric MAP.
"""

from __future__ import annotations

import re
from pathlib import Path

GLOSSARY = Path(__file__).resolve().parent.parent / "book" / "glossary.md"


def definitions(text: str | None = None) -> list[tuple[list[str], str]]:
    """[([headword, alias, ...], definition)] in the order of the glossary."""
    if text is None:
        text = GLOSSARY.read_text(encoding="utf-8")
    block = re.search(r"^:::\{glossary\}\n(.*?)^:::$", text, re.M | re.S)
    found, terms = [], []
    for line in block.group(1).splitlines():
        if line.startswith("  "):
            found.append((terms, line.strip()))
            terms = []
        elif line.strip():
            terms.append(line.strip())
    return found


def entries(text: str | None = None) -> list[list[str]]:
    """[[headword, alias, ...]] in the order of the glossary."""
    return [terms for terms, _definition in definitions(text)]


def _pattern(term: str) -> str:
    # The built text has Sphinx's typographic apostrophe.
    words = [re.escape(w).replace("'", "['\u2019]")
             for w in re.split(r"[- ]", term)]
    body = "[- ]".join(words) + "(?:s|es)?"
    if not re.search(r"[A-Z]", term[1:]):
        body = f"(?i:{body})"
    return body


def term_regex(terms: list[str]) -> re.Pattern:
    """One pattern for all terms, longest first so that "mean average
    precision" is found whole rather than as "precision"."""
    ordered = sorted(terms, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:"
                      + "|".join(f"(?P<t{i}>{_pattern(t)})"
                                 for i, t in enumerate(ordered))
                      + r")(?![\w-])")


class Matcher:
    """Finds glossary terms in text and says whose entry each one is."""

    def __init__(self, glossary: list[list[str]]):
        self.entry_of = {}
        for entry in glossary:
            for term in entry:
                self.entry_of[term] = entry[0]
        self.ordered = sorted(self.entry_of, key=len, reverse=True)
        self.regex = term_regex(list(self.entry_of))

    def find(self, text: str):
        """Yield (start, end, headword) for each term in text."""
        for match in self.regex.finditer(text):
            term = self.ordered[int(match.lastgroup[1:])]
            yield match.start(), match.end(), self.entry_of[term]

"""Valid ARIA in the HTML and EPUB that Sphinx writes, as axe-core and Ace
check it:

- a toctree's caption is a paragraph with the heading role, which needs a
  level (``aria-level``);
- a citation carries docutils' ``doc-biblioentry`` role, deprecated in
  DPUB-ARIA and reported by EPUBCheck; ``listitem`` is the role its list
  parent expects.

The translator is registered for both builders; sphinx-book-theme mixes its
own translator over it for HTML.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.writers.html5 import HTML5Translator


class AriaTranslator(HTML5Translator):
    def _patch_since(self, start: int, old: str, new: str) -> None:
        for i in range(start, len(self.body)):
            self.body[i] = self.body[i].replace(old, new)

    def visit_title(self, node: nodes.Element) -> None:
        start = len(self.body)
        super().visit_title(node)
        # Newer Sphinx writes the level itself; a second one is invalid HTML.
        if not any("aria-level" in part for part in self.body[start:]):
            self._patch_since(start, 'role="heading"',
                              'role="heading" aria-level="2"')

    def visit_citation(self, node: nodes.Element) -> None:
        start = len(self.body)
        super().visit_citation(node)
        self._patch_since(start, 'role="doc-biblioentry"', 'role="listitem"')


def setup(app: Sphinx) -> dict:
    for builder in ("html", "epub"):
        app.set_translator(builder, AriaTranslator)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

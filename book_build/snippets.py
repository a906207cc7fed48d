"""Snippet failures reported at the line of the failing example.

Sphinx's doctest builder reports an example at its block's line plus the
example's offset, minus one: right for reStructuredText, where the block's
line is that of its first example, but one line early for a MyST code
fence, whose line is the fence itself. This shifts the fenced doctest
blocks of Markdown sources by that one line, so that "chapter.md, line 19"
is the line of the ``>>>`` that failed.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx


def shift_fenced_blocks(app: Sphinx, doctree: nodes.document) -> None:
    if app.builder.name != "doctest":
        return
    for node in doctree.findall(nodes.literal_block):
        if "testnodetype" in node and str(node.source or "").endswith(".md") \
                and node.line is not None:
            node.line += 1


def setup(app: Sphinx) -> dict:
    app.connect("doctree-read", shift_fenced_blocks)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

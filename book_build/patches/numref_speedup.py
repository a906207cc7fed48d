"""Resolve {numref} links without unpickling a page per link.

Sphinx resolves each ``{numref}`` to a section by unpickling the whole
doctree of the page that holds the section, only to look up one node by
its id: about 20 ms a link here. The book's chapters link each other's
sections often (about a hundred links), which cost about 3 s in every
edition that writes its pages, and the PDF writes them on every build.
This keeps each unpickled doctree for the rest of the build, for this
look-up only (it reads the tree and never changes it). The cache is
emptied when reading ends and when the build finishes, so a changed page
is never served stale.

Upstream: the closest report is sphinx-doc/sphinx#12611 (numref
resolution dominating build time, open in December 2026). Drop this when
Sphinx resolves a numref without loading the target's whole page, or when
``make bench`` shows no gain. tests/test_patches.py checks that the link
text across chapters is the same with and without it.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.domains.std import StandardDomain

_resolve = StandardDomain._resolve_numref_xref
_trees: dict[str, object] = {}


def _resolve_numref_xref(self, env, *args, **kwargs):
    real = env.get_doctree

    def cached(docname: str):
        if docname not in _trees:
            _trees[docname] = real(docname)
        return _trees[docname]

    env.get_doctree = cached  # shadows the method for this call only
    try:
        return _resolve(self, env, *args, **kwargs)
    finally:
        del env.get_doctree


def forget(*_args) -> None:
    _trees.clear()


def setup(app: Sphinx) -> dict:
    StandardDomain._resolve_numref_xref = _resolve_numref_xref
    app.connect("env-updated", forget)
    app.connect("build-finished", forget)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

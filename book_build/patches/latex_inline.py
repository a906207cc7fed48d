"""Assemble the PDF's one document without deep-copying every page.

Sphinx's LaTeX builder joins every page into one document
(``inline_all_toctrees``) and deep-copies each page's doctree first, as if
someone else held it; but each comes straight from ``env.get_doctree``,
which unpickles a fresh tree on every call, so the copy is thrown away
work: about 0.8 s of the LaTeX run, on every build (the PDF is one
document, so every page is joined again after any edit). For the LaTeX
builder's call only, this hands Sphinx's own function the fresh trees with
their ``deepcopy`` shadowed to return the tree itself, and removes the
shadows when it returns.

This replaces the name ``inline_all_toctrees`` in
``sphinx.builders.latex`` (Sphinx 9.0.4); tests/test_patches.py checks
that the LaTeX of a small book is the same with and without it. Drop it
when Sphinx stops copying fresh trees.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.builders import latex

_inline = latex.inline_all_toctrees  # fails loudly if the name goes


def inline_all_toctrees(builder, docnameset, docname, tree, *args, **kwargs):
    env = builder.env
    real = env.get_doctree
    shadowed = []

    def as_is(page):
        # Fresh from get_doctree (or the builder's own root): no one else
        # holds it, so Sphinx's deepcopy of it may be the tree itself.
        page.deepcopy = lambda: page
        shadowed.append(page)
        return page

    env.get_doctree = lambda name: as_is(real(name))
    as_is(tree)
    try:
        return _inline(builder, docnameset, docname, tree, *args, **kwargs)
    finally:
        del env.get_doctree
        for page in shadowed:
            del page.deepcopy


def setup(app: Sphinx) -> dict:
    latex.inline_all_toctrees = inline_all_toctrees
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

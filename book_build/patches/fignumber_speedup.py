"""Number figures without unpickling every page.

Whenever a page was read, Sphinx numbers every figure, table and captioned
code block of the book again (``TocTreeCollector.assign_figure_numbers``),
and unpickles every page's whole doctree for it: 15 pages, about 0.6 s of
each of the four Sphinx runs after a one-sentence edit. The numbering
reads only a page's sections (their ids), its toctrees, and the nodes a
domain counts (with what is under them: the caption). So this keeps, per
page, just those nodes, in document order, each other node replaced by
what it holds (only a section changes the numbers of what it holds), and
hands them to Sphinx's own numbering in place of the page. They are kept
in the environment under a hash of the page's pickled doctree and of the
node types each domain counts: a page read again has other bytes and is
pruned afresh, from its new doctree.

This replaces ``TocTreeCollector.assign_figure_numbers`` (private to
Sphinx 9.0.4) with a wrapper that shadows ``env.get_doctree`` for the
call, as numref_speedup does; tests/test_patches.py checks that every
number is the same with and without it, after an edit too. Drop it when
Sphinx numbers figures without loading every page.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment.collectors.toctree import TocTreeCollector

_assign = TocTreeCollector.assign_figure_numbers


def counted_kinds(env) -> bytes:
    """Which node types each domain numbers: what the pruning keeps."""
    return repr(sorted(
        (domain.name, sorted((cls.__module__, cls.__qualname__, figtype)
                             for cls, (figtype, _) in
                             domain.enumerable_nodes.items()))
        for domain in env.domains.sorted())).encode()


def prune(env, node: nodes.Element) -> list[nodes.Node]:
    """What the numbering reads under `node`, in document order: sections
    (less what they hold that it does not read), toctrees, and each node a
    domain numbers, whole."""
    kept: list[nodes.Node] = []
    for child in node.children:
        if isinstance(child, nodes.section):
            section = child.copy()  # its ids, without its children
            section.extend(prune(env, child))
            kept.append(section)
        elif isinstance(child, addnodes.toctree):
            kept.append(child.deepcopy())
        elif isinstance(child, nodes.Element):
            if any(domain.get_enumerable_node_type(child)
                   for domain in env.domains.sorted()):
                kept.append(child.deepcopy())
            else:
                kept.extend(prune(env, child))
    return kept


def assign_figure_numbers(self, env) -> list[str]:
    kept = env.__dict__.setdefault("book_fignumber_pages", {})
    kinds = counted_kinds(env)
    real = env.get_doctree

    def pruned(docname: str) -> nodes.Element:
        pickled = Path(env.doctreedir, f"{docname}.doctree").read_bytes()
        digest = hashlib.sha256(kinds + b"\0" + pickled).hexdigest()
        if kept.get(docname, ("",))[0] != digest:
            page = prune(env, real(docname))
            for node in page:
                for each in node.findall():
                    each.document = None  # else pickled with the page
            kept[docname] = (digest,
                             pickle.dumps(page, pickle.HIGHEST_PROTOCOL))
        page = nodes.Element()
        page.extend(pickle.loads(kept[docname][1]))
        return page

    env.get_doctree = pruned  # shadows the method for this call only
    try:
        return _assign(self, env)
    finally:
        del env.get_doctree


def setup(app: Sphinx) -> dict:
    TocTreeCollector.assign_figure_numbers = assign_figure_numbers
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

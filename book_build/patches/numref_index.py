"""Resolve {numref} links from a small index of each page, not the page.

``numref_speedup`` unpickles each target page once per build instead of
once per link; the PDF still unpickled every page its 300 links point to
(9 pages, about 0.55 s of the LaTeX run, on every build: the PDF is one
document, so every link is resolved again after any edit). What a numref
reads of the target page is only ``doctree.ids[labelid]``: the node's
type, its ids and, for a code block, whether a child is a literal block.
So this keeps, per page, a copy of each node in its ``ids`` without
descendants (a copy of each direct child, without theirs, under it), in
``build_cache_dir``/numref under a hash of the page's pickled doctree
(not in the environment: Sphinx pickles it before writing, when links
are resolved), and shadows ``env.get_doctree`` for the numref look-up
with that index. A page read again has other bytes and is indexed
afresh. Files are written under a temporary name and renamed.

This wraps ``StandardDomain._resolve_numref_xref`` (private to Sphinx
9.0.4; numref_speedup wraps it too, inside this); tests/test_patches.py
checks that the link text of numrefs to sections, figures, tables and
code blocks is the same with and without it, after an edit too. Drop it
with numref_speedup.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import pickle
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.domains.std import StandardDomain

from book_build.assets import cache

_pages: dict[str, "Index"] = {}  # for this build's look-ups, per page
_folder: Path | None = None
_VERSIONS = "".join(f"{name}={importlib.metadata.version(name)}\n"
                    for name in ("sphinx", "docutils")).encode()


class Index:
    """What a numref look-up reads of a page: its ``ids``."""

    def __init__(self, ids: dict[str, nodes.Element]) -> None:
        self.ids = ids


def stub(node: nodes.Element) -> nodes.Element:
    copy = node.copy()
    copy.document = None  # else the whole page is pickled with it
    return copy


def index_of(page: nodes.document) -> dict[str, nodes.Element]:
    ids = {}
    for name, node in page.ids.items():
        ids[name] = stub(node)
        ids[name].extend(stub(child) for child in node.children
                         if isinstance(child, nodes.Element))
    return ids


def page_index(env, docname: str, real) -> Index:
    if docname not in _pages:
        if _folder is None:
            _pages[docname] = Index(index_of(real(docname)))
            return _pages[docname]
        pickled = Path(env.doctreedir, f"{docname}.doctree").read_bytes()
        digest = hashlib.sha256(_VERSIONS + pickled).hexdigest()
        path = _folder / f"{digest}.pickle"
        try:
            ids = pickle.loads(path.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError):
            ids = index_of(real(docname))
            cache.write(path, pickle.dumps(ids, pickle.HIGHEST_PROTOCOL))
        _pages[docname] = Index(ids)
    return _pages[docname]


def wrap(resolve):
    def _resolve_numref_xref(self, env, *args, **kwargs):
        real = env.get_doctree
        env.get_doctree = lambda docname: page_index(env, docname, real)
        try:  # shadows the method for this call only
            return resolve(self, env, *args, **kwargs)
        finally:
            # numref_speedup, inside, shadows it too and deletes the shadow
            env.__dict__.pop("get_doctree", None)
    return _resolve_numref_xref


def forget(*_args) -> None:
    _pages.clear()


def use_cache(app: Sphinx) -> None:
    global _folder
    _folder = (cache.folder(app, "numref")
               if app.config.build_cache_dir else None)


def setup(app: Sphinx) -> dict:
    cache.register(app)
    StandardDomain._resolve_numref_xref = wrap(
        StandardDomain._resolve_numref_xref)
    app.connect("builder-inited", use_cache)
    app.connect("env-updated", forget)
    app.connect("build-finished", forget)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

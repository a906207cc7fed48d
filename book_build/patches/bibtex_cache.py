"""Formatted bibliography entries, kept in the build cache.

sphinxcontrib-bibtex formats the whole bibliography (the back matter's
``:all:`` list, 218 works, each twice: text and tooltip) again on every
build, in every builder, even when one sentence of one chapter changed:
about 1.5 s of each of the four Sphinx runs of ``make book``. pybtex's
``format_entry`` is a pure function of the style's code and settings, the
label and the entry's fields and names, so its result is kept in
``build_cache_dir``/bibliography under a hash of exactly those, and every
builder and every later build reuses it.

- The key holds the versions of pybtex, latexcodec, sphinxcontrib-bibtex
  and pybtex-docutils, and the source files of every class the style and
  its name style are made of (the book's own ``book-alpha`` included), so
  an edit to a style or an upgrade formats afresh.
- An entry that fails (a missing field) is never stored: the warning comes
  again on every build, as from a clean one. An entry with a ``crossref``
  is not cached either, since its text depends on another entry.
- Each hit is unpickled afresh, so no two citations share one object.
- Files are written under a temporary name and renamed, so editions built
  side by side (make -j) never read a half-written entry.

This wraps ``BaseStyle.format_entry``, a public pybtex method, for the
whole process; tests/test_patches.py checks that the bibliography reads
the same formatted afresh, from a cold cache and from a warm one. Drop it
when sphinxcontrib-bibtex formats only what changed (it formats every
entry in ``env_updated``, 2.7.0).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect
import pickle
from pathlib import Path

from pybtex.style.formatting import BaseStyle
from sphinx.application import Sphinx

from book_build.assets import cache

PACKAGES = ("pybtex", "latexcodec", "sphinxcontrib-bibtex", "pybtex-docutils")

_folder: Path | None = None
_code: dict[tuple[type, type], bytes] = {}
_original = BaseStyle.format_entry


def _sources(cls: type) -> dict[str, str]:
    """Module name -> source file, for every class cls is made of."""
    found = {}
    for klass in cls.__mro__:
        try:
            found[klass.__module__] = inspect.getfile(klass)
        except TypeError:  # builtins (object) have no file
            pass
    return found


def code_fingerprint(style: BaseStyle) -> bytes:
    """What shapes the text besides the entry: packages, style code. By
    module name and file content: a path can be spelled two ways."""
    kinds = (type(style), type(style.name_style))
    if kinds not in _code:
        digest = hashlib.sha256()
        for name in PACKAGES:
            digest.update(f"{name}={importlib.metadata.version(name)}\n"
                          .encode())
        modules = {**_sources(kinds[0]), **_sources(kinds[1])}
        for module, path in sorted(modules.items()):
            digest.update(module.encode() + b"\0" + Path(path).read_bytes())
        _code[kinds] = digest.digest()
    return _code[kinds]


def entry_key(style: BaseStyle, label: str, entry) -> str:
    digest = hashlib.sha256(code_fingerprint(style))
    parts = [repr((type(style).__module__, type(style).__qualname__,
                   style.abbreviate_names, style.min_crossrefs)),
             label, entry.type, entry.key,
             repr(list(entry.fields.items())),
             repr([(role, [(p.first_names, p.middle_names, p.prelast_names,
                            p.last_names, p.lineage_names) for p in people])
                   for role, people in entry.persons.items()])]
    for part in parts:
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def format_entry(self, label, entry, bib_data=None):
    if (_folder is None or bib_data is not None
            or "crossref" in entry.fields):
        return _original(self, label, entry, bib_data=bib_data)
    path = _folder / f"{entry_key(self, label, entry)}.pickle"
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError):
        pass
    formatted = _original(self, label, entry)  # may raise: nothing stored
    cache.write(path, pickle.dumps(formatted,
                                   protocol=pickle.HIGHEST_PROTOCOL))
    return formatted


def use_cache(app: Sphinx) -> None:
    global _folder
    _folder = (cache.folder(app, "bibliography")
               if app.config.build_cache_dir else None)


def setup(app: Sphinx) -> dict:
    cache.register(app)
    BaseStyle.format_entry = format_entry
    app.connect("builder-inited", use_cache)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

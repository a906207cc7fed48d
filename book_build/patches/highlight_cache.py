"""Highlighted code blocks, kept in the build cache.

The PDF is one LaTeX document, so Sphinx's LaTeX builder writes every
chapter again after any edit, and Pygments highlights all of the book's
code blocks (over 200) each time: about 1 s of the LaTeX run after a
one-sentence edit, and each block once per builder in a clean build.
``PygmentsBridge.highlight_block`` is a pure function of the block's text,
its language and options, the output format and the Pygments style, so
its result is kept in ``build_cache_dir``/highlight under a hash of those
and of the Sphinx and Pygments versions, and reused by every builder and
every later build.

- A block whose highlighting logs anything (an unknown language, a lexing
  error) is never stored, so its warning comes again on every build, as
  from a clean one.
- Files are written under a temporary name and renamed, so editions built
  side by side (make -j) never read a half-written entry.

This wraps ``sphinx.highlighting.PygmentsBridge.highlight_block`` (public
in Sphinx, though not documented) for the whole process;
tests/test_patches.py checks that the LaTeX and HTML of code blocks are
the same with and without it. Drop it when Sphinx's LaTeX builder writes
only the chapters that changed.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.highlighting import PygmentsBridge, lexers
from sphinx.util import logging

from book_build.assets import cache

_folder: Path | None = None
_original = PygmentsBridge.highlight_block
_VERSIONS = "".join(f"{name}={importlib.metadata.version(name)}\n"
                    for name in ("sphinx", "pygments"))


def block_key(bridge: PygmentsBridge, source: str, lang: str, opts,
              force: bool, kwargs: dict) -> str:
    style = bridge.formatter_args["style"]
    parts = [
        _VERSIONS,
        repr((bridge.dest, bridge.latex_engine,
              bridge.formatter.__module__, bridge.formatter.__qualname__,
              style.__module__, style.__qualname__,
              sorted((str(k), v) for k, v in style.styles.items()),
              sorted((k, repr(v)) for k, v in bridge.formatter_args.items()
                     if k != "style"),
              sorted(lexers))),
        repr((lang, sorted((opts or {}).items()), force,
              sorted((k, repr(v)) for k, v in kwargs.items()))),
        source,
    ]
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def highlight_block(self, source, lang, opts=None, force=False,
                    location=None, **kwargs):
    if _folder is None:
        return _original(self, source, lang, opts, force, location, **kwargs)
    if not isinstance(source, str):
        source = source.decode()
    path = _folder / block_key(self, source, lang, opts, force, kwargs)
    try:  # bytes, so that no newline is translated either way
        return path.read_bytes().decode("utf-8")
    except OSError:
        pass
    # Anything logged (it is passed on afterwards) keeps the result out of
    # the cache, so that a warning is never swallowed by a later build.
    with logging.pending_logging() as logged:
        result = _original(self, source, lang, opts, force, location,
                           **kwargs)
        quiet = not logged.buffer
    if quiet:
        cache.write(path, result.encode("utf-8"))
    return result


def use_cache(app: Sphinx) -> None:
    global _folder
    _folder = (cache.folder(app, "highlight")
               if app.config.build_cache_dir else None)


def setup(app: Sphinx) -> dict:
    cache.register(app)
    PygmentsBridge.highlight_block = highlight_block
    app.connect("builder-inited", use_cache)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

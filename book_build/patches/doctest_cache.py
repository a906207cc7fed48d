"""Snippet results kept in the build cache, per chapter.

Sphinx's doctest builder runs every chapter's snippets on every build:
after a one-sentence edit to one chapter, the other chapters' 1,000-odd
examples run again (about 2 s, and their doctrees are unpickled for it).
A chapter's snippets run in namespaces of their own, so their result is a
function of the chapter's doctree, the doctest settings, the Python and
packages installed and the book's own extensions (book_build/snippets.py
shapes the blocks). A chapter whose snippets all passed, with nothing
logged, is kept in ``build_cache_dir``/doctest under a hash of those: its
section of output.txt and its counts. A later build with the same hash
writes that section and adds those counts instead of running the snippets
again, so output.txt and the summary read as from a full run.

- A chapter with a failure, or whose run logged a warning, is never
  stored: it runs, and fails or warns, on every build.
- A chapter whose snippets reach outside Python's own computation (a file,
  the clock, the environment, a process: see ``REACHES_OUT``) is never
  stored either, since its result could change with nothing in the key.
- ``make release`` deletes the cache, so a release runs every snippet.

This replaces ``DocTestBuilder.write_documents`` (seven lines in Sphinx
9.0.4, kept as they were for a chapter that runs); tests/test_patches.py
checks that output.txt is the same run afresh, from a cold cache and from
a warm one, and that a failing snippet fails every time.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
import sys
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.ext.doctest import DocTestBuilder
from sphinx.util import logging
from sphinx.util.console import bold

from book_build.assets import cache

logger = logging.getLogger(__name__)

REACHES_OUT = re.compile(
    r"\bopen\(|__import__|\b(?:import|from)\s+(?:os|pathlib|subprocess|"
    r"socket|urllib|http|shutil|tempfile|time|datetime|glob|io)\b")
COUNTS = ("total_tries", "total_failures", "setup_tries", "setup_failures",
          "cleanup_tries", "cleanup_failures")

_folder: Path | None = None
_fingerprint = b""


def environment_fingerprint(app: Sphinx) -> bytes:
    """What a chapter's snippets depend on besides the chapter."""
    digest = hashlib.sha256(sys.version.encode())
    for name, version in sorted(
            (dist.metadata["Name"] or "", dist.version)
            for dist in importlib.metadata.distributions()):
        digest.update(f"{name}=={version}\n".encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0"
                      + path.read_bytes())
    for name in sorted(app.config.values):
        if name.startswith("doctest_") or name == "trim_doctest_flags":
            digest.update(f"{name}={app.config[name]!r}\n".encode())
    return digest.digest()


def chapter_key(builder: DocTestBuilder, docname: str) -> str:
    path = Path(builder.env.doctreedir, f"{docname}.doctree")
    digest = hashlib.sha256(_fingerprint + docname.encode() + b"\0")
    digest.update(path.read_bytes())
    return digest.hexdigest()


def reaches_out(doctree: nodes.document) -> bool:
    """Whether a snippet (the nodes the doctest builder runs) may read
    something outside the key."""
    return any(REACHES_OUT.search(node.astext())
               for node in doctree.findall(nodes.Element)
               if "testnodetype" in node)


def run_chapter(builder: DocTestBuilder, docname: str,
                path: Path | None) -> bool:
    """Sphinx's own run of one chapter, kept if it passed quietly."""
    doctree = builder.env.get_doctree(docname)
    before = {name: getattr(builder, name) for name in COUNTS}
    written: list[str] = []
    out, warn_out = builder._out, builder._warn_out
    builder._out = lambda text: (written.append(text), out(text))[1]
    builder._warn_out = lambda text: (written.append(text),
                                      warn_out(text))[1]
    try:
        with logging.pending_warnings() as warned:
            success = builder.test_doc(docname, doctree)
            quiet = not warned.buffer
    finally:
        del builder._out, builder._warn_out  # the class's methods again
    counts = {name: getattr(builder, name) - before[name] for name in COUNTS}
    failed = counts["total_failures"] or counts["setup_failures"] or \
        counts["cleanup_failures"]
    if path and success and quiet and not failed \
            and not reaches_out(doctree):
        cache.write(path, json.dumps({"text": "".join(written),
                                      "counts": counts}).encode("utf-8"))
    return success


def write_documents(self: DocTestBuilder, docnames) -> None:
    logger.info(bold("running tests..."))
    for docname in sorted(docnames):
        path = None
        if _folder is not None:
            path = _folder / f"{chapter_key(self, docname)}.json"
            try:
                kept = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                pass
            else:
                if kept["text"]:
                    self._out(kept["text"])
                for name, count in kept["counts"].items():
                    setattr(self, name, getattr(self, name) + count)
                continue
        success = run_chapter(self, docname, path)
        if not success and self.config.doctest_fail_fast:
            break


def use_cache(app: Sphinx) -> None:
    global _folder, _fingerprint
    if app.builder.name == "doctest" and app.config.build_cache_dir:
        _folder = cache.folder(app, "doctest")
        _fingerprint = environment_fingerprint(app)
    else:
        _folder = None


def setup(app: Sphinx) -> dict:
    cache.register(app)
    DocTestBuilder.write_documents = write_documents
    app.connect("builder-inited", use_cache)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

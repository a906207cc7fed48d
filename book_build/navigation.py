"""Keep every page's navigation current when the table of contents changes.

Each HTML page carries the whole book's navigation in its sidebar, and
each EPUB and PDF page its place in the book. Sphinx rewrites only the
pages whose sources changed, so after an edit of the root document's
toctrees (a chapter added, moved or renamed) unchanged pages kept the old
sidebar until a clean build. When the root document changes, every page
is read and written again: about as long as a clean build of the text,
and only then.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment


def reread_all_on_new_contents(app: Sphinx, env: BuildEnvironment,
                               added: set[str], changed: set[str],
                               removed: set[str]) -> list[str]:
    if app.config.root_doc in changed or added or removed:
        return sorted(env.found_docs)
    return []


def setup(app: Sphinx) -> dict:
    app.connect("env-get-outdated", reread_all_on_new_contents)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

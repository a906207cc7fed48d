"""The build cache shared by the project's extensions and by every edition.

It lives outside all builders' output (conf.py's ``build_cache_dir``), so
what one edition renders (a diagram, a formula, the cover) the others and
later builds reuse. Each extension keeps a subfolder of its own, and takes
its lock while it looks for missing entries and renders them: editions built
at the same time (make -j) then render each entry once, the first builder
rendering and the others waiting, then finding it cached.
"""

from __future__ import annotations

import fcntl
from contextlib import contextmanager
from pathlib import Path

from sphinx.application import Sphinx


def register(app: Sphinx) -> None:
    """Declare ``build_cache_dir`` once, whichever extension comes first."""
    if "build_cache_dir" not in app.config:
        app.add_config_value("build_cache_dir", "", "env", str)


def folder(app: Sphinx, name: str) -> Path:
    path = Path(app.config.build_cache_dir) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def locked(path: Path):
    # Opened for append, so that taking the lock never touches the file.
    with open(path / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

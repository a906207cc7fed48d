"""The build cache shared by the asset pipeline and by every edition.

It lives outside all builders' output (conf.py's ``build_cache_dir``), so
what one edition renders (a diagram, a formula, the cover) the others and
later builds reuse. Each kind of asset keeps a subfolder of its own, under
a lock while entries are looked for and rendered: editions built at the
same time (make -j) then render each entry once, the first builder
rendering and the others waiting, then finding it cached.

Every entry is named by ``key()``: a hash of the asset's own source and of
``fingerprint()``, everything else that shapes its bytes. One fingerprint
for every kind of asset, so that no key can leave out a tool another one
counts; the price is that changing any of these tools renders every asset
again, which happens when a package is upgraded, not when a chapter is
edited.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from sphinx.application import Sphinx

HERE = Path(__file__).resolve().parent
# The one list of Chromium's launch options (puppeteer's), read by the
# build's renderer, the tests' browser and the benchmark's mermaid-cli.
CHROMIUM_OPTIONS = HERE / "chromium.json"
# The scripts that render, beside this module.
RENDERERS = ("render_assets.mjs", "render_math.mjs")
# npm packages whose code shapes the bytes: Mermaid draws the diagrams,
# puppeteer-core drives Chromium (screenshot and PDF options), MathJax
# typesets formulas with its speech rule engine, which needs the other two
# in Node.
PACKAGES = ("mermaid", "puppeteer-core", "mathjax", "xmldom-sre",
            "wicked-good-xpath")
# Bumped when an asset would change for a reason none of the inputs below
# shows (a change of how a key is made, say).
SCHEME = "1"


def register(app: Sphinx) -> None:
    """Declare the pipeline's settings once, whichever module comes first:
    where the cache is, where the npm packages are, and the Mermaid
    configuration (a renderer setting, so part of the fingerprint)."""
    for name in ("build_cache_dir", "assets_node_modules",
                 "diagrams_mermaid_config"):
        if name not in app.config:
            app.add_config_value(name, "", "env", str)


def folder(app: Sphinx, name: str) -> Path:
    path = Path(app.config.build_cache_dir) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def write(path: Path, data: bytes) -> None:
    """Store one entry whole or not at all: written beside its final name,
    then renamed, so that a build stopped part-way, or another edition
    reading at the same time, never sees half an entry."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, path)


@contextmanager
def locked(path: Path):
    # Opened for append, so that taking the lock never touches the file.
    with open(path / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def chromium_options() -> dict:
    return json.loads(CHROMIUM_OPTIONS.read_text(encoding="utf-8"))


def key(app: Sphinx, kind: str, *source: str) -> str:
    """The cache key of one asset: its kind, its own source, and the
    fingerprint of everything else that shapes its bytes."""
    data = "\0".join((fingerprint(app), kind, *source))
    return hashlib.sha256(data.encode()).hexdigest()[:20]


def fingerprint(app: Sphinx) -> str:
    return _fingerprint(app.config.assets_node_modules,
                        app.config.diagrams_mermaid_config)


@functools.cache
def _fingerprint(node_modules: str, mermaid_config: str) -> str:
    """Every input besides an asset's own source that decides its bytes,
    as one hash: computed once per build process, from files and versions
    that are the same on every machine with the same packages installed,
    so a fresh machine and a warm one name every entry alike."""
    return hashlib.sha256(json.dumps(
        inputs(node_modules, mermaid_config)).encode()).hexdigest()


def inputs(node_modules: str, mermaid_config: str) -> list[list[str]]:
    """What the fingerprint hashes, by name ("missing" where a tool or
    file is absent: the build then fails on it, not here)."""
    parts = [["scheme", SCHEME]]
    parts += [[f"npm {package}", _npm_version(node_modules, package)]
              for package in PACKAGES]
    parts.append(["node", _run(["node", "--version"]) or "missing"])
    parts.append(["chromium", _chromium_version()])
    parts.append(["fonts", _fonts()])
    for path in [*(HERE / name for name in RENDERERS), CHROMIUM_OPTIONS,
                 Path(mermaid_config)]:
        parts.append([path.name, _file_hash(path)])
    return parts


def _npm_version(node_modules: str, package: str) -> str:
    manifest = Path(node_modules, package, "package.json")
    try:
        return json.loads(manifest.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "missing"


def _run(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True,
                              check=False).stdout.strip()
    except OSError:
        return "missing"


def _chromium_version() -> str:
    """The browser shapes the bytes (layout, text, the PNG encoder). Its
    binary's size and date stand for its version: they change with every
    package upgrade, cost nothing to read (asking Chromium starts it), and
    are the same on every machine that installed the same package. Debian's
    /usr/bin/chromium is a wrapper script; the binary is beside it."""
    launcher = Path(chromium_options()["executablePath"])
    for binary in (Path("/usr/lib/chromium/chromium"), launcher):
        if binary.is_file():
            stat = binary.stat()
            return f"{binary}:{stat.st_size}:{int(stat.st_mtime)}"
    return "missing"


def _fonts() -> str:
    """Every font file fontconfig offers, with its size: not only the
    families the diagrams and the cover name, since Chromium falls back to
    any installed font for a character those lack."""
    listing = _run(["fc-list", "--format", "%{file}\n"])
    if not listing:
        return "missing"
    found = []
    for name in sorted(set(listing.splitlines())):
        try:
            found.append(f"{name}:{os.stat(name).st_size}")
        except OSError:
            continue
    return hashlib.sha256("\n".join(found).encode()).hexdigest()


def _file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"

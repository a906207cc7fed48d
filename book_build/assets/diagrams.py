"""Mermaid diagrams rendered once per content and shared by every edition.

A chapter places a diagram with sphinxcontrib-mermaid's directive, naming
its file under ``diagrams/``::

    :::{mermaid} ../diagrams/introduction-nine-steps.mmd
    :alt: One sentence that describes the diagram.
    :caption: The caption.
    :name: fig-introduction-nine-steps
    :::

When a builder starts, every ``diagrams/*.mmd`` file whose cache entry is
missing is rendered, all of them in one headless Chromium session
(``render_mermaid.mjs``), to SVG (HTML), PDF (LaTeX) and PNG (EPUB).
The cache key is a hash of the diagram source, the Mermaid configuration
file, the renderer script and the versions of Mermaid, puppeteer-core and
Chromium: change any of them and that diagram renders again; change nothing
and no diagram renders. The cache lives outside every builder's output
folder, so the three editions and later builds share it.

As each chapter is read, ``place_diagrams`` turns the directive's node into
an ordinary image whose URI ends in ``.*``; Sphinx then gives each builder
the format it prefers (see epub.py for the EPUB's choice of PNG).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import SphinxError
from sphinx.util import logging
from sphinxcontrib.mermaid import Mermaid, mermaid

from book_build.assets import cache

logger = logging.getLogger(__name__)

FORMATS = ("svg", "pdf", "png")
CHROMIUM = "/usr/bin/chromium"


class DiagramError(SphinxError):
    category = "Diagram error"


def _renderer_fingerprint(app: Sphinx) -> str:
    """What, besides a diagram's own source, decides its rendered output."""
    modules = Path(app.config.diagrams_node_modules)
    parts = [Path(__file__).with_name("render_mermaid.mjs").read_bytes()]
    for package in ("mermaid", "puppeteer-core"):
        manifest = modules / package / "package.json"
        if not manifest.is_file():
            raise DiagramError(
                f"{manifest} is missing: the npm packages are not installed. "
                "Run `make setup` (or `npm ci`) first."
            )
        parts.append(json.loads(manifest.read_text())["version"].encode())
    parts.append(Path(app.config.diagrams_mermaid_config).read_bytes())
    parts.append(_chromium_version().encode())
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


def _chromium_version() -> str:
    """The browser shapes the bytes too (layout, fonts, PNG encoder). Its
    installed binary's size and date stand for its version: they change
    with every package upgrade, cost nothing to read, and are the same on
    every machine that installed the same package."""
    binary = Path("/usr/lib/chromium/chromium")
    if not binary.is_file():
        binary = Path(CHROMIUM)
    if not binary.is_file():
        return "missing"
    stat = binary.stat()
    return f"{stat.st_size}:{int(stat.st_mtime)}"


def _cache_entry(app: Sphinx, name: str, source: str) -> Path:
    # The name is in the key because it names the output files.
    key = "\0".join((app.env.diagrams_fingerprint, name, source))
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    return cache.folder(app, "diagrams") / digest


def _is_complete(entry: Path, name: str) -> bool:
    return all((entry / f"{name}.{fmt}").is_file() for fmt in FORMATS)


def render_pending(app: Sphinx) -> None:
    """Render every diagram whose cache entry is missing, in one browser."""
    source_dir = Path(app.config.diagrams_source_dir)
    if not hasattr(app.env, "diagrams_used"):  # a fresh environment
        app.env.diagrams_used = {}
    app.env.diagrams_fingerprint = _renderer_fingerprint(app)

    with cache.locked(cache.folder(app, "diagrams")):
        _render_missing(app, source_dir)


def _render_missing(app: Sphinx, source_dir: Path) -> None:
    pending = []
    for mmd in sorted(source_dir.glob("*.mmd")):
        source = mmd.read_text(encoding="utf-8")
        entry = _cache_entry(app, mmd.stem, source)
        if not _is_complete(entry, mmd.stem):
            pending.append((mmd, source, entry))
    if not pending:
        return

    if not os.access(CHROMIUM, os.X_OK):
        raise DiagramError(
            f"{CHROMIUM} is missing; diagrams are rendered in Debian's "
            "Chromium. Install it with `apt-get install chromium` "
            "(as root; `make setup` does it)."
        )
    modules = Path(app.config.diagrams_node_modules)
    with tempfile.TemporaryDirectory(dir=cache.folder(app, "diagrams"),
                                     prefix=".render-") as tmp:
        jobs = [
            {
                "name": mmd.stem,
                "source": source,
                "outDir": str(Path(tmp) / entry.name),
            }
            for mmd, source, entry in pending
        ]
        request = {
            "mermaidJs": str(modules / "mermaid/dist/mermaid.min.js"),
            "config": json.loads(
                Path(app.config.diagrams_mermaid_config).read_text()
            ),
            "chromium": CHROMIUM,
            "jobs": jobs,
        }
        logger.info(
            f"rendering {len(jobs)} Mermaid diagram(s) in one browser..."
        )
        proc = subprocess.run(
            ["node", str(Path(__file__).with_name("render_mermaid.mjs"))],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            cwd=modules.parent,
            check=False,
        )
        if proc.returncode != 0:
            raise DiagramError(
                "the Mermaid renderer failed:\n" + proc.stderr.strip()
            )

        results = {r["name"]: r for r in
                   map(json.loads, proc.stdout.splitlines())}
        if len(results) != len(jobs):
            raise DiagramError(
                "the Mermaid renderer stopped early:\n" + proc.stderr.strip()
            )

        # A broken diagram is reported at its own file and line (a warning,
        # which the strict build turns into a failure after reporting every
        # problem); the chapter that places it then reports it too.
        # Each finished entry moves into place only when all its formats
        # exist, so an interrupted render never leaves half an entry.
        rendered = 0
        for mmd, source, entry in pending:
            result = results[mmd.stem]
            if "error" in result:
                # Mermaid counts a missing closing token at the end of the
                # file past its last line: report the last line instead.
                last = max(1, len(source.splitlines()))
                line = min(result.get("line") or 1, last)
                logger.warning(
                    f"Mermaid syntax error: {result['error'].strip()}",
                    location=f"{mmd}:{line}",
                    type="diagram", subtype="syntax",
                )
                continue
            staged = Path(tmp) / entry.name
            if entry.exists():
                shutil.rmtree(entry)
            staged.rename(entry)
            rendered += 1
    logger.info(f"rendered {rendered} diagram(s)")


class Diagram(Mermaid):
    """sphinxcontrib-mermaid's directive, noting which file it placed.

    The package's node keeps only the diagram's code; the file's name is
    what names the rendering in the cache and what the check for unplaced
    diagrams counts, so it is kept on the node too.
    """

    def run(self, **kwargs):
        result = super().run(**kwargs)
        for node in result:
            for found in node.findall(mermaid):
                found["diagram"] = (Path(self.arguments[0]).stem
                                    if self.arguments else "")
                # The directive's own line, for every message about it.
                found.source, found.line = \
                    self.state_machine.get_source_and_line(self.lineno)
        return result


def place_diagrams(app: Sphinx, doctree: nodes.document) -> None:
    """Turn each of sphinxcontrib-mermaid's nodes into a plain image.

    A chapter places a diagram with the ``mermaid`` directive of
    sphinxcontrib-mermaid, giving the file under ``diagrams/``, its
    ``:alt:`` sentence, ``:caption:`` and ``:name:``. This runs as the
    chapter is read, before Sphinx collects its images: each node becomes an
    ``image`` whose URI is the rendered diagram in the cache, ending in
    ``.*`` so that every builder picks its own format (SVG for HTML, PDF for
    LaTeX, PNG for the EPUB, see epub.py). Figure numbers, the PDF's alt text
    and every builder then work as for any figure, and no page needs
    Mermaid's JavaScript.
    """
    env = app.env
    used = env.diagrams_used  # type: ignore[attr-defined]
    doc_dir = Path(env.doc2path(env.docname)).parent
    for node in list(doctree.findall(mermaid)):
        figure = node.parent if isinstance(node.parent, nodes.figure) \
            else None
        location = (env.docname, node.line)
        name = node.get("diagram")
        if not name:
            logger.warning(
                "a diagram is placed from a file under diagrams/ "
                "(```{mermaid} ../diagrams/NAME.mmd```), never inline",
                location=location, type="diagram", subtype="inline")
            node.parent.remove(node)
            continue
        alt = " ".join(node.get("alt", "").split())
        if not alt:
            logger.warning(f"diagram {name!r} needs an :alt: sentence that "
                           "describes it", location=location,
                           type="diagram", subtype="alt")
        if figure is None:
            logger.warning(f"diagram {name!r} needs a :caption:",
                           location=location, type="diagram",
                           subtype="caption")
        used.setdefault(env.docname, set()).add(name)
        # Re-read this chapter when the shared look changes too.
        env.note_dependency(app.config.diagrams_mermaid_config)
        entry = _cache_entry(app, name, node["code"])
        if not _is_complete(entry, name):
            logger.warning(f"diagram {name}.mmd could not be rendered",
                           location=location, type="diagram",
                           subtype="render")
            node.parent.remove(node)
            continue
        image = nodes.image(uri=os.path.relpath(entry / f"{name}.*",
                                                doc_dir),
                            alt=alt, classes=["diagram"])
        image.source, image.line = node.source, node.line
        node.replace_self(image)
        if figure is not None:
            figure["classes"].append("diagram")
            figure["align"] = "center"


def purge_doc(app: Sphinx, env, docname: str) -> None:
    env.diagrams_used.pop(docname, None)


def merge_info(app: Sphinx, env, docnames, other) -> None:
    for docname in docnames:
        if docname in other.diagrams_used:
            env.diagrams_used[docname] = other.diagrams_used[docname]


def files_changed(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Re-read the chapters that place diagrams when a diagram file appears
    or disappears: Sphinx checks consistency (below) only after reading
    something, so an unplaced file added to an unchanged book would
    otherwise go unnoticed."""
    files = sorted(p.name for p in
                   Path(app.config.diagrams_source_dir).glob("*.mmd"))
    if getattr(env, "diagram_files", None) == files:
        return []
    env.diagram_files = files
    return sorted(env.diagrams_used) or [app.config.root_doc]


def check_all_used(app: Sphinx, env) -> None:
    """A diagram file that no chapter places is a mistake, not an asset."""
    used = {d for names in env.diagrams_used.values() for d in names}
    for mmd in sorted(Path(app.config.diagrams_source_dir).glob("*.mmd")):
        if mmd.stem not in used:
            logger.warning(
                f"diagram {mmd.name} is not placed in any chapter",
                location=f"{mmd}:1",
            )


def setup(app: Sphinx) -> dict:
    app.add_config_value("diagrams_source_dir", "", "env", str)
    cache.register(app)
    app.add_config_value("diagrams_mermaid_config", "", "env", str)
    app.add_config_value("diagrams_node_modules", "", "env", str)
    app.setup_extension("sphinxcontrib.mermaid")
    app.add_directive("mermaid", Diagram, override=True)
    app.connect("builder-inited", render_pending)
    # Before Sphinx's image collector (priority 500) reads the chapter.
    app.connect("doctree-read", place_diagrams, priority=100)
    app.connect("env-purge-doc", purge_doc)
    app.connect("env-merge-info", merge_info)
    app.connect("env-get-outdated", files_changed)
    app.connect("env-check-consistency", check_all_used)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

"""Mermaid diagrams rendered once per content and shared by every edition.

A chapter places a diagram with::

    :::{diagram} introduction-nine-steps
    :alt: One sentence that describes the diagram.
    :name: fig-introduction-nine-steps

    The caption.
    :::

When a builder starts, every ``diagrams/*.mmd`` file whose cache entry is
missing is rendered, all of them in one headless Chromium session
(``render_mermaid.mjs``), to SVG (HTML), PDF (LaTeX) and PNG (EPUB).
The cache key is a hash of the diagram source, the Mermaid configuration
file, the renderer script and the versions of Mermaid and puppeteer-core:
change any of them and that diagram renders again; change nothing and no
diagram renders. The cache lives outside every builder's output folder, so
the three editions and later builds share it.

The directive emits an ordinary figure whose image URI ends in ``.*``;
Sphinx then gives each builder the format it prefers (see epub.py for
the EPUB's choice of PNG).
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
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.errors import SphinxError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

import cache

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
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


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


class DiagramDirective(SphinxDirective):
    """Place one diagram from diagrams/ as a captioned figure."""

    required_arguments = 1
    has_content = True
    option_spec = {
        "alt": directives.unchanged_required,
        "name": directives.unchanged,
        "width": directives.length_or_percentage_or_unitless,
    }

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        source_dir = Path(self.config.diagrams_source_dir)
        mmd = source_dir / f"{name}.mmd"
        if not mmd.is_file():
            raise self.error(f"diagram file not found: {mmd}")
        alt = " ".join(self.options.get("alt", "").split())
        if not alt:
            raise self.error(
                f"diagram {name!r} needs an :alt: sentence that describes it"
            )
        if not self.content:
            raise self.error(f"diagram {name!r} needs a caption")

        used = self.env.diagrams_used  # type: ignore[attr-defined]
        used.setdefault(self.env.docname, set()).add(name)
        # Re-read this chapter when the diagram or the shared look changes.
        self.env.note_dependency(str(mmd))
        self.env.note_dependency(self.config.diagrams_mermaid_config)

        entry = _cache_entry(self.env.app, name,
                             mmd.read_text(encoding="utf-8"))
        if not _is_complete(entry, name):
            raise self.error(f"diagram {mmd.name} could not be rendered")
        # A path relative to the chapter's folder; Sphinx resolves the
        # ``.*`` to one file per builder from the formats found there.
        doc_dir = Path(self.env.doc2path(self.env.docname)).parent
        uri = os.path.relpath(entry / f"{name}.*", doc_dir)

        image = nodes.image(uri=uri, alt=alt, classes=["diagram"])
        if "width" in self.options:
            image["width"] = self.options["width"]
        figure = nodes.figure("", image, classes=["diagram"])
        figure["align"] = "center"
        self.set_source_info(figure)
        caption_nodes, _messages = self.parse_inline(
            " ".join(self.content), lineno=self.content_offset + 1
        )
        caption = nodes.caption("", "", *caption_nodes)
        self.set_source_info(caption)
        figure += caption
        self.add_name(figure)
        return [figure]


def purge_doc(app: Sphinx, env, docname: str) -> None:
    env.diagrams_used.pop(docname, None)


def merge_info(app: Sphinx, env, docnames, other) -> None:
    for docname in docnames:
        if docname in other.diagrams_used:
            env.diagrams_used[docname] = other.diagrams_used[docname]


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
    app.add_directive("diagram", DiagramDirective)
    app.connect("builder-inited", render_pending)
    app.connect("env-purge-doc", purge_doc)
    app.connect("env-merge-info", merge_info)
    app.connect("env-check-consistency", check_all_used)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

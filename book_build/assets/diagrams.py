"""Mermaid diagrams rendered once per content and shared by every edition.

A chapter places a diagram with sphinxcontrib-mermaid's directive, naming
its file under ``diagrams/``::

    :::{mermaid} ../diagrams/introduction-nine-steps.mmd
    :alt: One sentence that describes the diagram.
    :caption: The caption.
    :name: fig-introduction-nine-steps
    :::

When a builder starts, every ``diagrams/*.mmd`` file whose cache entry is
missing is rendered, to SVG (HTML), PDF (LaTeX) and PNG (EPUB), in the
build's one browser session (session.py, render_assets.mjs). The cache key
(cache.py) hashes the diagram's name and source with the fingerprint of
every tool that shapes the bytes (Mermaid, Chromium, Node, the fonts, the
renderer and its settings, diagrams/mermaid-config.json): change any of
them and the diagram renders again; change nothing and no diagram renders.
The cache lives outside every builder's output folder, so the three
editions and later builds share it.

As each chapter is read, ``place_diagrams`` turns the directive's node into
an ordinary image whose URI ends in ``.*``; Sphinx then gives each builder
the format it prefers (see epub.py for the EPUB's choice of PNG).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinxcontrib.mermaid import Mermaid, mermaid

from book_build.assets import cache, session

logger = logging.getLogger(__name__)

FORMATS = ("svg", "pdf", "png")


def _cache_entry(app: Sphinx, name: str, source: str) -> Path:
    # The name is in the key because it names the output files.
    return cache.folder(app, "diagrams") / cache.key(app, "diagram", name,
                                                      source)


def _is_complete(entry: Path, name: str) -> bool:
    return all((entry / f"{name}.{fmt}").is_file() for fmt in FORMATS)


def init_env(app: Sphinx) -> None:
    if not hasattr(app.env, "diagrams_used"):  # a fresh environment
        app.env.diagrams_used = {}


def browser_jobs(app: Sphinx, staging: Path) -> session.Batch | None:
    """The diagrams whose cache entries are missing, for the build's one
    browser session (session.py)."""
    pending = []
    for mmd in sorted(Path(app.config.diagrams_source_dir).glob("*.mmd")):
        source = mmd.read_text(encoding="utf-8")
        entry = _cache_entry(app, mmd.stem, source)
        if not _is_complete(entry, mmd.stem):
            pending.append((mmd, source, entry))
    if not pending:
        return None
    jobs = [{"kind": "diagram", "id": f"diagram:{mmd.stem}",
             "name": mmd.stem, "source": source,
             "outDir": str(staging / "diagrams" / entry.name)}
            for mmd, source, entry in pending]

    def finish(results: dict[str, dict]) -> None:
        # A broken diagram is reported at its own file and line (a
        # warning, which the strict build turns into a failure after
        # reporting every problem); the chapter that places it then
        # reports it too. Each finished entry moves into place only when
        # all its formats exist, so an interrupted render never leaves half
        # an entry.
        rendered = 0
        for mmd, source, entry in pending:
            result = results[f"diagram:{mmd.stem}"]
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
            if entry.exists():
                shutil.rmtree(entry)
            (staging / "diagrams" / entry.name).rename(entry)
            rendered += 1
        logger.info(f"rendered {rendered} diagram(s)")

    return session.Batch(jobs, finish)


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
    # The cache's settings, diagrams_mermaid_config among them, and the
    # one browser session that renders what is missing.
    app.setup_extension("book_build.assets.session")
    app.setup_extension("sphinxcontrib.mermaid")
    app.add_directive("mermaid", Diagram, override=True)
    app.connect("browser-assets", browser_jobs)
    app.connect("builder-inited", init_env)
    # Before Sphinx's image collector (priority 500) reads the chapter.
    app.connect("doctree-read", place_diagrams, priority=100)
    app.connect("env-purge-doc", purge_doc)
    app.connect("env-merge-info", merge_info)
    app.connect("env-get-outdated", files_changed)
    app.connect("env-check-consistency", check_all_used)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

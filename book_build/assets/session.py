"""One browser session per build renders every missing browser asset.

The diagrams (SVG, PDF and PNG of each Mermaid file) and the EPUB cover
(an SVG rasterized to PNG) are drawn by headless Chromium. At
``builder-inited`` this module asks every asset module for the jobs whose
cache entries are missing (the ``browser-assets`` event, below), and if
there are any, runs ONE Node process (``render_assets.mjs``) that launches
ONE browser for all of them, working through them in a few tabs side by
side. With nothing missing no Node and no browser start.

It runs under one lock in the cache, so when the editions build side by
side (make -j), the first builder renders for all of them, the cover
included, and the others wait and find everything cached: one browser
launch per clean ``make book``. Each launch is logged as a line of
``build_cache_dir``/browser-launches.log, which ``make bench`` counts.

Formulas are not here: they need no browser (MathJax runs in Node), and
they are known only once every chapter has been read, while diagrams must
exist before reading, when Sphinx collects each page's images. formulas.py
runs its own Node process at ``env-updated``.

An asset module takes part by connecting to ``browser-assets``; its
handler gets the app and a staging folder and returns a ``Batch``: the
jobs (JSON for the renderer, each with a unique ``id`` and writing under
the staging folder) and a function that receives each job's result line,
``{"id", "ok": true}`` or ``{"id", "error", "line"}``, and moves finished
files into the cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import SphinxError
from sphinx.util import logging

from book_build.assets import cache

logger = logging.getLogger(__name__)

RENDERER = Path(__file__).with_name("render_assets.mjs")
LAUNCH_LOG = "browser-launches.log"
# Tabs working side by side in the one browser: one per core of the
# machines the book is built on (each tab is a renderer process of its own).
TABS = 2


class AssetError(SphinxError):
    category = "Asset rendering error"


@dataclass
class Batch:
    jobs: list[dict]
    finish: Callable[[dict[str, dict]], None]


def render_missing(app: Sphinx) -> None:
    root = Path(app.config.build_cache_dir)
    root.mkdir(parents=True, exist_ok=True)
    with cache.locked(root), tempfile.TemporaryDirectory(
            dir=root, prefix=".render-") as staging:
        batches = [batch for batch in
                   app.emit("browser-assets", Path(staging)) if batch]
        jobs = [job for batch in batches for job in batch.jobs]
        if not jobs:
            return
        results = run_browser(app, root, jobs)
        for batch in batches:
            batch.finish({job["id"]: results[job["id"]]
                          for job in batch.jobs})


def run_browser(app: Sphinx, root: Path, jobs: list[dict]) -> dict:
    options = cache.chromium_options()
    if not os.access(options["executablePath"], os.X_OK):
        raise AssetError(
            f"{options['executablePath']} is missing; diagrams and the "
            "cover are rendered in Debian's Chromium. Install it with "
            "`apt-get install chromium` (as root; `make setup` does it).")
    modules = Path(app.config.assets_node_modules)
    if not (modules / "puppeteer-core" / "package.json").is_file():
        raise AssetError(
            f"{modules} lacks puppeteer-core: the npm packages are not "
            "installed. Run `make setup` (or `npm ci`) first.")
    mermaid_config = Path(app.config.diagrams_mermaid_config)
    request = {
        "launchOptions": str(cache.CHROMIUM_OPTIONS),
        "launchLog": str(root / LAUNCH_LOG),
        "tabs": TABS,
        "mermaidJs": str(modules / "mermaid/dist/mermaid.min.js"),
        "mermaidConfig": (json.loads(mermaid_config.read_text())
                          if mermaid_config.is_file() else {}),
        "jobs": jobs,
    }
    logger.info(f"rendering {len(jobs)} asset(s) in one browser...")
    proc = subprocess.run(["node", str(RENDERER)], input=json.dumps(request),
                          capture_output=True, text=True, cwd=modules.parent,
                          check=False)
    results = {r["id"]: r for r in map(json.loads, proc.stdout.splitlines())}
    if proc.returncode != 0 or len(results) != len(jobs):
        raise AssetError("the browser renderer stopped early:\n"
                         + proc.stderr.strip())
    return results


def setup(app: Sphinx) -> dict:
    cache.register(app)
    # Handlers: (app, staging folder) -> Batch or None.
    app.add_event("browser-assets")
    # Before the asset modules' own builder-inited handlers (500), which
    # expect their entries in the cache.
    app.connect("builder-inited", render_missing, priority=400)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

"""The asset pipeline's shared parts (book_build/assets/): one fingerprint
in every cache key, and one list of Chromium's launch options.

Fast: no build. That one browser renders everything per clean build is
checked where builds happen (test_bad_input.py, test_reproducible.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from book_build.assets import cache
from conftest import ROOT


@pytest.fixture
def tools(tmp_path, monkeypatch):
    """A stand-in for every input of the fingerprint, each one editable:
    npm packages, the renderer scripts and Chromium's options (copies of
    the real ones), the Mermaid configuration, Node, Chromium, the fonts."""
    modules = tmp_path / "node_modules"
    for package in cache.PACKAGES:
        (modules / package).mkdir(parents=True)
        (modules / package / "package.json").write_text(
            json.dumps({"version": "1.0.0"}))
    here = tmp_path / "assets"
    here.mkdir()
    for name in [*cache.RENDERERS, cache.CHROMIUM_OPTIONS.name]:
        shutil.copy(cache.HERE / name, here / name)
    monkeypatch.setattr(cache, "HERE", here)
    monkeypatch.setattr(cache, "CHROMIUM_OPTIONS",
                        here / cache.CHROMIUM_OPTIONS.name)
    config = tmp_path / "mermaid-config.json"
    config.write_text('{"theme": "neutral"}')
    machine = {"node": "v20.0.0", "chromium": "156", "fonts": "a.ttf:1"}
    monkeypatch.setattr(cache, "_run", lambda command: machine["node"]
                        if command[0] == "node" else "")
    monkeypatch.setattr(cache, "_chromium_version",
                        lambda: machine["chromium"])
    monkeypatch.setattr(cache, "_fonts", lambda: machine["fonts"])
    cache._fingerprint.cache_clear()
    yield SimpleNamespace(
        app=SimpleNamespace(config=SimpleNamespace(
            assets_node_modules=str(modules),
            diagrams_mermaid_config=str(config))),
        modules=modules, here=here, config=config, machine=machine)
    cache._fingerprint.cache_clear()


def keys(app) -> set[str]:
    """The key of one asset of each kind, computed afresh."""
    cache._fingerprint.cache_clear()
    return {cache.key(app, "diagram", "flow", "flowchart TD\n A --> B\n"),
            cache.key(app, "cover", "<svg/>", "1600x2400"),
            cache.key(app, "formula", "inline", "x^2")}


def test_every_tool_that_shapes_an_asset_is_in_every_key(tools):
    first = keys(tools.app)
    assert len(first) == 3
    assert keys(tools.app) == first, "the same inputs gave other keys"

    def edits():
        for package in cache.PACKAGES:
            yield f"npm {package}", lambda p=package: (
                tools.modules / p / "package.json").write_text(
                    json.dumps({"version": "1.0.1"}))
        for name in [*cache.RENDERERS, cache.CHROMIUM_OPTIONS.name]:
            yield name, lambda n=name: (tools.here / n).write_text(
                (tools.here / n).read_text() + "\n")
        yield "mermaid-config.json", lambda: tools.config.write_text(
            '{"theme": "forest"}')
        for tool in ("node", "chromium", "fonts"):
            yield tool, lambda t=tool: tools.machine.update(
                {t: tools.machine[t] + "+1"})

    seen = first
    for name, edit in edits():
        edit()
        now = keys(tools.app)
        assert now.isdisjoint(seen), f"{name} changed no cache key"
        seen = now


def test_the_fingerprint_reads_the_real_tools():
    """On this machine every input is found: none is 'missing'."""
    found = cache.inputs(str(ROOT / "node_modules"),
                         str(ROOT / "diagrams" / "mermaid-config.json"))
    assert len(found) == 1 + len(cache.PACKAGES) + 3 + len(
        cache.RENDERERS) + 2
    assert not [name for name, value in found
                if value in ("missing", "")], found


# Chromium's command-line switches that only a launch passes.
SWITCHES = ("--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking")
# calibre's QtWebEngine (make ereader) is not this Chromium: its flags stay
# with it.
OTHER_ENGINES = {"tools/ereader_check.py"}
CODE = {".py", ".mjs", ".js", ".json", ".sh", ".yml", ".yaml", ".toml", ""}


def switches_outside_the_list(root: Path) -> list[str]:
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"],
                           cwd=root, capture_output=True, text=True,
                           check=True).stdout.split()
    found = []
    for name in files:
        if name == "book_build/assets/chromium.json" \
                or name in OTHER_ENGINES or name.startswith("tests/test_"):
            continue
        path = root / name
        # Code and settings; the documentation may name a switch.
        if path.suffix not in CODE or not path.is_file() \
                or path.is_symlink():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found += [f"{name}: {s}" for s in SWITCHES if s in text]
    return found


def test_every_chromium_launch_reads_the_one_flag_list():
    options = json.loads(cache.CHROMIUM_OPTIONS.read_text())
    assert set(SWITCHES) <= set(options["args"])
    assert not switches_outside_the_list(ROOT)


def test_the_flag_check_sees_a_second_list(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "ok.mjs").write_text("launch(options)\n")
    assert not switches_outside_the_list(tmp_path)
    (tmp_path / "own.mjs").write_text('args: ["--no-sandbox"]\n')
    assert switches_outside_the_list(tmp_path) == ["own.mjs: --no-sandbox"]

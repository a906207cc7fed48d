"""The build's own Python (book_build/, tools/, tests/, conf.py) passes the
linter, ruff, with the rules in ruff.toml."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

RUFF = [sys.executable, "-m", "ruff", "check", "--no-cache"]


def test_the_code_passes_the_linter():
    result = subprocess.run(
        [*RUFF, "book_build", "tools", "tests", "conf.py"], cwd=ROOT,
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_linter_sees_an_unused_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n")
    result = subprocess.run(
        [*RUFF, "--config", str(ROOT / "ruff.toml"), str(bad)],
        capture_output=True, text=True, check=False)
    assert result.returncode != 0 and "F401" in result.stdout

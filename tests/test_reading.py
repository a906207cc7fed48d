"""Reading with no network, on a phone and on an e-reader.

Every HTML page and every EPUB content document is loaded in headless
Chromium with the network cut: no request may fail (nothing is fetched from
another host), and nothing may push the page sideways, at a phone's width
(360 CSS px) for the HTML and an e-reader's 600 by 800 for the EPUB.
"""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

CHECK = ROOT / "tests" / "browser_check.mjs"


def browse(width: int, height: int, files: list[Path]) -> list[dict]:
    result = subprocess.run(
        ["node", str(CHECK), str(width), str(height), *map(str, files)],
        capture_output=True, text=True, check=True, cwd=ROOT)
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture(scope="session")
def epub_dir(epub_path, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("epub")
    zipfile.ZipFile(epub_path).extractall(folder)
    return folder


def problems(pages: list[dict]) -> list[str]:
    return [f"{Path(p['file']).name}: failed {p['failed']}, "
            f"overflow {p['overflow']} px {p['wide']}"
            for p in pages if p["failed"] or p["overflow"] > 0]


def test_html_pages_load_offline_and_fit_a_phone(html_dir):
    pages = browse(360, 740, sorted(html_dir.glob("*.html")))
    assert len(pages) >= 5
    assert not problems(pages)


def test_epub_documents_load_offline_and_fit_an_e_reader(epub_dir):
    pages = browse(600, 800, sorted(epub_dir.rglob("*.xhtml")))
    assert len(pages) >= 5
    assert not problems(pages)


def test_the_check_sees_a_remote_resource_and_an_overflow(tmp_path):
    remote = tmp_path / "remote.html"
    remote.write_text('<!doctype html><img src="https://example.org/x.png"'
                      ' alt="x">')
    wide = tmp_path / "wide.html"
    wide.write_text('<!doctype html><p><code>' + "x" * 400 + '</code></p>')
    pages = {Path(p["file"]).name: p for p in browse(360, 740,
                                                     [remote, wide])}
    assert pages["remote.html"]["failed"]
    assert pages["wide.html"]["overflow"] > 0

"""Reading with no network, on a phone, on an e-reader, and with a screen
reader.

Every HTML page and every EPUB content document is loaded in headless
Chromium with every request for anything but a local file refused: there
may be none (nothing is fetched from another host), and nothing may push
the page sideways, at a phone's width
(360 CSS px) for the HTML and an e-reader's 600 by 800 for the EPUB.
axe-core checks every HTML page in the light and the dark theme, and DAISY's
Ace checks the EPUB: neither may report a critical or serious violation.
"""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

# Slow (every page in Chromium, axe and Ace):
# `make check` leaves it to `make test`.
pytestmark = pytest.mark.slow

CHECK = ROOT / "tests" / "browser_check.mjs"


def browse(width: int, height: int, files: list[Path],
           axe: bool = False, weight: bool = False) -> list[dict]:
    flags = ["--axe"] if axe else ["--weight"] if weight else []
    result = subprocess.run(
        ["node", str(CHECK), *flags, str(width), str(height),
         *map(str, files)],
        capture_output=True, text=True, check=True, cwd=ROOT)
    return [json.loads(line) for line in result.stdout.splitlines()]


def ace(epub: Path, out: Path) -> list[str]:
    """Critical and serious findings of DAISY's Ace on an EPUB."""
    subprocess.run(
        [str(ROOT / "node_modules/.bin/ace-cli"), "--silent", "--force",
         "--outdir", str(out), str(epub)],
        capture_output=True, text=True, check=False, cwd=ROOT,
        env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": "/usr/bin/chromium"})
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return [
        f"{doc['earl:testSubject']['url']}: {test['earl:test']['dct:title']}"
        for doc in report["assertions"]
        for test in doc.get("assertions", [])
        if test["earl:test"]["earl:impact"] in ("critical", "serious")
    ]


@pytest.fixture(scope="session")
def epub_dir(epub_path, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("epub")
    zipfile.ZipFile(epub_path).extractall(folder)
    return folder


def problems(pages: list[dict]) -> list[str]:
    return [f"{Path(p['file']).name}: failed {p['failed']}, "
            f"overflow {p['overflow']} px {p['wide']}"
            for p in pages if p["failed"] or p["overflow"] > 0]


def test_html_pages_load_offline_fit_a_phone_and_pass_axe(html_dir):
    pages = browse(360, 740, sorted(html_dir.glob("*.html")), axe=True)
    assert len(pages) >= 5
    assert not problems(pages)
    violations = [f"{Path(p['file']).name} ({mode}): {v}" for p in pages
                  for mode, found in p["axe"].items() for v in found]
    assert not violations, violations


# What a chapter page may read from disk, everything Chromium loads
# counted (HTML, CSS, JS, fonts, images); the figures are in the report.
PAGE_BUDGET = 1_000_000


def heavy(pages: list[dict]) -> list[str]:
    return [f"{Path(p['file']).name}: {p['bytes']:,} bytes, "
            f"{p['loadMs']} ms: " + ", ".join(
                f"{Path(f).name} {size:,}" for f, size in sorted(
                    p["files"].items(), key=lambda x: -x[1])[:4])
            for p in pages if p["bytes"] > PAGE_BUDGET or p["failed"]]


def test_every_chapter_page_is_light(html_dir, chapters):
    pages = browse(1280, 800, [html_dir / f"{c.docname}.html"
                               for c in chapters], weight=True)
    assert len(pages) == len(chapters)
    assert not heavy(pages), heavy(pages)
    for page in pages:
        print(f"{Path(page['file']).name}: {page['bytes']:,} bytes, "
              f"{page['loadMs']} ms")


def test_the_weight_check_sees_a_heavy_page(tmp_path):
    (tmp_path / "big.js").write_text("//" + "x" * PAGE_BUDGET)
    page = tmp_path / "heavy.html"
    page.write_text('<!doctype html><html lang="en"><title>h</title>'
                    '<script src="big.js"></script>')
    found = browse(1280, 800, [page], weight=True)
    assert heavy(found) and found[0]["bytes"] > PAGE_BUDGET


def test_epub_documents_load_offline_and_fit_an_e_reader(epub_dir):
    pages = browse(600, 800, sorted(epub_dir.rglob("*.xhtml")))
    assert len(pages) >= 5
    assert not problems(pages)


def test_the_checks_see_a_remote_resource_an_overflow_and_no_alt(tmp_path):
    remote = tmp_path / "remote.html"
    remote.write_text('<!doctype html><html lang="en"><title>r</title>'
                      '<img src="https://example.org/x.png" alt="x">')
    wide = tmp_path / "wide.html"
    wide.write_text('<!doctype html><html lang="en"><title>w</title>'
                    '<p><code>' + "x" * 400 + '</code></p>')
    no_alt = tmp_path / "no-alt.html"
    no_alt.write_text('<!doctype html><html lang="en"><title>a</title>'
                      '<img src="data:image/png;base64,iVBORw0KGgo=">')
    pages = {Path(p["file"]).name: p for p in browse(
        360, 740, [remote, wide, no_alt], axe=True)}
    assert pages["remote.html"]["failed"]
    assert pages["wide.html"]["overflow"] > 0
    assert any("image-alt" in v for v in pages["no-alt.html"]["axe"]["light"])


def test_ace_finds_nothing_serious_but_a_planted_fault(epub_path, tmp_path):
    """One run of Ace (about a minute) does both jobs: on a copy of the
    EPUB whose preface has lost its language, the only critical or serious
    finding must be that one, so the rest of the book is clean and the
    check is seen to catch a fault."""
    bad = tmp_path / "bad.epub"
    with zipfile.ZipFile(epub_path) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.endswith("preface.xhtml"):
                data = data.replace(b' lang="en" xml:lang="en"', b"")
            dst.writestr(item, data)
    found = ace(bad, tmp_path / "ace")
    assert found, "Ace missed a document without a language"
    assert all("preface.xhtml" in f and "html-has-lang" in f
               for f in found), found

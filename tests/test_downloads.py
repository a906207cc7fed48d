"""Download links from one setting, BOOK_REPOSITORY (book_build/downloads.py).

Set (the release workflow sets it from the repository it runs in), the
landing page links each edition at its permanent release address and the
latest release, and the chapter pages give the PDF's address; unset (a
local build), the landing page links the editions beside it in
_build/dist, names that folder, and no page holds an address on GitHub.
The release files are packed under the names the links use.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import RELEASE, ROOT, SLUG, downloads
from mini_project import mini_project

TOOLS = ROOT / "tools"
REPO = "example-owner/example-book"  # a test value, not the book's home
BASE = f"https://github.com/{REPO}/releases"

INDEX = """\
# Mini book

:::{only} builder_html
{{ downloads }}
{{ flashcards }}
:::

```{toctree}
:numbered:

chapter
```
"""


def fake_dist(folder: Path) -> Path:
    (folder / "html").mkdir(parents=True)
    (folder / "html" / "index.html").write_text("<p>book</p>")
    (folder / "html" / f"{SLUG}-chapters.bib").write_text("@book{x}\n")
    for name in (f"{SLUG}.pdf", f"{SLUG}-letter.pdf", f"{SLUG}.epub",
                 f"{SLUG}-flashcards.apkg", f"{SLUG}-flashcards.csv"):
        (folder / name).write_text(name)
    return folder


def release(dist: Path, out: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(TOOLS / "release.py"), str(dist), str(out),
         RELEASE], env={**os.environ, **env},
        capture_output=True, text=True, check=False)


def test_the_release_files_have_the_names_the_links_use(tmp_path):
    dist = fake_dist(tmp_path / "dist")
    result = release(dist, tmp_path / "release")
    assert result.returncode == 0, result.stderr
    names = {p.name for p in (tmp_path / "release").iterdir()}
    expected = {downloads.release_name(e, SLUG, RELEASE)
                for e in downloads.EDITIONS}
    expected |= {downloads.HTML_ZIP.format(slug=SLUG, version=RELEASE),
                 "SHA256SUMS"}
    assert names == expected


def test_a_release_of_another_tag_is_refused(tmp_path):
    dist = fake_dist(tmp_path / "dist")
    good = release(dist, tmp_path / "a", RELEASE_TAG=f"v{RELEASE}")
    assert good.returncode == 0, good.stderr
    bad = release(dist, tmp_path / "b", RELEASE_TAG="v99.0.0")
    assert bad.returncode != 0
    assert f"v99.0.0 is not v{RELEASE}" in bad.stderr
    assert not (tmp_path / "b").exists()


def build_html(project: Path, repository: str | None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("MAKE") and k != "BOOK_REPOSITORY"}
    if repository is not None:
        env["BOOK_REPOSITORY"] = repository
    (project / "book" / "index.md").write_text(INDEX)
    return subprocess.run(["make", "--no-print-directory", "work-html"],
                          cwd=project, env=env, capture_output=True,
                          text=True, check=False)


def built_landing_page(tmp_path: Path, repository: str | None):
    """The one-chapter book built with a setting; its HTML folder and the
    landing page's text."""
    project = mini_project(tmp_path)
    result = build_html(project, repository)
    assert result.returncode == 0, result.stdout + result.stderr
    html = project / "_build" / "work" / "html"
    return html, (html / "index.html").read_text()


@pytest.mark.slow
def test_a_local_build_links_dist_and_makes_up_no_address(tmp_path):
    html, index = built_landing_page(tmp_path, None)
    for name in (f"{SLUG}.pdf", f"{SLUG}-letter.pdf", f"{SLUG}.epub",
                 f"{SLUG}-flashcards.apkg", f"{SLUG}-flashcards.csv"):
        assert f'class="edition-download" href="../{name}"' in index, name
    assert "_build/dist" in index
    for page in html.glob("*.html"):
        assert "github.com" not in page.read_text(), page.name
    chapter = (html / "chapter.html").read_text()
    assert '<meta name="citation_title" content="A small chapter">' in chapter
    assert "citation_pdf_url" not in chapter


@pytest.mark.slow
def test_a_release_build_links_the_release(tmp_path):
    html, index = built_landing_page(tmp_path, REPO)
    pdf = f"{BASE}/download/v{RELEASE}/{SLUG}-{RELEASE}.pdf"
    for url in (pdf, f"{BASE}/download/v{RELEASE}/{SLUG}-{RELEASE}.epub",
                f"{BASE}/download/v{RELEASE}/{SLUG}-{RELEASE}"
                "-flashcards.apkg",
                f"{BASE}/download/v{RELEASE}/{SLUG}-{RELEASE}"
                "-flashcards.csv",
                f"{BASE}/latest"):
        assert f'class="edition-download" href="{url}"' in index, url
    assert 'href="../' not in index
    chapter = (html / "chapter.html").read_text()
    assert f'<meta name="citation_pdf_url" content="{pdf}">' in chapter
    assert f'"contentUrl": "{pdf}"' in chapter


@pytest.mark.slow
def test_a_malformed_repository_stops_the_build(tmp_path):
    project = mini_project(tmp_path)
    result = build_html(project, "https://example.org/book")
    assert result.returncode != 0
    assert "BOOK_REPOSITORY" in result.stdout + result.stderr

"""Bad input stops the build, names the file and line, and never replaces
a finished edition.

Each test builds a one-chapter book in a temporary folder with the real
conf.py, extensions, Makefile and installed tools, after breaking one thing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mini_project import FLOW, make, mini_project

# Slow (a build of a small book per case):
# `make check` leaves it to `make test`.
pytestmark = pytest.mark.slow

@pytest.fixture
def project(tmp_path: Path) -> Path:
    return mini_project(tmp_path)


def break_chapter(project: Path, old: str, new: str) -> int:
    """Replace text in the chapter; return the 1-based line of the change."""
    path = project / "book" / "chapter.md"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return text[:text.index(old)].count("\n") + 1


def assert_fails_naming(result, *needles: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    for needle in needles:
        assert needle in output, f"{needle!r} not in:\n{output}"


def test_the_unbroken_book_builds(project):
    result = make(project, "html")
    assert result.returncode == 0, result.stdout + result.stderr
    page = (project / "_build/dist/html/chapter.html").read_text()
    assert "FINISHED-EDITION" in page
    assert 'src="_images/mini-flow.svg"' in page
    assert make(project, "doctest").returncode == 0


def test_mermaid_syntax_error_names_the_diagram_file_and_line(project):
    (project / "diagrams" / "mini-flow.mmd").write_text(
        "flowchart TD\n  A[Start] --> B[Finish]\n  B --> --> C\n"
        "  C --> D\n")
    assert_fails_naming(make(project, "html"), "mini-flow.mmd:3:",
                        "Mermaid syntax error", "chapter.md:9")


def test_unknown_cross_reference_names_the_chapter_and_line(project):
    line = break_chapter(project, "{ref}`mini-first`", "{ref}`no-such`")
    assert_fails_naming(make(project, "html"), f"chapter.md:{line}",
                        "no-such")


def test_term_missing_from_the_glossary_names_the_chapter_and_line(
        project):
    line = break_chapter(project, "The sum is computed",
                         "The {term}`no such term` is computed")
    assert_fails_naming(make(project, "html"), f"chapter.md:{line}",
                        "no such term")


def test_missing_diagram_file_names_the_chapter_and_line(project):
    line = break_chapter(project, "../diagrams/mini-flow.mmd",
                         "../diagrams/nowhere.mmd")
    assert_fails_naming(make(project, "html"), f"chapter.md:{line}",
                        "nowhere.mmd")


def test_unknown_citation_key_names_the_chapter_and_line(project):
    line = break_chapter(project, "{footcite:p}`mini2020`",
                         "{footcite:p}`nobody`")
    assert_fails_naming(make(project, "html"), f"chapter.md:{line}",
                        "nobody")


def test_formula_latex_rejects_names_the_chapter_and_line(project):
    line = break_chapter(project, "The sum is computed below",
                         "The sum $\\nosuchmacro{x}$ is computed below")
    assert_fails_naming(make(project, "epub"), f"chapter.md:{line}",
                        "nosuchmacro")


def test_failing_snippet_names_the_line_and_is_never_published(project):
    assert make(project, "book").returncode == 0
    dist = project / "_build/dist"
    published = {p: p.read_bytes() for p in dist.rglob("*") if p.is_file()}
    line = break_chapter(project, ">>> 2 + 3\n5",
                         ">>> 2 + 3\n5\n>>> 2 * 3\n7")
    for target in ("book", "html"):
        assert_fails_naming(make(project, target),
                            f'File "chapter.md", line {line + 2}',
                            "Expected:")
    # Every edition stays the one built from the correct sources.
    now = {p: p.read_bytes() for p in dist.rglob("*") if p.is_file()}
    assert now == published


def test_diagram_without_alt_text_is_refused(project):
    line = break_chapter(project, ":alt: Two boxes joined by an arrow.\n",
                         "")
    assert_fails_naming(make(project, "html"), f"chapter.md:{line - 1}",
                        ":alt:")


def test_a_failed_build_leaves_the_finished_edition_in_place(project):
    assert make(project, "html").returncode == 0
    dist = project / "_build/dist/html/chapter.html"
    break_chapter(project, "Marker: FINISHED-EDITION.",
                  "Marker: BROKEN-EDITION {ref}`no-such`.")
    assert make(project, "html").returncode != 0
    page = dist.read_text()
    assert "FINISHED-EDITION" in page and "BROKEN-EDITION" not in page
    assert not list(dist.parent.parent.glob("html.*")), "a half-moved copy"


def test_an_unplaced_diagram_file_is_an_error(project):
    (project / "diagrams" / "orphan.mmd").write_text(FLOW)
    assert_fails_naming(make(project, "html"), "orphan.mmd",
                        "not placed in any chapter")


def browser_launches(project: Path) -> int:
    """How many times the build has started Chromium (session.py logs
    each launch in the cache)."""
    log = project / "_build" / "cache" / "browser-launches.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_diagrams_render_once_until_the_mermaid_config_changes(project):
    assert make(project, "html").returncode == 0
    # The diagram and the EPUB's cover, in one browser.
    assert browser_launches(project) == 1
    cache = project / "_build" / "cache" / "diagrams"

    def entries():  # not the lock, not temporary folders
        return {p.name for p in cache.iterdir() if not p.name.startswith(".")}
    before = entries()
    assert len(before) == 1

    def stamps():
        return {p: p.stat().st_mtime_ns for p in cache.rglob("*")
                if not p.name.startswith(".")}
    before_rebuild = stamps()
    assert make(project, "html").returncode == 0
    assert make(project, "epub").returncode == 0
    assert stamps() == before_rebuild, \
        "a rebuild or another edition rendered the diagram again"
    assert browser_launches(project) == 1, "a browser started for nothing"
    config = project / "diagrams" / "mermaid-config.json"
    config.write_text(re.sub(r'"fontSize": \d+', '"fontSize": 15',
                             config.read_text()))
    result = make(project, "html")
    assert result.returncode == 0, result.stderr
    assert len(entries() - before) == 1, "the diagram was not rendered again"
    assert browser_launches(project) == 2
    page = (project / "_build/dist/html/chapter.html").read_text()
    assert 'src="_images/mini-flow.svg"' in page

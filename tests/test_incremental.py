"""Incremental builds never lie: after any sequence of failed and successful
builds, a build says what a clean build of the same tree would say, with the
same exit status and the same messages.

Each case replays edits on a one-chapter book, building after each, and
compares every build with a clean build of a copy of the tree as it then
stands. The sequences are those that once misled the build: a diagram source
deleted, restored and deleted again while its chapter did not change, and a
bad citation after a failed build that left the diagram "not placed".
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from mini_project import FLOW, make, mini_project

# Slow (a dozen builds of a small book):
# `make check` leaves it to `make test`.
pytestmark = pytest.mark.slow

MESSAGE = re.compile(r"(?:ERROR|WARNING|CRITICAL): .*")


def outcome(project: Path, result) -> tuple[bool, set[str]]:
    """Success or failure, and the messages, with the folder taken out."""
    text = (result.stdout + result.stderr).replace(str(project), "<project>")
    return result.returncode == 0, set(MESSAGE.findall(text))


def clean_outcome(project: Path, scratch: Path) -> tuple[bool, set[str]]:
    """What a clean build of the project's tree, as it stands, reports."""
    copy = scratch / f"clean-{len(list(scratch.iterdir()))}"
    fresh = mini_project(copy)
    for folder in ("book", "diagrams"):
        shutil.rmtree(fresh / folder)
        shutil.copytree(project / folder, fresh / folder)
    return outcome(fresh, make(fresh, "work-html"))


def replay(tmp_path: Path, steps) -> None:
    project = mini_project(tmp_path / "project")
    scratch = tmp_path / "clean"
    scratch.mkdir()
    cache: dict[str, tuple[bool, set[str]]] = {}
    for number, (what, edit) in enumerate(steps, start=1):
        edit(project)
        # The HTML build alone: the snippets are another test's concern.
        got = outcome(project, make(project, "work-html"))
        state = tree_state(project)
        if state not in cache:
            cache[state] = clean_outcome(project, scratch)
        assert got == cache[state], (
            f"step {number} ({what}): the incremental build said {got}, "
            f"a clean build of the same tree {cache[state]}")


def tree_state(project: Path) -> str:
    return "\0".join(f"{p.relative_to(project)}:{p.read_text()}"
                     for folder in ("book", "diagrams")
                     for p in sorted((project / folder).rglob("*"))
                     if p.is_file())


def delete_diagram(project: Path) -> None:
    (project / "diagrams" / "mini-flow.mmd").unlink()


def restore_diagram(project: Path) -> None:
    (project / "diagrams" / "mini-flow.mmd").write_text(FLOW)


def chapter_edit(old: str, new: str):
    def edit(project: Path) -> None:
        path = project / "book" / "chapter.md"
        path.write_text(path.read_text().replace(old, new, 1))
    return edit


def nothing(project: Path) -> None:
    pass


def test_failed_and_successful_builds_in_any_order_tell_the_truth(tmp_path):
    replay(tmp_path, [
        ("the whole tree", nothing),
        ("diagram source deleted", delete_diagram),
        ("diagram source restored", restore_diagram),
        ("deleted again, chapter unchanged", delete_diagram),
        ("restored, citation broken", lambda p: (
            restore_diagram(p),
            chapter_edit("`mini2020`", "`nobody`")(p))),
        ("citation fixed", chapter_edit("`nobody`", "`mini2020`")),
        ("an unplaced diagram file added, chapters unchanged", lambda p: (
            (p / "diagrams" / "orphan.mmd").write_text(FLOW))),
        ("the unplaced file removed", lambda p: (
            (p / "diagrams" / "orphan.mmd").unlink())),
        ("a second diagram placed, a reference broken", lambda p: (
            (p / "diagrams" / "mini-more.mmd").write_text(FLOW),
            chapter_edit("Marker:", MORE + "Marker:")(p),
            chapter_edit("{ref}`mini-first`", "{ref}`no-such`")(p))),
        ("the second diagram gone from chapter and tree, reference fixed",
         lambda p: (
             (p / "diagrams" / "mini-more.mmd").unlink(),
             chapter_edit(MORE, "")(p),
             chapter_edit("{ref}`no-such`", "{ref}`mini-first`")(p))),
    ])


MORE = (":::{mermaid} ../diagrams/mini-more.mmd\n:alt: Two more boxes.\n"
        ":caption: More.\n:::\n\n")


class Result:
    def __init__(self, returncode: int, stdout: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, ""


def test_the_comparison_sees_a_lying_build(tmp_path):
    """The check itself can fail: a build that says success where a clean
    build fails, or that reports a problem a clean build does not, differs."""
    clean = outcome(tmp_path, Result(
        2, f"{tmp_path}/book/chapter.md:9: ERROR: diagram file not found\n"))
    assert outcome(tmp_path, Result(0, "")) != clean
    assert outcome(tmp_path, Result(2, (
        f"{tmp_path}/book/chapter.md:9: ERROR: diagram file not found\n"
        f"{tmp_path}/diagrams/x.mmd:1: WARNING: diagram x.mmd is not placed"
        " in any chapter\n"))) != clean
    assert outcome(tmp_path, Result(
        2, f"{tmp_path}/book/chapter.md:9: ERROR: diagram file not found\n"
    )) == clean

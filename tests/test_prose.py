"""Prose checks on the sources: spelling, and the sections each kind of
chapter must have. Each check is also fed a bad case, to show it can fail.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import BOOK, DIAGRAMS, ROOT

STEPS = [
    ("setup", "Set up the problem"),
    ("scale", "Understand scale and latency"),
    ("metrics", "Define metrics, offline and online"),
    ("architecture", "Discuss the architecture"),
    ("data", "Generate training data"),
    ("features", "Engineer features"),
    ("models", "Train models and evaluate offline"),
    ("online", "Serve online and evaluate"),
    ("iteration", "Improve iteratively"),
]
CLOSING = ["Interview practice", "Key takeaways", "References"]


def codespell(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "codespell_lib",
         "--ignore-words", str(ROOT / "tests" / "codespell-words.txt"),
         *map(str, paths)],
        capture_output=True, text=True, check=False)


def section_problems(text: str) -> list[str]:
    """What a chapter lacks, judged by its kind.

    A system chapter (one with a `-step-setup` label) has the nine steps,
    each labelled and titled as in every other system chapter, in order,
    then the closing sections. Every numbered chapter has the closing ones.
    """
    problems = []
    titles = re.findall(r"^## (.+)$", text, re.M)
    labelled = dict(re.findall(r"^\(([a-z0-9-]+)\)=\n## (.+)$", text, re.M))
    match = re.search(r"^\(([a-z0-9-]+)-step-setup\)=", text, re.M)
    if match:
        slug = match.group(1)
        steps = [t for t in titles if t in dict(STEPS).values()]
        if steps != [title for _, title in STEPS]:
            problems.append(f"the nine steps, in order; found {steps}")
        for suffix, title in STEPS:
            if labelled.get(f"{slug}-step-{suffix}") != title:
                problems.append(f"label {slug}-step-{suffix} on '{title}'")
    closing = [t for t in titles if t in CLOSING]
    if closing != CLOSING or titles[-3:] != CLOSING:
        problems.append(f"closing sections {CLOSING} last; found {closing}")
    return problems


def numbered_chapters(chapters) -> list:
    return [c for c in chapters if c.number]


def test_spelling():
    result = codespell(BOOK, DIAGRAMS, ROOT / "README.md",
                       ROOT / "CONTRIBUTING.md")
    assert result.returncode == 0, result.stdout


def test_spelling_check_catches_a_misspelling(tmp_path):
    (tmp_path / "bad.md").write_text("The modle recieves a query.\n")
    result = codespell(tmp_path)
    assert result.returncode != 0 and "recieves" in result.stdout


def test_every_chapter_has_the_sections_of_its_kind(chapters):
    assert any("-step-setup)=" in (BOOK / f"{c.docname}.md").read_text()
               for c in chapters), "no system chapter to check"
    for chapter in numbered_chapters(chapters):
        text = (BOOK / f"{chapter.docname}.md").read_text(encoding="utf-8")
        assert not section_problems(text), (chapter.docname,
                                             section_problems(text))


def test_section_check_catches_a_missing_or_misplaced_step(chapters):
    system = next(c for c in chapters if "-step-setup)=" in
                  (BOOK / f"{c.docname}.md").read_text())
    text = (BOOK / f"{system.docname}.md").read_text(encoding="utf-8")
    assert section_problems(text.replace("## Engineer features",
                                         "## Features"))
    assert section_problems(text.replace("## Key takeaways",
                                         "## Summary"))
    scale = text.index(f"({system.docname}-step-scale)=")
    metrics = text.index(f"({system.docname}-step-metrics)=")
    architecture = text.index(f"({system.docname}-step-architecture)=")
    swapped = (text[:scale] + text[metrics:architecture]
               + text[scale:metrics] + text[architecture:])
    assert section_problems(swapped)


def test_code_lines_fit_the_page():
    """Snippets at most 79 characters wide, so they fit a PDF page."""
    long_lines = []
    for md in sorted(BOOK.glob("*.md")):
        blocks = re.findall(r"^```\{doctest\}[^\n]*\n(.*?)^```",
                            md.read_text(encoding="utf-8"), re.S | re.M)
        long_lines += [f"{md.name}: {line}" for block in blocks
                       for line in block.splitlines() if len(line) > 79]
    assert not long_lines, long_lines

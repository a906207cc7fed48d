"""The cheat sheet puts every system chapter side by side, step by step:
each of the nine step tables has a row per system linking to its section."""

from __future__ import annotations

import re

from conftest import BOOK
from test_prose import STEPS

SHEET = BOOK / "cheat-sheet.md"


def system_chapters(chapters) -> list[str]:
    """The chapters that design one system through the nine steps (the
    introduction has the steps too, but teaches them on two examples)."""
    return [c.docname for c in chapters
            if c.number and c.docname != "introduction" and re.search(
        r"^\([a-z0-9-]+-step-setup\)=",
        (BOOK / f"{c.docname}.md").read_text(encoding="utf-8"), re.M)]


def sheet_problems(text: str, systems: list[str]) -> list[str]:
    """What the cheat sheet lacks: a step section, or a system's row."""
    problems = []
    parts = re.split(r"^\(cheat-sheet-([a-z]+)\)=\n## (.+)$", text,
                     flags=re.M)
    found = [(parts[i], parts[i + 1]) for i in range(1, len(parts), 3)]
    if found != STEPS:
        problems.append(f"step sections {found}")
    for i in range(1, len(parts), 3):
        step, body = parts[i], parts[i + 2]
        rows = re.findall(r"^\| \{ref\}`[^`<]+<([a-z0-9-]+)-step-([a-z]+)>`",
                          body, re.M)
        expected = [(s, step) for s in systems]
        if rows != expected:
            problems.append(f"{step}: rows {rows}, expected {expected}")
    return problems


def test_every_system_has_a_row_in_every_step(chapters):
    systems = system_chapters(chapters)
    assert len(systems) >= 2
    assert not sheet_problems(SHEET.read_text(encoding="utf-8"), systems)


def test_the_sheet_check_sees_a_missing_row(chapters):
    systems = system_chapters(chapters)
    text = SHEET.read_text(encoding="utf-8")
    last = systems[-1]
    broken = re.sub(rf"^\| \{{ref\}}`[^`]*<{last}-step-models>`.*\n", "",
                    text, flags=re.M)
    assert broken != text
    assert sheet_problems(broken, systems) != []


def test_the_sheet_is_back_matter_linking_each_section(html_dir, chapters):
    assert not [c for c in chapters if c.docname == "cheat-sheet"
                and c.number], "the cheat sheet is not a numbered chapter"
    page = (html_dir / "cheat-sheet.html").read_text()
    for docname in system_chapters(chapters):
        slug = docname
        for step, _title in STEPS:
            assert f'href="{docname}.html#{slug}-step-{step}"' in page, (
                docname, step)

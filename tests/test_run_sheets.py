"""The 45-minute run-sheet of every system chapter, read from the built HTML:
its five parts, a minute plan that runs from 0 to 45 without a gap, a
rubric with L4, L5, L6 and red flags for each of the nine steps, and links
that resolve. The introduction's generic run-sheet, where it has one, must
have minute plans that add up to 45 as well."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from test_cheat_sheet import system_chapters
from test_prose import STEPS

PARTS = ["The first two minutes", "Minute by minute", "Deep-dive menu",
         "The close", "Rubric by level"]
LEVELS = ["L4:", "L5:", "L6:", "Red flags:"]
MINUTES = re.compile(r"^(\d+)\s*[\u2013-]\s*(\d+)$")


def _text(node) -> str:
    """A heading's or cell's words, without section number or "#" link."""
    node = BeautifulSoup(str(node), "html.parser")
    for extra in node.select("span.section-number, a.headerlink"):
        extra.decompose()
    return " ".join(node.get_text().split())


def minute_problems(table) -> list[str]:
    """What is wrong with a plan: ranges a-b, contiguous, 0 to 45."""
    rows = table.select("tbody tr") or table.select("tr")[1:]
    spans = []
    for row in rows:
        cell = row.find(["td", "th"])
        match = MINUTES.match(_text(cell)) if cell else None
        if not match:
            return [f"not a range a\u2013b: {_text(cell)!r}"]
        spans.append((int(match.group(1)), int(match.group(2))))
    problems = []
    if not spans:
        return ["an empty plan"]
    if spans[0][0] != 0:
        problems.append(f"starts at {spans[0][0]}, not 0")
    for (_a, end), (start, _b) in pairwise(spans):
        if start != end:
            problems.append(f"a gap or overlap between {end} and {start}")
    if any(b <= a for a, b in spans):
        problems.append(f"a range that does not move forward: {spans}")
    total = sum(b - a for a, b in spans)
    if spans[-1][1] != 45 or total != 45:
        problems.append(f"ends at {spans[-1][1]}, adds up to {total}")
    return problems


def minute_tables(section) -> list:
    """The tables whose first header cell is "Minutes"."""
    found = []
    for table in section.find_all("table"):
        head = table.find("th")
        if head is not None and _text(head) == "Minutes":
            found.append(table)
    return found


def rubric_problems(part) -> list[str]:
    """One definition list: the nine step titles, in order, each with four
    definitions that start with the bold labels L4, L5, L6, Red flags."""
    lists = [dl for dl in part.find_all("dl")
             if dl.find_parent("dd") is None]
    if len(lists) != 1:
        return [f"{len(lists)} definition lists, not one"]
    terms: list[tuple[str, list]] = []
    for child in lists[0].find_all(["dt", "dd"], recursive=False):
        if child.name == "dt":
            terms.append((_text(child), []))
        elif terms:
            terms[-1][1].append(child)
    problems = []
    titles = [t for t, _ in terms]
    if titles != [title for _, title in STEPS]:
        problems.append(f"terms {titles}")
    for title, definitions in terms:
        starts = []
        for dd in definitions:
            bold = dd.find("strong")
            text = _text(dd)
            label = next((x for x in LEVELS if text.startswith(x)), text[:12])
            if bold is None or not label.startswith(_text(bold)):
                label += " (not bold)"
            starts.append(label)
        if starts != LEVELS:
            problems.append(f"{title}: definitions start {starts}")
    return problems


def link_problems(section, ids_of) -> list[str]:
    """Internal links whose target id does not exist."""
    problems = []
    for a in section.find_all("a", href=True):
        href = a["href"]
        if re.match(r"^[a-z]+:", href):
            continue  # another site, mail
        page, _, anchor = href.partition("#")
        ids = ids_of(page or None)
        if ids is None:
            problems.append(f"no page {page}")
        elif anchor and anchor not in ids:
            problems.append(f"no id {anchor!r} in {page or 'this page'}")
    return problems


def run_sheet_problems(page: str, slug: str, ids_of) -> list[str]:
    """Everything a system chapter's run-sheet lacks, from its built page.
    ids_of(page name or None for this page) gives a page's ids."""
    soup = BeautifulSoup(page, "html.parser")
    section = soup.find("section", id=f"{slug}-run-sheet")
    if section is None:
        return [f"no section {slug}-run-sheet"]
    parts = {}
    for sub in section.find_all("section", recursive=False):
        heading = sub.find(["h3", "h4"])
        parts[_text(heading) if heading else ""] = sub
    problems = []
    if list(parts) != PARTS:
        problems.append(f"parts {list(parts)}, expected {PARTS}")
    plans = minute_tables(section)
    if not plans:
        problems.append("no table headed Minutes")
    for table in plans:
        problems += minute_problems(table)
    if "Rubric by level" in parts:
        problems += rubric_problems(parts["Rubric by level"])
    own = {t["id"] for t in soup.find_all(id=True)}
    problems += link_problems(
        section, lambda name: own if name is None else ids_of(name))
    return problems


def page_ids(html_dir: Path):
    cache: dict[str, set[str] | None] = {}

    def ids_of(name: str) -> set[str] | None:
        if name not in cache:
            path = html_dir / name
            cache[name] = ({t["id"] for t in BeautifulSoup(
                path.read_text(), "html.parser").find_all(id=True)}
                if path.is_file() else None)
        return cache[name]
    return ids_of


def test_every_system_chapter_has_a_complete_run_sheet(html_dir, chapters):
    systems = system_chapters(chapters)
    assert len(systems) >= 6
    ids_of = page_ids(html_dir)
    problems = {slug: run_sheet_problems(
        (html_dir / f"{slug}.html").read_text(), slug, ids_of)
        for slug in systems}
    assert not {s: p for s, p in problems.items() if p}, problems


def test_the_introductions_plans_add_up_to_45(html_dir):
    soup = BeautifulSoup((html_dir / "introduction.html").read_text(),
                         "html.parser")
    section = soup.find("section", id="introduction-run-sheet")
    if section is None:
        pytest.skip("the introduction has no run-sheet")
    plans = minute_tables(section)
    assert plans, "no table headed Minutes"
    assert not [p for t in plans for p in minute_problems(t)]
    assert not link_problems(section, lambda name: (
        {t["id"] for t in soup.find_all(id=True)} if name is None
        else page_ids(html_dir)(name)))


# -- The checks themselves, on small pages --------------------------------

def fixture_page(plan=((0, 2), (2, 20), (20, 43), (43, 45)),
                 parts=PARTS, levels=LEVELS, link="#x-step-setup") -> str:
    rows = "".join(f"<tr><td><p>{a}\u2013{b}</p></td>"
                   f'<td><a class="reference internal" href="{link}">'
                   f"Set up</a></td></tr>" for a, b in plan)
    rubric = "".join(
        f"<dt>{title}<a class='headerlink' href='#'>#</a></dt>" + "".join(
            f"<dd><p><strong>{level}</strong> words</p></dd>"
            for level in levels)
        for _, title in STEPS)
    bodies = {
        "Minute by minute": "<table><thead><tr><th><p>Minutes</p></th>"
                            "<th><p>Steps</p></th></tr></thead>"
                            f"<tbody>{rows}</tbody></table>",
        "Rubric by level": f'<dl class="simple myst">{rubric}</dl>',
    }
    subs = "".join(
        f'<section id="p{i}"><h3><span class="section-number">4.10.{i}. '
        f"</span>{name}<a class='headerlink' href='#p{i}'>#</a></h3>"
        f"{bodies.get(name, '<p>text</p>')}</section>"
        for i, name in enumerate(parts, 1))
    return ('<html><body><section id="x-step-setup"><h2>Set up</h2>'
            '</section><section id="x-run-sheet"><h2>The 45-minute '
            f"run-sheet</h2>{subs}</section></body></html>")


def _no_other_pages(_name):
    return None


def test_the_run_sheet_check_passes_a_good_page():
    assert run_sheet_problems(fixture_page(), "x", _no_other_pages) == []


def test_a_plan_adding_up_to_44_is_rejected():
    page = fixture_page(plan=((0, 2), (2, 20), (20, 42), (42, 44)))
    problems = run_sheet_problems(page, "x", _no_other_pages)
    assert problems and "adds up to 44" in problems[0], problems


def test_a_gap_in_the_plan_is_rejected():
    page = fixture_page(plan=((0, 2), (3, 20), (20, 45)))
    assert run_sheet_problems(page, "x", _no_other_pages)
    page = fixture_page(plan=((1, 2), (2, 45)))
    assert run_sheet_problems(page, "x", _no_other_pages)


def test_a_missing_part_level_or_link_is_rejected():
    assert run_sheet_problems(fixture_page(parts=PARTS[:-1]), "x",
                              _no_other_pages)
    assert run_sheet_problems(fixture_page(levels=LEVELS[:2] + LEVELS[3:]),
                              "x", _no_other_pages)
    assert run_sheet_problems(fixture_page(link="#x-step-nowhere"), "x",
                              _no_other_pages)
    assert run_sheet_problems(fixture_page(link="other.html#a"), "x",
                              _no_other_pages)
    assert run_sheet_problems(fixture_page(), "y", _no_other_pages)

"""The practice appendix: at least 30 design prompts the chapters do not
work through, each mapped onto its closest chapter and the steps where the
answer differs, linked; a study plan; listed in all three editions."""

from __future__ import annotations

import html as htmllib
import re

import pypdf
from bs4 import BeautifulSoup

from conftest import BOOK, edition_href
from test_cheat_sheet import system_chapters
from test_pdf import outline

PAGE = BOOK / "practice.md"
TITLE = "Practice prompts and a study plan"
GROUPS = ["Ranking and recommendation", "Classification and integrity",
          "Vision", "Language", "Forecasting and marketplace"]
# Worked in a chapter already, or to be (the LLM-based assistant).
WORKED = ["assistant", "chatbot"]


def prompts(text: str) -> list[tuple[str, str, str]]:
    """(group, heading, body) of each prompt: the level-3 sections under
    the level-2 groups named in GROUPS."""
    found = []
    for part in re.split(r"^(?=## )", text, flags=re.M):
        group = part.splitlines()[0][3:].strip() if part.startswith("## ") \
            else None
        if group not in GROUPS:
            continue
        for block in re.split(r"^(?=### )", part, flags=re.M)[1:]:
            heading, _, body = block.partition("\n")
            found.append((group, heading[4:].strip(), body))
    return found


def prompt_problems(heading: str, body: str, worked: list[str],
                    labels: dict[str, set[str]]) -> list[str]:
    """What a prompt lacks: a closest chapter, two or three step links into
    it, an outline; or it names a worked system."""
    problems = []
    name = heading.lower()
    for title in worked:
        if title.lower() in name or name in title.lower():
            problems.append(f"{heading!r} is a worked system ({title})")
    chapter = re.search(r"<ch-([a-z0-9-]+)>`", body)
    if not chapter or chapter.group(1) not in labels:
        return problems + [f"{heading!r} names no system chapter"]
    slug = chapter.group(1)
    steps = re.findall(r"\{(?:ref|numref)\}`(?:[^`<]*<)?([a-z0-9-]+)>?`",
                       body)
    steps = [s for s in steps if "-step-" in s]
    if not 2 <= len(set(steps)) <= 3:
        problems.append(f"{heading!r} links {len(set(steps))} steps")
    for label in steps:
        if not label.startswith(f"{slug}-step-") or \
                label not in labels[slug]:
            problems.append(f"{heading!r}: step {label} not in {slug}")
    outline_lines = [line for line in body.splitlines()
                     if line.strip() and not line.startswith("**")]
    if len(outline_lines) < 3:
        problems.append(f"{heading!r} has no outline paragraph")
    return problems


def chapter_labels(chapters) -> dict[str, set[str]]:
    return {c.docname: set(re.findall(
        r"^\(([a-z0-9-]+)\)=$",
        (BOOK / f"{c.docname}.md").read_text(encoding="utf-8"), re.M))
        for c in chapters if c.number}


def worked_titles(chapters) -> list[str]:
    return [c.title for c in chapters
            if c.docname in system_chapters(chapters)] + WORKED


def test_at_least_thirty_prompts_each_mapped_and_linked(chapters):
    text = PAGE.read_text(encoding="utf-8")
    found = prompts(text)
    assert len(found) >= 30, len(found)
    assert {g for g, _, _ in found} == set(GROUPS)
    assert len({h for _, h, _ in found}) == len(found), "a repeated prompt"
    labels, worked = chapter_labels(chapters), worked_titles(chapters)
    problems = [p for _, heading, body in found
                for p in prompt_problems(heading, body, worked, labels)]
    assert not problems, problems


def test_the_prompt_check_sees_a_bad_prompt(chapters):
    labels, worked = chapter_labels(chapters), worked_titles(chapters)
    _, heading, body = prompts(PAGE.read_text(encoding="utf-8"))[0]
    assert prompt_problems(heading, body, worked, labels) == []
    assert prompt_problems("Feed ranking", body, worked, labels)
    assert prompt_problems("An LLM assistant for support", body, worked,
                           labels)
    unlinked = re.sub(r"\{numref\}`Section %s <[^>]+>`", "a section", body)
    assert prompt_problems(heading, unlinked, worked, labels)
    assert prompt_problems(heading, body.replace("<ch-", "<nothing-"),
                           worked, labels)


def test_the_study_plan_covers_two_four_and_eight_weeks():
    text = PAGE.read_text(encoding="utf-8")
    plan = text[text.index("(practice-plan)="):]
    assert re.findall(r"^### (.+)$", plan, re.M) == [
        "Two weeks", "Four weeks", "Eight weeks"]
    for name in ("mlsd-book-flashcards.apkg", "mlsd-book-flashcards.csv"):
        assert name in plan


def test_every_prompt_link_resolves_in_the_html(html_dir):
    soup = BeautifulSoup((html_dir / "practice.html").read_text(),
                         "html.parser")
    ids: dict[str, set[str]] = {}
    checked = 0
    for heading in soup.select("section > h3"):
        section = heading.parent
        links = [a["href"] for a in section.select("a.reference.internal")]
        if heading.find_parent("section", id="practice-plan"):
            continue
        assert len(links) >= 4, (heading.get_text(), links)
        for href in links:
            page, _, anchor = href.partition("#")
            if page not in ids:
                target = BeautifulSoup((html_dir / page).read_text(),
                                       "html.parser")
                ids[page] = {t["id"] for t in target.find_all(id=True)}
            assert anchor in ids[page], href
            checked += 1
    assert checked >= 120


def test_the_page_is_in_the_contents_of_every_edition(
        html_dir, pdf_path, epub):
    index = (html_dir / "index.html").read_text()
    toc = BeautifulSoup(index, "html.parser")
    entries = [" ".join(a.get_text().split())
               for a in toc.select('a[href="practice.html"]')]
    assert TITLE in entries, entries
    top = [t for d, t, _ in outline(pypdf.PdfReader(pdf_path)) if d == 0]
    assert TITLE in top, top
    assert top.index(TITLE) == top.index("Systems side by side") + 1
    nav = epub.read("nav.xhtml").decode()
    found = [" ".join(htmllib.unescape(t).split())
             for t in re.findall(r"<a [^>]*>(.*?)</a>", nav, re.S)]
    assert TITLE in found, found


def test_the_landing_page_links_the_flashcards(html_dir):
    page = (html_dir / "index.html").read_text()
    for edition in ("apkg", "csv"):
        href = edition_href(edition)
        assert f'<a class="edition-download" href="{href}"' in page, href
        name = f"mlsd-book-flashcards.{edition}"
        assert (html_dir.parent / name).is_file(), name

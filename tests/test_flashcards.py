"""The flashcard deck beside the editions: a valid Anki package and a CSV
with one card per glossary term, interview question and key number in the
sources; stable card identities; reproducible bytes; a question without
an answer stops the build with its file and line."""

from __future__ import annotations

import csv
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import BOOK, DIST, ROOT
from glossary_terms import definitions
from test_sections import sections as built_sections

sys.path.insert(0, str(ROOT / "tools"))
import flashcards  # noqa: E402

APKG = DIST / "mlsd-book-flashcards.apkg"
CSV = DIST / "mlsd-book-flashcards.csv"
EPOCH = 1_700_000_000


def expected_counts() -> dict[str, int]:
    """Cards the sources hold, counted here without the generator."""
    questions = 0
    for md in BOOK.glob("*.md"):
        text = md.read_text(encoding="utf-8")
        for part in re.split(r"^(?=## )", text, flags=re.M):
            if part.startswith("## Interview practice\n"):
                questions += len(re.findall(
                    r"^:::\{admonition\} .+\n:class: dropdown$", part, re.M))
    sheet = (BOOK / "cheat-sheet.md").read_text(encoding="utf-8")
    scale = sheet.split("(cheat-sheet-scale)=")[1].split("\n(")[0]
    rows = re.findall(r"^\| \{ref\}.*\|$", scale, re.M)
    numbers = sum(len(r.strip("|").split("|")) - 1 for r in rows)
    return {"glossary": len(definitions()), "practice": questions,
            "key-number": numbers}


def read_notes(apkg: Path, tmp_path: Path) -> list[tuple[str, str, str]]:
    """(guid, fields, tags) of every note in an Anki package."""
    with zipfile.ZipFile(apkg) as archive:
        names = archive.namelist()
        assert "collection.anki2" in names, names
        assert json.loads(archive.read("media")) == {}
        db = tmp_path / "collection.anki2"
        db.write_bytes(archive.read("collection.anki2"))
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT guid, flds, tags FROM notes ORDER BY id").fetchall()
    finally:
        conn.close()


def copy_project(folder: Path) -> Path:
    """The sources the generator reads, in a folder of their own."""
    shutil.copytree(BOOK, folder / "book")
    shutil.copy(ROOT / "conf.py", folder / "conf.py")
    return folder / "book"


def test_the_package_holds_one_note_per_source_entry(tmp_path):
    assert APKG.is_file(), "run `make book` first (`make test` does it)"
    counts = expected_counts()
    assert counts["glossary"] >= 60 and counts["practice"] >= 30
    assert counts["key-number"] >= 3 * 6
    notes = read_notes(APKG, tmp_path)
    assert len(notes) == sum(counts.values()), counts
    for kind, count in counts.items():
        assert sum(kind in tags.split() for _, _, tags in notes) == count, (
            kind)
    assert len({guid for guid, _, _ in notes}) == len(notes)
    for _guid, fields, _tags in notes:
        front, back, source = fields.split("\x1f")
        assert front.strip() and back.strip() and source.strip()
        assert "{term}" not in back and "{ref}" not in back, back


def test_the_deck_has_fixed_ids_and_the_books_version(tmp_path):
    with zipfile.ZipFile(APKG) as archive:
        (tmp_path / "c.anki2").write_bytes(archive.read("collection.anki2"))
    conn = sqlite3.connect(tmp_path / "c.anki2")
    decks_json, models_json = conn.execute(
        "SELECT decks, models FROM col").fetchone()
    conn.close()
    decks, models = json.loads(decks_json), json.loads(models_json)
    assert str(flashcards.DECK_ID) in decks
    assert str(flashcards.MODEL_ID) in models
    release = re.search(r'^release = "([^"]+)"',
                        (ROOT / "conf.py").read_text(), re.M).group(1)
    assert f"version {release}" in decks[str(flashcards.DECK_ID)]["desc"]


def test_the_csv_holds_the_same_cards(tmp_path):
    notes = read_notes(APKG, tmp_path)
    with CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(notes)
    assert [r["guid"] for r in rows] == [g for g, _, _ in notes]
    assert {r["kind"] for r in rows} == set(flashcards.KINDS)
    assert all(r["front"] and r["back"] and r["source"] for r in rows)


def test_two_runs_give_the_same_bytes_and_identities(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    flashcards.build(BOOK, first, epoch=EPOCH, root=ROOT)
    flashcards.build(BOOK, second, epoch=EPOCH, root=ROOT)
    for name in (flashcards.APKG, flashcards.CSV):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    assert [g for g, _, _ in read_notes(first / flashcards.APKG, tmp_path)] \
        == [g for g, _, _ in read_notes(second / flashcards.APKG, tmp_path)]


def test_a_changed_answer_keeps_its_cards_identity(tmp_path):
    book = copy_project(tmp_path / "project")
    old = flashcards.cards(book)
    before = {c.identity: flashcards.guid(c) for c in old}
    feed = book / "feed.md"
    lines = feed.read_text(encoding="utf-8").splitlines(keepends=True)
    # The first interview answer gets one more sentence; its question stays.
    practice = lines.index("## Interview practice\n")
    start = next(i for i in range(practice, len(lines))
                 if lines[i].startswith(":::{admonition} "))
    answer = next(i for i in range(start + 2, len(lines)) if lines[i].strip())
    lines[answer] = lines[answer].rstrip("\n") + " Say it out loud.\n"
    edited = "".join(lines)
    feed.write_text(edited, encoding="utf-8")
    new = flashcards.cards(book)
    # One card's answer changed, and no card's identity did.
    assert sum(a.back != b.back for a, b in zip(old, new, strict=True)) == 1
    after = {c.identity: flashcards.guid(c) for c in new}
    assert after == before


def test_a_question_without_an_answer_fails_with_file_and_line(tmp_path):
    book = copy_project(tmp_path / "project")
    feed = book / "feed.md"
    lines = feed.read_text(encoding="utf-8").splitlines(keepends=True)
    practice = lines.index("## Interview practice\n")
    start = next(i for i in range(practice, len(lines))
                 if lines[i].startswith(":::{admonition} "))
    end = next(i for i in range(start + 1, len(lines))
               if lines[i].strip() == ":::")
    feed.write_text("".join(lines[:start + 2] + lines[end:]),
                    encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "flashcards.py"), str(book),
         str(tmp_path / "out")], capture_output=True, text=True)
    assert result.returncode != 0
    assert f"feed.md:{start + 1}:" in result.stderr, result.stderr
    assert "no answer" in result.stderr
    assert not (tmp_path / "out" / flashcards.APKG).exists()


def test_section_numbers_match_the_built_html(html_dir, chapters):
    """The cards' "first used in 4.6 ..." names the section the editions
    number so."""
    for page in flashcards.pages(BOOK):
        if not page.number:
            continue
        page_html = (html_dir / f"{page.docname}.html").read_text()
        built = [(n, t) for _a, n, t in built_sections(page_html)
                 if n.count(".") == 1]
        ours = [(s.number, s.title) for s in flashcards.sections(page)]
        assert ours == built[:len(ours)], page.docname


@pytest.mark.parametrize("kind", flashcards.KINDS)
def test_each_kind_of_card_reads_as_text(kind):
    found = [c for c in flashcards.cards(BOOK) if c.kind == kind]
    names = flashcards.titles(BOOK)
    assert found
    for card in found:
        text = flashcards.plain(card.back, names)
        assert not re.search(r"\{[a-z:]+\}`", text), text
        assert card.source

"""The book's flashcard deck, read from its sources: an Anki package and a
CSV of the same cards.

    python tools/flashcards.py BOOK_DIR OUT_DIR

writes OUT_DIR/mlsd-book-flashcards.apkg and OUT_DIR/mlsd-book-flashcards.csv.
It needs no Sphinx: it reads the MyST sources directly.

Three kinds of card:

- glossary: every entry of book/glossary.md; the back is the definition and
  the section that links the term first, in reading order;
- practice: every question of a chapter's "Interview practice" section (a
  dropdown admonition: the title is the question, the body the answer);
- key number: every cell of the cheat sheet's "Understand scale and
  latency" table, with the section that derives it.

A card's identity (its Anki guid) is a hash of where it comes from (kind,
chapter slug, term or question or column), never of its text, so a reader
who imports a new version keeps their review history. The deck and note
type ids are fixed. The package is reproducible: every timestamp inside it
is SOURCE_DATE_EPOCH, and the zip is written with fixed dates, so two runs
give the same bytes. A question with no answer stops the run with its file
and line.
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
import sqlite3
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

SLUG = "mlsd-book"
APKG = f"{SLUG}-flashcards.apkg"
CSV = f"{SLUG}-flashcards.csv"
# Fixed for the life of the book: Anki matches a re-imported deck and note
# type by these ids (random numbers, chosen once).
DECK_ID = 1_874_302_615
MODEL_ID = 1_530_968_247
DECK_NAME = "Machine Learning System Design Interviews"
KINDS = ("glossary", "practice", "key-number")


class SourceError(Exception):
    """A source entry the deck cannot use; the message names file:line."""


@dataclass(frozen=True)
class Card:
    kind: str  # one of KINDS
    identity: str  # where the card comes from; hashed into the guid
    front: str  # MyST inline text
    back: str  # MyST text, paragraphs separated by blank lines
    source: str  # "Chapter 4, Feed ranking: 4.6 Engineer features"
    tags: tuple[str, ...]


# -- Reading the book ---------------------------------------------------------


@dataclass(frozen=True)
class Page:
    docname: str
    path: Path
    title: str
    number: int | None  # the chapter number; None for front and back matter
    lines: list[str]


def _title(lines: list[str]) -> str:
    for line in lines:
        if line.startswith("# "):
            return line[2:].strip()
    return ""


def pages(book: Path) -> list[Page]:
    """Every page in reading order, numbered as book/index.md numbers them."""
    index = (book / "index.md").read_text(encoding="utf-8")
    found, number = [], 0
    for block in re.findall(r"```\{toctree\}\n(.*?)```", index, re.S):
        rows = [x.strip() for x in block.splitlines() if x.strip()]
        numbered = ":numbered:" in rows
        for docname in rows:
            if docname.startswith(":") or docname == "genindex":
                continue
            path = book / f"{docname}.md"
            lines = path.read_text(encoding="utf-8").splitlines()
            if numbered:
                number += 1
            found.append(Page(docname, path, _title(lines),
                              number if numbered else None, lines))
    return found


def _outside_code(lines: list[str]):
    """(line index, line) of the lines not inside a ``` code fence."""
    fence = None
    for i, line in enumerate(lines):
        opened = re.match(r"^(`{3,})", line)
        if fence is None and opened:
            fence = opened.group(1)
        elif fence is not None and line.startswith(fence) \
                and not line[len(fence):].strip():
            fence = None
        elif fence is None:
            yield i, line


@dataclass(frozen=True)
class Section:
    label: str | None
    number: str | None  # "4.6", for a numbered chapter
    title: str
    start: int  # line index of the heading


def sections(page: Page) -> list[Section]:
    """The page's level-2 sections, numbered as the editions number them."""
    found, count = [], 0
    for i, line in _outside_code(page.lines):
        if not line.startswith("## "):
            continue
        count += 1
        label = None
        if i > 0:
            match = re.match(r"^\(([A-Za-z0-9_-]+)\)=$", page.lines[i - 1])
            label = match.group(1) if match else None
        number = f"{page.number}.{count}" if page.number else None
        found.append(Section(label, number, line[3:].strip(), i))
    return found


def labels(book_pages: list[Page]) -> dict[str, tuple[Page, str]]:
    """label -> (page, the title of the heading it stands on)."""
    found = {}
    for page in book_pages:
        for i, line in enumerate(page.lines[:-1]):
            match = re.match(r"^\(([A-Za-z0-9_-]+)\)=$", line)
            heading = re.match(r"^#{1,6} (.+)$", page.lines[i + 1])
            if match and heading:
                found[match.group(1)] = (page, heading.group(1).strip())
    return found


def where(page: Page, line: int) -> str:
    """How a reader finds a line of a page in any edition."""
    inside = [s for s in sections(page) if s.start <= line]
    head = (f"Chapter {page.number}, {page.title}" if page.number
            else page.title)
    if not inside:
        return head
    section = inside[-1]
    if section.number:
        return f"{head}: {section.number} {section.title}"
    return f"{head}: {section.title}"


# -- MyST inline markup to text -----------------------------------------------


ROLE = re.compile(r"\{([a-z:]+)\}`([^`]*)`")


def _role_text(role: str, content: str, titles: dict[str, str]) -> str:
    shown = re.match(r"^(.*?)\s*<([^<>]+)>$", content, re.S)
    text, target = (shown.group(1), shown.group(2)) if shown \
        else (None, content)
    if role in ("ref", "numref"):
        if text:
            return text.replace("%s", "").replace("  ", " ").strip()
        return titles.get(target, target)
    if role.startswith("foot") or role == "cite" or role.startswith("cite:"):
        return ""
    return text if text is not None else target


def plain(text: str, titles: dict[str, str]) -> str:
    """MyST inline markup as plain text (for the CSV); math stays $...$."""
    text = ROLE.sub(lambda m: _role_text(m.group(1), m.group(2), titles),
                    text)
    text = re.sub(r"\*\*(.+?)\*\*|\*(.+?)\*", lambda m: m.group(1)
                  or m.group(2), text)
    text = re.sub(r"(?<!\w)`([^`]+)`", r"\1", text)
    text = re.sub(r"[ \t]+([.,;:])", r"\1", text)  # a dropped citation
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(re.sub(r"\s+", " ", p) for p in paragraphs)


def rich(text: str, titles: dict[str, str]) -> str:
    """MyST as the HTML an Anki card shows; math for Anki's MathJax."""
    out = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in paragraph.splitlines()]
        parts = []
        for line in lines:
            line = ROLE.sub(
                lambda m: _role_text(m.group(1), m.group(2), titles), line)
            line = html.escape(line, quote=False)
            line = re.sub(r"\$\$(.+?)\$\$", r"\\[\1\\]", line)
            line = re.sub(r"(?<![\\$])\$([^$]+)\$", r"\\(\1\\)", line)
            line = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", line)
            line = re.sub(r"(?<![\w*])\*([^*]+)\*", r"<i>\1</i>", line)
            line = re.sub(r"(?<!\w)`([^`]+)`", r"<code>\1</code>", line)
            line = re.sub(r"[ \t]+([.,;:])", r"\1", line)
            if re.match(r"^(?:[-*]|\d+\.) ", line):
                line = "&bull; " + re.sub(r"^(?:[-*]|\d+\.) ", "", line)
                parts.append("<br>" + line if parts else line)
            else:
                parts.append(" " + line if parts else line)
        out.append("".join(parts))
    return "<br><br>".join(re.sub(r"[ \t]{2,}", " ", p) for p in out)


# -- The three kinds of card --------------------------------------------------


def glossary_entries(text: str) -> list[tuple[list[str], str, int]]:
    """[([headword, alias, ...], definition, line number)] in order."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines)
                 if line.strip() == ":::{glossary}")
    found, terms, first = [], [], None
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if line.strip() == ":::":
            break
        if line.startswith("  "):
            if not terms:
                raise SourceError(f"line {i + 1}: a definition with no term")
            found.append((terms, line.strip(), first))
            terms = []
        elif line.strip():
            if not terms:
                first = i + 1
            terms.append(line.strip())
    if terms:
        raise SourceError(f"line {first}: term {terms[0]!r} has no "
                          "definition")
    return found


def first_uses(book_pages: list[Page]) -> dict[str, tuple[Page, int]]:
    """lower-cased term -> (page, line) of its first {term} link, in the
    numbered chapters' reading order."""
    found: dict[str, tuple[Page, int]] = {}
    for page in book_pages:
        if not page.number:
            continue
        for i, line in _outside_code(page.lines):
            for role, content in ROLE.findall(line):
                if role != "term":
                    continue
                shown = re.match(r"^.*?<([^<>]+)>$", content, re.S)
                target = (shown.group(1) if shown else content).strip()
                found.setdefault(target.lower(), (page, i))
    return found


def glossary_cards(book: Path, book_pages: list[Page]) -> list[Card]:
    path = book / "glossary.md"
    if not path.is_file():  # a book without a glossary has no term cards
        return []
    try:
        entries = glossary_entries(path.read_text(encoding="utf-8"))
    except SourceError as error:
        raise SourceError(f"{path}:{str(error).removeprefix('line ')}") \
            from None
    uses = first_uses(book_pages)
    cards = []
    for terms, definition, line in entries:
        if not definition:
            raise SourceError(f"{path}:{line}: {terms[0]!r} has no "
                              "definition")
        front = terms[0] + (f" ({', '.join(terms[1:])})" if terms[1:]
                            else "")
        used = [uses[t.lower()] for t in terms if t.lower() in uses]
        first = min(used, key=lambda u: (u[0].number, u[1]), default=None)
        source = (f"First used in {where(*first)}" if first
                  else "Glossary")
        cards.append(Card("glossary", f"glossary::{terms[0]}", front,
                          definition, source, ("glossary",)))
    return cards


def practice_questions(page: Page) -> list[tuple[str, str, int]]:
    """[(question, answer, line number)] of the page's "Interview
    practice" section. A question with no answer is a SourceError."""
    found = []
    inside = False
    lines = page.lines
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            inside = line[3:].strip() == "Interview practice"
        opened = re.match(r"^(:{3,})\{admonition\}[ \t]*(.*)$", line)
        if not (inside and opened):
            i += 1
            continue
        fence, question, start = opened.group(1), opened.group(2).strip(), i
        body, i = [], i + 1
        while i < len(lines) and lines[i].strip() != fence:
            body.append(lines[i])
            i += 1
        if i == len(lines):
            raise SourceError(f"{page.path}:{start + 1}: admonition "
                              "never closed")
        options = [b for b in body if re.match(r"^:[a-z-]+:", b)]
        answer = "\n".join(b for b in body if b not in options).strip()
        if not question:
            raise SourceError(f"{page.path}:{start + 1}: an interview "
                              "question with no title")
        if not answer:
            raise SourceError(f"{page.path}:{start + 1}: interview question "
                              f"{question!r} has no answer")
        found.append((question, answer, start + 1))
        i += 1
    return found


def practice_cards(book_pages: list[Page]) -> list[Card]:
    cards = []
    for page in book_pages:
        for question, answer, line in practice_questions(page):
            cards.append(Card("practice",
                              f"practice::{page.docname}::{question}",
                              question, answer, where(page, line - 1),
                              ("practice", f"chapter::{page.docname}")))
    return cards


def key_number_cards(book: Path, book_pages: list[Page]) -> list[Card]:
    """One card per cell of the cheat sheet's scale table."""
    path = book / "cheat-sheet.md"
    if not path.is_file():  # nor key numbers without a cheat sheet
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    by_name = {p.docname: p for p in book_pages}
    start = lines.index("(cheat-sheet-scale)=")
    header, cards = None, []
    for i in range(start + 2, len(lines)):
        line = lines[i]
        if line.startswith("## ") or line.startswith("("):
            break
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        row = re.match(r"^\{ref\}`([^`<]+)<([a-z0-9-]+)-step-scale>`$",
                       cells[0])
        if not row or len(cells) != len(header):
            raise SourceError(f"{path}:{i + 1}: a row of the scale table "
                              "needs a linked system and one cell per "
                              "column")
        slug = row.group(2)
        if slug not in by_name:
            raise SourceError(f"{path}:{i + 1}: no chapter {slug!r}")
        page = by_name[slug]
        step = next(s for s in sections(page)
                    if s.label == f"{slug}-step-scale")
        for column, cell in zip(header[1:], cells[1:], strict=False):
            if not cell:
                raise SourceError(f"{path}:{i + 1}: empty cell "
                                  f"{column!r}")
            name = re.sub(r"\s*\(.*?\)", "", column).strip()
            cards.append(Card(
                "key-number", f"key-number::{slug}::{name}",
                f"Key number of the {page.title} design: "
                f"{column[0].lower()}{column[1:]}",
                cell, f"Derived in {where(page, step.start)}",
                ("key-number", f"chapter::{slug}")))
    return cards


def cards(book: Path) -> list[Card]:
    """Every card, glossary first, then questions and numbers by chapter."""
    book_pages = pages(book)
    found = (glossary_cards(book, book_pages) + practice_cards(book_pages)
             + key_number_cards(book, book_pages))
    seen: set[str] = set()
    for card in found:
        if card.identity in seen:
            raise SourceError(f"two cards come from {card.identity!r}: "
                              "make the question or term unique")
        seen.add(card.identity)
    return found


def titles(book: Path) -> dict[str, str]:
    return {label: title for label, (_page, title)
            in labels(pages(book)).items()}


def release(root: Path) -> str:
    conf = (root / "conf.py").read_text(encoding="utf-8")
    return re.search(r'^release = "([^"]+)"', conf, re.M).group(1)


# -- Writing the deck ---------------------------------------------------------


def guid(card: Card) -> str:
    import genanki
    return genanki.guid_for(SLUG, card.identity)


def _model():
    import genanki
    return genanki.Model(
        MODEL_ID, f"{DECK_NAME} card",
        fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Source"}],
        templates=[{
            "name": "Card 1",
            "qfmt": "{{Front}}",
            "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"
                    '<p class="source">{{Source}}</p>',
        }],
        css=".card { font-family: sans-serif; font-size: 20px;"
            " text-align: left; }\n"
            ".source { font-size: 14px; color: #555; }\n",
    )


def _zip_date(epoch: int) -> tuple[int, int, int, int, int, int]:
    import time
    t = time.gmtime(max(epoch, 315532800))  # zip dates start in 1980
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min,
            t.tm_sec - t.tm_sec % 2)


def write_apkg(found: list[Card], out: Path, version: str, epoch: int,
               names: dict[str, str]) -> None:
    import genanki
    model = _model()
    deck = genanki.Deck(
        DECK_ID, DECK_NAME,
        description=f"Flashcards of the book, version {version}: glossary "
                    "terms, interview questions with model answers, and "
                    "the key numbers of each system design.")
    for card in found:
        deck.add_note(genanki.Note(
            model=model, guid=guid(card), tags=list(card.tags),
            fields=[rich(card.front, names), rich(card.back, names),
                    html.escape(card.source, quote=False)]))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(db)
        cursor = conn.cursor()
        package = genanki.Package(deck)
        # Ids and "modified" times count from the fixed epoch, not now.
        package.write_to_db(cursor, float(epoch),
                            iter(range(epoch * 1000, epoch * 1000 + 10**6)))
        conn.commit()
        conn.close()
        data = db.read_bytes()
    date = _zip_date(epoch)
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in (("collection.anki2", data), ("media", b"{}")):
            info = zipfile.ZipInfo(name, date_time=date)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)


def write_csv(found: list[Card], out: Path, version: str,
              names: dict[str, str]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["guid", "kind", "front", "back", "source", "tags",
                     "version"])
    for card in found:
        writer.writerow([guid(card), card.kind, plain(card.front, names),
                         plain(card.back, names), card.source,
                         " ".join(card.tags), version])
    out.write_text(buffer.getvalue(), encoding="utf-8")


def build(book: Path, out_dir: Path, epoch: int | None = None,
          root: Path | None = None) -> list[Card]:
    """Write both files into out_dir; return the cards."""
    root = root or book.parent
    if epoch is None:
        epoch = int(os.environ.get("SOURCE_DATE_EPOCH") or 315532800)
    found = cards(book)
    names = titles(book)
    version = release(root)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_apkg(found, out_dir / APKG, version, epoch, names)
    write_csv(found, out_dir / CSV, version, names)
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        found = build(Path(argv[1]), Path(argv[2]))
    except SourceError as error:
        print(f"flashcards: {error}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{sum(c.kind == k for c in found)} {k}"
                       for k in KINDS)
    print(f"flashcards: {len(found)} cards ({counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

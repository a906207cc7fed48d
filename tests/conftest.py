"""What the tests read: the sources, and the editions `make book` built.

The README's test command (`make test`) builds each edition once, runs the
snippets, then runs pytest; these fixtures only read what was built. A
missing edition is a failure, never a skip.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
DIAGRAMS = ROOT / "diagrams"
DIST = ROOT / "_build" / "dist"
WORK = ROOT / "_build" / "work"
SLUG = "mlsd-book"


@dataclass(frozen=True)
class Chapter:
    docname: str
    title: str
    number: int | None  # None for front and back matter


def _toctree_entries(text: str) -> list[tuple[list[str], bool]]:
    """The toctrees of a MyST page: (entries, numbered) each."""
    trees = []
    for block in re.findall(r"```\{toctree\}\n(.*?)```", text, re.S):
        lines = block.splitlines()
        numbered = any(x.strip().startswith(":numbered:") for x in lines)
        entries = [x.strip() for x in lines
                   if x.strip() and not x.strip().startswith(":")]
        trees.append((entries, numbered))
    return trees


def _title(docname: str) -> str:
    text = (BOOK / f"{docname}.md").read_text(encoding="utf-8")
    return re.search(r"^# (.+)$", text, re.M).group(1).strip()


def book_chapters() -> list[Chapter]:
    """Every page of the book in reading order, from book/index.md."""
    chapters, number = [], 0
    index = (BOOK / "index.md").read_text(encoding="utf-8")
    for entries, numbered in _toctree_entries(index):
        for docname in entries:
            if numbered:
                number += 1
            chapters.append(Chapter(docname, _title(docname),
                                    number if numbered else None))
    return chapters


def diagram_placements() -> dict[str, list[tuple[str, str]]]:
    """docname -> [(diagram name, alt text)] as the sources place them."""
    found: dict[str, list[tuple[str, str]]] = {}
    pattern = re.compile(
        r"^:::\{diagram\} (\S+)\n((?::[a-z]+:.*\n(?:  .*\n)*)*)", re.M
    )
    for md in sorted(BOOK.glob("*.md")):
        for name, options in pattern.findall(md.read_text(encoding="utf-8")):
            alt = re.search(r":alt:(.*(?:\n  .*)*)", options)
            found.setdefault(md.stem, []).append(
                (name, " ".join(alt.group(1).split()) if alt else "")
            )
    return found


def mermaid_fragments() -> list[str]:
    """Lines of Mermaid syntax that must never reach a reader."""
    fragments = {"flowchart TD", "flowchart LR", "graph TD"}
    for mmd in DIAGRAMS.glob("*.mmd"):
        for line in mmd.read_text(encoding="utf-8").splitlines():
            if "-->" in line or "-.->" in line:
                fragments.add(line.strip())
    return sorted(fragments)


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make book` first "
                    "(`make test` does it)")
    return path


@pytest.fixture(scope="session")
def chapters() -> list[Chapter]:
    return book_chapters()


@pytest.fixture(scope="session")
def html_dir() -> Path:
    return _need(DIST / "html")


@pytest.fixture(scope="session")
def pdf_path() -> Path:
    return _need(DIST / f"{SLUG}.pdf")


@pytest.fixture(scope="session")
def epub_path() -> Path:
    return _need(DIST / f"{SLUG}.epub")


@pytest.fixture(scope="session")
def epub(epub_path: Path) -> zipfile.ZipFile:
    return zipfile.ZipFile(epub_path)

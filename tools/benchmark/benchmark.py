"""Time the book's build, edition by edition, against the default path.

For each of two paths on the same sources it prints the clean-build time
and the no-change rebuild time of every step, how many diagrams and formula
images each step rendered and how many times it started Chromium, and then,
side by side, what a reader's browser loads: every numbered chapter page's
weight and load time from file:// (tests/browser_check.mjs --weight), and
the browser launches of a whole clean build:

- this project: every missing diagram and the cover rendered in one
  browser into a shared cache (book_build/assets/), formulas typeset in
  one batch in Node, light pages (book_build/editions/html_pages.py);
- the default path (conf.py here): sphinxcontrib-mermaid running
  mermaid-cli once per diagram per builder, Sphinx's imgmath once per
  formula for the EPUB, MathJax typesetting in the reader's browser, and
  the theme's pages as they come.

Usage (from the repository root, after `make setup`):

    .venv/bin/python tools/benchmark/benchmark.py            # both books
    .venv/bin/python tools/benchmark/benchmark.py --book real
    .venv/bin/python tools/benchmark/benchmark.py --book synthetic

First it times `make book` itself, as an author meets it: from clean,
with no change, and after one sentence is added to one chapter, and counts
the browsers each started (book_build/assets/session.py logs every launch
in the cache; a clean build should start one).

The synthetic book (synthetic_book.py) has the full size of the finished
book, so that scaling is measured before the chapters exist. Every build
runs in a temporary copy; the project's own _build is left alone.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic_book import generate  # noqa: E402

STEPS = ("html", "epub", "latex", "pdf", "doctest")
WEIGHT = ROOT / "tests" / "browser_check.mjs"
LAUNCH_LOG = Path("_build") / "cache" / "browser-launches.log"


def copy_project(dest: Path, book: str) -> None:
    """A project copy with the real or the synthetic sources."""
    dest.mkdir(parents=True)
    for name in ("conf.py", "Makefile", "requirements.txt",
                 "package-lock.json"):
        shutil.copy(ROOT / name, dest / name)
    for name in ("book_build", "tools", "static", "templates", ".venv",
                 "node_modules"):
        (dest / name).symlink_to(ROOT / name)
    if book == "real":
        shutil.copytree(ROOT / "book", dest / "book")
        shutil.copytree(ROOT / "diagrams", dest / "diagrams")
    else:
        generate(dest / "synthetic")
        (dest / "synthetic" / "book").rename(dest / "book")
        (dest / "synthetic" / "diagrams").rename(dest / "diagrams")
        shutil.rmtree(dest / "synthetic")
        shutil.copy(ROOT / "diagrams" / "mermaid-config.json",
                    dest / "diagrams")


def run_step(project: Path, step: str, default: bool) -> float:
    """Run one step; return its wall time in seconds."""
    env = {**os.environ, "BENCH_PROJECT": str(project)}
    confdir = HERE if default else project
    builder = "latex" if step == "pdf" else step
    if step == "pdf":
        cmd = ["make", "-C", str(project / "_build/work/latex"), "all-pdf",
               "LATEXMKOPTS=-interaction=nonstopmode -halt-on-error"]
    else:
        # The default path is not held to -W: it is here to be timed.
        strict = [] if default else ["-W"]
        cmd = [str(project / ".venv/bin/sphinx-build"), "-q", "-n",
               *strict, "--keep-going", "-c", str(confdir),
               "-d", str(project / "_build/doctrees" / builder),
               "-b", builder, str(project / "book"),
               str(project / "_build/work" / builder)]
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=project, env=env, capture_output=True,
                            text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{result.stdout[-3000:]}"
                 f"\n{result.stderr[-3000:]}")
    return elapsed


def count_new(folder: Path, since: float, suffixes: tuple[str, ...],
              prefix: str = "") -> int:
    if not folder.exists():
        return 0
    return sum(1 for p in folder.rglob("*")
               if p.is_file() and p.suffix in suffixes
               and p.name.startswith(prefix) and p.stat().st_mtime >= since)


def launches(project: Path) -> int:
    """Browsers the build's own renderer has started in this project."""
    log = project / LAUNCH_LOG
    return len(log.read_text().splitlines()) if log.exists() else 0


def rendered(project: Path, since: float, default: bool,
             launched: int) -> tuple[int, int, int]:
    """(diagram renderings, formula images, browser launches) made since a
    moment; `launched` is the renderer's launch count at that moment."""
    build = project / "_build"
    # The EPUB cover is drawn by the book's renderer on both paths.
    browsers = launches(project) - launched
    if default:
        # One file per diagram per builder, in each builder's _images,
        # each from a mermaid-cli run that starts a browser of its own.
        diagrams = count_new(build / "work", since,
                             (".svg", ".pdf", ".png"), prefix="mermaid-")
        formulas = count_new(build / "work" / "epub" / "_images" / "math",
                             since, (".svg",))
        return diagrams, formulas, browsers + diagrams
    # One cache entry (three formats) per diagram, shared by all builders;
    # one JSON entry per formula.
    diagrams = sum(1 for p in (build / "cache" / "diagrams").glob("*")
                   if p.is_dir() and not p.name.startswith(".")
                   and p.stat().st_mtime >= since)
    formulas = count_new(build / "cache" / "formulas", since, (".json",))
    return diagrams, formulas, browsers


def numbered_chapters(book: Path) -> list[str]:
    """The documents of the root's numbered toctrees: the chapters."""
    text = (book / "index.md").read_text()
    found = []
    for block in re.findall(r"```\{toctree\}\n(.*?)```", text, re.S):
        if ":numbered:" in block:
            found += [line.strip() for line in block.splitlines()
                      if line.strip() and not line.startswith(":")]
    return found


def weigh_pages(project: Path) -> list[dict]:
    """What Chromium reads from disk for each chapter page, from file://,
    and how long the page takes to load (tests/browser_check.mjs)."""
    html = project / "_build" / "work" / "html"
    pages = [html / f"{name}.html"
             for name in numbered_chapters(project / "book")]
    result = subprocess.run(
        ["node", str(WEIGHT), "--weight", "1280", "800", *map(str, pages)],
        cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"weighing the pages failed:\n{result.stderr[-3000:]}")
    return [json.loads(line) for line in result.stdout.splitlines()]


def measure(book: str, default: bool) -> dict:
    """Clean and no-change timings of every step of one path."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        project = Path(tmp) / "project"
        copy_project(project, book)
        results = {}
        for phase in ("clean", "no change"):
            for step in STEPS:
                since = time.time() - 0.01
                launched = launches(project)
                seconds = run_step(project, step, default)
                results[(phase, step)] = (seconds, *rendered(
                    project, since, default, launched))
        sources = sum(len(p.read_text().split())
                      for p in (project / "book").glob("*.md"))
        diagrams = len(list((project / "diagrams").glob("*.mmd")))
        results["size"] = (sources, diagrams)
        results["pages"] = weigh_pages(project)
        return results


def add_a_sentence(project: Path) -> None:
    """The smallest real edit: one sentence added to one chapter."""
    chapter = sorted(p for p in (project / "book").glob("*.md")
                     if p.name != "index.md")[0]
    lines = chapter.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines)
              if line[:1].isalpha() and line.rstrip().endswith("."))
    lines[at] = lines[at].rstrip("\n") + " One sentence more.\n"
    chapter.write_text("".join(lines))


def measure_make(book: str) -> dict:
    """Wall time of `make book`, the author's command (three editions, the
    flashcards and the snippets, side by side): from clean, with no change,
    and after a one-sentence edit to one chapter."""
    times = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        project = Path(tmp) / "project"
        copy_project(project, book)
        for phase in ("clean", "no change", "one-sentence edit"):
            if phase == "one-sentence edit":
                add_a_sentence(project)
            launched = launches(project)
            start = time.perf_counter()
            result = subprocess.run(["make", "--no-print-directory", "book"],
                                    cwd=project, capture_output=True,
                                    text=True, check=False)
            times[phase] = (time.perf_counter() - start,
                            launches(project) - launched)
            if result.returncode != 0:
                sys.exit(f"make book failed:\n{result.stdout[-3000:]}"
                         f"\n{result.stderr[-3000:]}")
    return times


def report(book: str) -> None:
    made = measure_make(book)
    ours = measure(book, default=False)
    theirs = measure(book, default=True)
    words, diagrams = ours["size"]
    print(f"\n{book} book: {words:,} words of source, {diagrams} diagrams")
    print("make book: " + ", ".join(
        f"{phase} {seconds:.1f} s ({browsers} browser launches)"
        for phase, (seconds, browsers) in made.items()))
    columns = "seconds diagrams formulas browsers"
    print(f"{'step':<10}{'phase':<11}{'this project':>35}"
          f"{'default path':>37}")
    print(f"{'':<21}{columns:>35}{columns:>37}")

    def cells(seconds, n_diagrams, n_formulas, n_browsers, width):
        return (f"{seconds:>{width - 27}.1f}{n_diagrams:>9}"
                f"{n_formulas:>9}{n_browsers:>9}")

    for phase in ("clean", "no change"):
        totals = [[0.0, 0, 0, 0], [0.0, 0, 0, 0]]
        for step in STEPS:
            row = f"{step:<10}{phase:<11}"
            for i, result in enumerate((ours, theirs)):
                values = result[(phase, step)]
                totals[i] = [t + v for t, v in
                             zip(totals[i], values, strict=True)]
                row += cells(*values, 35 if i == 0 else 37)
            print(row)
        print(f"{'total':<10}{phase:<11}" + cells(*totals[0], 35)
              + cells(*totals[1], 37))
    ratio = (sum(theirs[("clean", s)][0] for s in STEPS)
             / sum(ours[("clean", s)][0] for s in STEPS))
    print(f"clean build: the default path takes {ratio:.1f}x as long")
    print_pages(ours["pages"], theirs["pages"])
    print(f"{'browser launches, clean build of every step':<44}"
          f"{sum(ours[('clean', s)][3] for s in STEPS):>14}"
          f"{sum(theirs[('clean', s)][3] for s in STEPS):>14}")


def print_pages(ours: list[dict], theirs: list[dict]) -> None:
    """Chapter pages side by side: weight read from disk and load time."""
    heading = f"{len(ours)} chapter pages, file://, 1280x800"
    print(f"\n{heading:<44}{'this project':>14}{'default path':>14}")

    def line(label, values):
        print(f"{label:<44}" + "".join(f"{v:>14}" for v in values))

    for label, pick, unit in (
            ("page weight, median", statistics.median, "bytes"),
            ("page weight, heaviest", max, "bytes"),
            ("load time, median", statistics.median, "loadMs"),
            ("load time, slowest", max, "loadMs")):
        values = [pick(p[unit] for p in pages) for pages in (ours, theirs)]
        line(label, [f"{v / 1e6:.2f} MB" if unit == "bytes"
                     else f"{v:.0f} ms" for v in values])
    failed = [p["file"] for pages in (ours, theirs) for p in pages
              if p["failed"]]
    if failed:
        print(f"pages that asked for the network: {failed}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Time clean and no-change builds of every edition, "
                    "this project's path against the default path.")
    parser.add_argument("--book", choices=("real", "synthetic", "both"),
                        default="both")
    args = parser.parse_args()
    for book in ("real", "synthetic") if args.book == "both" else [args.book]:
        report(book)


if __name__ == "__main__":
    main()

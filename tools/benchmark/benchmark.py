"""Time the book's build, edition by edition, against the default path.

For each of two paths on the same sources it prints the clean-build time
and the no-change rebuild time of every step, and how many diagrams and
formula images each step rendered:

- this project: diagrams rendered once in one browser into a shared cache
  (book_build/assets/diagrams.py), formulas typeset in one batch
  (book_build/assets/formulas.py);
- the default path: sphinxcontrib-mermaid running mermaid-cli once per
  diagram per builder, and Sphinx's imgmath once per formula.

Usage (from the repository root, after `make setup`):

    .venv/bin/python tools/benchmark/benchmark.py            # both books
    .venv/bin/python tools/benchmark/benchmark.py --book real
    .venv/bin/python tools/benchmark/benchmark.py --book synthetic

First it times `make book` itself, as an author meets it: from clean,
with no change, and after one sentence is added to one chapter.

The synthetic book (synthetic_book.py) has the full size of the finished
book, so that scaling is measured before the chapters exist. Every build
runs in a temporary copy; the project's own _build is left alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
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


def rendered(project: Path, since: float, default: bool) -> tuple[int, int]:
    """(diagram renderings, formula images) made since a moment."""
    build = project / "_build"
    if default:
        # One file per diagram per builder, in each builder's _images.
        diagrams = count_new(build / "work", since,
                             (".svg", ".pdf", ".png"), prefix="mermaid-")
        formulas = count_new(build / "work" / "epub" / "_images" / "math",
                             since, (".svg",))
        return diagrams, formulas
    # One cache entry (three formats) per diagram, shared by all builders.
    diagrams = sum(1 for p in (build / "cache" / "diagrams").glob("*")
                   if p.is_dir() and not p.name.startswith(".")
                   and p.stat().st_mtime >= since)
    formulas = count_new(build / "cache" / "formulas", since, (".svg",))
    return diagrams, formulas


def measure(book: str, default: bool) -> dict:
    """Clean and no-change timings of every step of one path."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        project = Path(tmp) / "project"
        copy_project(project, book)
        results = {}
        for phase in ("clean", "no change"):
            for step in STEPS:
                since = time.time() - 0.01
                seconds = run_step(project, step, default)
                results[(phase, step)] = (seconds,
                                          *rendered(project, since, default))
        sources = sum(len(p.read_text().split())
                      for p in (project / "book").glob("*.md"))
        diagrams = len(list((project / "diagrams").glob("*.mmd")))
        results["size"] = (sources, diagrams)
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
            start = time.perf_counter()
            result = subprocess.run(["make", "--no-print-directory", "book"],
                                    cwd=project, capture_output=True,
                                    text=True, check=False)
            times[phase] = time.perf_counter() - start
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
    print(f"{'step':<10}{'phase':<11}{'this project':>24}"
          f"{'default path':>26}")
    print(f"{'':<21}{'seconds diagrams formulas':>24}"
          f"{'seconds diagrams formulas':>26}")
    for phase in ("clean", "no change"):
        totals = [[0.0, 0, 0], [0.0, 0, 0]]
        for step in STEPS:
            row = f"{step:<10}{phase:<11}"
            for i, result in enumerate((ours, theirs)):
                seconds, n_diagrams, n_formulas = result[(phase, step)]
                totals[i][0] += seconds
                totals[i][1] += n_diagrams
                totals[i][2] += n_formulas
                width = 24 if i == 0 else 26
                row += f"{seconds:>{width - 18}.1f}{n_diagrams:>9}" \
                       f"{n_formulas:>9}"
            print(row)
        row = f"{'total':<10}{phase:<11}"
        for i, (seconds, n_diagrams, n_formulas) in enumerate(totals):
            width = 24 if i == 0 else 26
            row += f"{seconds:>{width - 18}.1f}{n_diagrams:>9}" \
                   f"{n_formulas:>9}"
        print(row)
    ratio = (sum(theirs[("clean", s)][0] for s in STEPS)
             / sum(ours[("clean", s)][0] for s in STEPS))
    print(f"clean build: the default path takes {ratio:.1f}x as long")
    print("make book: " + ", ".join(f"{phase} {seconds:.1f} s"
                                     for phase, seconds in made.items()))


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

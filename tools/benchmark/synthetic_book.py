"""Generate a book of full size, to measure the build before the chapters
exist. It is a fixture for tools/benchmark/benchmark.py, never part of the
book: its words are drawn at random from a small vocabulary, and its
bibliography entries are made up for the benchmark only.

The default size matches the measurements in the authors' build notes:
9 chapters, about 60,000 words, 30 flowcharts of 10 to 15 nodes, 40 display
and 70 inline formulas, about 130 doctest examples and 80 citations.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

VOCABULARY = (
    "model feature label query ranking latency candidate score embedding "
    "user item click metric offline online experiment baseline serving "
    "training data sample bias loss gradient tree network layer index "
    "cache request budget precision recall calibration drift monitor "
    "pipeline batch stream shard replica throughput tail percentile "
    "retrieval filter blend freshness diversity session context signal"
).split()

FORMULAS = [
    r"\frac{TP}{TP + FP}",
    r"\sum_{i=1}^{k} \frac{2^{r_i} - 1}{\log_2 (i + 1)}",
    r"-\frac{1}{N} \sum_{i=1}^{N} y_i \log p_i + (1 - y_i) \log (1 - p_i)",
    r"\frac{\bar{x}_B - \bar{x}_A}{\sqrt{p (1 - p) (1/n_A + 1/n_B)}}",
    r"\cos \theta = \frac{u \cdot v}{\lVert u \rVert \, \lVert v \rVert}",
]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(VOCABULARY) for _ in range(rng.randint(8, 18))]
    return " ".join(words).capitalize() + "."


def flowchart(rng: random.Random, n_nodes: int) -> str:
    lines = ["flowchart TD"]
    for i in range(1, n_nodes):
        parent = rng.randint(0, i - 1)
        a = f"N{parent}[{rng.choice(VOCABULARY).title()} {parent}]"
        b = f"N{i}[{rng.choice(VOCABULARY).title()} {i}]"
        lines.append(f"  {a} --> {b}")
    return "\n".join(lines) + "\n"


def doctest_block(rng: random.Random, examples: int) -> str:
    lines = ["```{doctest}"]
    for _ in range(examples):
        a, b = rng.randint(1, 99), rng.randint(1, 99)
        lines += [f">>> round({a} / {b}, 3)", str(round(a / b, 3))]
    return "\n".join(lines + ["```", ""])


def generate(out: Path, chapters: int = 9, words: int = 60_000,
             diagrams: int = 30, display: int = 40, inline: int = 70,
             examples: int = 131, citations: int = 80, seed: int = 1) -> None:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "book").mkdir(parents=True)
    (out / "diagrams").mkdir()

    bib = []
    for i in range(citations):
        bib.append(
            f"@article{{synthetic{i},\n  author = {{Writer{i}, Some}},\n"
            f"  title = {{A synthetic work number {i}}},\n"
            f"  journal = {{Journal of Benchmarks}},\n  year = {{2020}}\n}}\n"
        )
    (out / "book" / "references.bib").write_text("\n".join(bib))

    per = lambda total, k: total // chapters + (k < total % chapters)  # noqa
    for k in range(chapters):
        slug = f"synthetic-{k + 1}"
        body = [f"({slug})=", f"# Synthetic chapter {k + 1}", ""]
        n_words = per(words, k)
        sections = 8
        cites = [i for i in range(citations) if i % chapters == k]
        n_diagrams, n_display = per(diagrams, k), per(display, k)
        n_inline, n_examples = per(inline, k), per(examples, k)
        for s in range(sections):
            body += [f"({slug}-section-{s})=", f"## Section {s + 1}", ""]
            written = 0
            while written < n_words / sections:
                para = " ".join(sentence(rng) for _ in range(5))
                if n_inline and rng.random() < 0.5:
                    para += f" The value $x_{{{s}}} = {rng.random():.2f}$."
                    n_inline -= 1
                if cites and rng.random() < 0.3:
                    para += f" See {{cite:p}}`synthetic{cites.pop()}`."
                body += [para, ""]
                written += len(para.split())
            if n_display:
                body += ["$$", rng.choice(FORMULAS), "$$", ""]
                n_display -= 1
            if n_diagrams:
                name = f"{slug}-flow-{s}"
                (out / "diagrams" / f"{name}.mmd").write_text(
                    flowchart(rng, rng.randint(10, 15)))
                body += [f":::{{mermaid}} ../diagrams/{name}.mmd",
                         f":alt: A synthetic flowchart, number {s}.",
                         f":caption: Synthetic flowchart {s}.", ":::", ""]
                n_diagrams -= 1
            if n_examples:
                take = min(n_examples, max(1, per(examples, k) // 4))
                body.append(doctest_block(rng, take))
                n_examples -= take
        while n_inline:
            body += [f"Left over: $y = {n_inline}$.", ""]
            n_inline -= 1
        for c in cites:
            body += [f"Also {{cite:p}}`synthetic{c}`.", ""]
        body += ["## References", "", ":::{bibliography}",
                 ":filter: docname in docnames", ":::", ""]
        (out / "book" / f"{slug}.md").write_text("\n".join(body))

    toc = "\n".join(f"synthetic-{k + 1}" for k in range(chapters))
    (out / "book" / "index.md").write_text(
        "# Synthetic book\n\n```{toctree}\n:numbered:\n:maxdepth: 2\n\n"
        f"{toc}\n```\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path,
                        help="folder to write book/ and diagrams/ into")
    generate(parser.parse_args().out)


if __name__ == "__main__":
    main()

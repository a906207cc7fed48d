"""Every snippet in the chapters ran, and passed, in the doctest build."""

from __future__ import annotations

import re

from conftest import BOOK, WORK


def examples_in_sources() -> dict[str, int]:
    """docname -> number of `>>>` examples in its doctest blocks."""
    counts = {}
    for md in sorted(BOOK.glob("*.md")):
        blocks = re.findall(r"^```\{doctest\}[^\n]*\n(.*?)^```",
                            md.read_text(encoding="utf-8"), re.S | re.M)
        n = sum(line.lstrip().startswith(">>>")
                for block in blocks for line in block.splitlines())
        if n:
            counts[md.stem] = n
    return counts


def test_every_example_in_the_sources_ran_and_passed():
    report = WORK / "doctest" / "output.txt"
    assert report.exists(), "run `make doctest` first (`make test` does it)"
    text = report.read_text(encoding="utf-8")
    expected = examples_in_sources()
    assert sum(expected.values()) >= 3, "fewer than three snippets in all"
    ran = {
        doc: int(n) for doc, n in re.findall(
            r"^Document: (\S+)\n-+\n(?:.*\n)*?(\d+) tests? in \d+ items?\.",
            text, re.M)
    }
    summary = re.search(r"^\s*(\d+) tests?\n\s*(\d+) failures in tests",
                        text, re.M)
    assert summary, text[-500:]
    assert int(summary.group(2)) == 0
    assert ran == expected, (
        "examples run per chapter differ from those in the sources: "
        f"ran {ran}, sources {expected}")
    assert int(summary.group(1)) == sum(expected.values())

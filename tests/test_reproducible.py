"""Two clean builds of the same sources, with the same SOURCE_DATE_EPOCH,
give byte-identical editions: HTML, EPUB and PDF, and the flashcards. The
test's own builds run with no network at all (a network namespace of their
own, `unshare -n`), which shows that the build fetches nothing.

Two builds from nothing are compared: `make test`'s own, when it started
from nothing (as on a fresh clone), or else a first copy of the project in a
temporary folder; and a second copy, built as a newcomer's machine would
build it: an empty HOME of its own (so no tool's cache in a home directory,
TeX's, Node's or Chromium's, carries over) and an empty build cache.
Each is then packed as `make release` packs it, and the two release folders
must match too, SHA256SUMS included.
(_build/dist takes part only when its stamp says it came from nothing and
no source changed since: an incremental build's search index differs from
a clean one's, a known difference that is not about reproducibility.)
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DIST, ROOT, SLUG

# Slow (two builds from nothing):
# `make check` leaves it to `make test`.
pytestmark = pytest.mark.slow


def commit_date() -> str:
    return subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT,
                          capture_output=True, text=True,
                          check=True).stdout.strip()


def differing_files(a: Path, b: Path) -> list[str]:
    found = []
    compare = filecmp.dircmp(a, b)
    found += [str(a / n) for n in compare.left_only + compare.right_only]
    found += [str(a / n) for n in compare.common_files
              if not filecmp.cmp(a / n, b / n, shallow=False)]
    for sub in compare.common_dirs:
        found += differing_files(a / sub, b / sub)
    return found


def differing_cache_entries(fresh: Path, warm: Path) -> list[str]:
    """The rendered assets of a fresh build's cache that a warm cache (which
    may hold more, from earlier builds) lacks or holds different bytes of."""
    found = []
    for path in sorted(fresh.rglob("*")):
        relative = path.relative_to(fresh)
        if not path.is_file() or relative.parts[0] not in (
                "diagrams", "formulas", "cover") or any(
                part.startswith(".") for part in relative.parts):
            continue
        other = warm / relative
        if not other.is_file() or not filecmp.cmp(path, other,
                                                  shallow=False):
            found.append(str(relative))
    return found


def clean_build(folder: Path, epoch: str) -> Path:
    folder.mkdir()
    for name in ("conf.py", "Makefile", "requirements.txt",
                 "package-lock.json"):
        shutil.copy(ROOT / name, folder / name)
    for name in ("book", "diagrams"):
        shutil.copytree(ROOT / name, folder / name)
    for name in ("book_build", "tools", "static", "templates", ".venv",
                 "node_modules"):
        (folder / name).symlink_to(ROOT / name)
    home = folder / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MAKE", "XDG_", "TEXMF"))}
    env.update(SOURCE_DATE_EPOCH=epoch, HOME=str(home))
    result = subprocess.run(
        ["unshare", "--net", "make", "--no-print-directory", "book", "pack"],
        cwd=folder, env=env,
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder / "_build"


def pack(dist: Path, out: Path, epoch: str) -> Path:
    """The release folder `make pack` would make of these editions."""
    version = re.search(r'^release = "([^"]+)"',
                        (ROOT / "conf.py").read_text(), re.M).group(1)
    subprocess.run([sys.executable, str(ROOT / "tools" / "release.py"),
                    str(dist), str(out), version],
                   env={**os.environ, "SOURCE_DATE_EPOCH": epoch},
                   capture_output=True, text=True, check=True)
    return out


def built_from_scratch(epoch: str) -> bool:
    """Whether _build/dist holds editions that `make` built from nothing
    (no doctrees: every chapter read afresh), of this commit, with no
    source changed since. On a fresh clone, `make test`'s own build is one,
    and the test then needs only one more build of its own."""
    stamp = DIST / ".from-scratch"
    if not stamp.is_file() or stamp.read_text().strip() != epoch:
        return False
    built = stamp.stat().st_mtime
    sources = [p for name in ("book", "diagrams", "book_build", "static",
                             "templates", "tools")
               for p in (ROOT / name).rglob("*")
               if p.is_file() and "__pycache__" not in p.parts]
    sources += [ROOT / "conf.py", ROOT / "Makefile"]
    return all(p.stat().st_mtime < built for p in sources)


def test_two_clean_builds_are_byte_identical(tmp_path):
    epoch = commit_date()
    if built_from_scratch(epoch):
        first = tmp_path / "first"
        first.mkdir()
        (first / "dist").symlink_to(DIST)
        pack(DIST, first / "release", epoch)
    else:
        first = clean_build(tmp_path / "first", epoch)
    second = clean_build(tmp_path / "second", epoch)
    # One browser for every diagram and the cover, whichever edition met
    # them first (book_build/assets/session.py logs each launch).
    launches = second / "cache" / "browser-launches.log"
    assert len(launches.read_text().splitlines()) == 1
    # The fresh machine names every cache entry as the first build did
    # (one fingerprint of the tools, nothing of the machine's own), with
    # the same bytes.
    first_cache = (first / "cache" if (first / "cache").is_dir()
                   else ROOT / "_build" / "cache")
    assert not differing_cache_entries(second / "cache", first_cache)
    assert not differing_files(first / "dist" / "html",
                               second / "dist" / "html")
    for edition in (f"{SLUG}.epub", f"{SLUG}.pdf", f"{SLUG}-letter.pdf",
                    f"{SLUG}-flashcards.apkg", f"{SLUG}-flashcards.csv"):
        assert filecmp.cmp(first / "dist" / edition, second / "dist" / edition,
                           shallow=False), edition
    assert (first / "release" / "SHA256SUMS").read_text().count("\n") >= 5
    assert not differing_files(first / "release", second / "release")


def test_the_comparison_sees_a_changed_byte(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for folder, text in ((a, "same"), (b, "same")):
        (folder / "sub").mkdir(parents=True)
        (folder / "sub" / "page.html").write_text(text)
    assert not differing_files(a, b)
    (b / "sub" / "page.html").write_text("changed")
    assert differing_files(a, b) == [str(a / "sub" / "page.html")]


def test_the_cache_comparison_sees_a_changed_or_missing_entry(tmp_path):
    fresh, warm = tmp_path / "fresh", tmp_path / "warm"
    for folder in (fresh, warm):
        (folder / "formulas").mkdir(parents=True)
        (folder / "formulas" / "key.json").write_text("{}")
        (folder / "formulas" / ".lock").write_text(str(folder))
    (warm / "formulas" / "older.json").write_text("{}")
    assert not differing_cache_entries(fresh, warm)
    (fresh / "formulas" / "key.json").write_text('{"svg": ""}')
    (fresh / "diagrams" / "other").mkdir(parents=True)
    (fresh / "diagrams" / "other" / "d.png").write_text("png")
    assert differing_cache_entries(fresh, warm) == [
        "diagrams/other/d.png", "formulas/key.json"]

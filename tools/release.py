"""Pack the published editions into one folder, ready to attach to a release.

    python tools/release.py _build/dist _build/release 0.1.0

Every file carries the book's version in its name, as readers expect of a
download: mlsd-book-0.1.0.pdf (A4) and mlsd-book-0.1.0-letter.pdf (US
Letter), mlsd-book-0.1.0.epub, the HTML edition as
mlsd-book-0.1.0-html.zip, every chapter's BibTeX entry as
mlsd-book-0.1.0-chapters.bib, the flashcard deck where one was built; and
SHA256SUMS lists them all. The zip is written entry by entry in name order
with every date set to SOURCE_DATE_EPOCH, so that two releases of one commit
are byte-identical.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import time
import zipfile
from pathlib import Path

# The release files' names are book_build/downloads.py's, which the
# landing page links to.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from book_build import downloads  # noqa: E402

SLUG = "mlsd-book"


def zip_date() -> tuple[int, int, int, int, int, int]:
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))
    # A zip cannot hold a date before 1980.
    return time.gmtime(max(epoch, 315532800))[:6]


def zip_tree(folder: Path, target: Path, top: str) -> None:
    date = zip_date()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{top}/{path.relative_to(folder)}", date)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())


def pack(dist: Path, out: Path, version: str) -> list[Path]:
    if not (dist / "html" / "index.html").is_file():
        sys.exit(f"release: {dist} holds no built edition; run make book")
    stage = out.with_name(out.name + ".new")
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    name = f"{SLUG}-{version}"
    copies = {
        dist / built.format(slug=SLUG): released.format(slug=SLUG,
                                                        version=version)
        for built, released, _what in downloads.EDITIONS.values()
    }
    # The flashcards are packed where they were built.
    required = {downloads.release_name(e, SLUG, version)
                for e in ("pdf", "letter", "epub", "bib")}
    for source, target in copies.items():
        if source.is_file():
            shutil.copyfile(source, stage / target)
        elif target in required:
            sys.exit(f"release: {source} is missing; run make book")
    html_zip = downloads.HTML_ZIP.format(slug=SLUG, version=version)
    zip_tree(dist / "html", stage / html_zip, f"{name}-html")
    files = sorted(p for p in stage.iterdir())
    sums = "".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n"
        for p in files)
    (stage / "SHA256SUMS").write_text(sums)
    # Swapped in whole, as the editions are: never half a release.
    old = out.with_name(out.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    stage.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    return sorted(out.iterdir())


def main() -> None:
    dist, out, version = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    if not version:
        sys.exit("release: no version (conf.py's release) was given")
    # The release workflow names the tag it releases: it must be this
    # version's, or the landing page's links would point at another.
    tag = os.environ.get("RELEASE_TAG", "")
    if tag and tag != downloads.tag(version):
        sys.exit(f"release: the tag {tag} is not {downloads.tag(version)}, "
                 f"the tag of conf.py's release {version}")
    for path in pack(dist, out, version):
        print(f"release: {path}")


if __name__ == "__main__":
    main()

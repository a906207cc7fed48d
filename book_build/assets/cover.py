"""The EPUB's cover: drawn from the book's title, subtitle, author and
version in conf.py, so that it never disagrees with the title page.

The cover is written as SVG and turned into a PNG (what e-readers show
most reliably) by Debian's Chromium, once per distinct cover: the PNG is
kept in the build cache (book_build/assets/cache.py).
"""

from __future__ import annotations

import hashlib
import html
import shutil
import subprocess
import tempfile
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import SphinxError

from book_build.assets import cache

WIDTH, HEIGHT = 1600, 2400  # 2:3, the usual e-book cover shape


def cover_svg(title: str, subtitle: str, author: str, version: str) -> str:
    def lines(text: str, width: int) -> list[str]:
        out, line = [], ""
        for word in text.split():
            if line and len(line) + 1 + len(word) > width:
                out.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        return [*out, line]

    def block(text, width, y, size, weight, fill):
        rows = []
        for i, row in enumerate(lines(text, width)):
            rows.append(
                f'<text x="120" y="{y + i * size * 1.25:.0f}" '
                f'font-size="{size}" font-weight="{weight}" '
                f'fill="{fill}">{html.escape(row)}</text>'
            )
        return "\n".join(rows)

    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}"
 height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}"
 font-family="FreeSans, Helvetica, Arial, sans-serif">
<rect width="{WIDTH}" height="{HEIGHT}" fill="#14324a"/>
<rect x="120" y="560" width="220" height="16" fill="#f2b134"/>
{block(title, 20, 760, 128, 700, "#ffffff")}
{block(subtitle, 32, 1420, 64, 400, "#d6e4ef")}
{block(author, 40, 2120, 56, 400, "#ffffff")}
<text x="120" y="2220" font-size="48" fill="#d6e4ef">Version \
{html.escape(version)}</text>
</svg>
"""


def make_cover(app: Sphinx) -> None:
    if app.builder.name != "epub":
        return
    config = app.config
    svg = cover_svg(config.project, config.subtitle, config.author,
                    config.release)
    digest = hashlib.sha256(svg.encode()).hexdigest()[:20]
    folder = cache.folder(app, "cover") / digest
    png = folder / "cover.png"
    if not png.is_file():
        chromium = shutil.which("chromium") or "/usr/bin/chromium"
        folder.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder.parent,
                                         prefix=".cover-") as tmp:
            source = Path(tmp) / "cover.svg"
            source.write_text(svg, encoding="utf-8")
            result = subprocess.run(
                [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--hide-scrollbars",
                 f"--user-data-dir={tmp}/profile",
                 f"--window-size={WIDTH},{HEIGHT}",
                 f"--screenshot={tmp}/cover.png", source.as_uri()],
                capture_output=True, text=True, check=False,
            )
            if not (Path(tmp) / "cover.png").is_file():
                raise SphinxError(
                    "could not draw the EPUB cover with Chromium:\n"
                    + result.stderr[-2000:]
                )
            (Path(tmp) / "cover.png").rename(Path(tmp) / "done.png")
            folder.mkdir(exist_ok=True)
            (Path(tmp) / "done.png").rename(png)
    # conf.py names _static/cover.png as the cover; the EPUB builder lists
    # every file of its output in the package, so the file is put there.
    # (Changing the configuration here instead would make Sphinx re-read
    # every chapter on every build.)
    static = Path(app.outdir, "_static")
    static.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(png, static / "cover.png")


def setup(app: Sphinx) -> dict:
    app.add_config_value("subtitle", "", "env", str)
    cache.register(app)
    app.connect("builder-inited", make_cover)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

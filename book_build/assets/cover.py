"""The EPUB's cover: drawn from the book's title, subtitle, author and
version in conf.py, so that it never disagrees with the title page.

The cover is written as SVG and turned into a PNG (what e-readers show
most reliably) by Chromium, in the build's one browser session
(session.py), once per distinct cover: the PNG is kept in the build cache
(cache.py). Whichever builder starts first renders it with the diagrams,
so a clean ``make book`` launches one browser in all; only the EPUB
builder then puts it in its output.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import SphinxError

from book_build.assets import cache, session

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


def _svg(app: Sphinx) -> str:
    config = app.config
    return cover_svg(config.project, config.subtitle, config.author,
                     config.release)


def _cached(app: Sphinx, svg: str) -> Path:
    return (cache.folder(app, "cover")
            / cache.key(app, "cover", svg, f"{WIDTH}x{HEIGHT}") / "cover.png")


def browser_job(app: Sphinx, staging: Path) -> session.Batch | None:
    """The cover, if its PNG is not cached, for the one browser session."""
    svg = _svg(app)
    png = _cached(app, svg)
    if png.is_file():
        return None
    staged = staging / "cover" / png.parent.name / "cover.png"
    job = {"kind": "raster", "id": "cover", "svg": svg, "width": WIDTH,
           "height": HEIGHT, "out": str(staged)}

    def finish(results: dict[str, dict]) -> None:
        if "error" in results["cover"] or not staged.is_file():
            raise SphinxError("could not draw the EPUB cover with Chromium: "
                              + results["cover"].get("error", "no PNG"))
        # Renamed whole into place: never half a cover in the cache.
        if png.parent.exists():
            shutil.rmtree(png.parent)
        staged.parent.rename(png.parent)

    return session.Batch([job], finish)


def install_cover(app: Sphinx) -> None:
    if app.builder.name != "epub":
        return
    png = _cached(app, _svg(app))
    if not png.is_file():
        raise SphinxError(f"the EPUB cover is not in the cache ({png})")
    # conf.py names _static/cover.png as the cover; the EPUB builder lists
    # every file of its output in the package, so the file is put there.
    # (Changing the configuration here instead would make Sphinx re-read
    # every chapter on every build.)
    static = Path(app.outdir, "_static")
    static.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(png, static / "cover.png")


def setup(app: Sphinx) -> dict:
    app.add_config_value("subtitle", "", "env", str)
    app.setup_extension("book_build.assets.session")
    app.connect("browser-assets", browser_job)
    # After the session (priority 400) has rendered what was missing.
    app.connect("builder-inited", install_cover)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

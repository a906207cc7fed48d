"""Where readers download the editions, from one setting.

`book_repository` (conf.py reads it from the BOOK_REPOSITORY environment
variable; the release workflow sets it from ${{ github.repository }}) names
the GitHub repository whose releases carry the editions, as "owner/name".

- Set, the landing page links each edition of this version at its
  permanent release address, and the page of the latest release; the
  chapter pages' citation metadata gives the PDF's address (citing.py).
- Unset (every local build), no address is made up: the landing page links
  the editions beside the HTML in _build/dist, and says that is where they
  are.

The release files' names are defined here once: tools/release.py packs
the editions under these names, and the links point at them.
"""

from __future__ import annotations

import re

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

# Edition -> (its name in _build/dist, its name in a release, what it is).
# {slug} and {version} are filled in; the HTML's own .bib lives in html/.
EDITIONS = {
    "pdf": ("{slug}.pdf", "{slug}-{version}.pdf", "PDF edition"),
    "letter": ("{slug}-letter.pdf", "{slug}-{version}-letter.pdf",
               "US Letter"),
    "epub": ("{slug}.epub", "{slug}-{version}.epub", "EPUB edition"),
    "apkg": ("{slug}-flashcards.apkg", "{slug}-{version}-flashcards.apkg",
             "Anki deck"),
    "csv": ("{slug}-flashcards.csv", "{slug}-{version}-flashcards.csv",
            "CSV"),
    "bib": ("html/{slug}-chapters.bib", "{slug}-{version}-chapters.bib",
            "BibTeX of every chapter"),
}
# The HTML edition, zipped; only a release has it.
HTML_ZIP = "{slug}-{version}-html.zip"

REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


def release_name(edition: str, slug: str, version: str) -> str:
    return EDITIONS[edition][1].format(slug=slug, version=version)


def tag(version: str) -> str:
    """The git tag of a release: v and the version."""
    return f"v{version}"


def release_url(config: Config, edition: str) -> str:
    """The permanent address of this version's file, or "" when no
    repository is set."""
    repo = config.book_repository
    if not repo:
        return ""
    name = release_name(edition, config.slug, config.release)
    return (f"https://github.com/{repo}/releases/download/"
            f"{tag(config.release)}/{name}")


def latest_url(config: Config) -> str:
    repo = config.book_repository
    return f"https://github.com/{repo}/releases/latest" if repo else ""


def _link(href: str, text: str) -> str:
    return f'<a class="edition-download" href="{href}">{text}</a>'


def landing_text(config: Config) -> dict[str, str]:
    """The landing page's two download sentences, as MyST substitutions
    ({{ downloads }} and {{ flashcards }} in book/index.md)."""
    if config.book_repository:
        href = {e: release_url(config, e) for e in EDITIONS}
        where = (f"Newer versions, when there are any, and the SHA-256 "
                 f"sums are on the "
                 f"{_link(latest_url(config), 'latest release')} page.")
    else:
        # A local build: the editions sit one folder up, in _build/dist.
        href = {e: "../" + EDITIONS[e][0].format(slug=config.slug)
                for e in ("pdf", "letter", "epub", "apkg", "csv")}
        where = ("This copy was built from the sources: the editions are "
                 "beside it, in `_build/dist`.")
    downloads = (
        f"Read it here, or offline: download the "
        f"{_link(href['pdf'], 'PDF edition')} for print and tablets (A4, or "
        f"{_link(href['letter'], 'US Letter')}), or the "
        f"{_link(href['epub'], 'EPUB edition')} for e-readers. {where}")
    flashcards = (
        f"Drill with the flashcards: the {_link(href['apkg'], 'Anki deck')}, "
        f"or the same cards as {_link(href['csv'], 'CSV')} for other apps.")
    return {"downloads": downloads, "flashcards": flashcards}


def check_and_substitute(app: Sphinx, config: Config) -> None:
    repo = config.book_repository
    if repo and not REPOSITORY.fullmatch(repo):
        raise ConfigError(f"book_repository (BOOK_REPOSITORY) must read "
                          f"owner/name, not {repo!r}")
    # A new dict, so that the change of setting is seen as a change of
    # myst_substitutions and the landing page is read again.
    config.myst_substitutions = {**config.myst_substitutions,
                                 **landing_text(config)}


def setup(app: Sphinx) -> dict:
    app.add_config_value("book_repository", "", "env", str)
    # Priority below myst-parser's default: the substitutions must be in
    # place before any page is read.
    app.connect("config-inited", check_and_substitute, priority=400)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

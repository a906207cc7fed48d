"""Sphinx configuration for the book: one MyST source, three editions.

Sources live in book/, diagrams in diagrams/, the project's extensions in
the package book_build/.
The Makefile runs every build with -n -W --keep-going (nitpicky, warnings
are errors) and with separate doctree folders per builder.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# The book's extensions are the package book_build/ beside this file.
sys.path.insert(0, str(ROOT))

# -- Book identity ------------------------------------------------------------
# One place for the title, version and slug; every edition reads them here.

project = "Machine Learning System Design Interviews"
subtitle = "A nine-step approach and seven systems, worked end to end"
author = "The mlsd-book contributors"
slug = "mlsd-book"
release = "0.1.0"
version = release
copyright = "2026, The mlsd-book contributors"
language = "en"
# The GitHub repository ("owner/name") whose releases carry the editions,
# for the landing page's download links and the chapters' citation
# metadata (book_build/downloads.py). The release workflow sets
# BOOK_REPOSITORY from the repository it runs in; a local build leaves it
# unset, and then no address is made up: the landing page points at
# _build/dist.
book_repository = os.environ.get("BOOK_REPOSITORY", "")

# -- General ------------------------------------------------------------------

root_doc = "index"
extensions = [
    "myst_parser",
    "sphinx.ext.doctest",
    "sphinxcontrib.bibtex",
    "sphinx_togglebutton",
    # The book's own extensions (book_build/, its README says which Sphinx
    # event each hooks and in what order), one job each.
    # Speed-ups, each tested to change no output:
    "book_build.patches.bibtex_speedup",  # pybtex's plugin look-up, cached
    "book_build.patches.bibtex_cache",  # formatted entries kept, shared
    "book_build.patches.highlight_cache",  # highlighted code kept, shared
    "book_build.patches.latex_templates",  # one LaTeX table renderer
    "book_build.patches.latex_inline",  # pages joined for LaTeX, uncopied
    "book_build.patches.latex_colors",  # code colours defined once in TeX
    "book_build.patches.doctest_cache",  # passed chapters' snippets kept
    "book_build.patches.numref_speedup",  # section numbers, pages unread
    "book_build.patches.numref_index",  # numref targets from a page index
    "book_build.patches.fignumber_speedup",  # figure numbers, pages unread
    # The asset pipeline: rendered once at build time, cached, shared.
    "book_build.assets.session",  # one browser for all missing pictures
    "book_build.assets.diagrams",  # Mermaid files as SVG, PDF and PNG
    "book_build.assets.formulas",  # formulas as SVG with spoken text
    "book_build.assets.cover",  # the EPUB cover, from the title and version
    # Each edition's specifics.
    "book_build.editions.html_pages",  # light pages: no icon font script
    "book_build.editions.aria",  # valid ARIA in the HTML and EPUB pages
    "book_build.editions.epub",  # numbered navigation, accessibility, PNGs
    "book_build.editions.pdf",  # front, main and back matter; alt text
    # Reader-facing features, every edition.
    "book_build.bibliography_labels",  # back-matter labels such as [HOT15]
    "book_build.citing",  # "Cite this chapter", a .bib, citation metadata
    "book_build.downloads",  # download links from one setting
    "book_build.glossary",  # each glossary entry links back to its uses
    "book_build.navigation",  # a changed contents rewrites every page
    "book_build.snippets",  # a failing snippet reported at its own line
]

myst_enable_extensions = ["colon_fence", "dollarmath", "deflist",
                          "substitution"]
# {{ release }} in a page prints the book's version (the landing page).
myst_substitutions = {"release": release}
myst_heading_anchors = 0  # links go to explicit labels, never to headings

nitpicky = True
# Figures are numbered per chapter ("Figure 1.2") in every edition.
numfig = True
numfig_secnum_depth = 1
numfig_format = {"figure": "Figure %s", "table": "Table %s",
                 "code-block": "Listing %s"}

# Chapters cite with footcite: each numbers and lists its own references.
bibtex_bibfiles = ["book/references.bib"]  # relative to conf.py

# Snippets share one namespace per chapter (the default group), so a later
# block can build on an earlier one, the way the text reads.
doctest_test_doctest_blocks = ""

# -- Build cache and diagrams (book_build/assets/) ---------------------------
# Rendered diagrams, formulas and the cover live outside every builder's
# output, so that all three editions and later builds share them. The
# renderers run the npm packages in node_modules, and Chromium as
# book_build/assets/chromium.json says.

build_cache_dir = str(ROOT / "_build" / "cache")
assets_node_modules = str(ROOT / "node_modules")
diagrams_source_dir = str(ROOT / "diagrams")
diagrams_mermaid_config = str(ROOT / "diagrams" / "mermaid-config.json")
# Chapters use sphinxcontrib-mermaid's directive; book_build/assets/
# diagrams.py turns each into an image of the build-time rendering. "svg"
# (not "raw") keeps the package from adding Mermaid's JavaScript, from a
# CDN, to any page.
mermaid_output_format = "svg"

# -- HTML ---------------------------------------------------------------------

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["static"]
# book_build/editions/html_pages.py renders every page through
# templates/book-light.html.
templates_path = ["templates"]
# Formulas are typeset at build time, by the pinned MathJax run in Node
# (book_build/assets/formulas.py), into SVG with their spoken form for
# screen readers: no page loads math JavaScript, and the EPUB, which runs
# none, shows the same formulas. Sphinx's EPUB builder has no math
# setting of its own and uses this one too; the PDF leaves math to LaTeX.
html_math_renderer = "svgmath"
html_css_files = [
    "html-book.css",  # from static/: tables on a phone, formulas
    # The theme's icons without Font Awesome (book_build/editions/
    # html_pages.py).
    "icons.css",
]
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "home_page_in_toc": True,
}
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False

# -- EPUB ---------------------------------------------------------------------

epub_title = project
epub_author = author
epub_publisher = author
epub_copyright = copyright
epub_description = (
    "A study book for machine-learning system design interviews: the kinds "
    "of questions, a nine-step approach, practical techniques, and seven "
    "systems worked through step by step."
)
# EPUBCheck rejects a colon in the NCX uid, so no "urn:" prefix here.
# epub_uid is both the OPF identifier's XML id and the NCX's uid, which
# must equal the identifier itself: so one value, a valid XML name.
epub_identifier = slug
epub_scheme = "URL"
epub_uid = slug
# book_build/assets/cover.py draws the cover from the title and version above.
epub_cover = ("_static/cover.png", "")
epub_basename = slug
epub_css_files = ["epub-book.css"]  # from static/: e-reader layout
epub_theme = "epub"
epub_show_urls = "no"
# Sphinx's .buildinfo files, and the HTML edition's icons, are not part of
# the book.
epub_exclude_files = [".buildinfo", ".buildinfo.bak", "_static/icons.css"]
# schema.org accessibility metadata for the package document
# (book_build/editions/epub.py).
epub_accessibility = {
    "accessMode": ["textual", "visual"],
    "accessModeSufficient": ["textual", "textual,visual"],
    "accessibilityFeature": [
        "alternativeText", "longDescription", "structuralNavigation",
        "tableOfContents", "readingOrder", "index", "displayTransformability",
        "describedMath",
    ],
    "accessibilityHazard": "none",
    "accessibilitySummary": (
        "The text reflows, with headings for every chapter and section and a "
        "navigable table of contents. Each diagram has a caption and a "
        "one-sentence description as alternative text, and the text explains "
        "every part of it. Formulas are drawn in the text's colour, each "
        "with its spoken form (\"a over b\") as alternative text. Code and "
        "its output are text."
    ),
}

# -- LaTeX / PDF --------------------------------------------------------------

latex_engine = "xelatex"
latex_docclass = {"manual": "book"}
latex_documents = [
    (root_doc, f"{slug}.tex", project, author, "manual"),
]
# Links in the text carry their own words (a DOI, a title); no footnotes.
latex_show_urls = "no"
# The PDF comes on two papers from one XeTeX run: Sphinx writes
# mlsd-book.tex (A4), XeTeX typesets it once, latexmk writes the A4 PDF and
# tools/papers.py the US Letter one from the same pages, A4's text block
# centred on Letter (the preamble below says where). Both editions break
# every line and page alike: same pages, page numbers, bookmarks and index.
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "11pt",
    "releasename": "Version",
    # openany: no blank pages before chapters; oneside: a screen-first PDF.
    "extraclassoptions": "openany,oneside",
    # Alph page numbers on the title page keep its PDF anchors distinct
    # from the main matter's page 1.
    "maketitle": rf"""
\pagenumbering{{Alph}}
\begin{{titlepage}}
  \centering
  \vspace*{{4cm}}
  {{\Huge\bfseries {project}\par}}
  \vspace{{1cm}}
  {{\Large {subtitle}\par}}
  \vspace{{2cm}}
  {{\large {author}\par}}
  \vfill
  {{\large Version {release}\par}}
\end{{titlepage}}
""",
    # Front matter (contents, preface) and back matter have roman page
    # numbers and no chapter or section numbers; book_build/editions/pdf.py
    # puts \bookmainmatter and \bookbackmatter around the numbered chapters.
    "preamble": r"""
% US Letter (mlsd-book-letter.pdf) is drawn from these A4 pages by
% tools/papers.py, so that the book is typeset once: A4's text block
% centred on the wider and shorter page, and the head and the foot closer
% to the text (Letter has 17 mm less height), so that about 8 mm of paper
% stays clear at every edge. Here the head and the foot are each wrapped in
% a translation that is zero on A4 and that tools/papers.py rewrites for
% Letter, and Letter's layout is written to \jobname.letter (TeX points).
\makeatletter
\let\book@head\f@nch@head
\def\f@nch@head#1#2#3#4#5{\special{pdf:code q 1 0 0 1 0 +000.0000 cm}%
  \book@head{#1}{#2}{#3}{#4}{#5}\special{pdf:code Q}}
\let\book@foot\f@nch@foot
\def\f@nch@foot#1#2#3#4#5{\special{pdf:code q 1 0 0 1 0 -000.0000 cm}%
  \book@foot{#1}{#2}{#3}{#4}{#5}\special{pdf:code Q}}
\newwrite\book@letter
\def\book@line#1#2{\immediate\write\book@letter{#1 \the\dimexpr#2\relax}}
\AtBeginDocument{%
  \immediate\openout\book@letter=\jobname.letter
  \book@line{width}{8.5in}%
  \book@line{height}{11in}%
  \book@line{right}{(8.5in-\textwidth)/2-1in-\hoffset-\oddsidemargin}%
  \book@line{down}{(11in-\textheight)/2-1in-\voffset-\topmargin
                   -\headheight-\headsep}%
  \book@line{head}{\headsep-12pt}% how much closer to the text
  \book@line{foot}{\footskip-22pt}%
  \immediate\closeout\book@letter}
\makeatother
\newcommand{\bookfrontmatter}{\frontmatter
  \edef\booksecnumdepth{\the\value{secnumdepth}}%
  \setcounter{secnumdepth}{-1}}
\newcommand{\bookmainmatter}{\mainmatter
  \setcounter{secnumdepth}{\booksecnumdepth}}
\newcommand{\bookbackmatter}{\backmatter\setcounter{secnumdepth}{-1}}
% Alternative text for images (book_build/editions/pdf.py).
\usepackage{accsupp}
% Run-sheet rubrics in two columns, to print on two pages
% (book_build/editions/pdf.py).
\usepackage{multicol}
% Index entries are terms, not code: the text font, not monospace.
\protected\def\sphinxstyleindexentry#1{#1}
% A diagram takes at most three quarters of the page, leaving room for its
% caption (Sphinx allows the full text height).
\makeatletter
\AtBeginDocument{\spx@image@maxheight=0.72\textheight}
\makeatother
% A work cited again in a chapter points back to its footnote; when that
% footnote sits on an earlier page, the mark reads "2 (p. 126)" (the note's
% number first) rather than Sphinx's "Page 126, 2".
\renewcommand\sphinxthefootnotemark[2]{#1\,(p.\,#2)}
% The back matter's Bibliography chapter has its own heading and opening
% words; the list Sphinx moves under it must not open a second chapter.
\renewenvironment{sphinxthebibliography}[1]
  {\def\chapter##1##2{}\begin{thebibliography}{#1}}
  {\end{thebibliography}}
""",
    # Sphinx names the contents after the first toctree's caption.
    "tableofcontents": r"""
\bookfrontmatter
\renewcommand{\contentsname}{Contents}
\begingroup\parskip 0pt\tableofcontents\endgroup
""",
    # Numbered PDF bookmarks ("3.2 Metrics"), as in the HTML and EPUB, and
    # the document properties a PDF reader shows.
    "hyperref": rf"""
\usepackage[bookmarksnumbered]{{hyperref}}
\usepackage{{hypcap}}
% A URL may break after any character, so that no URL in the bibliography
% runs into the margin (hyperref's \url breaks only at / . and the like).
\usepackage{{xurl}}
\hypersetup{{pdftitle={{{project}}}, pdfauthor={{{author}}},
  pdfsubject={{{subtitle}}}}}
""",
    # Long code lines wrap at the margin instead of running past it.
    "sphinxsetup": "verbatimwrapslines=true, verbatimforcewraps=true",
}

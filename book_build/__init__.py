"""The book's own Sphinx extensions, one package.

conf.py lists each module it loads by its dotted name; README.md beside
this file is the maintainers' map: which module hooks which Sphinx event,
in what order, and how a chapter becomes each edition.

- ``assets``: what is rendered at build time and shared by every edition
  (diagrams, formulas, the EPUB cover), through one cache.
- ``editions``: what only one edition needs (the HTML pages and their
  ARIA, the EPUB, the PDF).
- ``patches``: the two speed-ups that replace private Sphinx and pybtex
  functions, each to be dropped when upstream makes it unnecessary.
- the other modules: one reader-facing feature each (citing a chapter, the
  glossary's back links, download links, navigation, snippet line numbers,
  bibliography labels).
"""

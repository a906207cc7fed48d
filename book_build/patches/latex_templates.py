"""One LaTeX template renderer for the whole LaTeX build.

Sphinx's LaTeX writer renders every table through a Jinja template
(``tabulary.tex.jinja`` and the like), and makes a new ``LaTeXRenderer``,
with a new Jinja environment, for each table: each of the book's hundred
or so tables compiles its template from scratch, about 1 s of the LaTeX
run on every build (the PDF is one document, so every chapter is written
again after any edit). The renderer holds no state besides its compiled
templates, so one renderer per LaTeX engine serves every table; Jinja's
own cache still checks each template file's date before reusing it.

This replaces the name ``LaTeXRenderer`` in ``sphinx.writers.latex``
(private to Sphinx 9.0.4's ``LaTeXTranslator.render``);
tests/test_patches.py checks that the LaTeX of tables is the same with and
without it. Drop it when Sphinx reuses its renderer, or if the name goes
(the import then fails rather than silently doing nothing).
"""

from __future__ import annotations

import functools

from sphinx.application import Sphinx
from sphinx.util.template import LaTeXRenderer
from sphinx.writers import latex

if not hasattr(latex, "LaTeXRenderer"):  # loud, rather than doing nothing
    raise ImportError("sphinx.writers.latex no longer uses LaTeXRenderer")


@functools.lru_cache(maxsize=None)
def shared_renderer(template_path=None, latex_engine=None) -> LaTeXRenderer:
    return LaTeXRenderer(template_path, latex_engine=latex_engine)


def setup(app: Sphinx) -> dict:
    latex.LaTeXRenderer = shared_renderer
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

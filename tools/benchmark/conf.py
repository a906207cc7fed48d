"""Sphinx configuration of the benchmark's default path.

It is the project's conf.py with the two build-time renderers swapped for
the defaults they replace: sphinxcontrib-mermaid's rendering (mermaid-cli
started once per diagram per builder, cached inside each builder's output)
and Sphinx's imgmath (LaTeX and dvisvgm once per formula) for the EPUB.
BENCH_PROJECT names the project copy being built.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = Path(os.environ["BENCH_PROJECT"])

__file__ = str(PROJECT / "conf.py")  # the project's conf.py finds its root
exec(compile((PROJECT / "conf.py").read_text(), __file__, "exec"))
sys.path.insert(0, str(HERE))

# `extensions` comes from the project's conf.py, executed above.
extensions = [e for e in extensions  # noqa: F821
              if e not in ("book_build.assets.diagrams",
                           "book_build.assets.formulas",
                           "book_build.editions.html_pages")]
# The chapters' {mermaid} directives then take the package's own path.
extensions += ["sphinxcontrib.mermaid", "sphinx.ext.imgmath"]

mermaid_output_format = "svg"
mermaid_cmd = str(PROJECT / "node_modules" / ".bin" / "mmdc")
# mermaid-cli starts Chromium with the build's own launch options, the one
# flag list the build, the tests and this benchmark share.
mermaid_params = ["-p", str(PROJECT / "book_build/assets/chromium.json"),
                  "-c", str(PROJECT / "diagrams" / "mermaid-config.json")]

# Math as before the build-time renderer: MathJax in the reader's browser
# (a local copy) for HTML, imgmath for the EPUB.
html_math_renderer = "mathjax"
html_static_path = [str(PROJECT / "node_modules/mathjax/es5/tex-svg.js"),
                    *html_static_path]  # noqa: F821
mathjax_path = "tex-svg.js"
epub_exclude_files = [*epub_exclude_files, "_static/tex-svg.js"]  # noqa: F821
epub_math_renderer = "imgmath"
imgmath_image_format = "svg"
imgmath_embed = False

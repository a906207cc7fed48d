"""A one-chapter book for tests that build: the real conf.py, extensions,
Makefile and installed tools, with a chapter small enough to build in
seconds. Tests break one thing in a copy and watch what the build says.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from conftest import ROOT

CHAPTER = """\
(ch-mini)=
# A small chapter

(mini-first)=
## First section

The sum is computed below, see {ref}`mini-first` and {footcite:p}`mini2020`.

:::{mermaid} ../diagrams/mini-flow.mmd
:alt: Two boxes joined by an arrow.
:caption: A two-step flow.
:::

```{doctest}
>>> 2 + 3
5
```

Marker: FINISHED-EDITION.

## References

:::{footbibliography}
:::
"""

INDEX = """\
# Mini book

```{toctree}
:numbered:

chapter
```
"""

BIB = """\
@book{mini2020,
  author = {Doe, Jane},
  title = {A Small Book},
  publisher = {Example Press},
  year = {2020}
}
"""

FLOW = """\
flowchart TD
  A[Start] --> B[Finish]
"""


def mini_project(tmp_path: Path) -> Path:
    """A copy of the project with a one-chapter book."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name in ("conf.py", "Makefile", "requirements.txt",
                 "package-lock.json"):
        shutil.copy(ROOT / name, tmp_path / name)
    for name in ("book_build", "tools", "static", "templates", ".venv",
                 "node_modules"):
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "index.md").write_text(INDEX)
    (tmp_path / "book" / "chapter.md").write_text(CHAPTER)
    (tmp_path / "book" / "references.bib").write_text(BIB)
    (tmp_path / "diagrams").mkdir()
    shutil.copy(ROOT / "diagrams" / "mermaid-config.json",
                tmp_path / "diagrams")
    (tmp_path / "diagrams" / "mini-flow.mmd").write_text(FLOW)
    return tmp_path


def make(project: Path, target: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    return subprocess.run(["make", "--no-print-directory", target],
                          cwd=project, capture_output=True, text=True,
                          env=env, check=False)

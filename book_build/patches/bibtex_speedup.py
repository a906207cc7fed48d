"""Cache pybtex's plugin look-up.

pybtex finds its style and backend plugins through importlib.metadata's
entry points on every call, and sphinxcontrib-bibtex calls it several times
per citation: about 10 ms a call, which was 7 of the 10 seconds spent
reading this book's sources, in every builder. The plugins do not change
during a build, so each look-up is done once.

Upstream: pybtex 0.26.1 calls ``importlib.metadata.entry_points`` on
every look-up (pkg_resources, which it used before, cached them); no
pybtex report of it was found in December 2026. Drop this when pybtex
caches the look-up itself; tests/test_patches.py checks that the
bibliography's labels are the same with and without it.
"""

from __future__ import annotations

import functools

import pybtex.plugin
from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict:
    lookup = pybtex.plugin._load_entry_point
    if not hasattr(lookup, "cache_info"):
        pybtex.plugin._load_entry_point = functools.lru_cache(maxsize=None)(
            lookup)
    return {"version": "1", "parallel_read_safe": True,
            "parallel_write_safe": True}

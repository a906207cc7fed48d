"""Speed-ups that replace a private function of Sphinx or pybtex, or
(bibtex_cache, highlight_cache) keep a public one's results in the build
cache.

Each changes how fast the build is, never what it writes
(tests/test_patches.py builds a tiny book with and without it), and names
when it can be dropped.
"""

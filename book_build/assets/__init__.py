"""The build-time asset pipeline, shared by the HTML, the EPUB and the PDF.

Diagrams (Mermaid, in headless Chromium), formulas (MathJax, in Node) and
the EPUB cover are rendered once per content into one cache outside every
builder's output (``cache``), so that all editions and later builds reuse
them. The Node renderers live here beside the modules that run them.
"""

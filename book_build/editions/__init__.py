"""What one edition needs and the others do not: the HTML pages and the
valid ARIA in them (also used by the EPUB's pages), the EPUB, the PDF."""

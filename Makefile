# The book's build. `make book` builds the three editions into _build/dist,
# `make test` builds them and checks what a reader gets. Both install what
# is missing first (tools/setup.sh), and do nothing more when it is there.

SHELL        := /bin/bash
.SHELLFLAGS  := -eu -o pipefail -c
VENV         := .venv
SPHINXBUILD  := $(VENV)/bin/sphinx-build
# Every build is strict: nitpicky, warnings are errors, all of them reported
# first. STRICT is kept apart from SPHINXOPTS so that asking for more or less
# output (SPHINXOPTS=-v) can never switch it off.
STRICT       := -n -W --keep-going
SPHINXOPTS   ?= -q
SOURCE       := book
BUILD        := _build
WORK         := $(BUILD)/work
DIST         := $(BUILD)/dist
RELEASE      := $(BUILD)/release
SLUG         := mlsd-book
# The PDF on two papers, from one XeTeX run (tools/papers.py).
PDFS         := $(SLUG).pdf $(SLUG)-letter.pdf
VERSION      := $(shell sed -n 's/^release = "\(.*\)"$$/\1/p' conf.py)
# The editions build side by side (two cores); a lock in each build cache
# makes sure a diagram or formula is still rendered only once.
PARALLEL     := --no-print-directory --output-sync=target -j4
# Reproducible editions: every date in them is the last commit's, so two
# builds of one commit give the same bytes (book_build/editions/epub.py
# fixes the EPUB's zip dates; FORCE_SOURCE_DATE makes TeX use it too).
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
ifneq ($(SOURCE_DATE_EPOCH),)
export SOURCE_DATE_EPOCH
export FORCE_SOURCE_DATE := 1
endif
# Whether this build starts from nothing (no doctrees: every chapter is read
# afresh). Such a build leaves a stamp in $(DIST), and the reproducibility
# test compares its editions with one more build from nothing instead of
# making two of its own; any later build of one edition removes the stamp.
FROM_SCRATCH := $(if $(wildcard $(BUILD)/doctrees),,yes)
# Each builder keeps its own doctrees, outside the editions. A failed build
# throws its doctrees away: what a chapter placed or cited is recorded while
# it is read, and a build that stopped part-way must not leave those records
# for the next build to trust. The next build then reads every chapter, as a
# clean build would.
sphinx = $(2) $(SPHINXBUILD) $(STRICT) $(SPHINXOPTS) -c . \
           -d $(BUILD)/doctrees/$(1) -b $(1) $(SOURCE) $(WORK)/$(1) \
         || { rm -rf $(BUILD)/doctrees/$(1) $(STAMPS)/$(1); \
              echo "The $(1) build failed; $(DIST) was left as it was."; \
              exit 1; }

# A build that has nothing to do is skipped. Each builder's stamp is dated
# when its last successful run started, so an input saved during a build
# is newer than the stamp; the inputs are every file and folder of the
# sources and the build's own code (a folder's date moves when a file is
# added or deleted), the pinned packages, and the commit date that the
# editions carry (a file rewritten only when it changes). Paths are
# absolute, so that the folder book/ is never taken for the target "book".
STAMPS := $(BUILD)/stamps
$(shell mkdir -p $(STAMPS) && \
  { [ -f $(STAMPS)/epoch ] && \
    [ "$$(cat $(STAMPS)/epoch)" = "$(SOURCE_DATE_EPOCH)" ] || \
    echo "$(SOURCE_DATE_EPOCH)" > $(STAMPS)/epoch; })
INPUTS := conf.py Makefile requirements.txt package-lock.json \
          $(STAMPS)/epoch \
          $(shell find -H $(wildcard $(addprefix $(CURDIR)/,$(SOURCE) \
                    diagrams book_build static templates tools)) \
                    -name __pycache__ -prune -o -print)
# $(call stamped,BUILDER,COMMANDS): run COMMANDS, then date the stamp.
stamped = @touch $(STAMPS)/$(1).new; \
          $(2); \
          mv $(STAMPS)/$(1).new $(STAMPS)/$(1)
# $(call fresh,BUILDER): an edition is copied to $(DIST) only when it was
# rebuilt since it was last copied, so a build with nothing to do leaves
# $(DIST), and its from-scratch stamp, untouched.
fresh = [ $(STAMPS)/$(1) -nt $(STAMPS)/published-$(1) ]

.PHONY: help setup book html epub pdf doctest test check release deck live \
        ereader bench clean work-html work-epub work-pdf work-deck pack

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | \
	  awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup:  ## install what the build needs (Debian, Python, npm), if missing
	@bash tools/setup.sh

# An edition reaches $(DIST) only when it was built AND every snippet of
# the sources passed: the snippets run beside the builds, and publishing
# waits for both.
book: setup  ## build the three editions and the flashcards into _build/dist
	@$(MAKE) $(PARALLEL) work-pdf work-html work-epub work-deck doctest
	@$(call publish-html)
	@$(call publish-epub)
	@$(call publish-pdf)
	@$(call publish-deck)
	@if [ -n "$(FROM_SCRATCH)" ]; then \
	  echo "$(SOURCE_DATE_EPOCH)" > $(DIST)/.from-scratch; fi
	@echo "Editions in $(DIST): html/ $(SLUG).pdf (A4) $(SLUG)-letter.pdf $(SLUG).epub"
	@echo "Flashcards in $(DIST): $(SLUG)-flashcards.apkg .csv"

html: setup  ## the HTML edition, _build/dist/html
	@$(MAKE) $(PARALLEL) work-html doctest
	@$(call publish-html)

epub: setup  ## the EPUB edition, _build/dist/mlsd-book.epub
	@$(MAKE) $(PARALLEL) work-epub doctest
	@$(call publish-epub)

pdf: setup  ## the PDF through LaTeX: mlsd-book.pdf (A4), mlsd-book-letter.pdf
	@$(MAKE) $(PARALLEL) work-pdf doctest
	@$(call publish-pdf)

# $(call publish,BUILDER,COMMANDS): copy an edition if it was rebuilt.
publish = if $(call fresh,$(1)); then rm -f $(DIST)/.from-scratch; $(2); \
            touch $(STAMPS)/published-$(1); fi
publish-html = $(call publish,html,\
  bash tools/publish.sh $(WORK)/html $(DIST)/html)
publish-epub = $(call publish,epub,\
  bash tools/publish.sh $(WORK)/epub/$(SLUG).epub $(DIST)/$(SLUG).epub)
publish-pdf  = $(call publish,latex,\
  for f in $(PDFS); do \
    bash tools/publish.sh $(WORK)/latex/$$f $(DIST)/$$f; done)
publish-deck = $(call publish,deck,\
  for f in $(SLUG)-flashcards.apkg $(SLUG)-flashcards.csv; do \
    bash tools/publish.sh $(WORK)/deck/$$f $(DIST)/$$f; done)

# The builds themselves, into $(WORK); never published on their own.
# (The empty recipes keep make from saying "Nothing to be done".)
work-html: $(STAMPS)/html ; @:
work-epub: $(STAMPS)/epub ; @:
work-pdf: $(STAMPS)/latex ; @:
work-deck: $(STAMPS)/deck ; @:

# The PDF is the longest chain (Sphinx's LaTeX run, then XeTeX's), so the
# other builds run at a lower priority: on two cores they take the time the
# PDF leaves, and the editions are done when the PDF is. (With cores to
# spare, nice changes nothing.)
YIELD := nice -n 10

$(STAMPS)/html $(STAMPS)/epub $(STAMPS)/doctest: $(INPUTS)
	$(call stamped,$(@F),$(call sphinx,$(@F),$(YIELD)))

# The PDF's steps are written out, so that the LaTeX make is seen as a
# recursive make and only prints under make -n. Sphinx's own LaTeX
# Makefile runs latexmk with xindy's options for the index; -pdfxe keeps
# XeTeX's pages (.xdv), and tools/latexmkrc has latexmk write the PDFs
# from them with tools/papers.py: $(SLUG).pdf (A4) and $(SLUG)-letter.pdf
# side by side, the book typeset once.
$(STAMPS)/latex: $(INPUTS)
	@touch $@.new
	@$(call sphinx,latex)
	@BOOK_PAPERS="$(CURDIR)/$(VENV)/bin/python $(CURDIR)/tools/papers.py" \
	  $(MAKE) --no-print-directory -C $(WORK)/latex $(SLUG).pdf \
	  PDFLATEX="latexmk -pdfxe -dvi- -ps- -r $(CURDIR)/tools/latexmkrc" \
	  LATEXMKOPTS="-interaction=nonstopmode -halt-on-error -file-line-error" \
	  > $(WORK)/latex/build.log 2>&1 \
	  || { grep -E -A3 '^[^ ]+:[0-9]+:|^!' $(WORK)/latex/build.log \
	         | head -n 30 || true; rm -f $@; \
	       echo "LaTeX failed: see $(WORK)/latex/build.log"; exit 1; }
	@mv $@.new $@

$(STAMPS)/deck: $(INPUTS)
	$(call stamped,deck,\
	  $(YIELD) $(VENV)/bin/python tools/flashcards.py $(SOURCE) $(WORK)/deck)

deck: setup  ## the flashcards, _build/dist/mlsd-book-flashcards.apkg, .csv
	@$(MAKE) --no-print-directory work-deck
	@$(call publish-deck)

doctest: setup $(STAMPS)/doctest  ## run every snippet in the chapters

test: book  ## build the editions, run the snippets, check it all
	$(VENV)/bin/python -m pytest

check: book  ## the author's quick check: the editions, then the fast tests
	$(VENV)/bin/python -m pytest -m "not slow"

# A release is built from nothing (no doctrees, no work folders, no cache),
# checked in full, then packed with the version in every file name and a
# SHA256SUMS beside them.
release: setup  ## build from scratch, check, pack into _build/release
	rm -rf $(BUILD)/doctrees $(WORK) $(BUILD)/cache
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory pack

# The packing step of a release alone, on the editions in $(DIST).
pack:
	@$(VENV)/bin/python tools/release.py $(DIST) $(RELEASE) $(VERSION)

live: setup  ## HTML preview that rebuilds on save, on localhost:8000
	$(VENV)/bin/sphinx-autobuild $(SPHINXOPTS) -c . \
	  -d $(BUILD)/doctrees/live --watch diagrams --watch book_build \
	  $(SOURCE) $(WORK)/live

# The EPUB in a second reading system, calibre, at a 6-inch screen: its
# checks and the pages as a reader sees them in _build/ereader. Minutes,
# and calibre is a large install, so `make test` checks the same sizes
# from the files instead (tests/test_ereader.py).
ereader:  ## the EPUB in calibre at a 6-inch screen, pages in _build/ereader
	@$(VENV)/bin/python tools/ereader_check.py $(DIST)/$(SLUG).epub \
	  $(BUILD)/ereader

bench: setup  ## build times, page weights, browser launches, against the default path
	$(VENV)/bin/python tools/benchmark/benchmark.py

clean:  ## remove every build output, the diagram cache included
	rm -rf $(BUILD)

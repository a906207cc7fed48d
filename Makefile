# The book's build. `make book` builds the three editions into _build/dist,
# `make test` builds them and checks what a reader gets. Both install what
# is missing first (tools/setup.sh), and do nothing more when it is there.

SHELL        := /bin/bash
.SHELLFLAGS  := -eu -o pipefail -c
VENV         := .venv
SPHINXBUILD  := $(VENV)/bin/sphinx-build
# Every build: nitpicky, warnings are errors, but report all of them first.
SPHINXOPTS   ?= -n -W --keep-going -q
SOURCE       := book
BUILD        := _build
WORK         := $(BUILD)/work
DIST         := $(BUILD)/dist
SLUG         := mlsd-book
EDITIONS     := html epub pdf deck
# The editions build side by side (two cores); a lock in each build cache
# makes sure a diagram or formula is still rendered only once.
PARALLEL     := --no-print-directory --output-sync=target -j4
# Reproducible editions: every date in them is the last commit's, so two
# builds of one commit give the same bytes (ext/epub.py fixes the EPUB's zip
# dates; FORCE_SOURCE_DATE makes TeX use it too).
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
ifneq ($(SOURCE_DATE_EPOCH),)
export SOURCE_DATE_EPOCH
export FORCE_SOURCE_DATE := 1
endif
# Each builder keeps its own doctrees, outside the editions.
sphinx = $(SPHINXBUILD) $(SPHINXOPTS) -c . -d $(BUILD)/doctrees/$(1) \
         -b $(1) $(SOURCE) $(WORK)/$(1)

.PHONY: help setup book html epub pdf deck doctest test live bench clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | \
	  awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup:  ## install what the build needs (Debian, Python, npm), if missing
	@bash tools/setup.sh

book: setup  ## build all three editions into _build/dist
	@$(MAKE) $(PARALLEL) $(EDITIONS)
	@echo "Editions in $(DIST): html/ $(SLUG).pdf $(SLUG).epub"
	@echo "Flashcards in $(DIST): $(SLUG)-flashcards.apkg .csv"

html: setup  ## the HTML edition, _build/dist/html
	$(call sphinx,html)
	@bash tools/publish.sh $(WORK)/html $(DIST)/html

epub: setup  ## the EPUB edition, _build/dist/mlsd-book.epub
	$(call sphinx,epub)
	@bash tools/publish.sh $(WORK)/epub/$(SLUG).epub $(DIST)/$(SLUG).epub

pdf: setup  ## the PDF edition through LaTeX, _build/dist/mlsd-book.pdf
	$(call sphinx,latex)
	@# Sphinx's own LaTeX Makefile: it sets xindy's options for the index.
	@$(MAKE) --no-print-directory -C $(WORK)/latex all-pdf \
	  LATEXMKOPTS="-interaction=nonstopmode -halt-on-error -file-line-error" \
	  > $(WORK)/latex/build.log 2>&1 \
	  || { grep -E -A3 '^[^ ]+:[0-9]+:|^!' $(WORK)/latex/build.log \
	         | head -n 30 || true; \
	       echo "LaTeX failed: see $(WORK)/latex/build.log"; exit 1; }
	@bash tools/publish.sh $(WORK)/latex/$(SLUG).pdf $(DIST)/$(SLUG).pdf

deck: setup  ## the flashcards, _build/dist/mlsd-book-flashcards.apkg, .csv
	$(VENV)/bin/python tools/flashcards.py $(SOURCE) $(WORK)/deck
	@for f in $(SLUG)-flashcards.apkg $(SLUG)-flashcards.csv; do \
	  bash tools/publish.sh $(WORK)/deck/$$f $(DIST)/$$f; done

doctest: setup  ## run every snippet in the chapters
	$(call sphinx,doctest)

test: setup  ## build the editions, run the snippets, check it all
	@$(MAKE) $(PARALLEL) $(EDITIONS) doctest
	$(VENV)/bin/python -m pytest

live: setup  ## HTML preview that rebuilds on save, on localhost:8000
	$(VENV)/bin/sphinx-autobuild $(SPHINXOPTS) -c . \
	  -d $(BUILD)/doctrees/live --watch diagrams --watch ext \
	  $(SOURCE) $(WORK)/live

bench: setup  ## time clean and no-change builds, against the default path
	$(VENV)/bin/python tools/benchmark/benchmark.py

clean:  ## remove every build output, the diagram cache included
	rm -rf $(BUILD)

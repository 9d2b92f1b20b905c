# densitylab — `make test` and `make book` are the two commands (README.md).
# The first use of any target creates .venv from pyproject.toml; later uses reuse it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NOTEBOOKS := notebooks/moons_2d.py notebooks/digits_64d.py
# The README's figure: notebook, glued figure, committed copy.
README_FIGURE := notebooks/moons_2d.ipynb moons_fig_gallery book/images/moons_2d_models.png
# Every warning fails the book; --all rereads every page, so pages that glue numbers
# from a notebook are rewritten whenever the notebook ran again.
BOOK_FLAGS := --builder html -W -n --keep-going --all

.PHONY: all venv test lint bench notebooks book check-book chromium clean

all: test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,distributed]"
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks notebooks scripts
	$(BIN)/ruff format --check src tests benchmarks notebooks scripts

# The whole suite: unit, property, reference, notebook (nbval, papermill) and book tests.
# The book tests check the built site, so the book is built (or refreshed) first.
test: $(STAMP) lint chromium book
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Re-execute the notebooks in place: sync each .py (the file people edit) into its
# .ipynb and run it deterministically, so the committed .ipynb holds fresh outputs;
# then refresh the README's figure from the executed notebook.
notebooks: $(STAMP)
	for nb in $(NOTEBOOKS); do $(BIN)/python scripts/execute_notebook.py $$nb || exit 1; done
	$(BIN)/python scripts/readme_figure.py $(README_FIGURE)

# Build the report into _build/html. The notebooks execute at build time (cached in
# _build/.jupyter_cache); book_cache.py clears that cache whenever src/, pyproject.toml
# or the installed packages changed, so the book never shows numbers of an older package.
book: $(STAMP)
	$(BIN)/python scripts/book_cache.py _build
	$(BIN)/jupyter-book build . $(BOOK_FLAGS)

# The built site, checked in its HTML and in headless Chromium (also run by `make test`).
check-book: $(STAMP) chromium
	$(BIN)/python scripts/check_site.py _build/html

# Headless Chromium for the browser check of the book (Debian's package; needs root).
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

clean:
	rm -rf _build .pytest_cache .ruff_cache notebooks/results

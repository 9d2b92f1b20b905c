# densitylab — `make test` and `make book` are the two commands (README.md).
# The first use of any target creates .venv with the exact versions of requirements/lock.txt;
# later uses reuse it, and reinstall when the lock or pyproject.toml changes.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The lock: every package the report is built and tested with, at one exact version. It is
# compiled from pyproject.toml's ranges by uv (pinned in the lock itself); `make lock` refreshes
# it, keeping every locked version that still satisfies the ranges.
LOCK := requirements/lock.txt
# The oldest-versions lane: the runtime dependencies and the plot, report, distributed and test
# extras at the lowest versions pyproject.toml allows (uv's lowest-direct resolution), in a venv
# of their own; `make test-oldest` runs the package's tests there (no notebooks, no book).
OLDEST := requirements/oldest.txt
OLDEST_VENV := .venv-oldest
OLDEST_STAMP := $(OLDEST_VENV)/.installed-stamp
COMPILE := $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --quiet
# The lane has no notebook or book tools (jupytext, papermill, nbval, jupyter-book, the site
# check's BeautifulSoup and Playwright): test files that import them at module level are
# tests/test_notebook*.py, tests/test_book.py, tests/test_report_book.py (it builds a small
# book with jupyter-book) and tests/test_site_checks.py.
# Tests marked `locked` check .venv itself (installed = lock, the wheel build) and are skipped.
# Old releases emit deprecation warnings about one another, which filterwarnings = error would
# turn into failures: pytest 9 about scikit-learn 1.6's parametrize_with_checks (a generator),
# pyparsing 3.3 about matplotlib < 3.10.7's calls. Only these two are tolerated there.
OLDEST_PYTEST := -m "not notebook and not book and not locked" \
	--ignore=tests/test_book.py --ignore=tests/test_site_checks.py \
	--ignore=tests/test_report_book.py \
	--ignore-glob="tests/test_notebook*.py" \
	-W "ignore:Passing a non-Collection iterable to parametrize:pytest.PytestRemovedIn10Warning" \
	-W "ignore::pyparsing.warnings.PyparsingDeprecationWarning"
NOTEBOOKS := notebooks/moons_2d.py notebooks/digits_64d.py
# The README's figure: notebook, glued figure, committed copy.
README_FIGURE := notebooks/moons_2d.ipynb moons_fig_gallery book/images/moons_2d_models.png
# Every warning fails the book; --all rereads every page, so pages that glue numbers
# from a notebook are rewritten whenever the notebook ran again.
BOOK_FLAGS := --builder html -W -n --keep-going --all

.PHONY: all venv test lint bench notebooks book check-book chromium clean lock test-oldest \
	wheel-check

all: test

$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks notebooks scripts
	$(BIN)/ruff format --check src tests benchmarks notebooks scripts

# The whole suite: unit, property, reference, notebook (nbval, papermill) and book tests.
# The book tests check the built site, so the book is built (or refreshed) first.
test: $(STAMP) lint chromium book
	$(BIN)/python -m pytest

# The package's unit, property and reference tests on the oldest supported versions.
test-oldest: $(OLDEST_STAMP)
	$(OLDEST_VENV)/bin/python -m pytest $(OLDEST_PYTEST)
	$(OLDEST_VENV)/bin/python scripts/extras_smoke.py

$(OLDEST_STAMP): $(OLDEST) pyproject.toml | $(STAMP)
	$(BIN)/uv venv --quiet --clear --python $(BIN)/python $(OLDEST_VENV)
	$(BIN)/uv pip sync --quiet --python $(OLDEST_VENV)/bin/python $(OLDEST)
	$(BIN)/uv pip install --quiet --python $(OLDEST_VENV)/bin/python --no-deps -e .
	touch $(OLDEST_STAMP)

# Regenerate both lock files from pyproject.toml and copy the lock's versions into
# environment.yml. Locked versions that still satisfy the ranges are kept;
# `make lock UPGRADE=--upgrade` moves every package to its newest allowed version.
# Needs only .venv's uv: an edited pyproject.toml does not reinstall .venv from the old lock.
lock:
	test -x $(BIN)/uv || $(MAKE) venv
	$(COMPILE) --all-extras $(UPGRADE) -o $(LOCK)
	$(COMPILE) --extra plot --extra report --extra distributed --extra test \
		--resolution lowest-direct -o $(OLDEST)
	$(BIN)/python scripts/environment_pins.py $(LOCK) environment.yml

# Build the sdist and wheel, twine-check them, and smoke-test the wheel in clean venvs with
# only its runtime dependencies: at the oldest versions allowed and at the newest on PyPI.
wheel-check: $(STAMP)
	$(BIN)/python scripts/wheel_check.py --against oldest --against newest

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
	rm -rf _build .pytest_cache .ruff_cache notebooks/results $(OLDEST_VENV)

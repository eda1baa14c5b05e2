# careguide: `make run` sets up, ingests the sample corpus and runs the main job;
# `make test` sets up and runs every check. Both work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CORPUS ?= ../shared/corpus
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test install system-deps browser-deps lint typecheck audit pytest clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 and try again"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: system-deps $(VENV)/.installed

# Tesseract (OCR for scanned PDFs) and poppler (PDF page images) come from Debian.
system-deps:
	@if ! command -v tesseract >/dev/null || ! command -v pdftoppm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing tesseract-ocr and poppler-utils"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      tesseract-ocr tesseract-ocr-eng poppler-utils >/dev/null; \
	  else \
	    echo "note: install tesseract-ocr tesseract-ocr-eng poppler-utils for OCR of scanned PDFs"; \
	  fi; \
	fi

run: install
	$(BIN)/careguide ingest $(CORPUS)
	@echo "careguide is serving the chat page on http://127.0.0.1:8000 (Ctrl-C stops it)"
	$(BIN)/careguide serve --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy ingest index api guides eval web

# Browser tests: Debian's chromium (Playwright's own browser download is never used) and
# axe-core from npm, pinned in tests/browser/package-lock.json.
browser-deps:
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: install chromium for the browser tests"; fi; \
	fi
	cd tests/browser && npm ci --no-audit --no-fund --silent

# Known vulnerabilities in the installed dependencies (pip-audit: OSV, then PyPI's data).
# Fails on any not accepted with a reason in .ci/audit-ignore.txt; warns in one line,
# without failing, when no vulnerability service can be reached.
audit: install
	$(BIN)/python .ci/audit.py

pytest: install browser-deps
	$(BIN)/pytest -q

test: lint typecheck audit pytest

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache

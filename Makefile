# Two commands on a fresh machine (Python 3.11+ and pip): `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser run test lint format check pytest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Debian's Chromium for the console's browser tests (apt-get when missing, as root).
browser:
	scripts/chromium.sh

## Start the service on :8000 — offline, demo leads, no keys needed.
run: install
	$(BIN)/messiah db upgrade
	$(BIN)/messiah leads seed
	$(BIN)/messiah serve --host 0.0.0.0 --port 8000

## Install everything and run every check and test (what .ci/run calls).
test: install browser lint pytest

lint: install
	$(BIN)/ruff check app tests migrations bench
	$(BIN)/ruff format --check app tests migrations bench
	$(BIN)/mypy app
	$(BIN)/lint-imports --no-cache

pytest: install
	$(BIN)/pytest -q

format: install
	$(BIN)/ruff format app tests migrations bench
	$(BIN)/ruff check --fix app tests migrations bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .import_linter_cache

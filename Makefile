# faced's task runner. CI runs these same targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench check-python check-libsodium clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
	  || { echo "faced needs Python 3.11 or newer; set PYTHON=python3.11 (or newer)."; exit 1; }

# pysodium (ristretto255, for the OPRF) loads the system's libsodium.
check-libsodium: check-python
	@$(PYTHON) -c 'import ctypes.util, sys; sys.exit(0 if ctypes.util.find_library("sodium") else 1)' \
	  || { echo "faced needs the libsodium library: on Debian or Ubuntu, apt-get install libsodium23; on Fedora, dnf install libsodium; on macOS, brew install libsodium."; exit 1; }

$(STAMP): pyproject.toml constraints.txt | check-python check-libsodium
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

# Sets up the demo (SQLite under var/, demo organization and personas) and
# serves it on http://127.0.0.1:8000 with the background worker.
demo: $(STAMP)
	@mkdir -p var && touch var/DEMO
	FACED_DEMO=true $(BIN)/faced demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole suite on SQLite, then again on PostgreSQL when
# FACED_TEST_DATABASE_URL names one (CI sets it).
test: lint
	env -u FACED_TEST_DATABASE_URL $(BIN)/pytest -n auto -p no:cacheprovider
	@if [ -n "$$FACED_TEST_DATABASE_URL" ]; then \
	  echo "== again on $$FACED_TEST_DATABASE_URL"; \
	  $(BIN)/pytest -n auto -p no:cacheprovider; \
	fi

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

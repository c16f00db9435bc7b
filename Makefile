# The README's commands. `make demo` runs the demo server; `make test` runs every test suite.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench screenshots clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/switchboard demo

test: $(STAMP)
	$(BIN)/ruff check server tests bench
	$(BIN)/ruff format --check server tests bench
	$(BIN)/mypy
	$(BIN)/switchboard validate rules-repo
	$(BIN)/switchboard test rules-repo
	$(BIN)/python -m pytest; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 1; fi; exit $$rc

lint: $(STAMP)
	$(BIN)/ruff check server tests bench
	$(BIN)/ruff format --check server tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench

screenshots: $(STAMP)
	SWITCHBOARD_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest tests/browser -q

clean:
	rm -rf $(VENV) build *.egg-info var

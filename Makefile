# forecasting-failures: one entry point. `make lab` opens the workbook, `make test` runs every check.
# Both create .venv on first use (about 4 minutes); later runs reuse it.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONUNBUFFERED := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: lab test lint unit notebooks bench clean help

help:
	@echo "make lab     open the workbook in JupyterLab (creates .venv on first use)"
	@echo "make test    ruff, unit tests and every notebook under nbval"
	@echo "make bench   run every notebook once; write build/bench.json and print the table"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 not found: install it or pass PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[test]' 2>&1 | { grep -v "is ignored: it is neither" || true; }
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

lint: $(STAMP)
	$(BIN)/ruff check lessons_lib tests notebooks

unit: $(STAMP)
	$(BIN)/python -m pytest tests

notebooks: $(STAMP)
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env notebooks

test: lint $(STAMP)
	$(BIN)/python -m pytest tests notebooks --nbval-lax --nbval-current-env

bench: $(STAMP)
	$(BIN)/python -m lessons_lib.bench --out build/bench.json

clean:
	rm -rf build

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

.PHONY: lab lab-instructor student grade test lint unit notebooks bench clean help
.PHONY: robust

help:
	@echo "make lab     open the workbook (student copies) in JupyterLab; creates .venv on first use"
	@echo "make lab-instructor   open the master copies in notebooks/ (solutions included)"
	@echo "make student build student copies and autograders into build/"
	@echo "make grade SUBMISSIONS=dir   grade a folder of submitted notebooks into build/grades.csv"
	@echo "make test    ruff, unit tests and every notebook under nbval"
	@echo "make bench   run every notebook once; write build/bench.json and print the table"
	@echo "make robust  run every notebook under seed, thread and oneDNN changes; write build/robust.json"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 not found: install it or pass PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[test]' 2>&1 | { grep -v "is ignored: it is neither" || true; }
	touch $(STAMP)

STUDENT_STAMP := build/student/.built

$(STUDENT_STAMP): $(STAMP) $(wildcard notebooks/*.ipynb)
	$(BIN)/python -m lessons_lib.grading build
	touch $(STUDENT_STAMP)

student: $(STUDENT_STAMP)

lab: $(STUDENT_STAMP)
	$(BIN)/jupyter lab build/student

lab-instructor: $(STAMP)
	$(BIN)/jupyter lab notebooks

SUBMISSIONS ?= submissions
JOBS ?= 2
grade: $(STUDENT_STAMP)
	$(BIN)/python -m lessons_lib.grading grade $(SUBMISSIONS) --out build/grades.csv --jobs $(JOBS)

lint: $(STAMP)
	$(BIN)/ruff check lessons_lib tests notebooks tools

unit: $(STAMP)
	$(BIN)/python -m pytest tests

notebooks: $(STAMP)
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env notebooks

test: lint $(STAMP)
	$(BIN)/python -m pytest tests notebooks --nbval-lax --nbval-current-env

bench: $(STAMP)
	$(BIN)/python -m lessons_lib.bench --out build/bench.json

robust: $(STAMP)
	$(BIN)/python -m tools.robust --jobs 2

clean:
	rm -rf build

# forecasting-failures: one entry point. `make lab` opens the workbook, `make test` runs every check.
# Both create .venv on first use (about 4 minutes); later runs reuse it.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# What each audience installs (pyproject extras): a learner the course alone (make lab, score);
# the checks add [test] and the hub and grading extras they exercise; make grade adds [instructor].
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
INSTRUCTOR_STAMP := $(VENV)/.installed-instructor
HUB_STAMP := $(VENV)/.installed-hub
export PYTHONUNBUFFERED := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: lab lab-instructor student kernel refresh score grade test test-learner test-grading lint unit notebooks bench robust clean help \
	bench-shared handout handout-repo hub-image checker-image hub-env hub-test hub-values test-pypi pypi-envs test-binder test-mounted-home \
	clean-pypi book

help:
	@echo "make lab     open the workbook (student copies) in JupyterLab; creates .venv on first use"
	@echo "            options for JupyterLab: make lab LAB_ARGS=\"--no-browser --ip=0.0.0.0 --port=8888\""
	@echo "make lab-instructor   open the master copies in notebooks/ (solutions included)"
	@echo "make student build student copies and autograders into build/"
	@echo "make refresh bring in new student copies; your old ones are kept beside them, timestamped"
	@echo "make score   grade your own copies in build/student: per question and total"
	@echo "make kernel  install the course kernel, Python (forecasting-failures), into .venv"
	@echo "make grade SUBMISSIONS=dir   grade a folder of submitted notebooks into build/grades.csv"
	@echo "make test    ruff, unit tests, student copies and every notebook under nbval"
	@echo "make test-learner   the slow learner tests: reference and wrong answers graded"
	@echo "make test-grading   attacks on the grader, graded in sandboxes beside honest submissions"
	@echo "make bench   run every notebook once; write build/bench.json and print the table"
	@echo "            BENCH_ARGS=\"--cells 3\": also each notebook's 3 slowest cells (build/bench-cells.json)"
	@echo "make robust  run every notebook under seed, thread and oneDNN changes; write build/robust.json"
	@echo "make bench-shared   every notebook alone and beside busy processes; build/bench_shared.json"
	@echo "make handout        the student copies only, as build/handout/ and build/handout.zip"
	@echo "make handout-repo   the same as a git repository, for nbgitpuller on a JupyterHub"
	@echo "make hub-image      the learners' hub image as a repo2docker folder (build/hub/image/): no answer in it"
	@echo "make checker-image  the checker service's image for Kubernetes as a repo2docker folder (build/hub/checker-image/)"
	@echo "make hub-env        a one-machine hub's install: the course, its [hub] extra (JupyterHub, nbgitpuller), the kernel"
	@echo "make hub-test       a real JupyterHub on 127.0.0.1: HUB_USERS learners run lessons, 30 check"
	@echo "                    CHECKER_LESSONS (all) through the checker service; build/hub_load.json"
	@echo "make hub-values IMAGE=... COURSE_REPO=... HUB_URL=... ADMINS=... ALLOWED=... CHART=4.4.0"
	@echo "                    the Kubernetes values from the class's names, checked: build/hub/values.yaml"
	@echo "make test-pypi      the learner's install (PyPI only) on Python $(LEARNER_PYTHONS): every notebook on"
	@echo "                    $(BINDER_PYTHON) (untouched student copies, the mounted home), 00-02 on the others"
	@echo "make test-binder    the Binder/hub image's environment (binder/, PyPI only, postBuild): 00-02"
	@echo "make test-mounted-home   that environment with an empty home mounted over it, as a hub's pod: 00"
	@echo "make book    the course as a website in build/book/ (lessons executed, outputs cached)"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 not found: install it or pass PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e . 2>&1 | { grep -v "is ignored: it is neither" || true; }
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test,hub,instructor]' 2>&1 | { grep -v "is ignored: it is neither" || true; }
	touch $@

$(INSTRUCTOR_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[instructor]' 2>&1 | { grep -v "is ignored: it is neither" || true; }
	touch $@

$(HUB_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[hub]' 2>&1 | { grep -v "is ignored: it is neither" || true; }
	touch $@

# BUILD_DIR/NOTEBOOKS_DIR: where student copies go and which masters they come from (the browser
# test runs `make lab` on a fresh build elsewhere)
BUILD_DIR ?= build
NOTEBOOKS_DIR ?= notebooks
export LESSONS_BUILD := $(BUILD_DIR)
STUDENT_STAMP := $(BUILD_DIR)/student/.built
NPM_DIR := $(BUILD_DIR)/npm
NPM_STAMP := $(NPM_DIR)/.installed
KERNEL_STAMP := $(VENV)/share/jupyter/kernels/forecasting-failures/kernel.json
# JupyterLab refuses to start as root without --allow-root (containers, remote machines)
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root)
LAB_ARGS ?=

$(KERNEL_STAMP): $(STAMP) tools/kernel.py
	$(BIN)/python -m tools.kernel

kernel: $(STAMP)
	$(BIN)/python -m tools.kernel

$(STUDENT_STAMP): $(STAMP) $(KERNEL_STAMP) tools/grading/copies.py $(wildcard $(NOTEBOOKS_DIR)/*.ipynb)
	$(BIN)/python -m tools.grading build --notebooks $(NOTEBOOKS_DIR)
	touch $(STUDENT_STAMP)

student: kernel $(STUDENT_STAMP)

lab: kernel $(STUDENT_STAMP)
	@$(BIN)/python -m tools.grading status --notebooks $(NOTEBOOKS_DIR)
	COURSE_BUILD_DIR=$(abspath $(BUILD_DIR)) COURSE_NOTEBOOKS_DIR=$(abspath $(NOTEBOOKS_DIR)) \
		$(BIN)/jupyter lab $(BUILD_DIR)/student $(ROOT_ARGS) $(LAB_ARGS)

lab-instructor: kernel
	$(BIN)/jupyter lab notebooks $(ROOT_ARGS) $(LAB_ARGS)

refresh: kernel $(STUDENT_STAMP)
	$(BIN)/python -m tools.grading refresh --notebooks $(NOTEBOOKS_DIR)

score: kernel $(STUDENT_STAMP)
	$(BIN)/python -m tools.grading score --notebooks $(NOTEBOOKS_DIR)

SUBMISSIONS ?= submissions
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# each submission in its own bubblewrap sandbox; checks run outside it against the masters' values
grade: $(INSTRUCTOR_STAMP) kernel $(STUDENT_STAMP)
	$(BIN)/python -m tools.grading grade $(SUBMISSIONS) --out $(BUILD_DIR)/grades.csv --jobs $(JOBS) $(GRADE_ARGS)

# ruff on all code; mypy checks both backend modules against the backends.Backend Protocol
lint: $(DEV_STAMP)
	$(BIN)/ruff check lessons_lib tests notebooks tools conftest.py
	$(BIN)/mypy tests/test_backends.py

unit: $(DEV_STAMP)
	$(BIN)/python -m pytest tests

notebooks: $(DEV_STAMP)
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env notebooks

# every file on its own core (pytest-xdist; --dist loadfile keeps a notebook's cells in one kernel, in order)
XDIST = -n $(JOBS) --dist loadfile
# the slowest tests at the end of every run: where a step's minutes go (issue 31)
DURATIONS = --durations=12 --durations-min=20
test: $(DEV_STAMP) lint kernel $(NPM_STAMP)
	$(BIN)/python -m pytest $(XDIST) $(DURATIONS) tests notebooks --nbval-lax --nbval-current-env

# the untouched student copies run, reference and wrong answers filled in, executed and graded
# (slow); LEARNER_ARGS: more pytest arguments (CI: -k "not untouched", run by test-pypi instead)
LEARNER_ARGS ?=
test-learner: $(DEV_STAMP) kernel
	$(BIN)/python -m pytest $(DURATIONS) tests/test_student_copies.py -m learner $(LEARNER_ARGS)

# crafted attacks graded in one sandboxed run beside honest submissions (slow; needs bwrap), and
# answers copied out of the public checks' messages, graded (tests/test_answer_leaks.py)
test-grading: $(DEV_STAMP) kernel
	$(BIN)/python -m pytest $(DURATIONS) tests/test_grading_attacks.py tests/test_answer_leaks.py -m grading

bench: $(DEV_STAMP)
	$(BIN)/python -m tools.bench --out $(BUILD_DIR)/bench.json $(BENCH_ARGS)

robust: $(DEV_STAMP)
	$(BIN)/python -m tools.robust --jobs 2

bench-shared: $(DEV_STAMP) kernel
	$(BIN)/python -m tools.bench_shared

handout: $(STUDENT_STAMP)
	$(BIN)/python -m tools.handout

handout-repo: $(STUDENT_STAMP)
	$(BIN)/python -m tools.handout --git

# the learners' single-user image for a hub, as a repo2docker folder: the package and its kernel only
hub-image: $(STAMP)
	$(BIN)/python -m tools.hub_image

# the checker's image for a class on Kubernetes (hub/checker-k8s.yaml), as a repo2docker folder: it
# holds the masters and the autograders, so it goes to a private registry only
checker-image: $(STAMP) $(STUDENT_STAMP)
	$(BIN)/python -m tools.checker_image

# The hub's proxy comes from npm; installed into build/ unless one is on PATH.
CHP := $(BUILD_DIR)/hub/npm/node_modules/.bin/configurable-http-proxy
HUB_USERS ?= 4
# the lessons the checker service warms and 30 learners check through it (all: every graded lesson)
CHECKER_LESSONS ?= all
$(CHP):
	npm install --prefix $(BUILD_DIR)/hub/npm --no-audit --no-fund --loglevel=error configurable-http-proxy

hub-env: $(HUB_STAMP) kernel

hub-test: $(DEV_STAMP) kernel $(STUDENT_STAMP)
	@command -v configurable-http-proxy >/dev/null || $(MAKE) --no-print-directory $(CHP)
	$(BIN)/python -m tools.hub_load --users $(HUB_USERS) --checker-lessons $(CHECKER_LESSONS)

# The class's names, in one place: the Kubernetes values (hub/values.yaml filled in), refused when a
# name is a placeholder, anyone could log in, or the chart's schema (hub/z2jh-CHART/) rejects them.
CHART ?= 4.4.0
hub-values: $(STAMP)
	$(BIN)/python -m tools.hub_values --image "$(IMAGE)" --course-repo "$(COURSE_REPO)" --hub-url "$(HUB_URL)" \
		--admins "$(ADMINS)" --allowed "$(ALLOWED)" --chart "$(CHART)" --out $(BUILD_DIR)/hub/values.yaml

# ---------------------------------------------------------------- the learner's install (issue 22)
# A learner's laptop, Binder and a hub image install from PyPI alone. These machines' pip config
# (find-links /opt/wheels, a constraints file, local indexes) gives torch 2.13.0+cpu; PyPI gives
# Linux the CUDA build with triton (another 3.7 GB, and the crash lessons_lib/_load_order.py
# prevents). tools/learner_env.py drops that config: pip resolves Binder's install
# (binder/requirements.txt) as a learner's pip would, uv installs exactly those versions from its
# cache (each wheel downloads once for every Python), then the test tools. One env per Python in
# build/learner-X.Y; the one for binder/runtime.txt is also the Binder/hub image's env (postBuild
# run in it). PYPI_CLEAN=1 (CI) removes each env after its tests (uv's cache keeps the wheels).
LEARNER_PYTHONS ?= 3.11 3.12 3.13
BINDER_PYTHON := $(patsubst python-%,%,$(shell cat binder/runtime.txt))
LEARNER := build/learner
PYPI_CLEAN ?= 0
# python3.X on PATH, else pyenv's own (its shims answer only for the versions `pyenv global` names)
FIND_PYTHON = for p in python$(1) $(wildcard $(HOME)/.pyenv/versions/$(1).*/bin/python$(1)); do \
	$$p -c '' 2>/dev/null && { echo $$p; break; }; done

$(LEARNER)-%/.installed: pyproject.toml binder/requirements.txt tools/learner_env.py $(DEV_STAMP)
	@py=$$($(call FIND_PYTHON,$*)); test -n "$$py" || { echo "Python $* not found: install it or \
	drop it from LEARNER_PYTHONS"; exit 1; }; echo "learner env $(@D) ($$py)"; \
	$(BIN)/python -m tools.learner_env --python $$py --env $(@D)
	@$(@D)/bin/python -m pip list 2>/dev/null | grep -E '^(torch|triton|tensorflow) '; du -sh $(@D)
	touch $@

# Every learner env, built ahead (CI starts this first, in the background: it is network-bound)
pypi-envs: $(foreach v,$(LEARNER_PYTHONS),$(LEARNER)-$(v)/.installed)

BINDER_ENV := $(LEARNER)-$(BINDER_PYTHON)
# Each learner env keeps matplotlib's font cache in its own folder: the user's cache is shared by
# every install of one matplotlib version, and one found listing no bundled font (who wrote it is
# unknown) made every log-scale plot warn on stderr (STIX missing).
test-pypi-%: export MPLCONFIGDIR = $(abspath $(LEARNER))-$(@:test-pypi-%=%)/mplconfig
$(BINDER_ENV)/.postbuild test-binder test-mounted-home: export MPLCONFIGDIR = $(abspath $(BINDER_ENV))/mplconfig
.PRECIOUS: $(LEARNER)-%/.installed
CLEAN_AFTER = $(if $(filter 1,$(PYPI_CLEAN)),rm -rf $(LEARNER)-$(1))

# repo2docker's last step, into the env's own folder (LESSONS_BUILD): the kernel, the student copies
$(BINDER_ENV)/.postbuild: $(BINDER_ENV)/.installed binder/postBuild
	PATH=$(abspath $(@D))/bin:$$PATH LESSONS_BUILD=$(@D)/course bash binder/postBuild
	touch $@

# The hub's pod: the Binder env with an empty folder mounted over the one it was installed from
# (bubblewrap), nbgitpuller pulling the learner repo into it, lesson 00 on the course kernel
test-mounted-home: $(BINDER_ENV)/.postbuild
	BINDER_ENV=$(abspath $(BINDER_ENV)) $(BINDER_ENV)/bin/python -m pytest tests/test_mounted_home.py

# Binder's Python: the import orders, the hub pod's mounted home, and every lesson as the learner gets
# it (the untouched student copies: every lesson's code; the masters run under nbval in make test
# and in every sweep run)
test-pypi-$(BINDER_PYTHON): $(BINDER_ENV)/.postbuild
	$(BINDER_ENV)/bin/python -m pytest tests/test_import_order.py tests/test_installed_bytecode.py
	BINDER_ENV=$(abspath $(BINDER_ENV)) $(BINDER_ENV)/bin/python -m pytest tests/test_mounted_home.py
	$(BINDER_ENV)/bin/python -m pytest $(XDIST) tests/test_student_copies.py -m learner -k untouched
	$(call CLEAN_AFTER,$(BINDER_PYTHON))

# The other Pythons: the course kernel's config, then lessons 00-02 (both frameworks in one kernel)
test-pypi-%: $(LEARNER)-%/.installed
	$(LEARNER)-$*/bin/python -m tools.kernel
	$(LEARNER)-$*/bin/python -m pytest -q tests/test_installed_bytecode.py
	$(LEARNER)-$*/bin/python -m pytest $(XDIST) --nbval-lax --nbval-current-env notebooks/0[0-2]_*.ipynb
	$(call CLEAN_AFTER,$*)

test-pypi: $(foreach v,$(LEARNER_PYTHONS),test-pypi-$(v))

test-binder: $(BINDER_ENV)/.postbuild
	$(BINDER_ENV)/bin/python -m pytest --nbval-lax --nbval-current-env notebooks/0[0-2]_*.ipynb

clean-pypi:
	rm -rf $(LEARNER)-*

# The course as a static website: Sphinx + myst-nb from the `[book]` extra; lessons are the student
# copies, executed once and cached in build/book-cache (a text edit rebuilds in seconds).
BOOK_STAMP := $(VENV)/.book-installed
$(BOOK_STAMP): $(DEV_STAMP)
	$(BIN)/python -m pip install -q -e '.[book]' 2>&1 | { grep -v "is ignored: it is neither" || true; }
	touch $(BOOK_STAMP)

# What the book serves (MathJax 3) and its browser test injects (axe-core), from npm's registry:
# pinned with their integrity hashes in tools/npm/package-lock.json, installed into build/npm.
$(NPM_STAMP): tools/npm/package.json tools/npm/package-lock.json
	@command -v npm >/dev/null || { echo "make book needs npm (apt-get install npm): MathJax and axe-core come from npm's registry"; exit 1; }
	mkdir -p $(NPM_DIR) && cp tools/npm/package.json tools/npm/package-lock.json $(NPM_DIR)/
	npm ci --prefix $(NPM_DIR) --no-audit --no-fund --loglevel=error
	touch $@

book: $(BOOK_STAMP) kernel $(STUDENT_STAMP) $(NPM_STAMP)
	$(BIN)/python -m tools.book --notebooks $(NOTEBOOKS_DIR) --out $(BUILD_DIR)/book

clean:
	rm -rf build

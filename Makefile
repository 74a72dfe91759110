# Japanese news → analyst tables.  `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CORPUS ?= corpus
OUT    ?= outputs
JOBS   ?=
VENV   ?= .venv
GOLD   ?= tests/gold
DEV    ?= ../shared/dev

# The newest Python >= 3.12 we can find: an explicit PYTHON= wins, then
# python3.13/python3.12 on PATH (pyenv shims answer only when selected), then
# pyenv's own interpreters, else python3 (3.11 runs GiNZA ~2.4x slower:
# spaCy's <3.12 wheels are built with Cython profiling).
find_python = $(firstword $(foreach c,python3.13 python3.12 \
	$(wildcard $(shell pyenv root 2>/dev/null)/versions/3.13*/bin/python3.13) \
	$(wildcard $(shell pyenv root 2>/dev/null)/versions/3.12*/bin/python3.12),\
	$(if $(shell $(c) -c 'import sys; print(sys.version_info >= (3, 12))' 2>/dev/null | grep True),$(c))))
PYTHON ?= $(or $(find_python),python3)

PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help run test lint eval eval-dev bench bench-dask clean venv report report-check watch

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  variables: CORPUS=$(CORPUS) OUT=$(OUT) JOBS=<cores> PYTHON=$(PYTHON)"

$(STAMP): pyproject.toml
	@if ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		echo "warning: no Python >= 3.12 found; using $(PYTHON) — GiNZA will run about 2.4x slower" >&2; fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dask]'
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install the project (done by every target that needs it)

run: $(STAMP) ## parse every article in CORPUS and write the tables to OUT
	$(PY) -m pipeline run --corpus $(CORPUS) --out $(OUT) $(if $(JOBS),--jobs $(JOBS))

test: $(STAMP) ## run the test suite
	$(PY) -m pytest -q

lint: $(STAMP) ## ruff (lint and format check) and mypy
	$(PY) -m ruff check pipeline tests
	$(PY) -m ruff format --check pipeline tests
	$(PY) -m mypy

eval: $(STAMP) ## score OUT against the seed gold (run `make run` first)
	@test -f $(OUT)/people.csv || { echo "no tables in $(OUT)/: run 'make run' first" >&2; exit 2; }
	$(PY) tests/eval/score.py --outputs $(OUT) --gold $(GOLD)

eval-dev: $(STAMP) ## run on the development set (DEV=../shared/dev) into a temporary folder and score it
	@if [ ! -d "$(DEV)/corpus" ] || [ ! -d "$(DEV)/gold" ]; then \
		echo "eval-dev skipped: no development set at $(DEV) (expects $(DEV)/corpus and $(DEV)/gold; set DEV=...)"; exit 0; fi; \
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PY) -m pipeline run --corpus $(DEV)/corpus --out "$$tmp" --quiet; \
	$(PY) tests/eval/score.py --outputs "$$tmp" --gold $(DEV)/gold $(if $(DETAILS),--details)

bench: $(STAMP) ## speed and memory against stock GiNZA (writes OUT/bench.json)
	$(PY) -m pipeline.bench --out $(OUT)

watch: $(STAMP) ## run, then refresh the tables on every change to CORPUS or the rule files (Ctrl-C stops)
	$(PY) -m pipeline watch --corpus $(CORPUS) --out $(OUT) $(if $(RULES),--rules $(RULES))

bench-dask: $(STAMP) ## the local engine against a Dask LocalCluster of 1 and 2 workers (writes OUT/bench-dask.json)
	$(PY) -m pipeline.bench.cluster --out $(OUT) $(if $(SIZE),--size $(SIZE))

report: $(STAMP) ## rebuild OUT/report/ (the HTML report) from the tables already in OUT, without parsing
	$(PY) -m pipeline report --out $(OUT) --corpus $(CORPUS)

report-check: report ## open the report in headless Chromium; screenshots to OUT/report/screenshot-*.png
	$(PY) -m pipeline.output.report.check --out $(OUT)

clean: ## remove generated tables, caches and the virtual environment
	rm -rf $(VENV) .cache $(OUT)/*.csv $(OUT)/tables.xlsx $(OUT)/parquet $(OUT)/report $(OUT)/clean $(OUT)/bench.json $(OUT)/.lock
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

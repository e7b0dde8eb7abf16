# Building Large Models — an interactive book. `make help` lists the commands.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JOBS ?= auto
HOST ?= 127.0.0.1
PORT ?= 8000
LAB_PORT ?= 8888
NB ?=

.DEFAULT_GOAL := help
.PHONY: help venv book test test-fast lab serve execute bench gpu-check clean lock student

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 11) <= v <= (3, 13) else "This book needs Python 3.11, 3.12 or 3.13 (Keras 3.15 and TensorFlow 2.21); $(PYTHON) is %d.%d. Run: make PYTHON=python3.12 ..." % v)'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV): install your Python's venv module (Debian/Ubuntu: apt-get install python3-venv)."; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)  ## create .venv and install everything (done by the other commands too)

book: $(STAMP)  ## build the website into _build/html (any warning fails)
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo
	@echo "The website is in $(CURDIR)/_build/html (start page: _build/html/index.html)."
	@echo "Serve it with:  make serve   (then open http://$(HOST):$(PORT)/)"

test: $(STAMP)  ## run every test: helpers, the notebooks under nbval, the website build
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope \
	  --nbval --nbval-sanitize-with tests/sanitize.cfg --nbval-current-env \
	  tests $$($(BIN)/python -m helpers.book list)

test-fast: $(STAMP)  ## unit tests of helpers only
	$(BIN)/python -m pytest -n $(JOBS) tests -m "not build and not browser"

lab: $(STAMP)  ## open the notebooks in JupyterLab on localhost
	$(BIN)/jupyter lab --ServerApp.ip=$(HOST) --ServerApp.port=$(LAB_PORT) --ServerApp.root_dir=$(CURDIR) book/intro.md

serve:  ## serve the built website on localhost
	@test -f _build/html/index.html || { echo "No website yet: run  make book  first."; exit 1; }
	@echo "Serving http://$(HOST):$(PORT)/  (Ctrl-C stops)"
	$(PYTHON) -m http.server $(PORT) --bind $(HOST) --directory _build/html

execute: $(STAMP)  ## re-run notebooks and store their outputs: make execute [NB=book/x.ipynb]
	$(BIN)/python -m helpers.book execute --timings book/timings.json $(NB)

bench: $(STAMP)  ## time the interactive explorers (prints p50/p95 latencies)
	$(BIN)/python tests/benchmarks/bench_explorers.py

gpu-check: $(STAMP)  ## on a GPU machine: TensorFlow sees the GPU, explorers train on it, GPU vs CPU latency
	$(BIN)/pip install --quiet -r requirements-gpu.txt
	$(BIN)/python tests/benchmarks/gpu_check.py

lock:  ## recompile requirements.txt from requirements.in (needs uv)
	uv pip compile requirements.in -o requirements.txt --universal --python-version 3.11

clean:  ## remove the built site and caches (keeps .venv)
	rm -rf _build .pytest_cache student
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

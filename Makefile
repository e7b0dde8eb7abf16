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
LAB_ARGS ?=
NB ?=
# The scripts the website serves itself (no CDN): package.json / package-lock.json pin them.
NPM_DIR := build/npm
SITE_ASSETS := build/site-assets
ASSETS_STAMP := build/.site-assets-installed

.DEFAULT_GOAL := help
.PHONY: help venv assets book translations translations-status test test-fast lab serve execute timings bench gpu-check clean lock student pdf serve-model figures mutants hub classroom-bench

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

$(ASSETS_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 && npm --version | awk -F. '{exit !($$1 >= 7)}' || { \
	  echo "make book needs npm 7 or newer (with Node.js 18 or newer) to install the scripts the website"; \
	  echo "serves itself (MathJax, require.js, the Jupyter widgets manager). Install them, then rerun:"; \
	  echo "  Debian/Ubuntu:  sudo apt-get install -y nodejs npm"; \
	  echo "  macOS:          brew install node"; \
	  echo "  elsewhere:      https://nodejs.org/en/download"; exit 1; }
	rm -rf $(NPM_DIR) $(SITE_ASSETS) && mkdir -p $(NPM_DIR)
	cp package.json package-lock.json $(NPM_DIR)/
	cd $(NPM_DIR) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@# Copy only what pages use: MathJax's TeX+MathML→HTML component, its fonts and TeX extensions
	@# (loaded on demand), require.js, and the widget manager with its icon fonts (woff2/woff).
	mkdir -p $(SITE_ASSETS)/mathjax/output/chtml/fonts $(SITE_ASSETS)/mathjax/input/tex \
	  $(SITE_ASSETS)/requirejs $(SITE_ASSETS)/jupyter-widgets
	cp $(NPM_DIR)/node_modules/mathjax/es5/tex-mml-chtml.js $(NPM_DIR)/node_modules/mathjax/LICENSE \
	  $(SITE_ASSETS)/mathjax/
	cp -r $(NPM_DIR)/node_modules/mathjax/es5/output/chtml/fonts/woff-v2 $(SITE_ASSETS)/mathjax/output/chtml/fonts/
	cp -r $(NPM_DIR)/node_modules/mathjax/es5/input/tex/extensions $(SITE_ASSETS)/mathjax/input/tex/
	cp $(NPM_DIR)/node_modules/requirejs/require.js $(SITE_ASSETS)/requirejs/
	cp $(NPM_DIR)/node_modules/@jupyter-widgets/html-manager/dist/embed-amd.js \
	  $(NPM_DIR)/node_modules/@jupyter-widgets/html-manager/dist/*.woff2 \
	  $(NPM_DIR)/node_modules/@jupyter-widgets/html-manager/dist/*.woff $(SITE_ASSETS)/jupyter-widgets/
	@touch $@
	@echo "Site assets: $$(du -sh $(SITE_ASSETS) | cut -f1) in $(SITE_ASSETS)"

assets: $(ASSETS_STAMP)  ## install the site's own MathJax, require.js and widget manager (npm ci)

book: $(STAMP) $(ASSETS_STAMP)  ## build the website, English and 中文 (_build/html/zh/), into _build/html (any warning fails)
	$(BIN)/python -m tools.translations generate
	$(BIN)/python -m tools.build_site
	@echo
	@echo "The website is in $(CURDIR)/_build/html (start page: _build/html/index.html; 中文版: _build/html/zh/index.html), $$(du -sh --apparent-size _build/html | cut -f1)B;"
	@echo "every page loads its scripts, styles and fonts from the site itself, so it works offline."
	@echo "Serve it with:  make serve   (then open http://$(HOST):$(PORT)/)"

pdf: $(STAMP) $(ASSETS_STAMP)  ## the PDF editions, English and 中文, into _build/pdf/ (offline, from stored outputs; needs chromium)
	$(BIN)/python tools/pdf_edition.py --site
	$(BIN)/python -m tools.translations generate
	$(BIN)/python tools/pdf_edition.py --site --lang zh
	@echo "The website links it once built (make book) while _build/pdf/ holds it."

test: $(STAMP)  ## run every test: helpers, notebooks (nbval), website build, browser tests
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope \
	  --nbval --nbval-sanitize-with tests/sanitize.cfg --nbval-current-env \
	  tests $$($(BIN)/python -m helpers.book list)

test-fast: $(STAMP)  ## unit tests of helpers only
	$(BIN)/python -m pytest -n $(JOBS) tests -m "not build and not browser"

# make lab LANG=zh (or a zh_* locale in LANG): JupyterLab in Chinese at the Chinese book. Its language
# setting lives in build/lab-settings-zh, so the user's own JupyterLab settings are left alone.
LAB_ZH := $(filter zh zh_%,$(LANG))
lab: $(STAMP)  ## open the notebooks in JupyterLab on localhost (LANG=zh: 中文界面, the Chinese book)
ifeq ($(LAB_ZH),)
	$(BIN)/jupyter lab --ServerApp.ip=$(HOST) --ServerApp.port=$(LAB_PORT) --ServerApp.root_dir=$(CURDIR) $(LAB_ARGS) book/intro.md
else
	$(BIN)/python -m tools.translations generate
	mkdir -p build/lab-settings-zh/@jupyterlab/translation-extension
	echo '{"locale": "zh_CN"}' > build/lab-settings-zh/@jupyterlab/translation-extension/plugin.jupyterlab-settings
	JUPYTERLAB_SETTINGS_DIR=$(CURDIR)/build/lab-settings-zh $(BIN)/jupyter lab --ServerApp.ip=$(HOST) \
	  --ServerApp.port=$(LAB_PORT) --ServerApp.root_dir=$(CURDIR) $(LAB_ARGS) zh/book/intro.md
endif

translations: $(STAMP)  ## write the Chinese book (zh/) from the English one and i18n/zh/ (make book does it too)
	$(BIN)/python -m tools.translations generate

translations-status: $(STAMP)  ## per page: Chinese units translated / stale / missing (tools/translations.py)
	$(BIN)/python -m tools.translations status

serve:  ## serve the built website on localhost
	@test -f _build/html/index.html || { echo "No website yet: run  make book  first."; exit 1; }
	@echo "Serving http://$(HOST):$(PORT)/  (Ctrl-C stops)"
	$(PYTHON) -m http.server $(PORT) --bind $(HOST) --directory _build/html

execute: $(STAMP)  ## re-run notebooks, store outputs, record time and memory: make execute [NB=book/x.ipynb]
	$(BIN)/python -m helpers.book execute --timings book/timings.json --memory book/kernel_memory.json $(NB)
	$(BIN)/python -m tools.translations generate

figures: $(STAMP)  ## redraw the diagrams in book/figures/ from tools/figures.py (commit the SVGs)
	$(BIN)/python -m tools.figures

student: $(STAMP)  ## student edition (no solutions) into student/ to hand out: [SLIDES=1] [NB=...]
	$(BIN)/python -m helpers.student student $(NB) $(if $(SLIDES),--slides)

TIMINGS ?= book/timings.json
timings: $(STAMP)  ## time notebooks without storing outputs, e.g. on a GPU: make timings TIMINGS=book/timings-gpu.json
	$(BIN)/python -m helpers.book execute --no-store --timings $(TIMINGS) $(NB)

bench: $(STAMP)  ## time the interactive explorers and the model server (prints p50/p95 latencies)
	$(BIN)/python tests/benchmarks/bench_explorers.py
	$(BIN)/python tests/benchmarks/bench_serving.py

MODULES ?=
mutants: $(STAMP)  ## mutation testing: share of deliberate bugs the tests catch, per module [MODULES="_args params"]
	$(BIN)/python tools/mutants.py $(MODULES)

MODEL_DIR ?= artifacts/serving-model
MODEL_PORT ?= 8100
serve-model: $(STAMP)  ## serve the worked example's model over HTTP on 127.0.0.1:8100 [MODEL_DIR=...]
	$(BIN)/python -m serving --model $(MODEL_DIR) --host $(HOST) --port $(MODEL_PORT) --export-if-missing

HUB_PORT ?= 8000
hub: $(STAMP) $(ASSETS_STAMP)  ## a JupyterHub for a class on this machine (needs HUB_ADMIN_PASSWORD; see hub/jupyterhub_config.py)
	@test -n "$$HUB_ADMIN_PASSWORD" || { echo "Set HUB_ADMIN_PASSWORD (32+ characters) for the admin account, e.g."; \
	  echo "  export HUB_ADMIN_PASSWORD=\$$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"; \
	  echo "and HUB_PASSWORD (8+ characters) plus HUB_STUDENTS (names, or @file) for the class."; exit 1; }
	@echo "JupyterHub on http://$(HOST):$(HUB_PORT)/  (Ctrl-C stops the hub, the proxy and every student's server)"
	HUB_IP=$(HOST) HUB_PORT=$(HUB_PORT) $(BIN)/jupyterhub -f hub/jupyterhub_config.py

N ?= 8
classroom-bench: $(STAMP) $(ASSETS_STAMP)  ## load test: N students at once on the hub drive the explorer notebook; stores book/classroom_bench.json [N=8] [FAULTS=1]
	$(BIN)/python hub/classroom_bench.py --students $(N) $(if $(FAULTS),--faults)

gpu-check: $(STAMP)  ## on a GPU machine: TensorFlow sees the GPU, explorers train on it, GPU vs CPU latency, GPU share holds
	$(BIN)/pip install --quiet -r requirements-gpu.txt
	$(BIN)/python tests/benchmarks/gpu_check.py
	@# A fresh process: the per-kernel GPU memory share (BOOK_GPU_MEMORY_SHARE) caps what a kernel can take.
	BOOK_GPU_MEMORY_SHARE=0.05 $(BIN)/python hub/gpu_share_check.py

lock:  ## recompile requirements.txt from requirements.in (needs uv)
	uv pip compile requirements.in -o requirements.txt --universal --python-version 3.11

clean:  ## remove the built site and caches (keeps .venv)
	rm -rf _build .pytest_cache student
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

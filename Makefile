# RRIS developer commands. Needs python3, node (20.19+ with npm) and make; Python packages go into
# .venv, the JavaScript checkers into node_modules (both pinned, both from lock-step files).
#   make run     migrate, load demo data, start portal + scheduler + signaling (Ctrl-C stops all)
#   make cluster the several-nodes topology on 127.0.0.1 behind nginx over TLS (Ctrl-C stops all)
#   make test    make lint, the JavaScript unit tests, then pytest (installs PostgreSQL when root)
#   make lint    ruff, the import-layer contracts, mypy and ESLint
#   make messages  extract the strings to translate and update every locale's .po catalogue

PYTHON ?= python3
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
# Touched after a successful install: requirements change -> reinstall, otherwise nothing to do.
STAMP := $(VENV)/.requirements-installed
PIP := $(VENV_PYTHON) -m pip --disable-pip-version-check
PYTEST_ARGS ?=
# Touched after `npm ci`: package-lock.json changes -> reinstall, otherwise nothing to do.
NODE_STAMP := node_modules/.installed
JS_LINTED := static/js tests/js eslint.config.js

.DEFAULT_GOAL := help
TRANSLATIONS := rris/translations
# Every locale's catalogue (rris/translations/<locale>/LC_MESSAGES/messages.po).
CATALOGUES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
BABEL_KEYWORDS := -k _l -k lazy_gettext -k plural_forms:1,2

.PHONY: help venv node-deps catalogues run cluster test lint bench messages clean distclean

help:
	@echo "make run        start RRIS (portal, scheduler, signaling) with demo data"
	@echo "make cluster    PostgreSQL, Redis, coturn, 2 portals (gunicorn), signaling, 2 schedulers, nginx (TLS)"
	@echo "make test       make lint, the JavaScript tests, then pytest (PYTEST_ARGS='-k name -x' for options)"
	@echo "make lint       ruff, import-linter contracts, mypy and ESLint"
	@echo "make bench      run the benchmarks"
	@echo "make messages   extract translatable strings into rris/translations/messages.pot, update every .po"
	@echo "make venv       create/update .venv from requirements-dev.txt"
	@echo "make clean      remove caches; make distclean also removes .venv"

venv: $(STAMP)

$(VENV_PYTHON):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(STAMP): requirements.txt requirements-dev.txt | $(VENV_PYTHON)
	$(PIP) install -r requirements-dev.txt
	touch $@

node-deps: $(NODE_STAMP)

# The .mo files the portal reads are built from the .po catalogues, never committed (.gitignore).
catalogues: venv
ifneq ($(CATALOGUES),)
	$(VENV)/bin/pybabel -q compile -d $(TRANSLATIONS)
endif

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

run: venv catalogues
	$(VENV_PYTHON) scripts/run_all.py

# The same Debian packages as the tests (PostgreSQL, Redis, nginx, coturn); CLUSTER_ARGS='--port 9443'.
cluster: venv catalogues
	bash scripts/ensure_system_packages.sh
	$(VENV_PYTHON) -m deploy.cluster $(CLUSTER_ARGS)

test: lint catalogues
	node --test tests/js/*.test.js
	bash scripts/ensure_system_packages.sh
	$(VENV_PYTHON) -m pytest $(PYTEST_ARGS)

lint: venv $(NODE_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	npx --no-install eslint $(JS_LINTED)

bench: venv
	@if [ -d benchmarks ]; then \
		$(VENV_PYTHON) -m benchmarks; \
	else \
		echo "No benchmarks yet (there is no benchmarks/ package)."; \
	fi

# Extract every string to translate, then bring each locale's .po up to date with it (new
# strings empty, changed ones marked fuzzy for a translator to check).
messages: venv
	$(VENV)/bin/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output -w 100 \
		-o $(TRANSLATIONS)/messages.pot .
ifneq ($(CATALOGUES),)
	$(VENV)/bin/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -w 100 --no-fuzzy-matching
endif

clean:
	rm -rf .pytest_cache .ruff_cache .import_linter_cache .mypy_cache test-artifacts
	find . \( -path ./$(VENV) -o -path ./node_modules \) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) node_modules

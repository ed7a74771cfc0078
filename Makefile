# The two commands people need: `make run` (quick start) and `make test` (the whole suite).
# Both create .venv with Python 3.11 and install the pinned requirements (constraints.txt) first.
PYTHON ?= python3.11
PIP_VERSION := 26.3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PIP_INSTALL := $(PIP) install --quiet --disable-pip-version-check
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

export DATABASE_URL_TEST ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test lint venv deps dev-deps simulator migrate bench lock clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
	  echo "make: $(PYTHON) not found. Install Python 3.11 (or run: make PYTHON=/path/to/python3.11 ...)" >&2; \
	  exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || { \
	  echo "make: $(PYTHON) is not Python 3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) pip==$(PIP_VERSION)

venv: $(PY)

$(STAMP): requirements.txt constraints.txt | $(PY)
	$(PIP_INSTALL) -r requirements.txt -c constraints.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt constraints.txt | $(PY)
	$(PIP_INSTALL) -r requirements-dev.txt -c constraints.txt
	touch $@ $(STAMP)

deps: $(STAMP)
dev-deps: $(DEV_STAMP)

run: $(STAMP)
	$(PY) -m portal.quickstart

simulator: $(STAMP)
	$(PY) manage.py runsimulator --seed $${SIMULATOR_SEED:-demo} --port $${SIMULATOR_PORT:-8100} \
	  --latency-ms $${SIMULATOR_LATENCY_MS:-0}

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache --no-logo

# portal/testenv.py starts a throwaway Redis and PostgreSQL when none answers at the configured URLs
# (and stops them after), checks Chromium for browser tests, runs `pytest -n 2 $(PYTEST_ARGS)`, and
# fails on pytest's exit code 5 (no test collected) as on any failure. `exec`: signals reach it.
# DJANGO_SETTINGS_MODULE is given (pyproject's test settings unless set), as importing the portal
# package would otherwise default it to the development settings for pytest too.
test: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache --no-logo
	DATABASE_URL=$${DATABASE_URL:-$(DATABASE_URL_TEST)} \
	  DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-portal.settings.test} \
	  exec $(PY) -m portal.testenv $(PYTEST_ARGS)

bench: $(DEV_STAMP)
	$(PY) bench/simulator.py

# Re-pin every package (transitive ones too) from a clean venv after editing requirements*.txt.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	.lock-venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	# Not `pip freeze`: it hides some installed packages (argparse, which clc-sdk requires).
	{ sed -n '1,/^[^#]/{/^#/p}' constraints.txt; .lock-venv/bin/python -c 'from importlib.metadata import \
	  distributions as ds; pins = {f"{d.name}=={d.version}" for d in ds()}; print("\n".join(sorted( \
	  (p for p in pins if p.split("==")[0].lower() not in ("pip",)), \
	  key=lambda p: p.split("==")[0].lower())))'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

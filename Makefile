# Ensemble — development commands. `make run` and `make test` work on a fresh clone.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYVER := $(shell cat .python-version)
# Find an interpreter for .python-version: pythonX.Y (pyenv shims, Debian), else python3.
BASE_PYTHON ?= $(shell command -v python$(PYVER) || command -v python3)
UV := $(shell command -v uv)
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= cms.settings.dev

.PHONY: run test install serve migrate seed lint format check e2e clean diagram bench messages

$(PY):
	@$(BASE_PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python >= 3.12 is required (found %s)" % sys.version.split()[0])'
	@if [ -n "$(UV)" ]; then $(UV) venv --quiet --python $(BASE_PYTHON) $(VENV); \
	else $(BASE_PYTHON) -m venv $(VENV); fi

# Reinstall only when the lock changes: a second `make run` is quick.
$(STAMP): $(PY) requirements.lock uv.lock
	@echo "Installing dependencies into $(VENV)…"
	@if [ -n "$(UV)" ]; then UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --quiet; \
	else $(PY) -m pip install --quiet --upgrade pip && $(PY) -m pip install --quiet --require-hashes -r requirements.lock; fi
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	@echo "Ensemble is serving on http://$(HOST):$(PORT)/ — demo logins in README.md"
	$(PY) manage.py runserver $(HOST):$(PORT)

# Three workers on the two cores: a worker waiting on PostgreSQL, Chromium or the live server
# leaves its core to another. Each worker has its own test database.
TEST_WORKERS ?= 3
test: install
	DJANGO_SETTINGS_MODULE=cms.settings.test $(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

e2e: install
	DJANGO_SETTINGS_MODULE=cms.settings.test $(PY) -m pytest tests/e2e $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install
	$(PY) manage.py check

# Throughput of the heavy pages on PostgreSQL under gunicorn (bench/run.py; installs wrk if
# missing). SCALE=5 for a quick run; the result goes to docs/benchmarks.md.
SCALE ?= 50
bench: install
	$(PY) -m bench.run --scale $(SCALE) $(BENCH_ARGS)

# The French catalogue: collect the strings of our apps and templates, then compile it after
# translating (the tests read locale/fr/LC_MESSAGES/django.po for untranslated or fuzzy entries).
MESSAGES_IGNORE = -i tests -i bench -i var -i test-results -i node_modules -i static
messages: install
	$(PY) manage.py makemessages -l fr --no-obsolete $(MESSAGES_IGNORE)
	$(PY) manage.py compilemessages -l fr -i .venv $(MESSAGES_IGNORE)

# Refresh the lock after editing pyproject.toml (needs uv).
lock:
	uv lock && uv export --frozen --no-emit-project --format requirements-txt -o requirements.lock

clean:
	rm -rf $(VENV) var/ensemble.sqlite3

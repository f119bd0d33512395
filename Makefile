# The two commands: `make run` (set up and serve on SQLite) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

# A local install's settings (DEBUG=1, SECURE_HTTPS=0, a random SECRET_KEY), written once by `make run`
# and read by settings.py, so the README's manage.py and `make backup` commands work in any shell.
# Production has no such file and keeps the strict defaults; the tests never read it.
LOCAL_ENV := var/local.env
TEST_ENV := PORTAL_ENV_FILE= SECRET_KEY=insecure-key-for-tests-only SECURE_HTTPS=0 STATIC_MANIFEST=0 DJANGO_ALLOW_ASYNC_UNSAFE=true

.PHONY: run prepare test setup setup-test system-deps system-deps-test lint format migrate data demo-users check backup restore bench clean

run: setup prepare
	$(MANAGE) runserver $(HOST):$(PORT)

# Everything `make run` does between installing and serving (tests/test_readme.py runs it in a copy).
prepare: $(LOCAL_ENV) migrate data demo-users

test: setup-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(TEST_ENV) $(MANAGE) check
	$(TEST_ENV) $(MANAGE) makemigrations --check --dry-run
	$(TEST_ENV) $(VENV)/bin/pytest $(PYTEST_ARGS)

system-deps:
	scripts/system-deps.sh

system-deps-test:
	scripts/system-deps.sh --test

# xstatic-bootstrap publishes an sdist whose setup.py imports pkg_resources, which setuptools 81
# removed: build it with the venv's own setuptools<81 instead of an isolated build environment.
$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip "setuptools>=69,<81" wheel
	$(PIP) install -q --no-build-isolation -e ".[test]"
	touch $@

setup: system-deps $(VENV)/.installed
	mkdir -p var/static

setup-test: system-deps-test $(VENV)/.installed
	mkdir -p var/static

# Written when missing: a second `make run` keeps its SECRET_KEY (and so the sessions). Run every time,
# so a file written before a setting was added (EMAIL_BACKEND: mail on the console) gets it appended.
.PHONY: $(LOCAL_ENV)
$(LOCAL_ENV):
	PYTHON=$(PYTHON) scripts/local-env.sh $@

migrate: $(LOCAL_ENV)
	$(MANAGE) migrate --noinput

data: $(LOCAL_ENV)
	$(MANAGE) load_reference_data
	$(MANAGE) load_sheet

demo-users: $(LOCAL_ENV)
	$(MANAGE) create_demo_users

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Database (pg_dump / SQLite backup API) and MEDIA_ROOT into var/backups/<time>/, newest BACKUP_KEEP kept.
# Same settings as the portal: var/local.env on a local install, the environment on a server.
backup:
	$(MANAGE) backup_db

# make restore FILE=var/backups/<time>  (overwrites the current database and media files)
restore:
	@test -n "$(FILE)" || { echo "FILE=var/backups/<日時> を指定してください"; exit 2; }
	$(MANAGE) restore_db "$(FILE)" --yes

# Benchmarks (README「性能」): generate a dataset, measure every page, then a 60 s load test.
# A database of its own (never the one `make run` uses): BENCH_DATABASE_URL=postgres://…/portal_bench.
BENCH_SCALE ?= 0.1
BENCH_DATABASE_URL ?= sqlite:///var/bench.sqlite3
bench: setup
	$(PIP) install -q --no-build-isolation -e ".[test,bench]"
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/generate.py --scale $(BENCH_SCALE) --fresh
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/run.py
	DATABASE_URL=$(BENCH_DATABASE_URL) bench/load.sh

clean:
	rm -rf $(VENV) var/static

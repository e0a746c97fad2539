# ICP Workshop. `make run` serves the demo; `make test` runs lint and every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# `make test` runs the tests in three groups (scripts/run-tests): those that wait on Celery workers or the whole
# stack in one process, meanwhile most tests in TEST_WORKERS pytest-xdist processes (each with its own test
# database and Redis database, icpsite/settings_test.py); then, alone, those that drive browsers or time
# something, which must not compete for the CPU. TEST_WORKERS=1 runs everything in one process.
TEST_WORKERS ?= 3

.PHONY: install run demo test lint format audit stack bench load clean

# Two steps of one virtualenv, each redone when its requirements change: what serving needs (`make run`,
# requirements.txt), then the development tools on top (tests, lint, benchmarks: requirements-dev.txt).
# --no-compile: Python compiles a module when it is first imported, and only those, instead of every file of
# every package at install time (half the install's time).
$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-compile --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-compile --disable-pip-version-check -r requirements-dev.txt
	touch $@

# axe-core (the browser tests check every page with it), from the npm registry as package-lock.json pins it;
# reinstalled whenever the lock file changes. `make run` and `make demo` need only the virtualenv.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "make install needs Node.js and npm for axe-core (Debian: apt-get install nodejs npm)"; exit 2; }
	npm ci --no-audit --no-fund
	touch $@

install: $(VENV)/.installed node_modules/.installed

run demo test: export DEBUG ?= true

run: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput --skip-checks
	$(BIN)/python manage.py seed_demo --if-empty --skip-checks
	@echo "Serving ICP Workshop on http://$(HOST):$(PORT)/ (Ctrl-C stops it; make run HOST=0.0.0.0 PORT=8080 to change)"
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(BIN)/python manage.py runserver $(HOST):$(PORT)

demo: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo

test: install lint
	scripts/ensure-test-services
	scripts/run-tests $(TEST_WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/djlint templates --lint
	$(BIN)/djlint templates --check

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djlint templates --reformat

# Known vulnerabilities in the pinned runtime dependencies and what they pull in (pip-audit resolves them in a
# temporary virtualenv). It asks PyPI's JSON API (pypi.org/pypi/NAME/VERSION/json) for each; --strict makes a
# dependency it cannot look up fail the audit instead of being skipped with "No known vulnerabilities found".
audit: install
	$(BIN)/pip-audit --strict --progress-spinner off --requirement requirements.txt

# The full stack: gunicorn, a Celery worker and beat, static files by whitenoise.
stack: install
	@test -n "$$DATABASE_URL" || { echo "make stack needs DATABASE_URL (PostgreSQL); see .env.example"; exit 2; }
	@test -n "$$REDIS_URL" || { echo "make stack needs REDIS_URL; see .env.example"; exit 2; }
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py migrate --noinput
	PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/honcho start --procfile Procfile --port $(PORT)

bench: install
	NEED_POSTGRES=1 scripts/ensure-test-services
	$(BIN)/python bench/run.py

# Locust's 50 people against the full stack on a 1M-customer base (bench/load.py: LOAD_USERS, LOAD_SECONDS,
# LOAD_RAMP_SECONDS, LOAD_DATABASE_URL, LOAD_REDIS_URL); adds load_* figures to .bench/results.json.
load: install
	NEED_POSTGRES=1 scripts/ensure-test-services
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) node_modules staticfiles .bench .pytest_cache .celery

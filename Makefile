# SafePassage: `make run` serves the app with demo data; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SHARED_DIR ?= ../shared
TEST_SETTINGS := DJANGO_SETTINGS_MODULE=config.settings_test
# Test processes (pytest-xdist): one per core. A test waits on its database much of the time,
# so two processes on two cores finish each suite in about two thirds of the time of one.
TEST_WORKERS ?= auto

.PHONY: run serve test deploy-check audit-deps lint typecheck migrations-check pytest pytest-sqlite pytest-postgres validate install install-dev clean help

help:
	@echo "make run       set up (virtualenv, install, keys, database, demo data) and serve on 127.0.0.1:$(PORT)"
	@echo "make test      lint, type-check, migration check, tests on SQLite (and PostgreSQL if TEST_DATABASE_URL is set)"
	@echo "make validate  checks against the reference data in $(SHARED_DIR)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	-$(BIN)/python -m pip install --quiet uv

# uv when it installed, pip otherwise: same result, uv is faster.
define pip_install
	if [ -x $(BIN)/uv ]; then $(BIN)/uv pip install --quiet --python $(BIN)/python $(1); \
	else $(BIN)/python -m pip install --quiet $(1); fi
endef

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@$(call pip_install,-e .)
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	@$(call pip_install,-e '.[dev]')
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Local serving over plain HTTP on the loopback interface; every other setting keeps its
# production default (DEBUG off, two-factor on).
run: export SAFEPASSAGE_HTTPS ?= 0
run: $(VENV)/.installed
	@$(BIN)/safepassage init_keys
	@$(BIN)/safepassage migrate --noinput -v 0
	@$(BIN)/safepassage collectstatic --noinput -v 0
	@$(BIN)/safepassage seed_demo --if-empty
	@echo ""
	@echo "SafePassage is starting at http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	@echo ""
	@# Four processes of two threads: the threads of a process share one interpreter lock, so
	@# fewer threads per process keep a slow page from holding up the pages beside it.
	@# The access log leaves out query strings and referrers: a search's carry a person's name.
	@$(BIN)/gunicorn config.wsgi --bind 127.0.0.1:$(PORT) --workers 4 --threads 2 --log-level warning \
		--access-logfile - --access-logformat '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy .

migrations-check: $(VENV)/.installed-dev
	$(TEST_SETTINGS) $(BIN)/safepassage makemigrations --check --dry-run

pytest-sqlite: $(VENV)/.installed-dev
	@mkdir -p var/test-results
	env -u DATABASE_URL -u TEST_DATABASE_URL $(BIN)/pytest -q -n $(TEST_WORKERS) --junitxml=var/test-results/sqlite.xml

pytest-postgres: $(VENV)/.installed-dev
	@mkdir -p var/test-results
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "PostgreSQL: $$TEST_DATABASE_URL"; \
		DATABASE_URL="$$TEST_DATABASE_URL" $(BIN)/pytest -q -n $(TEST_WORKERS) --create-db --junitxml=var/test-results/postgres.xml; \
	else \
		rm -f var/test-results/postgres.xml; \
		echo "TEST_DATABASE_URL not set: PostgreSQL tests skipped"; \
	fi

pytest: pytest-sqlite pytest-postgres

# Deployment checks: Django's deploy check with production settings must be clean (warnings
# fail), and bandit must report no high-severity finding.
deploy-check: $(VENV)/.installed-dev
	SAFEPASSAGE_SECRET_KEY=deploy-check-$$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n') \
	SAFEPASSAGE_FIELD_KEYS=$$($(BIN)/python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())") \
	SAFEPASSAGE_BLIND_INDEX_KEY=deploy-check-index-key SAFEPASSAGE_ALLOWED_HOSTS=safepassage.example.org \
	SAFEPASSAGE_HTTPS=1 SAFEPASSAGE_DEBUG=0 DATABASE_URL=sqlite:///:memory: \
	$(BIN)/safepassage check --deploy --fail-level WARNING
	$(BIN)/bandit -r safepassage config -q -lll -x '*/tests/*'

# Known-vulnerability audit of the installed dependencies. Needs the PyPI/OSV advisory
# service, which an offline machine cannot reach (see docs/security.md); not part of `make test`.
audit-deps: $(VENV)/.installed-dev
	$(BIN)/pip-audit --progress-spinner off --skip-editable

test: lint typecheck migrations-check deploy-check pytest

validate: $(VENV)/.installed-dev
	SHARED_DIR="$(abspath $(SHARED_DIR))" $(BIN)/pytest -q -c validation/pytest.ini validation

clean:
	rm -rf $(VENV) var/static var/test-results

# motcua: `make run` starts the demo on http://127.0.0.1:8000/, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The PostgreSQL run uses a throwaway test database (pytest-django creates test_motcua).
PG_URL ?= postgres://postgres@127.0.0.1:5432/motcua
PYTEST_ARGS ?=

.PHONY: install run test test-sqlite test-postgres system-deps services lint bench clean messages

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) -m motcua demo
	@echo "motcua: http://$(HOST):$(PORT)/  (tài khoản trình diễn: xem README.md)"
	$(PY) -m motcua serve --host $(HOST) --port $(PORT)

system-deps:
	bash scripts/ensure-system-deps.sh

services:
	bash scripts/ensure-services.sh

test: install system-deps services
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite: install
	@echo "== tests on SQLite =="
	env -u DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install
	@echo "== tests on PostgreSQL =="
	DATABASE_URL=$(PG_URL) $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check src tests bench

messages: install
	cd src/motcua && ../../$(PY) -m motcua compilemessages

bench: install
	$(PY) bench/catalog_search.py
	$(PY) bench/deadlines.py

clean:
	rm -rf $(VENV) data/test.sqlite3

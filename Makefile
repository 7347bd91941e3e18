# motcua: `make run` starts the demo on http://127.0.0.1:8000/, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The PostgreSQL run uses a throwaway test database (pytest-django creates test_motcua).
PG_URL ?= postgres://postgres@127.0.0.1:5432/motcua
PYTEST_ARGS ?=

.PHONY: install run test test-sqlite test-postgres test-browser test-clock system-deps services lint bench clean messages

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

# The whole suite: the lint (make lint), SQLite, PostgreSQL, then the browser journeys (PostgreSQL),
# at one instant of the test clock (MOTCUA_TEST_CLOCK_SEED, printed; tests/clock.py). Every part
# runs even if one fails.
test: install system-deps services
	PY=$(PY) PG_URL=$(PG_URL) PYTEST_ARGS="$(PYTEST_ARGS)" bash scripts/test.sh

test-sqlite: install
	PY=$(PY) PARTS=sqlite PYTEST_ARGS="$(PYTEST_ARGS)" bash scripts/test.sh

test-postgres: install services
	PY=$(PY) PG_URL=$(PG_URL) PARTS="postgres browser" PYTEST_ARGS="$(PYTEST_ARGS)" bash scripts/test.sh

test-browser: install system-deps services
	PY=$(PY) PG_URL=$(PG_URL) PARTS=browser PYTEST_ARGS="$(PYTEST_ARGS)" bash scripts/test.sh

# The non-browser suite on SQLite at each of the clock's 48 instants (hours; not part of `make test`).
test-clock: install system-deps services
	PY=$(PY) PYTEST_ARGS="$(PYTEST_ARGS)" bash scripts/test-clock.sh

lint: install
	BIN=$(VENV)/bin bash scripts/lint.sh

messages: install
	cd src/motcua && ../../$(PY) -m motcua compilemessages

bench: install
	$(PY) bench/catalog_search.py
	$(PY) bench/deadlines.py
	$(PY) bench/signin.py
	$(PY) bench/hostile_uploads.py

clean:
	rm -rf $(VENV) data/test.sqlite3

# Hotline Wallboard. `make run` starts the board; `make test` runs the tests.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run dev test test-fast lint format bench bench-browser init-db demo clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (set PYTHON=...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

## run: the board on the embedded default (SQLite, 30 days of demo history, live feed) at :8050,
## served by gunicorn (gunicorn.conf.py: one process with threads without REDIS_URL)
run: $(STAMP)
	$(PY) -m dashboard init-db
	$(PY) -m dashboard demo-data --days 30 --if-empty
	HOTLINE_SIMULATE=$${HOTLINE_SIMULATE:-true} $(VENV)/bin/gunicorn --config gunicorn.conf.py app:server

## dev: the same with Werkzeug's development server (python app.py)
dev: $(STAMP)
	$(PY) -m dashboard init-db
	$(PY) -m dashboard demo-data --days 30 --if-empty
	HOTLINE_SIMULATE=$${HOTLINE_SIMULATE:-true} $(PY) app.py

## test: the whole suite (PostgreSQL tests need TEST_DATABASE_URL; browser tests need chromium)
test: $(STAMP)
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not browser and not slow" -x -q

## lint: ruff (style), mypy (types; config in pyproject.toml), import-linter (the layering)
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

## bench: PostgreSQL benchmarks (a)-(e) and (g) intelligence, figures into docs/PERFORMANCE.md
bench: $(STAMP)
	$(PY) -m bench --skip-browser
	$(PY) -m bench.open311 --update-report  # issue 10: (g) Open311 on bench_10m, Lighthouse /tra-cuu
	$(PY) -m bench.intelligence --update-report

## bench-browser: the wall in headless Chromium, (f): first render and JS heap over 2,000
## refreshes (7-15 min: the browser sets the pace), then (g) Lighthouse 12.2.3 (installed from
## npm into var/lighthouse) on /, /shift, /overview (desktop) and /overview (mobile), 3 runs
## each (about 10 min), figures into docs/PERFORMANCE.md
bench-browser: $(STAMP)
	$(PY) -m bench.browser --update-report
	$(PY) -m bench.lighthouse --update-report

init-db: $(STAMP)
	$(PY) -m dashboard init-db

demo: $(STAMP)
	$(PY) -m dashboard demo-data --days 30

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

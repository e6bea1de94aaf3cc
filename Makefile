# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
SAMPLE := data/sample/chicago.json

.PHONY: run test lint serve es-start es-stop messages

# Python packages into .venv; Leaflet and axe-core from npm into node_modules (scripts/assets).
$(VENV)/.installed: pyproject.toml package.json package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -e ".[dev]"
	scripts/assets
	touch $@

# Install, start Elasticsearch, load the sample directory, serve the API and docs. `run` and
# `test` run scripts/assets each time (a no-op when node_modules matches the lock file), so a
# deleted node_modules comes back.
run: $(VENV)/.installed es-start
	scripts/assets
	$(VENV)/bin/python -m indexer load $(SAMPLE) --source sample
	@$(MAKE) --no-print-directory serve

# The API under gunicorn, and the import worker beside it (started again if it ends, stopped
# with the server). No gunicorn control socket: its default path is one per user, so two
# stacks on one machine would take it from each other.
serve: $(VENV)/.installed
	@echo "Linkage is serving at http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/docs/)"
	scripts/supervise $(VENV)/bin/python -m indexer worker & worker=$$!; trap "kill $$worker" EXIT INT TERM; \
	LINKAGE_RATE_LIMIT_STORAGE=$${LINKAGE_RATE_LIMIT_STORAGE:-memcached://127.0.0.1:11311} \
	LINKAGE_PARTNER_KEYS=$${LINKAGE_PARTNER_KEYS:-$$(scripts/dev-key)} \
	$(VENV)/bin/gunicorn --worker-class gthread --workers $(WORKERS) --threads 4 --no-control-socket \
		--bind $(HOST):$(PORT) --timeout 30 --limit-request-line 8190 --graceful-timeout 10 wsgi:app

# Install, start Elasticsearch, lint, run every test (pytest's "no tests" exit 5 is not a failure).
test: $(VENV)/.installed es-start lint
	scripts/assets
	scripts/browser
	$(VENV)/bin/pytest; rc=$$?; if [ $$rc -eq 5 ]; then rc=0; fi; exit $$rc

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

# The page's and widget's catalogs (linkage/web/translations): extract every _() and t() string
# (babel.cfg), add the new ones to each language's .po, then compile the .mo the app reads. Both
# are committed; tests/test_translations.py fails on an untranslated message or a stale .mo.
MESSAGES := linkage/web/translations
messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k t --no-wrap --sort-by-file --omit-header -o $(MESSAGES)/messages.pot .
	$(VENV)/bin/pybabel update -i $(MESSAGES)/messages.pot -d $(MESSAGES) --no-wrap --ignore-obsolete
	$(VENV)/bin/pybabel compile -d $(MESSAGES) --statistics
	rm $(MESSAGES)/messages.pot

es-start:
	scripts/elasticsearch start
	scripts/memcached start

es-stop:
	scripts/elasticsearch stop
	scripts/memcached stop

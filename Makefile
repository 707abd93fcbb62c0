# Two commands matter: `make run` (set up and serve the demo) and `make test` (every test).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := FLASK_APP=wsgi $(VENV)/bin/flask
PIP := $(PY) -m pip install --disable-pip-version-check -q
PORT ?= 5000

.PHONY: run test bench install install-test browser-deps pdf-deps redis-deps translations clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip

# Re-install when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) -e '.[postgres]'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) -e '.[postgres,test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test browser-deps pdf-deps redis-deps

## Debian's Chromium for the browser tests (Playwright's own download does not work here),
## and axe-core from the npm registry, loaded into pages from the local file.
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installation de Chromium (Debian)…"; \
	    (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)) \
	      || echo "Chromium n'a pas pu être installé : les tests navigateur seront sautés."; \
	  else echo "Chromium absent (/usr/bin/chromium) : les tests navigateur seront sautés."; fi; \
	fi
	@if [ -f package.json ] && [ ! -d node_modules/axe-core ] && command -v npm >/dev/null; then npm ci --no-audit --no-fund -s || npm install --no-audit --no-fund -s; fi

## Debian's Pango libraries for WeasyPrint (printable questionnaires and reports as PDF).
pdf-deps:
	@if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installation des bibliothèques Pango (Debian) pour les PDF…"; \
	    (apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 >/dev/null)) \
	      || echo "Pango n'a pas pu être installé : les PDF (et leurs tests) ne fonctionneront pas."; \
	  else echo "Pango absent : installez libpango-1.0-0 et libpangoft2-1.0-0 (apt-get, en root) pour produire les PDF."; fi; \
	fi

## Debian's redis-server for the tests of shared rate limits and of the Redis job queue
## (installed only: the tests start their own server or use one that already runs).
redis-deps:
	@if ! command -v redis-server >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installation de redis-server (Debian) pour les tests…"; \
	    (apt-get install -y -q redis-server >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q redis-server >/dev/null)) \
	      || echo "redis-server n'a pas pu être installé : les tests qui ont besoin de Redis seront sautés."; \
	  else echo "redis-server absent : installez redis-server (apt-get, en root) ; les tests qui ont besoin de Redis seront sautés."; fi; \
	fi

## The web server and one job consumer together; Ctrl-C stops both (the consumer
## finishes the job it runs, or the next one takes it up again).
run: install pdf-deps
	$(FLASK) db upgrade
	$(FLASK) demo setup
	@$(FLASK) jobs consumer & consumer=$$!; \
	trap 'kill -TERM $$consumer 2>/dev/null; wait $$consumer 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

## Two workers: the SQLite half and the PostgreSQL half run side by side.
TEST_WORKERS ?= 2
test: install-test
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup

bench: install-test
	@set -e; for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script; done

translations: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --omit-header -o survey_app/translations/messages.pot .
	$(VENV)/bin/pybabel update -i survey_app/translations/messages.pot -d survey_app/translations --no-fuzzy-matching
	$(VENV)/bin/pybabel compile -d survey_app/translations

clean:
	rm -rf $(VENV) instance .pytest_cache

# Two commands do all the set-up on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app association
PORT ?= 5000
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test lint install install-test translations extract-messages serve migrate seed clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

# The message catalogues are compiled at install time (the .mo files are not committed).
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d association/translations -f 2>&1 | grep -v '^compiling' || true
	@test -f association/translations/kk/LC_MESSAGES/messages.mo

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output --ignore-dirs '.* venv' -o association/translations/messages.pot .
	$(BIN)/pybabel update -i association/translations/messages.pot -d association/translations --no-fuzzy-matching --ignore-obsolete -w 120

migrate: install
	ASSOCIATION_ENV=development $(FLASK) db upgrade

seed: migrate
	ASSOCIATION_ENV=development $(FLASK) seed --demo

# Set up (idempotent) and serve on http://127.0.0.1:$(PORT) with SQLite in ./instance.
run: seed
	@echo "Serving on http://127.0.0.1:$(PORT)  (demo logins: instance/demo-logins.txt)"
	ASSOCIATION_ENV=development $(FLASK) run --host 127.0.0.1 --port $(PORT)

# The gate: ruff (pyflakes, imports, bugbear, pycodestyle) over the whole tree, mypy over the package.
lint: install-test
	$(BIN)/ruff check association tests migrations bench config.py wsgi.py
	$(BIN)/mypy

# The gate, then the whole suite, on SQLite, or on the PostgreSQL database named by TEST_DATABASE_URL.
test: install-test lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache test-output

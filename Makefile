# poster_review: `make run` sets everything up and serves the demo; `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
INI    ?= development.ini
STAMP  := $(VENV)/.installed
NPM    := $(shell command -v npm 2>/dev/null)
# axe-core (accessibility checks in browser tests) comes from npm when npm is there.
AXE    := $(if $(NPM),node_modules/axe-core/axe.min.js)

.PHONY: run test test-fast test-slow lint messages bench clean install

$(STAMP): pyproject.toml setup.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "poster_review needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## The first command: install, migrate SQLite, load the demo congress, serve on :6543.
run: $(STAMP)
	$(BIN)/poster-review -c $(INI) db upgrade
	$(BIN)/poster-review -c $(INI) demo
	$(BIN)/poster-review -c $(INI) serve

## The second command: lint, type-check and the whole test suite.
test: $(STAMP) $(AXE) lint
	$(BIN)/pytest -q

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent

test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not browser and not slow" -x

## Long fuzzing and soak runs, kept out of CI's time budget.
test-slow: $(STAMP)
	$(BIN)/pytest -q -m slow --run-slow

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Extract every translatable string into poster_review/locale/poster_review.pot
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ --no-location --sort-output --no-wrap \
		--project poster_review -o poster_review/locale/poster_review.pot .

bench: $(STAMP)
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var build dist *.egg-info

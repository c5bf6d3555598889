# riikg — run `make help` for the targets. `make serve` and `make test` do all their own set-up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
BASE_STAMP := $(VENV)/.installed-base
TEST_STAMP := $(VENV)/.installed-test
VENDOR_STAMP := endpoint/static/vendor/.built
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install install-test system-deps vendor serve load test lint format typecheck bench clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(BASE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(BASE_STAMP)

install: $(BASE_STAMP) ## Create .venv and install riikg

install-test: $(TEST_STAMP) ## Create .venv and install riikg with the test tools

$(VENDOR_STAMP): frontend/package.json frontend/package-lock.json frontend/build.mjs
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && node build.mjs
	touch $@

vendor: $(VENDOR_STAMP) ## Build the front-end libraries (YASGUI, Leaflet) from the npm registry

load: install ## Load the bundled data (validated) into the embedded store under var/
	$(BIN)/riikg load --default

serve: install vendor load ## Set up, load the bundled data and serve on http://localhost:8080/
	$(BIN)/riikg serve --port 8080

system-deps: ## Install the Debian packages the tests use (Virtuoso, Chromium) when allowed
	bash scripts/system-deps

test: install-test vendor system-deps ## Set up (Debian packages included) and run the whole test suite
	$(BIN)/python -m pytest -rs $(PYTEST_ARGS)

lint: install-test ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test ## Apply ruff format and fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install-test ## mypy
	$(BIN)/mypy riikg loaders endpoint bench

bench: install-test vendor ## Run the benchmarks; writes docs/benchmarks.md
	$(BIN)/python -m bench.run

clean: ## Remove the virtual environment, the store and built assets
	rm -rf $(VENV) var endpoint/static/vendor frontend/node_modules

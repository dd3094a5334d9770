# The two commands of the quick start: `make run` and `make test`. Both create/update .venv themselves.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: run test lint typecheck unit bench clean tz-matrix

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/oms run config/examples/rebalance.csv

lint: $(STAMP)
	$(BIN)/ruff check oms adapters tests scripts
	$(BIN)/ruff format --check oms adapters tests scripts
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy oms adapters

test: lint typecheck
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# `make test` already spreads the broker suites over three host zones (tests/hostzone.py); this runs each whole.
TZ_ZONES := Europe/Berlin America/New_York Asia/Tokyo
tz-matrix: $(STAMP)
	@for zone in $(TZ_ZONES); do \
		echo "tz-matrix: $$zone"; \
		OMS_TEST_TZ=$$zone $(BIN)/python -m pytest -q -n 2 tests/integration/ibkr tests/integration/alpaca || exit 1; \
	done

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

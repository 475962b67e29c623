# One Makefile. The README names `make run` (the main job) and `make test` (the tests); CI runs `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DATA ?= data

.PHONY: install run demo test test-fast lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## The main job: build the environment, ingest the sample corpus (and ../shared/seeds if present), show example searches.
run: install
	$(BIN)/kechuang demo --data-dir $(DATA)

## All tests, offline (sockets blocked except loopback), plus lint.
test: install
	$(BIN)/ruff check assistant tests scripts bench
	$(BIN)/python -m pytest

## Quick loop while developing: skips nothing, just stops at the first failure.
test-fast: install
	$(BIN)/python -m pytest -x -q

lint: install
	$(BIN)/ruff check assistant tests scripts bench

## Benchmarks: ingest throughput and query latency (sample corpus, and synthetic up to 100k chunks).
bench: install
	$(BIN)/python -m bench.run --out bench/RESULTS.md

clean:
	rm -rf $(VENV) $(DATA) .pytest_cache .ruff_cache

# The two commands of the README: `make run` and `make test`. Each does its own set-up.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export INSIDERS_RAW_PATH ?= data/raw/online_retail.parquet
export INSIDERS_DUCKDB_PATH ?= insiders.duckdb
SCALE ?= 1
SEED ?= 42

.PHONY: help install data run build docs report test lint pytest benchmark replay clean

help:
	@echo "make run    - install, generate the built-in data if missing, dbt build, docs and report"
	@echo "make test   - install, lint (ruff, sqlfluff, dbt-score) and run every test"
	@echo "make benchmark / make replay / make clean"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

data: $(STAMP)
	@if [ "$(INSIDERS_RAW_PATH)" = "data/raw/online_retail.parquet" ]; then \
	  $(BIN)/insiders generate --out $(INSIDERS_RAW_PATH) --scale $(SCALE) --seed $(SEED); \
	fi
	$(BIN)/insiders inspect $(INSIDERS_RAW_PATH)

build: data
	$(BIN)/dbt build

run: build
	$(BIN)/insiders summary

test: $(STAMP) lint pytest

lint: $(STAMP)
	$(BIN)/ruff check python models tests
	$(BIN)/ruff format --check python models tests
	$(BIN)/sqlfluff lint models tests analyses
	$(BIN)/dbt-score lint --run-dbt-parse

pytest: $(STAMP)
	$(BIN)/pytest

clean:
	rm -rf target logs reports $(INSIDERS_DUCKDB_PATH)

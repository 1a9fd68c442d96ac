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
export INSIDERS_DUCKDB_PATH ?= insiders.duckdb
# Where make run writes the report, the docs site and the members list.
export INSIDERS_REPORTS_DIR ?= reports
# Recipes read the paths as quoted shell variables ("$$INSIDERS_RAW_PATH"), never as $(...)
# pasted into the command line, so any name works: spaces, quotes, non-ASCII.
SCALE ?= 1
SEED ?= 42

.PHONY: help install browser data run build docs report members java test lint pytest benchmark benchmark-stages benchmark-spark replay clean

help:
	@echo "make run    - install, generate the built-in data if missing, build and publish the"
	@echo "              database (insiders build), report, docs and members list"
	@echo "make test   - install, lint (ruff, sqlfluff, dbt-score) and run every test"
	@echo "make benchmark / make benchmark-stages / make benchmark-spark / make replay / make clean"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $(STAMP)

install: $(STAMP)

# Headless Chromium, for the test that opens the docs site's lineage graph (Debian's package).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed: the docs-site test will be skipped"; fi; }

# Java, for the Spark target's test (pyspark runs Spark in a JVM; Debian's package).
java:
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null; \
	  else echo "java is not installed: the Spark target's test will be skipped"; fi; }

# Without INSIDERS_RAW_PATH, the built-in data (insiders.paths holds its default path).
data: $(STAMP)
	@if [ -z "$${INSIDERS_RAW_PATH:-}" ]; then \
	  $(BIN)/insiders generate --scale $(SCALE) --seed $(SEED); \
	fi
	$(BIN)/insiders inspect

# Production: dbt build into a work copy, published over INSIDERS_DUCKDB_PATH only if all passed.
build: data
	$(BIN)/insiders build

run: build report docs members
	$(BIN)/insiders summary "$$INSIDERS_REPORTS_DIR/insiders_report.html" \
	  "$$INSIDERS_REPORTS_DIR/docs.html" "$$INSIDERS_REPORTS_DIR/insiders_members.csv"

report: build
	$(BIN)/insiders report --output "$$INSIDERS_REPORTS_DIR/insiders_report.html"

docs: build
	$(BIN)/insiders docs --output "$$INSIDERS_REPORTS_DIR/docs.html"

members: build
	$(BIN)/insiders export --members --output "$$INSIDERS_REPORTS_DIR/insiders_members.csv"

test: $(STAMP) browser java lint pytest

lint: $(STAMP)
	$(BIN)/ruff check python models tests benchmarks
	$(BIN)/ruff format --check python models tests benchmarks
	$(BIN)/sqlfluff lint models tests analyses
	$(BIN)/dbt-score lint --run-dbt-parse

pytest: $(STAMP)
	$(BIN)/pytest

# Replays the pipeline at every month end of the data, as a monthly scheduled run would.
replay: data
	$(BIN)/insiders replay --database "$$INSIDERS_REPORTS_DIR/replay.duckdb" --overwrite

# Times the pipeline against the study's notebook and a lower bound; writes BENCHMARKS.md.
benchmark: $(STAMP)
	$(BIN)/python -m benchmarks.run --scales 0.1 1 10 100 --duckdb-memory-limit 6GB

# Only the per-stage table of one whole dbt build at scale 1 (a couple of minutes); rewrites its
# section of BENCHMARKS.md.
benchmark-stages: $(STAMP)
	$(BIN)/python -m benchmarks.stages --scale 1

# Times the SQL part on a local Spark against DuckDB; writes the Spark section of BENCHMARKS.md.
benchmark-spark: $(STAMP)
	$(BIN)/python -m benchmarks.spark --scales 1 10

clean:
	rm -rf target logs "$$INSIDERS_REPORTS_DIR" "$$INSIDERS_DUCKDB_PATH"

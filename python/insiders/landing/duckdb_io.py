"""The in-memory DuckDB connection the csv and parquet readers parse with."""

from __future__ import annotations

import re

import duckdb
import pyarrow as pa

from insiders.landing.landed import RawFileError

BATCH_ROWS = 100_000


def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("set preserve_insertion_order = true")
    con.execute("set TimeZone = 'UTC'")
    con.execute("set enable_progress_bar = false")
    return con


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def arrow_reader(relation: duckdb.DuckDBPyRelation, rows: int) -> pa.RecordBatchReader:
    # duckdb 2.0 renamed fetch_record_batch to to_arrow_reader; 1.x only has the former.
    to_reader = getattr(relation, "to_arrow_reader", None) or relation.fetch_record_batch
    return to_reader(rows)


def duckdb_problem(path: str, error: duckdb.Error) -> RawFileError:
    # Keep DuckDB's line and reason; drop its advice and its dump of the reader's options.
    message = re.split(r"Possible fixes|\n\s+file = ", str(error), maxsplit=1)[0].strip()
    message = message.removeprefix("Invalid Input Error: ")
    return RawFileError(f"{path}: {message}")

"""The in-memory DuckDB connection the readers parse with, and typed values rendered as text."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import duckdb
import pyarrow as pa

from insiders.landing.landed import (
    CANONICAL_COLUMNS,
    MAX_EXACT_INTEGER,
    TIMESTAMP_FORMAT,
    TYPED_VALUES,
    RawFileError,
)

BATCH_ROWS = 100_000


def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("set preserve_insertion_order = true")
    con.execute("set TimeZone = 'UTC'")
    con.execute("set enable_progress_bar = false")
    # A parquet file's statistics leave NaN out of a column's min and max: with them, DuckDB
    # folds isnan() to false and a NaN would land as 'nan' (text) or NaN (typed), not as null.
    con.execute("set disabled_optimizers = 'statistics_propagation'")
    return con


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def text_sql(column: str, column_type: str) -> str:
    """SQL rendering a typed column (parquet, a workbook's) as the canonical text of its type.

    The text is :func:`insiders.landing.landed.cell_text`'s for each value: DuckDB writes a
    double in Python's shortest round-trip form, which Arrow's cast to string does not.
    """
    value = quoted(column)
    kind = column_type.upper()
    if kind.startswith(("TIMESTAMP", "DATE")):
        return f"strftime(cast({value} as timestamp), '{TIMESTAMP_FORMAT}')"
    if kind in ("DOUBLE", "FLOAT") or kind.startswith("DECIMAL"):
        not_a_number = f"when isnan({value}) then null " if kind in ("DOUBLE", "FLOAT") else ""
        return (
            f"case {not_a_number}when {value} = trunc({value}) and abs({value}) < "
            f"{MAX_EXACT_INTEGER} then cast(cast({value} as bigint) as varchar) "
            f"else cast({value} as varchar) end"
        )
    if kind == "BOOLEAN":
        return f"case when {value} then 'TRUE' when not {value} then 'FALSE' end"
    return f"cast({value} as varchar)"


WHOLE_NUMBER_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
)


def typed_sql(column: str, column_type: str, landed_type: str) -> tuple[str, str] | None:
    """SQL landing a typed column with its type: (its text, its value in ``landed_type``).

    The text is null, but for a whole number the value cannot hold exactly (2**53 or more),
    which lands as text, its value null. None: the column lands as text (:func:`text_sql`).
    The value is the one staging would parse from the text: timestamps to the second, in UTC,
    and NaN as null.
    """
    value = quoted(column)
    kind = column_type.upper()
    no_text = "cast(null as varchar)"
    if landed_type == "timestamp":
        if kind.startswith(("TIMESTAMP", "DATE")):
            return no_text, f"date_trunc('second', cast({value} as timestamp))"
        return None
    if kind == "DOUBLE":
        return no_text, f"case when not isnan({value}) then {value} end"
    if kind in WHOLE_NUMBER_TYPES:
        exact = f"{value} > -{MAX_EXACT_INTEGER} and {value} < {MAX_EXACT_INTEGER}"
        return (
            f"case when not ({exact}) then cast({value} as varchar) end",
            f"case when {exact} then cast({value} as double) end",
        )
    return None


def landed_columns(
    columns: Sequence[str | None],
    types: dict[str, str],
    text: Callable[[str, str], str] = text_sql,
) -> tuple[list[str], dict[str, str]]:
    """The select list of a typed file's landing: each canonical column's text (``text`` of the
    file column fed to it, its name and type), and the values that land typed, by canonical
    name. ``columns`` holds the file column of each canonical column, None when unmapped."""
    texts, values = [], {}
    for name, column in zip(CANONICAL_COLUMNS, columns, strict=True):
        if column is None:
            texts.append(f"cast(null as varchar) as {name}")
            continue
        landed_type = "timestamp" if name == "invoice_date" else "double"
        typed = typed_sql(column, types[column], landed_type) if name in TYPED_VALUES else None
        if typed is None:
            texts.append(f"{text(column, types[column])} as {name}")
            continue
        texts.append(f"{typed[0]} as {name}")
        values[name] = f"{typed[1]} as {name}_value"
    return texts, values


def arrow_reader(relation: duckdb.DuckDBPyRelation, rows: int) -> pa.RecordBatchReader:
    # duckdb 2.0 renamed fetch_record_batch to to_arrow_reader; 1.x only has the former.
    to_reader = getattr(relation, "to_arrow_reader", None) or relation.fetch_record_batch
    return to_reader(rows)


def duckdb_problem(path: str, error: duckdb.Error) -> RawFileError:
    # Keep DuckDB's line and reason; drop its advice and its dump of the reader's options.
    message = re.split(r"Possible fixes|\n\s+file = ", str(error), maxsplit=1)[0].strip()
    message = message.removeprefix("Invalid Input Error: ")
    return RawFileError(f"{path}: {message}")

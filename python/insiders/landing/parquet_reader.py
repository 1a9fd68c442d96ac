"""Land a parquet file: numbers and timestamps with their types, other columns as text.

A quantity, price, customer id or amount stored as a double or a whole number, and an invoice
date stored as a timestamp or date, land typed (:data:`insiders.landing.landed.TYPED_VALUES`);
any other column is rendered by DuckDB as the canonical text of its type.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pyarrow as pa

from insiders.landing import duckdb_io
from insiders.landing.landed import (
    CANONICAL_COLUMNS,
    ExaminedFile,
    LandingOptions,
    RawFileError,
    Shape,
    landed_batch,
    match_columns,
)

FILE_FORMAT = "parquet"
EXTENSIONS = (".parquet",)
MAGIC = b"PAR1"


def examine(path: str, options: LandingOptions) -> ExaminedFile:
    """Match the column names; the row count comes from the file's metadata."""
    shape = _parquet_shape(path, options)
    return ExaminedFile(shape, lambda: _parquet_batches(shape))


def _parquet_shape(path: str, options: LandingOptions) -> Shape:
    con = duckdb_io.connect()
    source = duckdb_io.sql_string(path)
    try:
        described = con.sql(f"describe select * from read_parquet({source})")
        columns = tuple(str(row[0]) for row in described.fetchall())
        counted = con.sql(f"select sum(num_rows) from parquet_file_metadata({source})")
        metadata = counted.fetchall()[0]
    except duckdb.Error as error:
        raise RawFileError(f"{path}: not a readable parquet file ({error})") from None
    finally:
        con.close()
    match = match_columns(path, columns, options)
    if not metadata or not metadata[0]:
        raise RawFileError(f"{path}: has columns but no rows")
    return Shape(
        path,
        f"parquet_{match.family}",
        FILE_FORMAT,
        columns,
        None,
        (),
        tuple(None if position is None else columns[position] for position in match.positions),
    )


def _parquet_batches(shape: Shape) -> Iterator[pa.RecordBatch]:
    con = duckdb_io.connect()
    try:
        source = f"read_parquet({duckdb_io.sql_string(shape.path)}, file_row_number = true)"
        types = {str(row[0]): str(row[1]) for row in con.sql(f"describe from {source}").fetchall()}
        columns = [None if column is None else str(column) for column in shape.source_columns]
        texts, values = duckdb_io.landed_columns(columns, types)
        relation = con.sql(
            f"select file_row_number + 1 as source_line, {', '.join(texts)}"
            f"{''.join(', ' + sql for sql in values.values())} from {source}"
        )
        count = len(CANONICAL_COLUMNS)
        for batch in duckdb_io.arrow_reader(relation, duckdb_io.BATCH_ROWS):
            typed = dict(zip(values, batch.columns[1 + count :], strict=True))
            text_columns = batch.columns[1 : 1 + count]
            yield landed_batch(shape, None, batch.column(0), text_columns, None, typed)
    except duckdb.Error as error:
        raise duckdb_io.duckdb_problem(shape.path, error) from None
    finally:
        con.close()

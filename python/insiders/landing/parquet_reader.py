"""Land a parquet file: each typed column rendered by DuckDB as the canonical text of its type."""

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
        select = ", ".join(
            f"{duckdb_io.text_sql(str(column), types[str(column)])} as {name}"
            if column is not None
            else f"cast(null as varchar) as {name}"
            for name, column in zip(CANONICAL_COLUMNS, shape.source_columns, strict=True)
        )
        relation = con.sql(f"select file_row_number + 1 as source_line, {select} from {source}")
        for batch in duckdb_io.arrow_reader(relation, duckdb_io.BATCH_ROWS):
            yield landed_batch(shape, None, batch.column(0), batch.columns[1:])
    except duckdb.Error as error:
        raise duckdb_io.duckdb_problem(shape.path, error) from None
    finally:
        con.close()

"""Land a csv: DuckDB parses it, the landing keeps each row's physical line number.

csv values are the file's text verbatim; an empty field lands as null.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

import duckdb
import numpy as np
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
from insiders.landing.text_scan import TextScan, TextScanError, declared_encoding, scan_text

FILE_FORMAT = "csv"
EXTENSIONS = (".csv",)
MAGIC = None  # text: no magic bytes
_WRONG_DELIMITERS = {";": "semicolon", "\t": "tab", "|": "pipe"}


def examine(path: str, options: LandingOptions) -> ExaminedFile:
    """Settle the encoding, count the lines and match the header; rows are checked later."""
    try:
        scan = scan_text(path, declared_encoding(options.encoding))
    except TextScanError as error:
        raise RawFileError(f"{path}: {error}") from None
    shape = _csv_shape(path, scan, options)
    return ExaminedFile(shape, lambda: _csv_batches(shape, scan))


def _csv_shape(path: str, scan: TextScan, options: LandingOptions) -> Shape:
    text = scan.header.decode(scan.encoding).removeprefix("\ufeff").rstrip("\r")
    if not text.strip():
        raise RawFileError(f"{path}: line 1 is empty; expected the header")
    columns = tuple(next(csv.reader([text])))
    if len(columns) == 1:
        for delimiter, name in _WRONG_DELIMITERS.items():
            if delimiter in text:
                raise RawFileError(
                    f"{path}: the header reads as one column {text!r}; the delimiter looks "
                    f"wrong (it contains the {name} {delimiter!r}, expected a comma)"
                )
    match = match_columns(path, columns, options.column_sets)
    if scan.physical_lines - 1 - len(scan.blank_lines) <= 0:
        raise RawFileError(f"{path}: has a header but no data lines")
    name = {"uci": "study_csv" if match.ignored else "kaggle_csv", "retail_ii": "retail_ii_csv"}
    shape_name = name.get(match.family, f"{match.family}_csv")
    return Shape(path, shape_name, FILE_FORMAT, columns, scan.encoding, (), match.positions)


def _read_csv_sql(shape: Shape, scan: TextScan, parallel: bool = True) -> str:
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(shape.columns)))
    return (
        f"read_csv({duckdb_io.sql_string(shape.path)}, columns = {{{columns}}}, header = false, "
        f"skip = 1, delim = ',', quote = '\"', escape = '\"', null_padding = true, "
        f"auto_detect = false, encoding = '{scan.encoding}', parallel = {str(parallel).lower()})"
    )


def _csv_batches(shape: Shape, scan: TextScan) -> Iterator[pa.RecordBatch]:
    """Validate the whole csv now (errors surface before any line lands), then stream it.

    DuckDB parses; rows come out in file order, so row k is the k-th non-blank line after the
    header, unless a quoted value spans lines. A first counting pass proves there is none
    (rows = non-blank lines); otherwise Python's csv module, which knows the line each row
    starts on, lands the file instead.
    """
    con = duckdb_io.connect()
    try:
        exact = _rows_are_lines(con, shape, scan)
    except BaseException:
        con.close()
        raise
    if not exact:
        con.close()
        return _csv_module_batches(shape, scan)
    return _duckdb_csv_batches(shape, scan, con)


def _rows_are_lines(con: duckdb.DuckDBPyConnection, shape: Shape, scan: TextScan) -> bool:
    try:
        rows = con.sql(f"select count(*) from {_read_csv_sql(shape, scan)}").fetchall()
        if rows[0][0] == scan.physical_lines - 1 - len(scan.blank_lines):
            return True
    except duckdb.Error as error:
        if "quoted new lines" not in str(error):
            raise duckdb_io.duckdb_problem(shape.path, error) from None
    try:
        con.sql(f"select count(*) from {_read_csv_sql(shape, scan, False)}").fetchall()
    except duckdb.Error as error:
        raise duckdb_io.duckdb_problem(shape.path, error) from None
    return False


def _duckdb_csv_batches(
    shape: Shape, scan: TextScan, con: duckdb.DuckDBPyConnection
) -> Iterator[pa.RecordBatch]:
    try:
        select = ", ".join(
            f"c{position} as {name}"
            for name, position in zip(CANONICAL_COLUMNS, shape.source_columns, strict=True)
        )
        relation = con.sql(f"select {select} from {_read_csv_sql(shape, scan)}")
        next_line = 2
        for batch in duckdb_io.arrow_reader(relation, duckdb_io.BATCH_ROWS):
            lines = line_numbers(next_line, batch.num_rows, scan.blank_lines)
            if len(lines):
                next_line = int(lines[-1]) + 1
            yield landed_batch(shape, None, lines, batch.columns)
    except duckdb.Error as error:
        raise duckdb_io.duckdb_problem(shape.path, error) from None
    finally:
        con.close()


def line_numbers(first: int, count: int, blank_lines: np.ndarray) -> np.ndarray:
    """The next ``count`` line numbers from ``first`` on, skipping blank lines."""
    end = first + count
    while True:
        skipped = np.searchsorted(blank_lines, end) - np.searchsorted(blank_lines, first)
        if end - first - skipped >= count:
            break
        end = first + count + skipped
    candidates = np.arange(first, end, dtype=np.int64)
    return candidates[~np.isin(candidates, blank_lines)][:count]


def _csv_module_batches(shape: Shape, scan: TextScan) -> Iterator[pa.RecordBatch]:
    encoding = "utf-8-sig" if scan.encoding == "utf-8" else scan.encoding
    width = len(shape.columns)
    with open(shape.path, encoding=encoding, newline="") as text:
        reader = csv.reader(text, strict=False)
        next(reader)
        previous_end = reader.line_num
        lines: list[int] = []
        values: list[list[str | None]] = [[] for _ in CANONICAL_COLUMNS]
        for row in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not row:
                continue
            if len(row) > width:
                raise RawFileError(
                    f"{shape.path}: line {start} has {len(row)} fields, the header {width}"
                )
            lines.append(start)
            for column, position in zip(values, shape.source_columns, strict=True):
                assert isinstance(position, int)
                column.append(row[position] or None if position < len(row) else None)
            if len(lines) == duckdb_io.BATCH_ROWS:
                yield landed_batch(shape, None, lines, values)
                lines, values = [], [[] for _ in CANONICAL_COLUMNS]
        if lines:
            yield landed_batch(shape, None, lines, values)

"""Land a csv: DuckDB parses it, the landing keeps each row's physical line number.

csv values are the file's text verbatim; an empty field lands as null. A line with another
number of fields than the header lands with ``line_error`` set (``wrong_field_count``, or
``truncated_last_line`` for a last line with no newline that stops short), so that staging
rejects it with that reason; its values are the fields it has.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

import duckdb
import numpy as np
import pyarrow as pa

from insiders.landing import duckdb_io
from insiders.landing.csv_lines import (
    CsvSource,
    RejectedLine,
    field_count_error,
    line_numbers,
    rejected_lines,
    skip_lines,
)
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
    data_lines = scan.physical_lines - 1 - len(scan.blank_lines)
    return ExaminedFile(shape, lambda: _csv_batches(shape, scan), data_lines)


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
    match = match_columns(path, columns, options)
    if scan.physical_lines - 1 - len(scan.blank_lines) <= 0:
        raise RawFileError(f"{path}: has a header but no data lines")
    name = {"uci": "study_csv" if match.ignored else "kaggle_csv", "retail_ii": "retail_ii_csv"}
    shape_name = name.get(match.family, f"{match.family}_csv")
    return Shape(path, shape_name, FILE_FORMAT, columns, scan.encoding, (), match.positions)


def _csv_batches(shape: Shape, scan: TextScan) -> Iterator[pa.RecordBatch]:
    """Validate the whole csv now (errors surface before any line lands), then stream it.

    DuckDB parses; rows come out in file order, so row k is the k-th non-blank line after the
    header (lines with too many fields come out of DuckDB's rejects instead), unless a quoted
    value spans lines. A first counting pass proves there is none; otherwise Python's csv
    module, which knows the line each row starts on, lands the file instead.
    """
    source = CsvSource.open(shape, scan)
    con = duckdb_io.connect()
    try:
        rejected = _counted_rejects(con, source)
    except BaseException:
        con.close()
        source.close()
        raise
    if rejected is None:
        con.close()
        source.close()
        return _csv_module_batches(shape, scan)
    return _duckdb_csv_batches(source, con, rejected)


def _counted_rejects(
    con: duckdb.DuckDBPyConnection, source: CsvSource
) -> list[RejectedLine] | None:
    """The lines DuckDB rejects, if its rows are the file's lines; None if they are not."""
    try:
        rows = con.sql(f"select count(*) from {source.read_csv_sql()}").fetchall()[0][0]
        rejected = rejected_lines(con, source)
        scan = source.scan
        if rows == scan.physical_lines - 1 - len(scan.blank_lines) - len(rejected):
            return rejected
    except duckdb.Error as error:
        if "quoted new lines" not in str(error):
            raise duckdb_io.duckdb_problem(source.shape.path, error) from None
    try:
        con.sql(f"select count(*) from {source.read_csv_sql(parallel=False)}").fetchall()
        rejected_lines(con, source)
    except duckdb.Error as error:
        raise duckdb_io.duckdb_problem(source.shape.path, error) from None
    return None


def _duckdb_csv_batches(
    source: CsvSource, con: duckdb.DuckDBPyConnection, rejected: list[RejectedLine]
) -> Iterator[pa.RecordBatch]:
    shape, scan = source.shape, source.scan
    width = len(shape.columns)
    skipped = skip_lines(scan.blank_lines, [line.line for line in rejected])
    try:
        select = ", ".join(
            f"nullif(c{position}, '') as {name}"
            if position is not None
            else f"cast(null as varchar) as {name}"
            for name, position in zip(CANONICAL_COLUMNS, shape.source_columns, strict=True)
        )
        relation = con.sql(
            f"select {select}, c{width - 1} is null as is_short from {source.read_csv_sql()}"
        )
        next_line = 2
        for batch in duckdb_io.arrow_reader(relation, duckdb_io.BATCH_ROWS):
            lines = line_numbers(next_line, batch.num_rows, skipped)
            if len(lines):
                next_line = int(lines[-1]) + 1
            errors: list[str | None] = [None] * batch.num_rows
            is_short = batch.column(len(CANONICAL_COLUMNS)).to_numpy(zero_copy_only=False)
            for row in np.flatnonzero(is_short):
                errors[row] = field_count_error(int(lines[row]), width - 1, width, scan)
            yield landed_batch(shape, None, lines, batch.columns[:-1], errors)
    except duckdb.Error as error:
        raise duckdb_io.duckdb_problem(shape.path, error) from None
    finally:
        con.close()
        source.close()
    yield from _rejected_batches(shape, rejected)


def _rejected_batches(shape: Shape, rejected: list[RejectedLine]) -> Iterator[pa.RecordBatch]:
    if not rejected:
        return
    values = [
        [
            line.fields[position] or None
            if position is not None and position < len(line.fields)
            else None
            for line in rejected
        ]
        for position in shape.source_columns
    ]
    lines = [line.line for line in rejected]
    yield landed_batch(shape, None, lines, values, [line.error for line in rejected])


def _csv_module_batches(shape: Shape, scan: TextScan) -> Iterator[pa.RecordBatch]:
    encoding = "utf-8-sig" if scan.encoding == "utf-8" else scan.encoding
    width = len(shape.columns)
    with open(shape.path, encoding=encoding, newline="") as text:
        reader = csv.reader(text, strict=False)
        next(reader)
        previous_end = reader.line_num
        lines: list[int] = []
        errors: list[str | None] = []
        values: list[list[str | None]] = [[] for _ in CANONICAL_COLUMNS]
        for row in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not row:
                continue
            lines.append(start)
            errors.append(field_count_error(reader.line_num, len(row), width, scan))
            for column, position in zip(values, shape.source_columns, strict=True):
                assert position is None or isinstance(position, int)
                known = position is not None and position < len(row)
                column.append(row[position] or None if known else None)
            if len(lines) == duckdb_io.BATCH_ROWS:
                yield landed_batch(shape, None, lines, values, errors)
                lines, errors, values = [], [], [[] for _ in CANONICAL_COLUMNS]
        if lines:
            yield landed_batch(shape, None, lines, values, errors)

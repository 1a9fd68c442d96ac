"""Land a whitespace-separated text file (``.txt``): a header line, then fields split on runs of
spaces or tabs, as the CDNOW data ships. Values therefore hold no spaces.

The encoding is settled as for a csv (:mod:`insiders.landing.text_scan`); a line with another
number of fields than the header lands with ``line_error`` ``wrong_field_count`` and the fields
it has; blank lines carry no row. ``source_line`` is the physical line (the header is line 1).
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

from insiders.landing.csv_lines import WRONG_FIELD_COUNT
from insiders.landing.duckdb_io import BATCH_ROWS
from insiders.landing.landed import (
    CANONICAL_COLUMNS,
    ExaminedFile,
    LandingOptions,
    RawFileError,
    Shape,
    landed_batch,
    match_columns,
)
from insiders.landing.text_scan import TextScanError, declared_encoding, scan_text

FILE_FORMAT = "txt"
EXTENSIONS = (".txt",)
MAGIC = None  # text: no magic bytes


def examine(path: str, options: LandingOptions) -> ExaminedFile:
    """Settle the encoding, count the lines and match the header's words to the mapping."""
    try:
        scan = scan_text(path, declared_encoding(options.encoding))
    except TextScanError as error:
        raise RawFileError(f"{path}: {error}") from None
    columns = tuple(scan.header.decode(scan.encoding).removeprefix("\ufeff").split())
    if not columns:
        raise RawFileError(f"{path}: line 1 is empty; expected the header")
    match = match_columns(path, columns, options)
    data_lines = scan.physical_lines - 1 - len(scan.blank_lines)
    if data_lines <= 0:
        raise RawFileError(f"{path}: has a header but no data lines")
    shape = Shape(
        path, f"{match.family}_txt", FILE_FORMAT, columns, scan.encoding, (), match.positions
    )
    return ExaminedFile(shape, lambda: _text_batches(shape), data_lines)


def _text_batches(shape: Shape) -> Iterator[pa.RecordBatch]:
    encoding = "utf-8-sig" if shape.encoding == "utf-8" else shape.encoding
    width = len(shape.columns)
    # newline="\n": lines end where the scan counted them (a lone carriage return does not).
    with open(shape.path, encoding=encoding, newline="\n") as text:
        next(text)
        lines: list[int] = []
        errors: list[str | None] = []
        values: list[list[str | None]] = [[] for _ in CANONICAL_COLUMNS]
        for number, line in enumerate(text, start=2):
            fields = line.split()
            if not fields:
                continue
            lines.append(number)
            errors.append(None if len(fields) == width else WRONG_FIELD_COUNT)
            for column, position in zip(values, shape.source_columns, strict=True):
                known = isinstance(position, int) and position < len(fields)
                column.append(fields[position] if known else None)  # type: ignore[index]
            if len(lines) == BATCH_ROWS:
                yield landed_batch(shape, None, lines, values, errors)
                lines, errors, values = [], [], [[] for _ in CANONICAL_COLUMNS]
        if lines:
            yield landed_batch(shape, None, lines, values, errors)

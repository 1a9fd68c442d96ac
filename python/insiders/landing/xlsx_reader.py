"""Land an xlsx workbook: every sheet with the column set's header, numbers and dates typed.

fastexcel (calamine, in Rust) reads each sheet into Arrow columns, each typed from all of its
cells. A quantity, price, customer id or amount column of numbers, and an invoice date column of
dates, land typed (:data:`insiders.landing.landed.TYPED_VALUES`), as from parquet. DuckDB
renders every other column as the canonical text of its type, the text
:func:`insiders.landing.landed.cell_text` gives a cell, so no cell becomes a Python object. An
empty cell lands as null; numbers are the workbook's stored values, so a price stored as 2.55
lands as ``'2.55'``. A column that mixes text with numbers (UCI's invoice and stock codes)
arrives as text, its other cells written by fastexcel: numbers in their shortest decimal form
(``22633``, ``2.55``, as ``cell_text`` writes them between 1e-4 and 1e16), true and false in
lower case, a time with its milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb
import fastexcel
import numpy as np
import pyarrow as pa

from insiders.landing import duckdb_io
from insiders.landing.landed import (
    ExaminedFile,
    LandingOptions,
    RawFileError,
    Shape,
    landed_batch,
    match_columns,
)

FILE_FORMAT = "xlsx"
EXTENSIONS = (".xlsx",)
MAGIC = b"PK\x03\x04"
# fastexcel's name for a header cell that is empty.
_UNNAMED = re.compile(r"__UNNAMED__\d+")


@dataclass(frozen=True)
class _Sheet:
    title: str
    header: tuple[str, ...]
    family: str
    positions: tuple[int | None, ...]
    cells: pa.RecordBatch  # parsed once, landed from memory


def examine(path: str, options: LandingOptions) -> ExaminedFile:
    """Match every used sheet's header; every sheet must carry the same columns."""
    sheets = _matched_sheets(path, options)
    if not sheets:
        raise RawFileError(f"{path}: every sheet is empty")
    if len({sheet.positions for sheet in sheets}) > 1:
        # Rare; keeps Shape simple: every sheet must order its columns the same way.
        raise RawFileError(f"{path}: the sheets order their columns differently")
    first = sheets[0]
    shape = Shape(
        path,
        f"{first.family}_xlsx",
        FILE_FORMAT,
        first.header,
        None,
        tuple(sheet.title for sheet in sheets),
        first.positions,
    )
    total = sum(sheet.cells.num_rows for sheet in sheets)
    return ExaminedFile(shape, lambda: _xlsx_batches(shape, sheets), total)


def _matched_sheets(path: str, options: LandingOptions) -> list[_Sheet]:
    try:
        workbook = fastexcel.read_excel(path)
    except fastexcel.FastExcelError as error:
        raise RawFileError(f"{path}: not a readable xlsx workbook ({_reason(error)})") from None
    sheets: list[_Sheet] = []
    for title in workbook.sheet_names:
        cells = load_sheet(path, workbook, title)
        header = tuple("" if _UNNAMED.fullmatch(name) else name for name in cells.schema.names)
        if not any(header):
            continue  # nothing in row 1: an unused sheet, or a chart sheet
        where = f" (sheet {title!r})"
        match = match_columns(path, header, options, where)
        if sheets and sheets[0].family != match.family:
            raise RawFileError(
                f"{path}{where}: its columns are the {match.family} set, the first sheet's "
                f"are the {sheets[0].family} set; every sheet must have the same columns"
            )
        sheets.append(_Sheet(title, header, match.family, match.positions, cells))
    # A sheet's cells end at its last used row: rows under the header hold a value.
    if sheets and not any(sheet.cells.num_rows for sheet in sheets):
        raise RawFileError(f"{path}: has a header but no data rows")
    return sheets


def load_sheet(path: str, workbook: fastexcel.ExcelReader, title: str) -> pa.RecordBatch:
    """The sheet's cells as typed Arrow columns named by row 1 (calamine's parse, in Rust)."""
    try:
        # The header is row 1 whatever is empty above the data (skip_rows=0): line numbers
        # stay the sheet's. Every cell of a column decides its type, not a sample. Eager:
        # calamine's cells go straight to Arrow, without a copy of the sheet in between.
        return workbook.load_sheet(
            title, header_row=0, skip_rows=0, schema_sample_rows=None, eager=True
        )
    except fastexcel.FastExcelError as error:  # a damaged sheet inside a readable workbook
        raise RawFileError(f"{path} (sheet {title!r}): not readable ({_reason(error)})") from None


def _reason(error: Exception) -> str:
    return str(error).split("\n", 1)[0]


def _xlsx_batches(shape: Shape, sheets: list[_Sheet]) -> Iterator[pa.RecordBatch]:
    while sheets:
        # Each sheet is let go once landed: memory holds the sheets still to land.
        yield from _sheet_batches(shape, sheets.pop(0))


def _sheet_batches(shape: Shape, sheet: _Sheet) -> Iterator[pa.RecordBatch]:
    cells = sheet.cells
    names = [f"c{n}" for n in range(cells.num_columns)]
    lines = pa.array(np.arange(2, cells.num_rows + 2, dtype=np.int64))
    table = pa.Table.from_batches([cells.rename_columns(names)]).append_column("line", lines)
    con = duckdb_io.connect()
    try:
        con.register("sheet", table)
        sheet_table = con.table("sheet")
        types = {c: str(t) for c, t in zip(sheet_table.columns, sheet_table.dtypes, strict=True)}
        columns = [None if p is None else f"c{p}" for p in sheet.positions]
        texts, values = duckdb_io.landed_columns(columns, types, _cell_text_sql)
        # Excel keeps formatted empty rows; they carry no line.
        used = " or ".join(_has_value_sql(name, types[name]) for name in names)
        selected = ", ".join([*texts, *values.values()])
        relation = con.sql(f"select line, {selected} from sheet where {used}")
        count = len(texts)
        for batch in duckdb_io.arrow_reader(relation, duckdb_io.BATCH_ROWS):
            typed = dict(zip(values, batch.columns[1 + count :], strict=True))
            text_columns = batch.columns[1 : 1 + count]
            yield landed_batch(shape, sheet.title, batch.column(0), text_columns, None, typed)
    except duckdb.Error as error:
        raise duckdb_io.duckdb_problem(shape.path, error) from None
    finally:
        con.close()


def _cell_text_sql(column: str, column_type: str) -> str:
    if column_type.upper() == "VARCHAR":
        return f"nullif({duckdb_io.quoted(column)}, '')"  # an empty text cell is empty
    return duckdb_io.text_sql(column, column_type)


def _has_value_sql(column: str, column_type: str) -> str:
    if column_type.upper() == "VARCHAR":
        return f"{duckdb_io.quoted(column)} <> ''"
    return f"{duckdb_io.quoted(column)} is not null"

"""Land an xlsx workbook: every sheet with the column set's header, cells rendered as text.

python-calamine (Rust) reads the workbook; an empty cell lands as null, a typed cell as the
canonical text of its value (:func:`insiders.landing.landed.cell_text`). Numbers are the
workbook's stored values, so a price stored as 2.55 lands as ``'2.55'``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import python_calamine

from insiders.landing.landed import (
    MAX_EXACT_INTEGER,
    TIMESTAMP_FORMAT,
    ExaminedFile,
    LandingOptions,
    RawFileError,
    Shape,
    cell_text,
    landed_batch,
    match_columns,
)

FILE_FORMAT = "xlsx"
EXTENSIONS = (".xlsx",)
MAGIC = b"PK\x03\x04"
_BATCH_ROWS = 50_000


@dataclass(frozen=True)
class _Sheet:
    title: str
    header: tuple[str, ...]
    family: str
    positions: tuple[int | None, ...]
    data: python_calamine.CalamineSheet  # parsed once, landed from memory


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
    total = sum(sheet.data.total_height - 1 for sheet in sheets)
    return ExaminedFile(shape, lambda: _xlsx_batches(shape, sheets), total)


def _matched_sheets(path: str, options: LandingOptions) -> list[_Sheet]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(path)
    except Exception as error:  # calamine raises several types for a broken workbook
        raise RawFileError(f"{path}: not a readable xlsx workbook ({error})") from None
    sheets: list[_Sheet] = []
    data_rows = False
    try:
        for meta in workbook.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue  # a chart or macro sheet holds no lines
            sheet = _load_sheet(path, workbook, meta.name)
            # Rows from row 1 whatever is empty above the data: row numbers stay the sheet's.
            rows = sheet.iter_rows()
            header = next(rows, None)
            if header is None or header.count("") == len(header):
                continue  # an unused sheet
            where = f" (sheet {meta.name!r})"
            match = match_columns(path, header, options, where)
            if sheets and sheets[0].family != match.family:
                raise RawFileError(
                    f"{path}{where}: its columns are the {match.family} set, the first sheet's "
                    f"are the {sheets[0].family} set; every sheet must have the same columns"
                )
            names = tuple(str(cell) for cell in header)
            sheets.append(_Sheet(meta.name, names, match.family, match.positions, sheet))
            data_rows = data_rows or any(row.count("") != len(row) for row in rows)
    finally:
        workbook.close()
    if sheets and not data_rows:
        raise RawFileError(f"{path}: has a header but no data rows")
    return sheets


def _load_sheet(
    path: str, workbook: python_calamine.CalamineWorkbook, title: str
) -> python_calamine.CalamineSheet:
    try:
        return workbook.get_sheet_by_name(title)
    except Exception as error:  # a damaged sheet inside a readable workbook
        raise RawFileError(f"{path} (sheet {title!r}): not readable ({error})") from None


def _xlsx_batches(shape: Shape, sheets: list[_Sheet]) -> Iterator[pa.RecordBatch]:
    while sheets:
        # Each sheet is let go once landed: memory holds the sheets still to land.
        yield from _sheet_batches(shape, sheets.pop(0))


def _sheet_batches(shape: Shape, sheet: _Sheet) -> Iterator[pa.RecordBatch]:
    rows = sheet.data.iter_rows()
    next(rows)  # the header
    line = 2
    while batch := list(islice(rows, _BATCH_ROWS)):
        # Excel keeps formatted empty rows; they carry no line.
        kept = [(line + n, row) for n, row in enumerate(batch) if row.count("") != len(row)]
        line += len(batch)
        if kept:
            values = [
                [None] * len(kept) if p is None else column_texts([row[p] for _line, row in kept])
                for p in sheet.positions
            ]
            yield landed_batch(shape, sheet.title, [n for n, _row in kept], values)


def column_texts(cells: list[object]) -> list[str | None]:
    """The canonical text of each cell of one column; an empty cell ('') is null.

    Same text as :func:`cell_text` cell by cell; a column of numbers only, or of timestamps
    only, is rendered in bulk (numpy, Arrow), which is most of the time spent on a workbook.
    """
    kinds = set(map(type, cells))
    if kinds == {str}:
        return [cell or None for cell in cells]
    blanks_only = str not in kinds or all(cell == "" for cell in cells if type(cell) is str)
    if blanks_only and kinds - {str} == {float}:
        return _number_texts(cells)
    if blanks_only and kinds - {str} == {dt.datetime}:
        return _timestamp_texts(cells)
    return [
        None if cell == "" else cell if type(cell) is str else cell_text(cell) for cell in cells
    ]


def _number_texts(cells: list[object]) -> list[str | None]:
    values = np.array([np.nan if cell == "" else cell for cell in cells], dtype=np.float64)
    finite = np.isfinite(values)
    whole = finite & (values == np.trunc(values)) & (np.abs(values) < MAX_EXACT_INTEGER)
    texts = np.full(len(values), None, dtype=object)
    texts[whole] = values[whole].astype(np.int64).astype(str)
    texts[finite & ~whole] = [repr(value) for value in values[finite & ~whole].tolist()]
    return texts.tolist()


def _timestamp_texts(cells: list[object]) -> list[str | None]:
    # Seconds resolution first: strftime's %S would print the sub-second part.
    stamps = pa.array([None if cell == "" else cell for cell in cells], pa.timestamp("us"))
    seconds = pc.cast(stamps, pa.timestamp("s"), safe=False)
    return pc.strftime(seconds, format=TIMESTAMP_FORMAT).to_pylist()

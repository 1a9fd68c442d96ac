"""Land an xlsx workbook: every sheet with the column set's header, cells rendered as text."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

from insiders.landing.landed import (
    CANONICAL_COLUMNS,
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
_BATCH_ROWS = 10_000


def examine(path: str, options: LandingOptions) -> ExaminedFile:
    """Match every used sheet's header; every sheet must carry the same columns."""
    shape = _xlsx_shape(path, options)
    return ExaminedFile(shape, lambda: _xlsx_batches(shape))


def _open_workbook(path: str):
    # openpyxl is imported here: only xlsx files need it.
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a broken workbook
        raise RawFileError(f"{path}: not a readable xlsx workbook ({error})") from None


def _xlsx_shape(path: str, options: LandingOptions) -> Shape:
    workbook = _open_workbook(path)
    try:
        sheets, matched, data_rows = [], None, 0
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(min_row=1, values_only=True)
            header = next(rows, None)
            if header is None or all(cell is None for cell in header):
                continue  # an unused sheet
            where = f" (sheet {sheet.title!r})"
            match = match_columns(path, header, options.column_sets, where)
            if matched is not None and matched[0] != match.family:
                raise RawFileError(
                    f"{path}{where}: its columns are the {match.family} set, the first sheet's "
                    f"are the {matched[0]} set; every sheet must have the same columns"
                )
            matched = matched or (match.family, tuple("" if c is None else str(c) for c in header))
            sheets.append((sheet.title, match.positions))
            data_rows += any(any(cell is not None for cell in row) for row in rows)
    finally:
        workbook.close()
    if matched is None:
        raise RawFileError(f"{path}: every sheet is empty")
    if not data_rows:
        raise RawFileError(f"{path}: has a header but no data rows")
    positions_by_sheet = {positions for _title, positions in sheets}
    if len(positions_by_sheet) > 1:
        # Rare; keeps Shape simple: every sheet must order its columns the same way.
        raise RawFileError(f"{path}: the sheets order their columns differently")
    return Shape(
        path,
        f"{matched[0]}_xlsx",
        FILE_FORMAT,
        matched[1],
        None,
        tuple(title for title, _positions in sheets),
        positions_by_sheet.pop(),
    )


def _xlsx_batches(shape: Shape) -> Iterator[pa.RecordBatch]:
    workbook = _open_workbook(shape.path)
    try:
        for title in shape.sheets:
            rows = workbook[title].iter_rows(min_row=2, values_only=True)
            lines: list[int] = []
            values: list[list[str | None]] = [[] for _ in CANONICAL_COLUMNS]
            for line, row in enumerate(rows, start=2):
                if all(cell is None for cell in row):
                    continue  # Excel keeps formatted empty rows; they carry no line
                lines.append(line)
                for column, position in zip(values, shape.source_columns, strict=True):
                    assert isinstance(position, int)
                    column.append(cell_text(row[position]) if position < len(row) else None)
                if len(lines) == _BATCH_ROWS:
                    yield landed_batch(shape, title, lines, values)
                    lines, values = [], [[] for _ in CANONICAL_COLUMNS]
            if lines:
                yield landed_batch(shape, title, lines, values)
    finally:
        workbook.close()

"""Land a raw Online Retail file, in whichever shape it was downloaded, as text lines.

The shape is detected from the file itself: the extension says csv, xlsx or parquet (and the
first bytes must agree), the header says which column set it carries. Column names match
case-insensitively after trimming whitespace. Accepted shapes:

=================  ======  =====================================================================
shape              format  header
=================  ======  =====================================================================
uci_xlsx           xlsx    InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice,
                           CustomerID, Country (every sheet is read)
kaggle_csv         csv     the UCI columns
study_csv          csv     the UCI columns plus unnamed columns such as ``Unnamed: 8``
retail_ii_csv      csv     Invoice, StockCode, Description, Quantity, InvoiceDate, Price,
                           Customer ID, Country
retail_ii_xlsx     xlsx    the Online Retail II columns, one sheet per year (all are read)
parquet_uci        parquet the UCI columns, any letter case
parquet_retail_ii  parquet the Online Retail II columns, any letter case
=================  ======  =====================================================================

Columns with no name (blank, or pandas' ``Unnamed: N`` index artefacts) are accepted and not
landed. Any other extra or missing column is an error.

Every landed line has ``source_file`` (the path as given), ``source_shape``, ``source_sheet``
(xlsx only), ``source_line`` and the eight canonical values, all as text. Nothing is parsed or
dropped here: the staging model casts the text and rejects what does not parse, citing
``source_line``.

``source_line``
    csv: the physical line of the file where the row starts (the header is line 1, so the first
    data row is line 2); blank lines carry no row and are skipped, the numbering stays exact.
    xlsx: the sheet's row number (header row 1). parquet: the 1-based row number (no header).

Text of typed values (xlsx cells, parquet columns); csv values are the file's text verbatim,
with an empty field landed as null:

- timestamps and dates: ``YYYY-MM-DD HH:MM:SS`` (sub-second parts are not kept; time-zone-aware
  parquet timestamps are rendered in UTC);
- integral numbers, whatever their storage type, as integers: CustomerID 17850.0 lands as
  ``'17850'``, Quantity 6 as ``'6'`` (the staging model casts via double either way);
- other numbers in their shortest round-trip form: ``'2.55'``, ``'0.30000000000000004'``,
  ``'1e-05'``; decimals keep their scale (``'2.550'``); NaN (pandas' missing value) lands as
  null;
- empty cells and parquet nulls land as null; strings are kept as they are, spaces included.

Results for the bad files (each a :class:`RawFileError` naming the file, unless said otherwise):

- missing file, a directory, an unsupported extension, content that is not the extension's format;
- empty file (0 bytes): "is empty";
- header only (csv header with no data line, xlsx sheets with no data rows, parquet with 0 rows);
- columns matching no shape, e.g. one missing: the columns found, the missing ones and each
  accepted column set;
- wrong delimiter (``;``, tab or ``|``): the header reads as one column, the message says the
  delimiter looks wrong;
- bytes invalid in the declared encoding: the byte offset and line of the first one;
- a csv line with more fields than the header, or a quote that is never closed: the line;
- a truncated last line (fewer fields than the header) is *not* an error: it lands with nulls
  for the missing fields, and the staging model rejects it.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import datetime as dt
import io
import math
import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

DEFAULT_RAW_PATH = "data/raw/online_retail.parquet"

CANONICAL_COLUMNS = (
    "invoice_no",
    "stock_code",
    "description",
    "quantity",
    "invoice_date",
    "unit_price",
    "customer_id",
    "country",
)

# Each column set lists the file's names in the order of CANONICAL_COLUMNS.
COLUMN_SETS: dict[str, tuple[str, ...]] = {
    "uci": (
        "InvoiceNo",
        "StockCode",
        "Description",
        "Quantity",
        "InvoiceDate",
        "UnitPrice",
        "CustomerID",
        "Country",
    ),
    "retail_ii": (
        "Invoice",
        "StockCode",
        "Description",
        "Quantity",
        "InvoiceDate",
        "Price",
        "Customer ID",
        "Country",
    ),
}

LANDED_SCHEMA = pa.schema(
    [
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("source_shape", pa.string(), nullable=False),
        pa.field("source_sheet", pa.string()),
        pa.field("source_line", pa.int64(), nullable=False),
        *(pa.field(name, pa.string()) for name in CANONICAL_COLUMNS),
    ]
)

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"

_EXTENSIONS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}
_MAGIC = {"xlsx": b"PK\x03\x04", "parquet": b"PAR1"}
_ENCODINGS = {"utf-8": "utf-8", "iso8859-1": "latin-1"}
_UNNAMED = re.compile(r"(unnamed: *\d+)?")
_WRONG_DELIMITERS = {";": "semicolon", "\t": "tab", "|": "pipe"}
_CHUNK_BYTES = 8 * 1024 * 1024
_MAX_HEADER_BYTES = 1024 * 1024
_BATCH_ROWS = 100_000
_XLSX_BATCH_ROWS = 10_000
# Integral doubles beyond 2**53 are not exact integers; they keep their float text.
_MAX_EXACT_INTEGER = 2**53


class RawFileError(ValueError):
    """A raw file that cannot be landed; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Shape:
    """What a raw file is, as detected from its extension and header."""

    path: str
    name: str
    file_format: str
    columns: tuple[str, ...]
    encoding: str | None = None
    sheets: tuple[str, ...] = ()
    # Position (csv, xlsx) or name (parquet) of each canonical column in the file.
    source_columns: tuple[int | str, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class _TextScan:
    """One streaming pass over a csv: its encoding and where its lines are."""

    encoding: str
    header: bytes
    physical_lines: int
    blank_lines: np.ndarray


def detect_shape(path: str | os.PathLike[str], encoding: str = "auto") -> Shape:
    """Detect the shape of the raw file at ``path``; raise RawFileError if it has none.

    A csv is read once, in large chunks, to settle its encoding and count its lines; its rows
    are validated when it is opened with :func:`open_landed`.
    """
    return _examine(os.fspath(path), encoding)[0]


def open_landed(path: str | os.PathLike[str], encoding: str = "auto") -> pa.RecordBatchReader:
    """Stream the landed lines of the raw file at ``path`` (columns of LANDED_SCHEMA).

    ``encoding`` applies to csv: ``auto`` (utf-8 if the whole file is valid utf-8, else
    latin-1), ``utf-8`` or ``latin-1``. The reader can be consumed once.
    """
    shape, scan = _examine(os.fspath(path), encoding)
    return pa.RecordBatchReader.from_batches(LANDED_SCHEMA, _landed_batches(shape, scan))


def _examine(path: str, encoding: str) -> tuple[Shape, _TextScan | None]:
    file_format = _check_file(path)
    if file_format == "csv":
        scan = _scan_text(path, _declared_encoding(path, encoding))
        return _csv_shape(path, scan), scan
    if file_format == "xlsx":
        return _xlsx_shape(path), None
    return _parquet_shape(path), None


def _landed_batches(shape: Shape, scan: _TextScan | None) -> Iterator[pa.RecordBatch]:
    if shape.file_format == "csv":
        assert scan is not None
        return _csv_batches(shape, scan)
    if shape.file_format == "xlsx":
        return _xlsx_batches(shape)
    return _parquet_batches(shape)


def _check_file(path: str) -> str:
    file = Path(path)
    extension = file.suffix.lower()
    if extension not in _EXTENSIONS:
        accepted = ", ".join(_EXTENSIONS)
        raise RawFileError(
            f"{path}: unsupported extension {extension or '(none)'!r}; accepted: {accepted}"
        )
    if not file.exists():
        raise RawFileError(f"{path}: no such file (set INSIDERS_RAW_PATH to the raw file)")
    if not file.is_file():
        raise RawFileError(f"{path}: is not a file")
    if file.stat().st_size == 0:
        raise RawFileError(f"{path}: is empty (0 bytes)")
    file_format = _EXTENSIONS[extension]
    with file.open("rb") as stream:
        head = stream.read(4)
    found = next((name for name, magic in _MAGIC.items() if head == magic), "text")
    if found != file_format and not (file_format == "csv" and found == "text"):
        raise RawFileError(
            f"{path}: the extension says {file_format} but the content is {found}, "
            f"not {file_format}"
        )
    return file_format


def _declared_encoding(path: str, encoding: str) -> str | None:
    """The DuckDB name of a declared encoding, or None for ``auto``."""
    if encoding.strip().lower() == "auto":
        return None
    try:
        python_name = codecs.lookup(encoding).name
    except LookupError:
        python_name = ""
    if python_name not in _ENCODINGS:
        raise RawFileError(f"{path}: unsupported encoding {encoding!r}; use auto, utf-8 or latin-1")
    return _ENCODINGS[python_name]


def _scan_text(path: str, declared: str | None) -> _TextScan:
    """Check the encoding and count lines in one pass of large reads (memory stays flat)."""
    check_utf8 = declared in (None, "utf-8")
    utf8_ok = True
    pending_utf8 = b""  # an incomplete multi-byte sequence at a chunk's end
    newlines = 0
    offset = 0  # file offset of the current chunk
    blank_lines: list[int] = []
    tail = b""  # the last two bytes of the previous chunk, still to be checked for blank lines
    tail_newlines = 0
    header, header_done = b"", False
    last_byte = b""
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK_BYTES):
            if header_done is False:
                end = chunk.find(b"\n")
                header += chunk if end < 0 else chunk[:end]
                header_done = end >= 0
                if len(header) > _MAX_HEADER_BYTES:
                    raise RawFileError(f"{path}: no line break in the first 1 MB; not a csv")
            if check_utf8 and utf8_ok:
                data = pending_utf8 + chunk
                try:
                    consumed = codecs.utf_8_decode(data, "strict", False)[1]
                except UnicodeDecodeError as error:
                    if declared is not None:
                        at = offset - len(pending_utf8) + error.start
                        line = newlines + data.count(b"\n", 0, error.start) + 1
                        raise RawFileError(
                            f"{path}: byte {data[error.start]:#04x} at offset {at} (line "
                            f"{line}) is not valid {declared}; declare the file's encoding, "
                            "or use auto"
                        ) from None
                    utf8_ok = False
                else:
                    pending_utf8 = data[consumed:]
            # Blank lines carry no row; note them so that line numbers stay exact.
            buffer = tail + chunk
            if b"\n\n" in buffer or b"\n\r\n" in buffer:
                counted_to, counted = 0, newlines - tail_newlines
                for match in re.finditer(rb"\n(?=(\r?\n))", buffer):
                    start = match.start()
                    if start + 1 + len(match.group(1)) <= len(tail):
                        continue  # found within the previous chunk already
                    counted += buffer.count(b"\n", counted_to, start + 1)
                    counted_to = start + 1
                    blank_lines.append(counted + 1)
            tail = buffer[-2:]
            tail_newlines = tail.count(b"\n")
            newlines += chunk.count(b"\n")
            offset += len(chunk)
            last_byte = chunk[-1:]
    if check_utf8 and utf8_ok and pending_utf8:
        if declared is not None:
            raise RawFileError(
                f"{path}: the file ends inside a utf-8 character (offset "
                f"{offset - len(pending_utf8)}, line {newlines + 1}); declare its encoding"
            )
        utf8_ok = False
    encoding = declared or ("utf-8" if utf8_ok else "latin-1")
    physical_lines = newlines + (last_byte != b"\n")
    blanks = np.unique(np.asarray(blank_lines, dtype=np.int64))
    return _TextScan(encoding, header, physical_lines, blanks)


def _csv_shape(path: str, scan: _TextScan) -> Shape:
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
    family, positions, ignored = _match_columns(path, columns)
    if scan.physical_lines - 1 - len(scan.blank_lines) <= 0:
        raise RawFileError(f"{path}: has a header but no data lines")
    name = {"uci": "study_csv" if ignored else "kaggle_csv", "retail_ii": "retail_ii_csv"}
    return Shape(path, name[family], "csv", columns, scan.encoding, (), positions)


def _match_columns(
    path: str, columns: Sequence[str], where: str = ""
) -> tuple[str, tuple[int, ...], tuple[str, ...]]:
    """Match a header to a column set: (family, position of each canonical column, ignored)."""
    found = [str(column if column is not None else "").strip().lower() for column in columns]
    ignored = tuple(str(c) for c, f in zip(columns, found, strict=True) if _UNNAMED.fullmatch(f))
    named = [f for f in found if not _UNNAMED.fullmatch(f)]
    duplicated = sorted({f for f in named if named.count(f) > 1})
    if duplicated:
        raise RawFileError(f"{path}{where}: columns appear more than once: {duplicated}")
    for family, expected in COLUMN_SETS.items():
        if sorted(named) == sorted(e.lower() for e in expected):
            return family, tuple(found.index(e.lower()) for e in expected), ignored
    accepted = "; ".join(
        f"{family}: {', '.join(expected)}" for family, expected in COLUMN_SETS.items()
    )
    closest = min(COLUMN_SETS.values(), key=lambda e: len({c.lower() for c in e} ^ set(named)))
    closest_names = {c.lower() for c in closest}
    missing = [c for c in closest if c.lower() not in named]
    unexpected = [
        str(c).strip()
        for c, f in zip(columns, found, strict=True)
        if f in set(named) - closest_names
    ]
    raise RawFileError(
        f"{path}{where}: the columns match no known shape. Found: {[str(c) for c in columns]}; "
        f"compared with the closest set, missing {missing}, unexpected {unexpected}. Accepted "
        f"column sets (any letter case, blank or 'Unnamed: N' columns ignored): {accepted}"
    )


def _duckdb() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("set preserve_insertion_order = true")
    con.execute("set TimeZone = 'UTC'")
    con.execute("set enable_progress_bar = false")
    return con


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _arrow_reader(relation: duckdb.DuckDBPyRelation) -> pa.RecordBatchReader:
    # duckdb 2.0 renamed fetch_record_batch to to_arrow_reader; 1.x only has the former.
    to_reader = getattr(relation, "to_arrow_reader", None) or relation.fetch_record_batch
    return to_reader(_BATCH_ROWS)


def _read_csv_sql(shape: Shape, scan: _TextScan, parallel: bool = True) -> str:
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(shape.columns)))
    return (
        f"read_csv({_sql_string(shape.path)}, columns = {{{columns}}}, header = false, "
        f"skip = 1, delim = ',', quote = '\"', escape = '\"', null_padding = true, "
        f"auto_detect = false, encoding = '{scan.encoding}', parallel = {str(parallel).lower()})"
    )


def _duckdb_problem(path: str, error: duckdb.Error) -> RawFileError:
    # Keep DuckDB's line and reason; drop its advice and its dump of the reader's options.
    message = re.split(r"Possible fixes|\n\s+file = ", str(error), maxsplit=1)[0].strip()
    message = message.removeprefix("Invalid Input Error: ")
    return RawFileError(f"{path}: {message}")


def _csv_batches(shape: Shape, scan: _TextScan) -> Iterator[pa.RecordBatch]:
    """Validate the whole csv now (errors surface before any line lands), then stream it.

    DuckDB parses; rows come out in file order, so row k is the k-th non-blank line after the
    header, unless a quoted value spans lines. A first counting pass proves there is none
    (rows = non-blank lines); otherwise Python's csv module, which knows the line each row
    starts on, lands the file instead.
    """
    con = _duckdb()
    try:
        try:
            rows = con.sql(f"select count(*) from {_read_csv_sql(shape, scan)}").fetchall()
            exact = rows[0][0] == scan.physical_lines - 1 - len(scan.blank_lines)
        except duckdb.Error as error:
            if "quoted new lines" not in str(error):
                raise _duckdb_problem(shape.path, error) from None
            exact = False
        if not exact:
            try:
                con.sql(f"select count(*) from {_read_csv_sql(shape, scan, False)}").fetchall()
            except duckdb.Error as error:
                raise _duckdb_problem(shape.path, error) from None
    except BaseException:
        con.close()
        raise
    if not exact:
        con.close()
        return _csv_module_batches(shape, scan)
    return _duckdb_csv_batches(shape, scan, con)


def _duckdb_csv_batches(
    shape: Shape, scan: _TextScan, con: duckdb.DuckDBPyConnection
) -> Iterator[pa.RecordBatch]:
    try:
        select = ", ".join(
            f"c{position} as {name}"
            for name, position in zip(CANONICAL_COLUMNS, shape.source_columns, strict=True)
        )
        reader = _arrow_reader(con.sql(f"select {select} from {_read_csv_sql(shape, scan)}"))
        next_line = 2
        for batch in reader:
            lines = _line_numbers(next_line, batch.num_rows, scan.blank_lines)
            if len(lines):
                next_line = int(lines[-1]) + 1
            yield _landed_batch(shape, None, lines, batch.columns)
    except duckdb.Error as error:
        raise _duckdb_problem(shape.path, error) from None
    finally:
        con.close()


def _line_numbers(first: int, count: int, blank_lines: np.ndarray) -> np.ndarray:
    """The next ``count`` line numbers from ``first`` on, skipping blank lines."""
    end = first + count
    while True:
        skipped = np.searchsorted(blank_lines, end) - np.searchsorted(blank_lines, first)
        if end - first - skipped >= count:
            break
        end = first + count + skipped
    candidates = np.arange(first, end, dtype=np.int64)
    return candidates[~np.isin(candidates, blank_lines)][:count]


def _csv_module_batches(shape: Shape, scan: _TextScan) -> Iterator[pa.RecordBatch]:
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
            if len(lines) == _BATCH_ROWS:
                yield _landed_batch(shape, None, lines, values)
                lines, values = [], [[] for _ in CANONICAL_COLUMNS]
        if lines:
            yield _landed_batch(shape, None, lines, values)


def _landed_batch(
    shape: Shape,
    sheet: str | None,
    lines: Sequence[int] | np.ndarray,
    values: Sequence[pa.Array | Sequence[str | None]],
) -> pa.RecordBatch:
    count = len(lines)
    return pa.record_batch(
        [
            pa.repeat(pa.scalar(shape.path, pa.string()), count),
            pa.repeat(pa.scalar(shape.name, pa.string()), count),
            pa.repeat(pa.scalar(sheet, pa.string()), count),
            _arrow_array(lines, pa.int64()),
            *(_arrow_array(column, pa.string()) for column in values),
        ],
        schema=LANDED_SCHEMA,
    )


def _arrow_array(values: object, arrow_type: pa.DataType) -> pa.Array:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values.cast(arrow_type)
    return pa.array(values, arrow_type)


def _open_workbook(path: str):
    # openpyxl is imported here: only xlsx files need it.
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a broken workbook
        raise RawFileError(f"{path}: not a readable xlsx workbook ({error})") from None


def _xlsx_shape(path: str) -> Shape:
    workbook = _open_workbook(path)
    try:
        sheets, matched, data_rows = [], None, 0
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(min_row=1, values_only=True)
            header = next(rows, None)
            if header is None or all(cell is None for cell in header):
                continue  # an unused sheet
            where = f" (sheet {sheet.title!r})"
            family, positions, _ignored = _match_columns(path, header, where)
            if matched is not None and matched[0] != family:
                raise RawFileError(
                    f"{path}{where}: its columns are the {family} set, the first sheet's are "
                    f"the {matched[0]} set; every sheet must have the same columns"
                )
            matched = matched or (family, tuple("" if c is None else str(c) for c in header))
            sheets.append((sheet.title, positions))
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
        "xlsx",
        matched[1],
        None,
        tuple(title for title, _positions in sheets),
        positions_by_sheet.pop(),
    )


def _cell_text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < _MAX_EXACT_INTEGER:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime(TIMESTAMP_FORMAT)
    return str(value)


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
                    column.append(_cell_text(row[position]) if position < len(row) else None)
                if len(lines) == _XLSX_BATCH_ROWS:
                    yield _landed_batch(shape, title, lines, values)
                    lines, values = [], [[] for _ in CANONICAL_COLUMNS]
            if lines:
                yield _landed_batch(shape, title, lines, values)
    finally:
        workbook.close()


def _parquet_shape(path: str) -> Shape:
    con = _duckdb()
    try:
        described = con.sql(f"describe select * from read_parquet({_sql_string(path)})")
        columns = tuple(str(row[0]) for row in described.fetchall())
        metadata = con.sql(
            f"select sum(num_rows) from parquet_file_metadata({_sql_string(path)})"
        ).fetchall()[0]
    except duckdb.Error as error:
        raise RawFileError(f"{path}: not a readable parquet file ({error})") from None
    finally:
        con.close()
    family, positions, _ignored = _match_columns(path, columns)
    if not metadata or not metadata[0]:
        raise RawFileError(f"{path}: has columns but no rows")
    return Shape(
        path,
        f"parquet_{family}",
        "parquet",
        columns,
        None,
        (),
        tuple(columns[position] for position in positions),
    )


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text_sql(column: str, column_type: str) -> str:
    """SQL rendering a parquet column as the canonical text of its type."""
    value = _quoted(column)
    kind = column_type.upper()
    if kind.startswith(("TIMESTAMP", "DATE")):
        return f"strftime(cast({value} as timestamp), '{TIMESTAMP_FORMAT}')"
    if kind in ("DOUBLE", "FLOAT") or kind.startswith("DECIMAL"):
        not_a_number = f"when isnan({value}) then null " if kind in ("DOUBLE", "FLOAT") else ""
        return (
            f"case {not_a_number}when {value} = trunc({value}) and abs({value}) < "
            f"{_MAX_EXACT_INTEGER} then cast(cast({value} as bigint) as varchar) "
            f"else cast({value} as varchar) end"
        )
    return f"cast({value} as varchar)"


def _parquet_batches(shape: Shape) -> Iterator[pa.RecordBatch]:
    con = _duckdb()
    try:
        source = f"read_parquet({_sql_string(shape.path)}, file_row_number = true)"
        types = {str(row[0]): str(row[1]) for row in con.sql(f"describe from {source}").fetchall()}
        select = ", ".join(
            f"{_text_sql(str(column), types[str(column)])} as {name}"
            for name, column in zip(CANONICAL_COLUMNS, shape.source_columns, strict=True)
        )
        relation = con.sql(f"select file_row_number + 1 as source_line, {select} from {source}")
        for batch in _arrow_reader(relation):
            yield _landed_batch(shape, None, batch.column(0), batch.columns[1:])
    except duckdb.Error as error:
        raise _duckdb_problem(shape.path, error) from None
    finally:
        con.close()


ENVIRONMENT = {
    "INSIDERS_RAW_PATH": f"the raw file, when no path is given (default: {DEFAULT_RAW_PATH})",
}


def register(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``insiders inspect``."""
    parser.add_argument(
        "path",
        nargs="?",
        help=f"the raw file (default: $INSIDERS_RAW_PATH, else {DEFAULT_RAW_PATH})",
    )
    parser.add_argument(
        "--encoding", default="auto", help="csv encoding: auto (default), utf-8 or latin-1"
    )
    parser.set_defaults(func=inspect_raw_file)


def inspect_raw_file(args: argparse.Namespace) -> int:
    """Print a raw file's shape and landed row count; 1 with the reason if it cannot load."""
    path = args.path or os.environ.get("INSIDERS_RAW_PATH") or DEFAULT_RAW_PATH
    try:
        shape, scan = _examine(path, args.encoding)
        rows = sum(batch.num_rows for batch in _landed_batches(shape, scan))
    except RawFileError as error:
        print(f"insiders inspect: {error}", file=sys.stderr)
        return 1
    out = io.StringIO()
    print(f"file:     {shape.path}", file=out)
    print(f"shape:    {shape.name} ({shape.file_format})", file=out)
    print(f"encoding: {shape.encoding or 'n/a'}", file=out)
    print(f"sheets:   {', '.join(shape.sheets) or 'n/a'}", file=out)
    print(f"columns:  {', '.join(shape.columns)}", file=out)
    print(f"rows:     {rows}", file=out)
    sys.stdout.write(out.getvalue())
    return 0

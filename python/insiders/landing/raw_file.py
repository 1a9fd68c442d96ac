"""Land a raw file of order lines, in whichever shape it comes, as text lines.

The shape is detected from the file itself: the extension says csv, txt (whitespace-separated),
xlsx or parquet (and the first bytes must agree), the header says which layout of the column
mapping (:mod:`insiders.landing.mapping`, chosen by ``INSIDERS_MAPPING``) it carries. Column
names match case-insensitively after trimming whitespace. The shapes of the default mapping,
``online_retail``, are below; another mapping's shape is ``<mapping>_<format>`` (for example
``shopify_csv``, ``cdnow_txt``), and its dates and order-level fields are filled in as
:mod:`insiders.landing.mapped` says.

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
landed. Any other extra column is an error unless the mapping ignores other columns (a shop
export's); a missing column is an error naming the mapping and the columns found.

Every landed line has ``source_file`` (the path as given), ``source_shape``, ``source_sheet``
(xlsx only), ``source_line``, ``line_error`` and the eight canonical values, all as text.
Nothing is parsed or dropped here: the staging model casts the text and rejects what does not
parse, citing ``source_line``. ``line_error`` is null unless the csv line is broken:
``wrong_field_count`` (more or fewer fields than the header) or ``truncated_last_line`` (a last
line with no line break that stops short, also inside a quoted value); such a line lands with
the fields it has, and staging rejects it with that reason.

Encodings (csv): ``auto`` is utf-8 if the whole file is valid utf-8, else Windows-1252 (cp1252)
if a byte 0x80-0x9F appears (latin-1 has only control codes there), else latin-1. ``utf-8``,
``latin-1`` and ``cp1252`` (or ``windows-1252``) can be declared.

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
- a byte that the encoding (declared or detected) cannot decode: its offset and line; a
  latin-1 control code 0x80-0x9F: its offset and line, with the advice to declare cp1252;
- a quote that is never closed before the last line: the line.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa

from insiders.landing import csv_reader, parquet_reader, text_reader, xlsx_reader
from insiders.landing.landed import (
    CANONICAL_COLUMNS,
    LANDED_SCHEMA,
    ExaminedFile,
    FormatReader,
    LandingOptions,
    RawFileError,
    Shape,
)
from insiders.landing.mapped import mapped_batches
from insiders.landing.mapping import DEFAULT_MAPPING, ColumnMapping, load_mapping
from insiders.landing.progress import with_progress

__all__ = [
    "CANONICAL_COLUMNS",
    "LANDED_SCHEMA",
    "READERS",
    "RawFileError",
    "Shape",
    "detect_shape",
    "examine",
    "open_landed",
]


# The one place a file's format is decided: by its extension, confirmed by its first bytes.
READERS: tuple[FormatReader, ...] = (csv_reader, text_reader, xlsx_reader, parquet_reader)


def detect_shape(path: str | os.PathLike[str], encoding: str = "auto") -> Shape:
    """Detect the shape of the raw file at ``path``; raise RawFileError if it has none.

    A csv is read once, in large chunks, to settle its encoding and count its lines; its rows
    are validated when it is opened with :func:`open_landed`.
    """
    return examine(path, LandingOptions(encoding=encoding)).shape


def open_landed(
    path: str | os.PathLike[str], encoding: str = "auto", mapping: ColumnMapping | None = None
) -> pa.RecordBatchReader:
    """Stream the landed lines of the raw file at ``path`` (columns of LANDED_SCHEMA).

    ``encoding`` applies to csv and txt: ``auto`` (see the module's notes), ``utf-8``,
    ``latin-1`` or ``cp1252``. ``mapping`` defaults to the shipped ``online_retail``. The
    reader can be consumed once; a large file shows its progress on a terminal.
    """
    mapping = mapping or load_mapping(DEFAULT_MAPPING)
    examined = examine(path, LandingOptions(encoding=encoding, mapping=mapping))
    batches = mapped_batches(with_progress(examined), mapping)
    return pa.RecordBatchReader.from_batches(LANDED_SCHEMA, batches)


def examine(path: str | os.PathLike[str], options: LandingOptions) -> ExaminedFile:
    """Pick the file's reader and let it check the file and match its header."""
    path = os.fspath(path)
    return reader_for(path).examine(path, options)


def reader_for(path: str) -> FormatReader:
    """The reader of the file's format; RawFileError if the file cannot be one."""
    file = Path(path)
    extension = file.suffix.lower()
    by_extension = {ext: reader for reader in READERS for ext in reader.EXTENSIONS}
    if extension not in by_extension:
        accepted = ", ".join(by_extension)
        raise RawFileError(
            f"{path}: unsupported extension {extension or '(none)'!r}; accepted: {accepted}"
        )
    if not file.exists():
        raise RawFileError(f"{path}: no such file (set INSIDERS_RAW_PATH to the raw file)")
    if not file.is_file():
        raise RawFileError(f"{path}: is not a file")
    if file.stat().st_size == 0:
        raise RawFileError(f"{path}: is empty (0 bytes)")
    reader = by_extension[extension]
    with file.open("rb") as stream:
        head = stream.read(4)
    found = next((r.FILE_FORMAT for r in READERS if r.MAGIC and head.startswith(r.MAGIC)), "text")
    if found != reader.FILE_FORMAT and not (reader.MAGIC is None and found == "text"):
        raise RawFileError(
            f"{path}: the extension says {reader.FILE_FORMAT} but the content is {found}, "
            f"not {reader.FILE_FORMAT}"
        )
    return reader

"""What every format reader produces: the landed schema, the shape, the column matching.

A reader turns a raw file into batches of :data:`LANDED_SCHEMA`: where each line came from, and
the eight canonical values as text. Which file column feeds which canonical value is decided
here, once, by matching the file's header against column sets (:data:`COLUMN_SETS` unless the
caller passes its own, e.g. a shop export's mapping).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pyarrow as pa

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
        # Why the line is not a well-formed line of the file (csv: wrong_field_count,
        # truncated_last_line); null when it is. Staging rejects the line with this reason.
        pa.field("line_error", pa.string()),
        *(pa.field(name, pa.string()) for name in CANONICAL_COLUMNS),
    ]
)

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
# Integral doubles beyond 2**53 are not exact integers; they keep their float text.
MAX_EXACT_INTEGER = 2**53
_UNNAMED = re.compile(r"(unnamed: *\d+)?")


class RawFileError(ValueError):
    """A raw file that cannot be landed; the message names the file and what is wrong."""


@dataclass(frozen=True)
class LandingOptions:
    """How to read a raw file: the csv encoding, and the column sets a header may match."""

    encoding: str = "auto"
    column_sets: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: COLUMN_SETS)


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
class ExaminedFile:
    """A raw file whose shape is known and checked, ready to stream its landed lines once."""

    shape: Shape
    batches: Callable[[], Iterator[pa.RecordBatch]]
    expected_lines: int | None = None  # about how many lines will land, for progress


class FormatReader(Protocol):
    """One reader per file format (a module: csv_reader, xlsx_reader, parquet_reader).

    ``examine`` checks the file and matches its header against ``options.column_sets``; it
    returns the shape and a way to stream the landed lines. A reader driven by another column
    mapping only needs other column sets: the canonical landed schema stays the same.
    """

    FILE_FORMAT: str
    EXTENSIONS: tuple[str, ...]
    MAGIC: bytes | None  # the first bytes every file of the format starts with; None for text

    def examine(self, path: str, options: LandingOptions) -> ExaminedFile: ...


@dataclass(frozen=True)
class ColumnMatch:
    """A header matched to a column set."""

    family: str
    positions: tuple[int, ...]  # of each canonical column in the header
    ignored: tuple[str, ...]  # unnamed columns, not landed


def match_columns(
    path: str,
    columns: Sequence[object],
    column_sets: Mapping[str, tuple[str, ...]] = COLUMN_SETS,
    where: str = "",
) -> ColumnMatch:
    """Match a header to a column set, by trimmed names in any letter case."""
    found = [str(column if column is not None else "").strip().lower() for column in columns]
    ignored = tuple(str(c) for c, f in zip(columns, found, strict=True) if _UNNAMED.fullmatch(f))
    named = [f for f in found if not _UNNAMED.fullmatch(f)]
    duplicated = sorted({f for f in named if named.count(f) > 1})
    if duplicated:
        raise RawFileError(f"{path}{where}: columns appear more than once: {duplicated}")
    for family, expected in column_sets.items():
        if sorted(named) == sorted(e.lower() for e in expected):
            return ColumnMatch(family, tuple(found.index(e.lower()) for e in expected), ignored)
    raise _no_match(path, columns, found, named, column_sets, where)


def _no_match(
    path: str,
    columns: Sequence[object],
    found: list[str],
    named: list[str],
    column_sets: Mapping[str, tuple[str, ...]],
    where: str,
) -> RawFileError:
    accepted = "; ".join(
        f"{family}: {', '.join(expected)}" for family, expected in column_sets.items()
    )
    closest = min(column_sets.values(), key=lambda e: len({c.lower() for c in e} ^ set(named)))
    closest_names = {c.lower() for c in closest}
    missing = [c for c in closest if c.lower() not in named]
    unexpected = [
        str(c).strip()
        for c, f in zip(columns, found, strict=True)
        if f in set(named) - closest_names
    ]
    return RawFileError(
        f"{path}{where}: the columns match no known shape. Found: {[str(c) for c in columns]}; "
        f"compared with the closest set, missing {missing}, unexpected {unexpected}. Accepted "
        f"column sets (any letter case, blank or 'Unnamed: N' columns ignored): {accepted}"
    )


def landed_batch(
    shape: Shape,
    sheet: str | None,
    lines: Sequence[int] | pa.Array,
    values: Sequence[pa.Array | Sequence[str | None]],
    line_errors: Sequence[str | None] | None = None,
) -> pa.RecordBatch:
    """One batch of landed lines: the shape's lineage columns, then the canonical values."""
    count = len(lines)
    return pa.record_batch(
        [
            pa.repeat(pa.scalar(shape.path, pa.string()), count),
            pa.repeat(pa.scalar(shape.name, pa.string()), count),
            pa.repeat(pa.scalar(sheet, pa.string()), count),
            _arrow_array(lines, pa.int64()),
            (
                pa.nulls(count, pa.string())
                if line_errors is None
                else pa.array(line_errors, pa.string())
            ),
            *(_arrow_array(column, pa.string()) for column in values),
        ],
        schema=LANDED_SCHEMA,
    )


def _arrow_array(values: object, arrow_type: pa.DataType) -> pa.Array:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values.cast(arrow_type)
    return pa.array(values, arrow_type)


def cell_text(value: object) -> str | None:
    """The canonical text of a typed value (a workbook cell)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < MAX_EXACT_INTEGER:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime(TIMESTAMP_FORMAT)
    return str(value)

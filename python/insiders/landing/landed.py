"""What every format reader produces: the landed schema, the shape, the column matching.

A reader turns a raw file into batches of :data:`LANDED_SCHEMA`: where each line came from, and
the canonical values as text, or, from a typed source, with their types (:data:`TYPED_VALUES`).
Which file column feeds which canonical value is decided here, once, by matching the file's
header against the layouts of a column mapping (:mod:`insiders.landing.mapping`; the shipped
``online_retail`` one unless another is chosen).
A canonical column the mapping does not name lands as null.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import pyarrow as pa

if TYPE_CHECKING:
    from insiders.landing.mapping import ColumnMapping

CANONICAL_COLUMNS = (
    "invoice_no",
    "stock_code",
    "description",
    "quantity",
    "invoice_date",
    "unit_price",
    "customer_id",
    "country",
    # Files with one amount per line instead of a unit price, and a status column that marks
    # cancelled orders (a shop export's); null for the Online Retail files.
    "line_amount",
    "order_status",
)

# A typed source (parquet, a workbook) lands these values with their types, each in a column
# of its own (``<name>_value``), and their text null; staging renders their canonical text.
# The types hold the file's values exactly: a float32, a decimal, a whole number beyond 2**53,
# or a value of any other type lands as text, as every value of a text source does.
TYPED_VALUES = {
    "quantity": pa.float64(),
    "invoice_date": pa.timestamp("us"),
    "unit_price": pa.float64(),
    "customer_id": pa.float64(),
    "line_amount": pa.float64(),
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
        *(pa.field(f"{name}_value", value_type) for name, value_type in TYPED_VALUES.items()),
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
    """How to read a raw file: the csv encoding, and the column mapping its header must match."""

    encoding: str = "auto"
    mapping: ColumnMapping | None = None  # None: the shipped online_retail mapping

    def column_mapping(self) -> ColumnMapping:
        # Imported here: the mapping module builds on this one.
        from insiders.landing.mapping import DEFAULT_MAPPING, load_mapping

        return self.mapping or load_mapping(DEFAULT_MAPPING)


@dataclass(frozen=True)
class Shape:
    """What a raw file is, as detected from its extension and header."""

    path: str
    name: str
    file_format: str
    columns: tuple[str, ...]
    encoding: str | None = None
    sheets: tuple[str, ...] = ()
    # Position (csv, xlsx) or name (parquet) of each canonical column in the file; None for a
    # column the mapping does not name (it lands as null).
    source_columns: tuple[int | str | None, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class ExaminedFile:
    """A raw file whose shape is known and checked, ready to stream its landed lines once."""

    shape: Shape
    batches: Callable[[], Iterator[pa.RecordBatch]]
    expected_lines: int | None = None  # about how many lines will land, for progress


class FormatReader(Protocol):
    """One reader per file format (a module: csv_reader, xlsx_reader, parquet_reader).

    ``examine`` checks the file and matches its header against ``options``' column mapping; it
    returns the shape and a way to stream the landed lines. Whatever the mapping, the canonical
    landed schema stays the same.
    """

    FILE_FORMAT: str
    EXTENSIONS: tuple[str, ...]
    MAGIC: bytes | None  # the first bytes every file of the format starts with; None for text

    def examine(self, path: str, options: LandingOptions) -> ExaminedFile: ...


@dataclass(frozen=True)
class ColumnMatch:
    """A header matched to a layout of the column mapping."""

    family: str  # the layout's name, or the mapping's when it has one layout
    positions: tuple[int | None, ...]  # of each canonical column in the header; None: unmapped
    ignored: tuple[str, ...]  # unnamed columns (and, if the mapping says so, others): not landed


def match_columns(
    path: str,
    columns: Sequence[object],
    options: LandingOptions | None = None,
    where: str = "",
) -> ColumnMatch:
    """Match a header to a layout of the mapping, by trimmed names in any letter case.

    A mapping that refuses other columns (the default) accepts only unnamed extra columns
    (blank, or pandas' ``Unnamed: N``); one that ignores them accepts any extra column.
    """
    mapping = (options or LandingOptions()).column_mapping()
    found = [str(column if column is not None else "").strip().lower() for column in columns]
    unnamed = [bool(_UNNAMED.fullmatch(f)) for f in found]
    named = [f for f, blank in zip(found, unnamed, strict=True) if not blank]
    duplicated = sorted({f for f in named if named.count(f) > 1})
    if duplicated:
        raise RawFileError(f"{path}{where}: columns appear more than once: {duplicated}")
    ignore_others = mapping.other_columns == "ignore"
    for layout, expected in mapping.column_sets().items():
        wanted = [e.lower() for e in expected if e is not None]
        others = set(named) - set(wanted)
        if set(wanted) <= set(named) and (ignore_others or not others):
            ignored = tuple(
                str(c)
                for c, f, blank in zip(columns, found, unnamed, strict=True)
                if blank or f in others
            )
            positions = tuple(None if e is None else found.index(e.lower()) for e in expected)
            return ColumnMatch(layout or mapping.name, positions, ignored)
    raise _no_match(path, columns, found, named, mapping, where)


def _no_match(
    path: str,
    columns: Sequence[object],
    found: list[str],
    named: list[str],
    mapping: ColumnMapping,
    where: str,
) -> RawFileError:
    layouts = {
        layout: [e for e in expected if e is not None]
        for layout, expected in mapping.column_sets().items()
    }
    accepted = "; ".join(
        f"{layout or mapping.name}: {', '.join(expected)}" for layout, expected in layouts.items()
    )
    closest = min(layouts.values(), key=lambda e: len({c.lower() for c in e} ^ set(named)))
    closest_names = {c.lower() for c in closest}
    missing = [c for c in closest if c.lower() not in named]
    unexpected = [
        str(c).strip()
        for c, f in zip(columns, found, strict=True)
        if f in set(named) - closest_names and mapping.other_columns != "ignore"
    ]
    others = "ignored" if mapping.other_columns == "ignore" else "refused"
    return RawFileError(
        f"{path}{where}: the columns match no layout of the mapping {mapping.name!r} "
        f"({mapping.path}). Found: {[str(c) for c in columns]}; compared with the closest "
        f"layout, missing {missing}, unexpected {unexpected}. The mapping's layouts (any letter "
        f"case, blank or 'Unnamed: N' columns ignored, other columns {others}): {accepted}. "
        "Another file layout needs another mapping: set INSIDERS_MAPPING (insiders inspect "
        "suggests one)"
    )


def landed_batch(
    shape: Shape,
    sheet: str | None,
    lines: Sequence[int] | pa.Array,
    values: Sequence[pa.Array | Sequence[str | None]],
    line_errors: Sequence[str | None] | None = None,
    typed: Mapping[str, pa.Array] | None = None,
) -> pa.RecordBatch:
    """One batch of landed lines: the shape's lineage columns, the canonical values as text,
    then the values landed typed (``typed``, by canonical name; the others null)."""
    count = len(lines)
    typed = typed or {}
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
            *(
                _arrow_array(typed[name], value_type)
                if name in typed
                else pa.nulls(count, value_type)
                for name, value_type in TYPED_VALUES.items()
            ),
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

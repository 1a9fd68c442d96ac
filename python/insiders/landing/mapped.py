"""What a column mapping does to the landed lines once a reader has read them.

- Dates in the mapping's ``date_format`` are rendered as the canonical text
  ``YYYY-MM-DD HH:MM:SS`` (a date with a UTC offset, in UTC), as typed dates of a workbook or
  parquet file are; a date that does not fit the format keeps its text, and staging rejects it
  as ``unparseable_invoice_date`` showing that text. ``auto`` leaves every date as it is read.
- A layout that prints an order's own fields only on its first row
  (``order_fields_on_first_row``: a Shopify export) gets them on the order's other rows too:
  each empty order-level value takes the value of the order's first row.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from insiders.landing.landed import LANDED_SCHEMA, TIMESTAMP_FORMAT
from insiders.landing.mapping import ColumnMapping

# The landed columns that belong to the order rather than to the line (with their typed values).
ORDER_LEVEL_COLUMNS = (
    "customer_id",
    "customer_id_value",
    "invoice_date",
    "invoice_date_value",
    "country",
    "order_status",
)


def mapped_batches(
    batches: Iterator[pa.RecordBatch], mapping: ColumnMapping
) -> Iterator[pa.RecordBatch]:
    """The landed batches with the mapping's dates and order-level fields filled in."""
    first_rows: dict[str, list[object]] = {}
    for batch in batches:
        if mapping.order_fields_on_first_row:
            batch = _fill_order_fields(batch, first_rows)
        if mapping.date_format != "auto":
            batch = _render_dates(batch, mapping.date_format)
        yield batch


def _fill_order_fields(
    batch: pa.RecordBatch, first_rows: dict[str, list[object]]
) -> pa.RecordBatch:
    orders = batch.column("invoice_no").to_pylist()
    columns = [batch.column(name).to_pylist() for name in ORDER_LEVEL_COLUMNS]
    for row, order in enumerate(orders):
        if order is None:
            continue
        first = first_rows.setdefault(order, [column[row] for column in columns])
        for column, value in zip(columns, first, strict=True):
            if column[row] is None:
                column[row] = value
    arrays = dict(zip(batch.schema.names, batch.columns, strict=True))
    for name, column in zip(ORDER_LEVEL_COLUMNS, columns, strict=True):
        arrays[name] = pa.array(column, LANDED_SCHEMA.field(name).type)
    return pa.record_batch(list(arrays.values()), schema=LANDED_SCHEMA)


def _render_dates(batch: pa.RecordBatch, date_format: str) -> pa.RecordBatch:
    texts = batch.column("invoice_date")
    parsed = pc.strptime(texts, format=date_format, unit="s", error_is_null=True)
    rendered = pc.strftime(parsed, format=TIMESTAMP_FORMAT)
    dates = pc.if_else(pc.is_null(parsed), texts, rendered)
    position = batch.schema.get_field_index("invoice_date")
    return batch.set_column(position, batch.schema.field(position), dates)

"""Small raw files for the landing tests: headers, writers and the landed rows of a file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq

from insiders.landing.landed import cell_text
from insiders.landing.raw_file import CANONICAL_COLUMNS, LANDED_SCHEMA, open_landed

UCI_HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
RETAIL_II_HEADER = "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country"
# The values an Online Retail file fills; the other canonical columns (line_amount,
# order_status) are other mappings' and land as null from it.
VALUES = list(CANONICAL_COLUMNS[:8])
OTHER_MAPPINGS_VALUES = list(CANONICAL_COLUMNS[8:])


def write_bytes(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def landed(path: Path, encoding: str = "auto") -> list[dict]:
    reader = open_landed(path, encoding)
    assert reader.schema == LANDED_SCHEMA
    return reader.read_all().to_pylist()


def values(row: dict) -> list[str | None]:
    assert [row[name] for name in OTHER_MAPPINGS_VALUES] == [None] * len(OTHER_MAPPINGS_VALUES)
    return [row[name] for name in VALUES]


def texts(row: dict) -> list[str | None]:
    """The canonical text of each value, landed as text or typed: what staging shows of it."""
    assert [row[name] for name in OTHER_MAPPINGS_VALUES] == [None] * len(OTHER_MAPPINGS_VALUES)
    return [
        row[name] if row.get(f"{name}_value") is None else cell_text(row[f"{name}_value"])
        for name in VALUES
    ]


def typed_values(row: dict) -> list[object]:
    """The quantity, date, unit price and customer id a typed source landed typed."""
    assert row["line_amount_value"] is None
    return [
        row[f"{name}_value"] for name in ("quantity", "invoice_date", "unit_price", "customer_id")
    ]


def uci_workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Online Retail"
    sheet.append(UCI_HEADER.split(","))
    sheet.append(
        [
            "536365",
            "85123A",
            "WHITE HANGING HEART T-LIGHT HOLDER",
            6,
            dt.datetime(2010, 12, 1, 8, 26),
            2.55,
            17850,
            "United Kingdom",
        ]
    )
    sheet.append([536366, 22633, "HAND WARMER ", 6, dt.datetime(2010, 12, 1, 8, 28), 1.85, 17850.0])
    sheet.append([])
    sheet.append(["C536379", "D", "Discount", -1, dt.datetime(2010, 12, 1, 9, 41), 27.5, None, "É"])
    workbook.save(path)
    return path


def uci_parquet(path: Path, names: list[str]) -> Path:
    table = pa.table(
        [
            pa.array(["536365", "C536379"]),
            pa.array(["85123A", "D"]),
            pa.array(["WHITE HANGING HEART T-LIGHT HOLDER", None]),
            pa.array([6, -1], pa.int64()),
            pa.array(
                [dt.datetime(2010, 12, 1, 8, 26), dt.datetime(2011, 1, 2, 9, 41, 5)],
                pa.timestamp("us"),
            ),
            pa.array([2.55, 0.1 + 0.2], pa.float64()),
            pa.array([17850.0, None], pa.float64()),
            pa.array(["United Kingdom", "France"]),
        ],
        names=names,
    )
    pq.write_table(table, path)
    return path

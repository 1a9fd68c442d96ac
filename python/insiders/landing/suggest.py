"""A first draft of a column mapping for a file no mapping reads: for the user to confirm.

The header's names are compared, lower-cased and without spaces or punctuation, with the names
retail files commonly give each field; the first few values of the date column pick a date
format. Nothing is guessed from anything else: a field whose column is not found is left out.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import duckdb
import fastexcel
import yaml

from insiders.landing import duckdb_io
from insiders.landing.mapping import FIELDS, REQUIRED_FIELDS

SAMPLE_ROWS = 20
# The names each field goes by, normalised (lower case, letters and digits only), best first.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "order_id": ("invoiceno", "invoice", "orderid", "ordernumber", "orderno", "order", "name"),
    "customer_id": ("customerid", "customer", "clientid", "userid", "email", "customeremail"),
    "date": ("invoicedate", "orderdate", "createdat", "date", "purchasedate", "timestamp"),
    "quantity": ("quantity", "lineitemquantity", "qty", "numberofcds", "units"),
    "unit_price": ("unitprice", "lineitemprice", "price", "itemprice"),
    "line_amount": ("lineamount", "amount", "linetotal", "dollarvalue", "sales", "revenue"),
    "product_code": ("stockcode", "lineitemsku", "sku", "productcode", "productid", "itemid"),
    "description": ("description", "lineitemname", "productname", "itemname", "title"),
    "country": ("country", "billingcountry", "shippingcountry"),
    "status": ("cancelledat", "orderstatus", "status"),
}
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
    "%Y%m%d",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y",
)


def _normalised(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def header_and_sample(path: str) -> tuple[list[str], list[list[str]]]:
    """The file's column names and its first rows (as text; none for a workbook)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".parquet":
        con = duckdb_io.connect()
        try:
            relation = con.sql(f"select * from read_parquet({duckdb_io.sql_string(path)})")
            rows = relation.limit(SAMPLE_ROWS).fetchall()
            return list(relation.columns), [[str(v) for v in row] for row in rows]
        except duckdb.Error:
            return [], []
        finally:
            con.close()
    if suffix == ".xlsx":
        sheet = fastexcel.read_excel(path).load_sheet(0, header_row=0, n_rows=SAMPLE_ROWS)
        return [str(column.name) for column in sheet.available_columns()], []
    with open(path, encoding="utf-8", errors="replace", newline="") as text:
        lines = [line for _, line in zip(range(SAMPLE_ROWS + 1), text, strict=False)]
    rows = [line.split() for line in lines] if suffix == ".txt" else list(csv.reader(lines))
    return (rows[0], rows[1:]) if rows else ([], [])


def suggest_columns(columns: list[str]) -> dict[str, str]:
    """field -> column, for each field whose usual names appear in the header."""
    by_name = {_normalised(column): column for column in columns}
    chosen: dict[str, str] = {}
    for field, names in FIELD_NAMES.items():
        found = next((by_name[n] for n in names if n in by_name), None)
        if found is not None and found not in chosen.values():
            chosen[field] = found
    if "unit_price" in chosen and "line_amount" in chosen:
        del chosen["line_amount"]  # a unit price is enough
    return chosen


def suggest_date_format(values: list[str]) -> str:
    """The first format every sampled date fits; auto when none does."""
    values = [v.strip() for v in values if v and v.strip()]
    for date_format in DATE_FORMATS:
        try:
            for value in values:
                dt.datetime.strptime(value, date_format)
        except ValueError:
            continue
        if values:
            return date_format
    return "auto"


def suggest_mapping(path: str) -> tuple[dict, list[str]]:
    """A draft mapping for the file, and the required fields it could not find."""
    columns, rows = header_and_sample(path)
    chosen = suggest_columns(columns)
    draft: dict = {"description": f"suggested for {Path(path).name}", "rules": "generic"}
    draft["other_columns"] = "ignore"
    draft["columns"] = {field: chosen[field] for field in FIELDS if field in chosen}
    if "date" in chosen:
        position = columns.index(chosen["date"])
        draft["date_format"] = suggest_date_format(
            [row[position] for row in rows if position < len(row)]
        )
    if "customer_id" in chosen and any(
        "@" in row[columns.index(chosen["customer_id"])]
        for row in rows
        if columns.index(chosen["customer_id"]) < len(row)
    ):
        draft["customer_ids"] = "text"
    if "status" in chosen:
        draft["cancelled_when"] = {"status": "any"}
    missing = [f for f in REQUIRED_FIELDS if f not in chosen]
    if "unit_price" not in chosen and "line_amount" not in chosen:
        missing.append("unit_price or line_amount")
    return draft, missing


def draft_text(draft: dict) -> str:
    return yaml.safe_dump(draft, sort_keys=False, allow_unicode=True)

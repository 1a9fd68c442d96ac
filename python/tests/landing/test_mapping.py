"""Column mappings: the shipped ones, one's own, what a wrong one says, and what they land."""

from __future__ import annotations

from pathlib import Path

import pytest
from landing_files import write_bytes
from shop_exports import write_shopify_export

from insiders.cli import main
from insiders.landing.landed import RawFileError
from insiders.landing.mapping import load_mapping, mapping_row, shipped_mappings
from insiders.landing.raw_file import open_landed


def test_the_shipped_mappings_load_and_online_retail_keeps_both_layouts():
    mappings = {name: load_mapping(name) for name in shipped_mappings()}

    assert set(mappings) == {"online_retail", "shopify", "cdnow"}
    assert set(mappings["online_retail"].layouts) == {"uci", "retail_ii"}
    assert mappings["online_retail"].rules == "online_retail"
    assert {mappings["shopify"].rules, mappings["cdnow"].rules} == {"generic"}
    assert mapping_row(mappings["cdnow"])["price_from"] == "line_amount"
    assert mapping_row(mappings["shopify"])["cancelled_status_values"] == []


def test_insiders_mapping_names_a_shipped_mapping_or_a_file(tmp_path, monkeypatch):
    own = write_bytes(
        tmp_path / "till.yml",
        "columns: {customer_id: Client, date: Day, line_amount: Amount}\ndate_format: '%d.%m.%Y'\n",
    )
    monkeypatch.setenv("INSIDERS_MAPPING", str(own))

    assert load_mapping().name == "till"
    assert load_mapping("cdnow").name == "cdnow"
    with pytest.raises(RawFileError, match=r"'woo'.*not a shipped mapping \(cdnow, online_retail"):
        load_mapping("woo")


def test_a_mapping_without_a_required_field_names_itself_and_the_fields(tmp_path):
    own = write_bytes(tmp_path / "bad.yml", "columns: {order_id: Order, date: Day}\n")

    with pytest.raises(
        RawFileError,
        match=r"mapping 'bad' \(.*bad\.yml\): the required fields "
        r"\['customer_id', 'unit_price or line_amount'\] name no column",
    ):
        load_mapping(str(own))


def test_a_file_without_a_mapped_column_names_the_mapping_and_the_columns_found(tmp_path):
    path = write_bytes(tmp_path / "orders.csv", "Name,Email,Created at\n#1,a@b.example,x\n")

    with pytest.raises(
        RawFileError,
        match=r"orders\.csv: the columns match no layout of the mapping 'shopify'.*"
        r"Found: \['Name', 'Email', 'Created at'\].*missing \['Lineitem sku'",
    ):
        open_landed(path, mapping=load_mapping("shopify"))


def test_a_shopify_export_lands_with_its_order_fields_on_every_line_and_dates_in_utc(tmp_path):
    path = tmp_path / "orders_export.csv"
    write_shopify_export(path, customers=30)
    rows = open_landed(path, mapping=load_mapping("shopify")).read_all().to_pylist()
    by_order: dict[str, list[dict]] = {}
    for row in rows:
        by_order.setdefault(row["invoice_no"], []).append(row)
    several = next(lines for lines in by_order.values() if len(lines) > 1)

    assert rows[0]["source_shape"] == "shopify_csv"
    assert len({(r["customer_id"], r["invoice_date"], r["country"]) for r in several}) == 1
    assert several[0]["invoice_date"].endswith(("00", "05"))  # rendered, not "... -0500"
    assert all(r["unit_price"] and r["line_amount"] is None for r in rows)


def test_a_whitespace_text_file_lands_by_its_header(tmp_path):
    path = write_bytes(
        tmp_path / "cdnow.txt",
        " customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n"
        " 00002 1997-01-12  2\r\n",
    )
    rows = open_landed(path, mapping=load_mapping("cdnow")).read_all().to_pylist()

    assert [(r["source_line"], r["customer_id"], r["invoice_date"]) for r in rows] == [
        (2, "00001", "1997-01-01 00:00:00"),
        (3, "00002", "1997-01-12"),
    ]
    assert [(r["line_amount"], r["line_error"]) for r in rows] == [
        ("11.77", None),
        (None, "wrong_field_count"),
    ]


def test_inspect_names_the_shipped_mapping_that_reads_a_file(tmp_path, capsys):
    path = tmp_path / "orders_export.csv"
    write_shopify_export(path, customers=5)

    assert main(["inspect", str(path)]) == 1
    assert "The shipped mapping 'shopify' reads this file" in capsys.readouterr().out
    assert main(["inspect", str(path), "--mapping", "shopify"]) == 0
    assert "shape:    shopify_csv" in capsys.readouterr().out


def test_inspect_suggests_a_mapping_for_a_file_no_mapping_reads(tmp_path, capsys):
    path: Path = write_bytes(
        tmp_path / "sales.csv",
        "order_number,customer_email,order_date,sku,qty,line_total,notes\n"
        "A1,x@y.example,2024-03-01,S1,2,9.98,\n",
    )

    assert main(["inspect", str(path)]) == 1
    out = capsys.readouterr().out
    assert "No shipped mapping reads this file" in out
    for line in (
        "order_id: order_number",
        "customer_id: customer_email",
        "date: order_date",
        "quantity: qty",
        "line_amount: line_total",
        "product_code: sku",
        "date_format: '%Y-%m-%d'",
        "customer_ids: text",
    ):
        assert line in out

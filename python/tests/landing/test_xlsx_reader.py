"""Landing xlsx workbooks: typed cells as canonical text, every sheet, the bad workbooks."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from landing_files import (
    RETAIL_II_HEADER,
    UCI_HEADER,
    landed,
    texts,
    typed_values,
    uci_workbook,
)

from insiders.landing.raw_file import RawFileError, detect_shape


def test_uci_xlsx_lands_typed_cells_typed_or_as_canonical_text(tmp_path):
    path = uci_workbook(tmp_path / "Online Retail.xlsx")

    shape = detect_shape(path)
    rows = landed(path)

    assert (shape.name, shape.file_format, shape.encoding) == ("uci_xlsx", "xlsx", None)
    assert shape.sheets == ("Online Retail",)
    assert [(row["source_sheet"], row["source_line"]) for row in rows] == [
        ("Online Retail", 2),
        ("Online Retail", 3),
        ("Online Retail", 5),
    ]
    assert texts(rows[0]) == [
        "536365",
        "85123A",
        "WHITE HANGING HEART T-LIGHT HOLDER",
        "6",
        "2010-12-01 08:26:00",
        "2.55",
        "17850",
        "United Kingdom",
    ]
    assert texts(rows[1]) == [
        "536366",
        "22633",
        "HAND WARMER ",
        "6",
        "2010-12-01 08:28:00",
        "1.85",
        "17850",
        None,
    ]
    assert texts(rows[2])[5:] == ["27.5", None, "É"]
    # The numbers and dates landed typed, their text null; the codes, mixed, as text.
    assert typed_values(rows[0]) == [6.0, dt.datetime(2010, 12, 1, 8, 26), 2.55, 17850.0]
    assert [rows[0][name] for name in ("quantity", "invoice_date", "invoice_no")] == [
        None,
        None,
        "536365",
    ]


def test_retail_ii_xlsx_reads_every_sheet(tmp_path):
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "Year 2009-2010"
    first.append(RETAIL_II_HEADER.split(","))
    first.append([489434, "85048", "GLASS BALL", 12, dt.datetime(2009, 12, 1, 7, 45), 6.95, 13085])
    second = workbook.create_sheet("Year 2010-2011")
    second.append(RETAIL_II_HEADER.split(","))
    second.append([536365, "85123A", "HEART", 6, dt.datetime(2010, 12, 1, 8, 26), 2.55, 17850])
    second.append([536366, "22633", "WARMER", 6, dt.datetime(2010, 12, 1, 8, 28), 1.85, None])
    path = tmp_path / "online_retail_II.xlsx"
    workbook.save(path)

    shape = detect_shape(path)
    rows = landed(path)

    assert shape.name == "retail_ii_xlsx"
    assert shape.sheets == ("Year 2009-2010", "Year 2010-2011")
    assert [(row["source_sheet"], row["source_line"], row["invoice_no"]) for row in rows] == [
        ("Year 2009-2010", 2, "489434"),
        ("Year 2010-2011", 2, "536365"),
        ("Year 2010-2011", 3, "536366"),
    ]
    assert texts(rows[0])[4] == "2009-12-01 07:45:00"
    assert rows[2]["customer_id"] is None


def test_a_header_only_xlsx_is_an_error(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(UCI_HEADER.split(","))
    workbook.save(tmp_path / "header.xlsx")

    with pytest.raises(RawFileError, match=r"header\.xlsx: has a header but no data rows"):
        detect_shape(tmp_path / "header.xlsx")


def test_sheets_with_different_column_sets_are_an_error(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(UCI_HEADER.split(","))
    workbook.active.append([1, "A", "a", 1, dt.datetime(2010, 12, 1), 1.0, 1, "UK"])
    workbook.create_sheet("II").append(RETAIL_II_HEADER.split(","))
    workbook.save(tmp_path / "mixed.xlsx")

    with pytest.raises(RawFileError, match=r"mixed\.xlsx \(sheet 'II'\).*same columns"):
        detect_shape(tmp_path / "mixed.xlsx")


def test_every_cell_of_a_column_decides_how_it_lands(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(UCI_HEADER.split(","))
    when = dt.datetime(2010, 12, 1, 8, 26, 5, 123000)
    prices = [2.55, 12.345, 2.0**60, 1e-05]
    for n in range(1_500):  # beyond any sample of the first rows
        sheet.append([536365 + n, "85123A", "HEART", 6, when, prices[n % 4], n % 2 == 0, "UK"])
    sheet.append(["C538000", 22633, "WARMER", -1, dt.date(2010, 12, 2), 1.0, False, "UK"])
    path = tmp_path / "types.xlsx"
    workbook.save(path)

    rows = landed(path)

    assert [texts(row) for row in rows[:4]] == [
        ["536365", "85123A", "HEART", "6", "2010-12-01 08:26:05", "2.55", "TRUE", "UK"],
        [
            "536366",
            "85123A",
            "HEART",
            "6",
            "2010-12-01 08:26:05",
            "12.345",
            "FALSE",
            "UK",
        ],
        [
            "536367",
            "85123A",
            "HEART",
            "6",
            "2010-12-01 08:26:05",
            "1.152921504606847e+18",
            "TRUE",
            "UK",
        ],
        ["536368", "85123A", "HEART", "6", "2010-12-01 08:26:05", "1e-05", "FALSE", "UK"],
    ]
    assert texts(rows[-1]) == [
        "C538000",
        "22633",
        "WARMER",
        "-1",
        "2010-12-02 00:00:00",
        "1",
        "FALSE",
        "UK",
    ]
    assert rows[-1]["source_line"] == 1_502


def test_a_sheet_with_nothing_in_row_1_is_unused(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append([])
    workbook.active.append(UCI_HEADER.split(","))
    workbook.active.append([1, "A", "a", 1, dt.datetime(2010, 12, 1), 1.0, 1, "UK"])
    workbook.save(tmp_path / "low.xlsx")

    with pytest.raises(RawFileError, match=r"low\.xlsx: every sheet is empty"):
        detect_shape(tmp_path / "low.xlsx")

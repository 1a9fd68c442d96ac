"""Landing parquet files: numbers and dates typed, other columns as text, any letter case."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from landing_files import RETAIL_II_HEADER, UCI_HEADER, landed, typed_values, uci_parquet, values

from insiders.landing.raw_file import RawFileError, detect_shape


def test_parquet_with_uci_names_lands_numbers_and_dates_typed(tmp_path):
    path = uci_parquet(tmp_path / "online_retail.parquet", UCI_HEADER.split(","))

    shape = detect_shape(path)
    rows = landed(path)

    assert (shape.name, shape.file_format) == ("parquet_uci", "parquet")
    assert [row["source_line"] for row in rows] == [1, 2]
    # The strings as text; the numbers and the date typed, their text null.
    assert values(rows[0]) == [
        "536365",
        "85123A",
        "WHITE HANGING HEART T-LIGHT HOLDER",
        None,
        None,
        None,
        None,
        "United Kingdom",
    ]
    assert typed_values(rows[0]) == [6.0, dt.datetime(2010, 12, 1, 8, 26), 2.55, 17850.0]
    assert values(rows[1]) == ["C536379", "D", None, None, None, None, None, "France"]
    assert typed_values(rows[1]) == [-1.0, dt.datetime(2011, 1, 2, 9, 41, 5), 0.1 + 0.2, None]


def test_parquet_types_without_an_exact_double_land_as_text(tmp_path):
    """A float32, a decimal, a whole number beyond 2**53 and a text date keep their text; a
    NaN is a missing value; sub-seconds are dropped, and an aware timestamp is read in UTC."""
    table = pa.table(
        {
            "InvoiceNo": ["1", "2"],
            "StockCode": ["A", "B"],
            "Description": ["a", "b"],
            "Quantity": pa.array([2**53, 3], pa.int64()),
            "InvoiceDate": pa.array(
                [dt.datetime(2011, 1, 2, 9, 41, 5, 999999, tzinfo=dt.UTC), None],
                pa.timestamp("us", tz="Europe/London"),
            ),
            "UnitPrice": pa.array([2.55, 1.0], pa.float32()),
            "CustomerID": pa.array([float("nan"), 17850.0]),
            "Country": ["UK", "UK"],
        }
    )
    pq.write_table(table, tmp_path / "typed.parquet")

    rows = landed(tmp_path / "typed.parquet")

    assert [row["quantity"] for row in rows] == [str(2**53), None]
    assert [row["quantity_value"] for row in rows] == [None, 3.0]
    assert [row["invoice_date_value"] for row in rows] == [dt.datetime(2011, 1, 2, 9, 41, 5), None]
    assert [row["unit_price"] for row in rows] == ["2.55", "1"]
    assert [row["unit_price_value"] for row in rows] == [None, None]
    assert [row["customer_id_value"] for row in rows] == [None, 17850.0]
    assert [row["customer_id"] for row in rows] == [None, None]


def test_parquet_with_lower_case_retail_ii_names(tmp_path):
    names = [name.lower() for name in RETAIL_II_HEADER.split(",")]
    path = uci_parquet(tmp_path / "retail.PARQUET", names)

    rows = landed(path)

    assert detect_shape(path).name == "parquet_retail_ii"
    assert values(rows[0])[7:] == ["United Kingdom"]
    assert typed_values(rows[0]) == [6.0, dt.datetime(2010, 12, 1, 8, 26), 2.55, 17850.0]


def test_a_parquet_without_rows_is_an_error(tmp_path):
    pq.write_table(
        pa.table({name: pa.array([], pa.string()) for name in UCI_HEADER.split(",")}),
        tmp_path / "empty.parquet",
    )

    with pytest.raises(RawFileError, match=r"empty\.parquet: has columns but no rows"):
        detect_shape(tmp_path / "empty.parquet")


def test_a_nan_lands_as_null_whatever_the_file_statistics_say(tmp_path):
    """A parquet file's statistics leave NaN out of a column's min and max; the landing still
    sees the NaN (DuckDB would otherwise fold isnan() to false from them)."""
    table = pa.table(
        {
            "InvoiceNo": ["1", "2", "3"],
            "StockCode": ["A", "B", "C"],
            "Description": ["a", "b", "c"],
            "Quantity": [6.0, float("nan"), 2.0],
            "InvoiceDate": pa.array([dt.datetime(2011, 1, 2, 9, 41)] * 3),
            "UnitPrice": pa.array([2.55, float("nan"), 1.0], pa.float32()),
            "CustomerID": [17850.0, 12346.0, float("nan")],
            "Country": ["UK", "UK", "UK"],
        }
    )
    pq.write_table(table, tmp_path / "nan.parquet")

    rows = landed(tmp_path / "nan.parquet")

    assert [row["quantity_value"] for row in rows] == [6.0, None, 2.0]
    assert [row["unit_price"] for row in rows] == ["2.55", None, "1"]
    assert [row["customer_id_value"] for row in rows] == [17850.0, 12346.0, None]
    assert [values(row)[3] for row in rows] == [None, None, None]

"""Landing parquet files: typed columns as canonical text, any letter case, no rows."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from landing_files import RETAIL_II_HEADER, UCI_HEADER, landed, uci_parquet, values

from insiders.landing.raw_file import RawFileError, detect_shape


def test_parquet_with_uci_names_renders_types_as_canonical_text(tmp_path):
    path = uci_parquet(tmp_path / "online_retail.parquet", UCI_HEADER.split(","))

    shape = detect_shape(path)
    rows = landed(path)

    assert (shape.name, shape.file_format) == ("parquet_uci", "parquet")
    assert [row["source_line"] for row in rows] == [1, 2]
    assert values(rows[0]) == [
        "536365",
        "85123A",
        "WHITE HANGING HEART T-LIGHT HOLDER",
        "6",
        "2010-12-01 08:26:00",
        "2.55",
        "17850",
        "United Kingdom",
    ]
    assert values(rows[1]) == [
        "C536379",
        "D",
        None,
        "-1",
        "2011-01-02 09:41:05",
        "0.30000000000000004",
        None,
        "France",
    ]


def test_parquet_with_lower_case_retail_ii_names(tmp_path):
    names = [name.lower() for name in RETAIL_II_HEADER.split(",")]
    path = uci_parquet(tmp_path / "retail.PARQUET", names)

    rows = landed(path)

    assert detect_shape(path).name == "parquet_retail_ii"
    assert values(rows[0])[4:] == ["2010-12-01 08:26:00", "2.55", "17850", "United Kingdom"]


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

    assert [values(row)[3] for row in rows] == ["6", None, "2"]
    assert [values(row)[5] for row in rows] == ["2.55", None, "1"]
    assert [values(row)[6] for row in rows] == ["17850", "12346", None]

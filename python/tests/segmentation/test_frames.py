"""What a Python model is handed becomes pandas on DuckDB and on Spark alike."""

import duckdb
import pandas as pd
import pytest

from insiders.segmentation.frames import to_pandas


class SparkLikeFrame:
    """A stand-in with the one method of a Spark DataFrame the models use."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame

    def toPandas(self) -> pd.DataFrame:
        return self.frame


def test_to_pandas_reads_duckdb_spark_and_pandas_frames():
    expected = pd.DataFrame({"customer_id": [1, 2], "gross_revenue": [10.0, 2.5]})
    with duckdb.connect() as con:
        relation = con.sql(
            "select * from (values (1, 10.0), (2, 2.5)) as t(customer_id, gross_revenue)"
        )
        from_duckdb = to_pandas(relation)
    assert from_duckdb["customer_id"].tolist() == [1, 2]
    assert from_duckdb["gross_revenue"].astype(float).tolist() == [10.0, 2.5]
    assert to_pandas(SparkLikeFrame(expected)) is expected
    assert to_pandas(expected) is expected
    with pytest.raises(TypeError, match="cannot turn a list"):
        to_pandas([1, 2])

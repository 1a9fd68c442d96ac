"""What a Python model is handed becomes pandas on DuckDB and on Spark alike."""

import duckdb
import pandas as pd
import pytest

from insiders.segmentation.frames import customer_features, to_pandas


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


def test_customer_features_reads_the_parquet_folder_when_given(tmp_path):
    folder = tmp_path / "customer_features"
    folder.mkdir()
    with duckdb.connect() as con:
        con.execute(
            f"copy (select 7 as customer_id, 1.5 as gross_revenue) to '{folder}/part-0.parquet'"
        )

        def model_ref():
            return con.sql("select 1 as customer_id, 9.0 as gross_revenue")

        assert customer_features(model_ref, con, "")["customer_id"].tolist() == [1]
        # the model's ref is not called: its table does not exist in the second step
        from_spark = customer_features(lambda: pytest.fail("read the ref"), con, str(folder))
        assert from_spark["customer_id"].tolist() == [7]
        with pytest.raises(FileNotFoundError, match="no parquet files in"):
            customer_features(model_ref, con, str(tmp_path / "missing"))

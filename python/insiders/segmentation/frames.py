"""What a dbt Python model is handed, as pandas, on whichever engine runs it.

dbt-duckdb hands a model DuckDB relations (``.df()``); dbt-databricks hands it Spark DataFrames
(``.toPandas()``). The models turn only customer-level tables into pandas (one row per customer,
aggregated in SQL first): invoice-level data stays in the engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd


def to_pandas(frame: Any) -> pd.DataFrame:
    """The pandas frame of a DuckDB relation, a Spark DataFrame or a pandas frame."""
    if isinstance(frame, pd.DataFrame):
        return frame
    if hasattr(frame, "toPandas"):  # Spark (Databricks)
        return frame.toPandas()
    if hasattr(frame, "df"):  # DuckDB
        return frame.df()
    raise TypeError(f"cannot turn a {type(frame).__name__} into a pandas frame")


def spark_customer_features(session: Any, parquet_folder: str) -> pd.DataFrame:
    """The customer_features a Spark build wrote as parquet, read by a model's DuckDB
    ``session``: the second step of the two-step run (README, "Bigger than one machine")."""
    files = Path(parquet_folder) / "*.parquet"
    found = session.execute("select count(*) from glob(?)", [str(files)]).fetchall()[0][0]
    if not found:
        raise FileNotFoundError(
            f"customer_features_parquet: no parquet files in {parquet_folder} (the folder "
            "Spark wrote customer_features to: <INSIDERS_SPARK_DIR>/warehouse/main.db/"
            "customer_features)"
        )
    return session.read_parquet(str(files)).df()

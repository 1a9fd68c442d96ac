"""What a dbt Python model is handed, as pandas, on whichever engine runs it.

dbt-duckdb hands a model DuckDB relations (``.df()``); dbt-databricks hands it Spark DataFrames
(``.toPandas()``). The models turn only customer-level tables into pandas (one row per customer,
aggregated in SQL first): invoice-level data stays in the engine.
"""

from __future__ import annotations

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

"""Per calibration window and customer: the BG/NBD + Gamma-Gamma predictions.

Thin on purpose: the fit and the predictions live in insiders.programme.value (tested there). The
input is already one row per customer and window (int_customer_value_windows), never the lines.
"""

from insiders.programme.value import predict_customer_value
from insiders.segmentation.frames import to_pandas


def model(dbt, session):
    dbt.config(materialized="table")
    inputs = to_pandas(dbt.ref("int_customer_value_windows"))
    return predict_customer_value(
        inputs,
        period_days=int(dbt.config.get("period_days")),
        draws=int(dbt.config.get("draws")),
        seed=int(dbt.config.get("seed")),
    )

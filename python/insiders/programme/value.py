"""Predicted customer value: each customer's expected purchases, chance of being active and revenue.

``predict_customer_value`` takes the per-customer inputs that the SQL model
``int_customer_value_inputs`` computes from the cleaned lines (frequency, recency, T and mean
repeat spend, in days, for each calibration window) and returns, per window and customer, the
BG/NBD + Gamma-Gamma predictions (``insiders.programme.clv``). Each window is fitted on its own:
``forecast`` ends at the reference date and predicts the next period; ``backtest`` ends one period
earlier, so that ``customer_value_backtest`` can score it against the period that then happened.

Beside each expectation sits the variance of the customer's revenue over the next period, from
seeded draws of the model: customers are independent given the fit, so the variance of any
group's total is the sum of its customers' variances, and a group's interval needs no refit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insiders.programme.clv import (
    expected_purchases,
    expected_spend,
    fit_bgnbd,
    fit_gamma_gamma,
    p_alive,
    simulate_revenue,
)

DEFAULT_PERIOD_DAYS = 90
YEAR_DAYS = 365
DEFAULT_DRAWS = 200
DEFAULT_SEED = 0
SIMULATION_CHUNK = 20_000  # customers per block of draws: bounds memory at large scales
INPUT_COLUMNS = ("calibration", "customer_id", "frequency", "recency", "T", "monetary_value")
PARAMETER_COLUMNS = {
    "bgnbd_r": "r",
    "bgnbd_alpha": "alpha",
    "bgnbd_a": "a",
    "bgnbd_b": "b",
    "gamma_gamma_p": "p",
    "gamma_gamma_q": "q",
    "gamma_gamma_v": "v",
}
OUTPUT_DTYPES = {
    "calibration": "object",
    "customer_id": "int64",
    "p_alive": "float64",
    "expected_purchases_next_period": "float64",
    "expected_spend_per_purchase": "float64",
    "expected_revenue_next_period": "float64",
    "revenue_next_period_variance": "float64",
    "expected_purchases_365d": "float64",
    "expected_revenue_365d": "float64",
    **dict.fromkeys(PARAMETER_COLUMNS, "float64"),
}


def empty_predictions() -> pd.DataFrame:
    """No rows, the output's columns and types (for ``dbt build --empty``)."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in OUTPUT_DTYPES.items()})


def _revenue_variance(period_days, bg, gg, inputs: pd.DataFrame, *, draws: int, seed: int):
    rng = np.random.default_rng(seed)
    variances = np.empty(len(inputs))
    for start in range(0, len(inputs), SIMULATION_CHUNK):
        block = inputs.iloc[start : start + SIMULATION_CHUNK]
        rfm = {
            "frequency": block["frequency"].to_numpy(float),
            "recency": block["recency"].to_numpy(float),
            "T": block["T"].to_numpy(float),
            "monetary": block["monetary_value"].to_numpy(float),
        }
        revenue = simulate_revenue(period_days, bg, gg, rfm, draws=draws, rng=rng)
        variances[start : start + len(block)] = revenue.var(axis=0, ddof=1)
    return variances


def predict_window(
    inputs: pd.DataFrame, *, period_days: int, draws: int, seed: int
) -> pd.DataFrame:
    """Fit BG/NBD and Gamma-Gamma on one window's customers and predict each of them."""
    inputs = inputs.sort_values("customer_id", kind="stable").reset_index(drop=True)
    x = inputs["frequency"].to_numpy(float)
    t_x = inputs["recency"].to_numpy(float)
    T = inputs["T"].to_numpy(float)
    monetary = inputs["monetary_value"].to_numpy(float)
    bg = fit_bgnbd(x, t_x, T)
    gg = fit_gamma_gamma(x, monetary)
    spend = expected_spend(gg, x, monetary)
    purchases = expected_purchases(period_days, bg, x, t_x, T)
    purchases_year = expected_purchases(YEAR_DAYS, bg, x, t_x, T)
    out = pd.DataFrame(
        {
            "calibration": inputs["calibration"].astype(object),
            "customer_id": inputs["customer_id"].astype("int64"),
            "p_alive": p_alive(bg, x, t_x, T),
            "expected_purchases_next_period": purchases,
            "expected_spend_per_purchase": spend,
            "expected_revenue_next_period": purchases * spend,
            "revenue_next_period_variance": _revenue_variance(
                period_days, bg, gg, inputs, draws=draws, seed=seed
            ),
            "expected_purchases_365d": purchases_year,
            "expected_revenue_365d": purchases_year * spend,
        }
    )
    fitted = {**bg.as_dict(), **gg.as_dict()}
    for column, name in PARAMETER_COLUMNS.items():
        out[column] = fitted[name]
    numeric = out.drop(columns=["calibration"]).to_numpy(float)
    if not np.isfinite(numeric).all():
        raise ValueError("the customer-value model produced non-finite predictions")
    return out


def predict_customer_value(
    inputs: pd.DataFrame,
    *,
    period_days: int = DEFAULT_PERIOD_DAYS,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Predictions for every (calibration window, customer) of ``int_customer_value_inputs``."""
    missing = [column for column in INPUT_COLUMNS if column not in inputs.columns]
    if missing:
        raise ValueError(f"customer value inputs lack the columns {missing}")
    if period_days <= 0 or draws < 2:
        raise ValueError("forecast_period_days must be positive and draws at least 2")
    if inputs.empty:
        return empty_predictions()
    windows = [
        predict_window(group, period_days=period_days, draws=draws, seed=seed)
        for _, group in inputs.groupby("calibration", sort=True)
    ]
    return pd.concat(windows, ignore_index=True).astype(OUTPUT_DTYPES)

"""predict_customer_value: per window fits, the output's shape and types, seeds, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insiders.programme.value import OUTPUT_DTYPES, predict_customer_value


def simulated_windows(customers: int = 600, seed: int = 3) -> pd.DataFrame:
    """RFM rows of customers who buy at a steady rate, some of whom have stopped."""
    rng = np.random.default_rng(seed)
    rows = []
    for calibration, horizon in (("forecast", 360), ("backtest", 270)):
        for customer in range(customers):
            start = int(rng.integers(0, horizon - 10))
            stop = horizon if rng.random() < 0.6 else int(rng.integers(start, horizon))
            days = np.unique(rng.integers(start, stop + 1, size=1 + rng.poisson(6)))
            days = days[days >= start]
            frequency = len(days) - 1
            rows.append(
                {
                    "calibration": calibration,
                    "customer_id": 1000 + customer,
                    "frequency": frequency,
                    "recency": int(days[-1] - days[0]),
                    "T": int(horizon - days[0]),
                    "monetary_value": float(rng.gamma(4.0, 10.0)) if frequency else None,
                }
            )
    return pd.DataFrame(rows)


def test_each_window_is_fitted_on_its_own_customers():
    inputs = simulated_windows()
    out = predict_customer_value(inputs, period_days=90, draws=50, seed=0)
    assert len(out) == len(inputs)
    assert dict(out.dtypes.astype(str)) == {
        name: ("object" if dtype == "object" else dtype) for name, dtype in OUTPUT_DTYPES.items()
    }
    per_window = out.groupby("calibration")[["bgnbd_r", "bgnbd_b"]].nunique()
    assert (per_window == 1).all().all()
    assert out.groupby("calibration")["bgnbd_r"].first().nunique() == 2
    assert out["p_alive"].between(0, 1).all()
    assert (out["expected_revenue_365d"] >= out["expected_revenue_next_period"]).all()
    assert (out["revenue_next_period_variance"] >= 0).all()
    assert (out["revenue_next_period_variance"] > 0).mean() > 0.75


def test_the_same_seed_gives_the_same_output_bit_for_bit():
    inputs = simulated_windows(customers=200)
    first = predict_customer_value(inputs, draws=30, seed=5)
    again = predict_customer_value(inputs.sample(frac=1.0, random_state=1), draws=30, seed=5)
    pd.testing.assert_frame_equal(first, again)
    other = predict_customer_value(inputs, draws=30, seed=6)
    assert not other["revenue_next_period_variance"].equals(first["revenue_next_period_variance"])


def test_an_empty_input_gives_an_empty_frame_with_the_columns():
    empty = simulated_windows(customers=1).iloc[0:0]
    out = predict_customer_value(empty)
    assert out.empty
    assert list(out.columns) == list(OUTPUT_DTYPES)


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="monetary_value"):
        predict_customer_value(simulated_windows(customers=5).drop(columns="monetary_value"))

"""The BG/NBD and Gamma-Gamma fits against the published CDNOW estimates, and their predictions.

The CDNOW data ships in the ``lifetimes`` 0.11.3 wheel on PyPI (MIT licence), fetched once into
pytest's cache (conftest's ``cdnow_dir``).
Fader, Hardie & Lee (2005a) fit BG/NBD on the 2,357-customer sample
(``CDNOW_sample.txt``) over a 39-week calibration period ending 1997-09-30, in weeks: r = 0.243,
alpha = 4.414, a = 0.793, b = 2.426. The Gamma-Gamma estimates of FHL (2005b) on the same
customers: p = 6.25, q = 3.74, gamma = 15.44.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from insiders.programme import clv

CALIBRATION_END = pd.Timestamp("1997-09-30")


def calibration_summary(transactions: pd.DataFrame) -> pd.DataFrame:
    """Frequency, recency, T (weeks) and mean repeat spend, as the SQL model defines them."""
    calibration = transactions[transactions["date"] <= CALIBRATION_END]
    days = calibration.groupby(["customer_id", "date"], as_index=False)["amount"].sum()
    grouped = days.sort_values("date").groupby("customer_id")
    first, last, count = grouped["date"].min(), grouped["date"].max(), grouped["date"].count()
    repeat_revenue = grouped["amount"].sum() - grouped["amount"].first()
    return pd.DataFrame(
        {
            "frequency": count - 1,
            "recency": (last - first).dt.days / 7.0,
            "T": (CALIBRATION_END - first).dt.days / 7.0,
            "monetary": repeat_revenue / (count - 1).where(count > 1),
        }
    )


@pytest.fixture(scope="session")
def cdnow_sample(cdnow_dir) -> pd.DataFrame:
    transactions = pd.read_csv(
        cdnow_dir / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "quantity", "amount"],
        dtype={"date": str},
    )
    transactions["date"] = pd.to_datetime(transactions["date"], format="%Y%m%d")
    return calibration_summary(transactions)


def test_the_sample_is_the_published_cohort(cdnow_sample):
    assert len(cdnow_sample) == 2357
    assert (cdnow_sample["frequency"] > 0).sum() == 946


def test_bgnbd_fit_matches_the_published_cdnow_estimates(cdnow_sample):
    fit = clv.fit_bgnbd(cdnow_sample["frequency"], cdnow_sample["recency"], cdnow_sample["T"])
    assert fit.converged
    assert (round(fit.r, 3), round(fit.alpha, 3), round(fit.a, 3), round(fit.b, 3)) == (
        0.243,
        4.414,
        0.793,
        2.426,
    )
    assert fit.loglik == pytest.approx(-9582.4, abs=0.05)


def test_gamma_gamma_fit_matches_the_published_cdnow_estimates(cdnow_sample):
    fit = clv.fit_gamma_gamma(cdnow_sample["frequency"], cdnow_sample["monetary"])
    assert fit.n_customers == 946
    assert (round(fit.p, 2), round(fit.q, 2), round(fit.v, 2)) == (6.25, 3.74, 15.44)


def test_predictions_match_the_published_worked_example(cdnow_sample):
    # Customer 1 of the sample (x = 2, t_x = 30.43, T = 38.86) at the published estimates:
    # pymc-marketing 0.19 gives E[Y(39)] = 1.226 and P(alive) = 0.727 (checked when choosing).
    fit = clv.BGNBDParams(r=0.242594, alpha=4.413587, a=0.792919, b=2.425945)
    row = cdnow_sample.iloc[0]
    assert clv.p_alive(fit, row["frequency"], row["recency"], row["T"]) == pytest.approx(
        0.7266, abs=5e-4
    )
    assert clv.expected_purchases(
        39, fit, row["frequency"], row["recency"], row["T"]
    ) == pytest.approx(1.226, abs=1e-3)


def test_bgnbd_gradient_is_the_derivative_of_the_likelihood(cdnow_sample):
    x, t_x, T = (cdnow_sample[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    weights = np.ones_like(x)
    error = optimize.check_grad(
        lambda p: clv._bgnbd_nll_grad(p, x, t_x, T, weights)[0],
        lambda p: clv._bgnbd_nll_grad(p, x, t_x, T, weights)[1],
        np.log([0.3, 5.0, 0.8, 2.5]),
    )
    assert error < 1e-3


def test_gamma_gamma_gradient_is_the_derivative_of_the_likelihood(cdnow_sample):
    repeat = cdnow_sample[cdnow_sample["frequency"] > 0]
    x, m = repeat["frequency"].to_numpy(float), repeat["monetary"].to_numpy(float)
    error = optimize.check_grad(
        lambda p: clv._gg_nll_grad(p, x, m, np.ones_like(x))[0],
        lambda p: clv._gg_nll_grad(p, x, m, np.ones_like(x))[1],
        np.log([5.0, 3.0, 15.0]),
    )
    assert error < 1e-3


def test_p_alive_falls_the_longer_a_regular_buyer_stays_away():
    fit = clv.BGNBDParams(r=0.8, alpha=60.0, a=0.4, b=15.0)
    quiet_days = np.array([0.0, 30.0, 90.0, 180.0, 360.0])
    alive = clv.p_alive(fit, 10, 200.0, 200.0 + quiet_days)
    assert np.all(np.diff(alive) < 0)
    assert alive[0] > 0.9 > 0.1 > alive[-1]
    assert clv.p_alive(fit, 0, 0.0, 300.0) == 1.0


def test_simulated_revenue_averages_to_the_closed_form_expectation():
    bg = clv.BGNBDParams(r=0.8, alpha=60.0, a=0.4, b=15.0)
    gg = clv.GammaGammaParams(p=5.0, q=3.0, v=60.0)
    rfm = {
        "frequency": np.array([0.0, 3.0, 12.0]),
        "recency": np.array([0.0, 100.0, 250.0]),
        "T": np.array([50.0, 300.0, 260.0]),
        "monetary": np.array([np.nan, 40.0, 120.0]),
    }
    draws = clv.simulate_revenue(90, bg, gg, rfm, draws=40_000, rng=np.random.default_rng(1))
    expected = clv.expected_purchases(90, bg, rfm["frequency"], rfm["recency"], rfm["T"]) * (
        clv.expected_spend(gg, rfm["frequency"], rfm["monetary"])
    )
    standard_error = draws.std(axis=0) / np.sqrt(draws.shape[0])
    assert np.all(np.abs(draws.mean(axis=0) - expected) < 4 * standard_error)


def test_fits_refuse_inconsistent_inputs():
    with pytest.raises(ValueError, match="recency"):
        clv.fit_bgnbd([1, 0], [0.0, 0.0], [10.0, 10.0])
    with pytest.raises(ValueError, match="repeat purchase"):
        clv.fit_gamma_gamma([0, 0], [np.nan, np.nan])

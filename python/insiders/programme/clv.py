"""BG/NBD and Gamma-Gamma customer-value models: likelihoods, maximum-likelihood fits, predictions.

* Fader, Hardie & Lee (2005a), "Counting Your Customers the Easy Way: An Alternative to the
  Pareto/NBD Model", Marketing Science 24(2): the BG/NBD likelihood (eq. 6), P(alive) and the
  conditional expectation E[Y(t) | x, t_x, T] (eq. 10).
* Fader, Hardie & Lee (2005b), "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis",
  JMR 42(4), and Hardie's note "The Gamma-Gamma Model of Monetary Value" (2013).

Inputs are one row per customer, in one time unit (the project uses days):

* ``frequency`` x: repeat purchase days (distinct purchase days - 1);
* ``recency`` t_x: time from the first to the last purchase;
* ``T``: time from the first purchase to the end of the calibration period;
* ``monetary`` m: mean spend over the repeat purchase days (customers with x > 0).

Why numpy + scipy rather than pymc-marketing: see the README ("Customer value"). The fits are
plain maximum likelihood, the same estimates as pymc-marketing's MAP fit with flat priors.
Parameters are optimised on the log scale with L-BFGS-B and analytic gradients; identical rows are
collapsed with weights first, so a fit costs one evaluation per distinct (x, t_x, T).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import optimize, special


@dataclass(frozen=True)
class BGNBDParams:
    r: float
    alpha: float
    a: float
    b: float
    loglik: float = float("nan")
    n_customers: int = 0
    converged: bool = True

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    v: float  # "gamma" in FHL 2005b; v in lifetimes and pymc-marketing
    loglik: float = float("nan")
    n_customers: int = 0
    converged: bool = True

    def as_dict(self) -> dict:
        return asdict(self)


def _arrays(*columns):
    return [np.asarray(column, dtype=float) for column in columns]


def _collapse(*columns):
    """Distinct rows and their counts: the likelihood is evaluated once per distinct row."""
    stacked = np.column_stack(columns)
    distinct, counts = np.unique(stacked, axis=0, return_counts=True)
    return [distinct[:, i] for i in range(distinct.shape[1])], counts.astype(float)


def _bgnbd_terms(r, alpha, a, b, x, t_x, T):
    """Per-row log-likelihood and its two mixture terms (the second is -inf when x = 0)."""
    common = (
        special.gammaln(r + x)
        - special.gammaln(r)
        + r * np.log(alpha)
        + special.betaln(a, b + x)
        - special.betaln(a, b)
    )
    still_alive = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    dropped = np.full_like(x, -np.inf)
    x_rep = x[repeat]
    dropped[repeat] = (
        np.log(a) - np.log(b + x_rep - 1.0) - (r + x_rep) * np.log(alpha + t_x[repeat])
    )
    return common + np.logaddexp(still_alive, dropped), still_alive, dropped


def bgnbd_loglik(params, frequency, recency, T):
    """Per-customer BG/NBD log-likelihood (FHL 2005a eq. 6); params = (r, alpha, a, b)."""
    r, alpha, a, b = params
    x, t_x, T = _arrays(frequency, recency, T)
    return _bgnbd_terms(r, alpha, a, b, x, t_x, T)[0]


def _bgnbd_nll_grad(log_params, x, t_x, T, weights):
    r, alpha, a, b = np.exp(log_params)
    ll, still_alive, dropped = _bgnbd_terms(r, alpha, a, b, x, t_x, T)
    top = np.maximum(still_alive, dropped)
    e_alive, e_dropped = np.exp(still_alive - top), np.exp(dropped - top)
    w_alive = e_alive / (e_alive + e_dropped)
    w_dropped = 1.0 - w_alive
    repeat = x > 0
    digamma = special.digamma
    log_at_tx = np.log(alpha + np.where(repeat, t_x, 0.0))
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w_alive * np.log(alpha + T)
    d_r -= np.where(repeat, w_dropped * log_at_tx, 0.0)
    d_alpha = r / alpha - w_alive * (r + x) / (alpha + T)
    d_alpha -= np.where(repeat, w_dropped * (r + x) / (alpha + np.where(repeat, t_x, 1.0)), 0.0)
    d_a = digamma(a + b) - digamma(a + b + x) + np.where(repeat, w_dropped / a, 0.0)
    d_b = digamma(b + x) - digamma(a + b + x) - digamma(b) + digamma(a + b)
    d_b -= np.where(repeat, w_dropped / np.where(repeat, b + x - 1.0, 1.0), 0.0)
    grad = np.array([(weights * d).sum() for d in (d_r, d_alpha, d_a, d_b)])
    return -(weights * ll).sum(), -grad * np.array([r, alpha, a, b])


def _check_rfm(x, t_x, T):
    if x.size == 0:
        raise ValueError("no customers to fit")
    if not (np.all(x >= 0) and np.all(t_x >= 0) and np.all(t_x <= T)):
        raise ValueError("need frequency >= 0 and 0 <= recency <= T for every customer")
    if np.any((x > 0) & (t_x <= 0)) or np.any((x == 0) & (t_x != 0)):
        raise ValueError("recency must be > 0 exactly when frequency > 0")


def _minimise(objective, start, *, tol, maxiter):
    return optimize.minimize(
        objective,
        np.log(np.asarray(start, dtype=float)),
        jac=True,
        method="L-BFGS-B",
        options={"ftol": tol, "gtol": 1e-8, "maxiter": maxiter},
    )


def fit_bgnbd(frequency, recency, T, *, tol: float = 1e-10, maxiter: int = 2000) -> BGNBDParams:
    """Maximum-likelihood BG/NBD fit."""
    x, t_x, T = _arrays(frequency, recency, T)
    _check_rfm(x, t_x, T)
    (x, t_x, T), weights = _collapse(x, t_x, T)
    n = weights.sum()

    def objective(log_params):
        nll, grad = _bgnbd_nll_grad(log_params, x, t_x, T, weights)
        return nll / n, grad / n  # per customer: better conditioned for L-BFGS

    start = (1.0, max(float(np.average(T, weights=weights)), 1.0) / 10, 1.0, 1.0)
    result = _minimise(objective, start, tol=tol, maxiter=maxiter)
    r, alpha, a, b = np.exp(result.x)
    ll = float(-_bgnbd_nll_grad(result.x, x, t_x, T, weights)[0])
    return BGNBDParams(float(r), float(alpha), float(a), float(b), ll, int(n), bool(result.success))


def p_alive(params: BGNBDParams, frequency, recency, T):
    """P(the customer is still active at T | x, t_x, T); 1 for customers with no repeat purchase."""
    x, t_x, T = np.broadcast_arrays(*_arrays(frequency, recency, T))
    out = np.ones(x.shape)
    repeat = x > 0
    x_rep = x[repeat]
    log_odds_dropped = (
        np.log(params.a)
        - np.log(params.b + x_rep - 1.0)
        + (params.r + x_rep)
        * (np.log(params.alpha + T[repeat]) - np.log(params.alpha + t_x[repeat]))
    )
    out[repeat] = np.exp(-np.logaddexp(0.0, log_odds_dropped))
    return out


def expected_purchases(t, params: BGNBDParams, frequency, recency, T):
    """E[Y(t) | x, t_x, T]: expected purchases in the next t time units (FHL 2005a eq. 10)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    t, x, t_x, T = np.broadcast_arrays(*_arrays(t, frequency, recency, T))
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1.0, t / (alpha + T + t))
    shrink = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))
    expected_if_alive = (a + b + x - 1.0) / (a - 1.0) * (1.0 - shrink * hyp)
    return expected_if_alive * p_alive(params, x, t_x, T)


def gamma_gamma_loglik(params, frequency, monetary):
    """Per-customer Gamma-Gamma log-likelihood of the mean spend over x > 0 repeat purchases."""
    p, q, v = params
    x, m = _arrays(frequency, monetary)
    return (
        special.gammaln(p * x + q)
        - special.gammaln(p * x)
        - special.gammaln(q)
        + q * np.log(v)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(v + m * x)
    )


def _gg_nll_grad(log_params, x, m, weights):
    p, q, v = np.exp(log_params)
    ll = gamma_gamma_loglik((p, q, v), x, m)
    digamma = special.digamma
    log_total = np.log(v + m * x)
    d_p = x * (digamma(p * x + q) - digamma(p * x) + np.log(m) + np.log(x) - log_total)
    d_q = digamma(p * x + q) - digamma(q) + np.log(v) - log_total
    d_v = q / v - (p * x + q) / (v + m * x)
    grad = np.array([(weights * d).sum() for d in (d_p, d_q, d_v)])
    return -(weights * ll).sum(), -grad * np.array([p, q, v])


def fit_gamma_gamma(
    frequency, monetary, *, tol: float = 1e-10, maxiter: int = 2000
) -> GammaGammaParams:
    """Maximum-likelihood Gamma-Gamma fit on the customers with repeat purchases.

    Customers without a repeat purchase, or whose mean repeat spend is not positive, carry no
    information for this model and are left out; ``n_customers`` says how many were used.
    """
    x, m = _arrays(frequency, monetary)
    keep = (x > 0) & np.isfinite(m) & (m > 0)
    if not keep.any():
        raise ValueError("no customer with a repeat purchase: the Gamma-Gamma model needs some")
    (x, m), weights = _collapse(x[keep], m[keep])
    n = weights.sum()

    def objective(log_params):
        nll, grad = _gg_nll_grad(log_params, x, m, weights)
        return nll / n, grad / n

    start = (1.0, 1.0, max(float(np.average(m, weights=weights)), 1.0))
    result = _minimise(objective, start, tol=tol, maxiter=maxiter)
    p, q, v = np.exp(result.x)
    ll = float(-_gg_nll_grad(result.x, x, m, weights)[0])
    return GammaGammaParams(float(p), float(q), float(v), ll, int(n), bool(result.success))


def expected_spend(params: GammaGammaParams, frequency, monetary):
    """E[spend per purchase | x, m]; the population mean p v / (q - 1) where x = 0."""
    x, m = _arrays(frequency, monetary)
    m = np.where(np.isfinite(m) & (x > 0), m, 0.0)
    return (params.v + m * x) * params.p / (params.p * x + params.q - 1.0)


def simulate_revenue(t, bg: BGNBDParams, gg: GammaGammaParams, rfm: dict, *, draws: int, rng):
    """Draws of each customer's revenue over the next t time units: an array (draws, customers).

    Given a customer's history, the model says: they are alive with probability P(alive); if
    alive, their purchase rate is Gamma(r + x, alpha + T) and their drop-out probability
    Beta(a, b + x); they buy at that rate and drop out after each purchase with that probability;
    each purchase's spend is Gamma(p, nu) with nu ~ Gamma(p x + q, v + m x).
    """
    x, t_x, T = _arrays(rfm["frequency"], rfm["recency"], rfm["T"])
    m = np.where(x > 0, np.nan_to_num(np.asarray(rfm["monetary"], dtype=float)), 0.0)
    shape = (draws, x.size)
    alive = rng.random(shape) < p_alive(bg, x, t_x, T)
    rate = rng.gamma(bg.r + x, 1.0 / (bg.alpha + T), size=shape)
    # clipped: a draw that underflows to 0 would be a customer who never drops out
    dropout = np.clip(rng.beta(bg.a, bg.b + x, size=shape), 1e-12, 1.0)
    purchases = np.minimum(rng.poisson(rate * t), rng.geometric(dropout)) * alive
    nu = rng.gamma(gg.p * x + gg.q, 1.0 / (gg.v + m * x), size=shape)
    spend_shape = np.where(purchases > 0, gg.p * purchases, 1.0)
    return np.where(purchases > 0, rng.gamma(spend_shape, 1.0 / nu), 0.0)

"""Gaussian mixtures with full covariances, fitted by EM: scikit-learn's ``GaussianMixture``,
bit for bit, without its overhead.

Model selection fits thirty mixtures per feature space (k = 2..11, and two stability refits of
each) on a few thousand customers with a handful of features. At that size each EM step is a few
small array operations, and ``GaussianMixture`` spent most of its time around them: input
validation, array-API dispatch and a general ``logsumexp`` on every step. Profiled at scale 1
(4,366 customers, one BLAS thread), its 30 fits took 6.3 s of CPU, two thirds of the selection.

This module runs the same algorithm with the same operations in the same order (scikit-learn
1.9's ``_gaussian_mixture`` with ``covariance_type="full"``, ``n_init=1``,
``init_params="kmeans"``): responsibilities from one k-means run seeded by
``RandomState(seed)``, then E and M steps until the mean log-likelihood changes by less than
``tol``. Its parameters and labels equal scikit-learn's bit for bit (tested); only the overhead
is gone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg
from sklearn.cluster import KMeans

# scikit-learn's GaussianMixture defaults, kept so that the fits equal its fits.
TOL = 1e-3
REG_COVAR = 1e-6
LOG_2PI = math.log(2 * math.pi)
# NumPy's pairwise summation: 8 lanes, blocks of 128 (numpy/_core/src/umath/loops_utils.h.src).
PAIRWISE_LANES = 8
PAIRWISE_BLOCK = 128
ILL_DEFINED = (
    "Fitting the mixture model failed because some components have ill-defined empirical "
    "covariance (for instance caused by singleton or collapsed samples)."
)


@dataclass(frozen=True)
class GaussianMixtureFit:
    """A fitted mixture: its parameters and whether EM converged within ``max_iter`` steps."""

    weights: np.ndarray
    means: np.ndarray
    precisions_cholesky: np.ndarray
    converged: bool
    n_iter: int

    def weighted_log_prob(self, points: np.ndarray) -> np.ndarray:
        """log p(x | component) + log weight, one column per component."""
        log_prob = log_gaussian_prob(points, self.means, self.precisions_cholesky)
        return log_prob + np.log(self.weights)

    def predict(self, points: np.ndarray) -> np.ndarray:
        """The most probable component of each point."""
        points = np.asarray(points, dtype=np.float64)
        return np.argmax(self.weighted_log_prob(points), axis=1)


def precision_cholesky(covariances: np.ndarray) -> np.ndarray:
    """Cholesky factors of the precisions, from those of the covariances.

    LAPACK's ``potrf`` and ``trtrs``, called as ``scipy.linalg.cholesky`` and
    ``solve_triangular`` call them (the same routines on the same arrays), without their checks.
    """
    if not np.isfinite(covariances).all():
        raise ValueError(ILL_DEFINED)
    n_components, n_features, _ = covariances.shape
    potrf, trtrs = scipy.linalg.get_lapack_funcs(("potrf", "trtrs"), (covariances,))
    factors = np.empty((n_components, n_features, n_features))
    eye = np.eye(n_features)
    for k in range(n_components):
        cov_chol, info = potrf(covariances[k], lower=True, overwrite_a=False, clean=True)
        if info > 0:
            raise ValueError(ILL_DEFINED)
        solved, info = trtrs(cov_chol, eye, overwrite_b=False, lower=True, trans=0, unitdiag=0)
        if info != 0:
            raise ValueError(ILL_DEFINED)
        factors[k] = solved.T
    return factors


def gaussian_parameters(points: np.ndarray, resp: np.ndarray, reg_covar: float):
    """Component sizes, means and covariances given the responsibilities (the M step)."""
    nk = np.sum(resp, axis=0) + 10 * np.finfo(resp.dtype).eps
    means = (resp.T @ points) / nk[:, np.newaxis]
    n_components, n_features = means.shape
    covariances = np.empty((n_components, n_features, n_features))
    for k in range(n_components):
        diff = points - means[k, :]
        covariances[k] = ((resp[:, k] * diff.T) @ diff) / nk[k]
        covariances[k].flat[:: n_features + 1] += reg_covar
    return nk, means, covariances


def row_sums(values: np.ndarray) -> np.ndarray:
    """``np.sum(values, axis=1)``, bit for bit, a column at a time.

    NumPy sums a short row one element at a time (fewer than 8) or in 8 pairwise lanes (up to
    127); over thousands of rows of a few columns that reduction costs ten times the column adds
    that reproduce it. Longer rows are left to NumPy.
    """
    n_columns = values.shape[1]
    if n_columns >= PAIRWISE_BLOCK:
        return np.sum(values, axis=1)
    if n_columns < PAIRWISE_LANES:
        total = values[:, 0].copy()
        for j in range(1, n_columns):
            total += values[:, j]
        return total
    lanes = [values[:, j].copy() for j in range(PAIRWISE_LANES)]
    stop = n_columns - n_columns % PAIRWISE_LANES
    for i in range(PAIRWISE_LANES, stop, PAIRWISE_LANES):
        for j in range(PAIRWISE_LANES):
            lanes[j] += values[:, i + j]
    total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + (
        (lanes[4] + lanes[5]) + (lanes[6] + lanes[7])
    )
    for j in range(stop, n_columns):
        total += values[:, j]
    return total


def row_max(values: np.ndarray) -> np.ndarray:
    """``np.max(values, axis=1)`` a column at a time (a maximum is exact in any order)."""
    return np.maximum.reduce([values[:, j] for j in range(values.shape[1])])


def log_gaussian_prob(points: np.ndarray, means: np.ndarray, prec_chol: np.ndarray) -> np.ndarray:
    """log N(x | mean, covariance) of every point under every component."""
    n_components, n_features = means.shape
    log_det = np.sum(np.log(prec_chol.reshape(n_components, -1)[:, :: n_features + 1]), axis=1)
    log_prob = np.empty((len(points), n_components))
    for k in range(n_components):
        y = points @ prec_chol[k]
        y -= means[k] @ prec_chol[k]
        y *= y
        log_prob[:, k] = row_sums(y)
    return -0.5 * (n_features * LOG_2PI + log_prob) + log_det


def logsumexp_rows(values: np.ndarray) -> np.ndarray:
    """log(sum(exp(row))) of every row, computed as scikit-learn's ``_logsumexp``."""
    largest = row_max(values)[:, np.newaxis]
    is_max = values == largest
    n_max = row_sums(is_max.astype(values.dtype))[:, np.newaxis]
    shift = np.where(np.isfinite(largest), largest, 0)
    # The maxima count as exp(-inf) = 0 in the sum (scikit-learn sets them to -inf first).
    exponentials = np.exp(values - shift)
    exponentials[is_max] = 0.0
    total = row_sums(exponentials)[:, np.newaxis]
    total = np.where(total == 0, total, total / n_max)
    return (np.log1p(total) + np.log(n_max) + largest)[:, 0]


def fit_gaussian_mixture(
    points: np.ndarray, k: int, seed: int, *, max_iter: int, tol: float = TOL
) -> GaussianMixtureFit:
    """``GaussianMixture(k, covariance_type="full", max_iter=max_iter, random_state=seed)``'s
    fit, with the same result."""
    points = np.ascontiguousarray(points, dtype=np.float64)
    n_samples = len(points)
    if n_samples < k:
        raise ValueError(f"expected at least {k} points for {k} components, got {n_samples}")
    start = KMeans(n_clusters=k, n_init=1, random_state=np.random.RandomState(seed))
    resp = np.zeros((n_samples, k))
    resp[np.arange(n_samples), start.fit(points).labels_] = 1
    weights, means, covariances = gaussian_parameters(points, resp, REG_COVAR)
    weights /= n_samples
    prec_chol = precision_cholesky(covariances)
    lower_bound, converged, n_iter = -np.inf, False, 0
    while n_iter < max_iter and not converged:
        n_iter, previous = n_iter + 1, lower_bound
        weighted = log_gaussian_prob(points, means, prec_chol) + np.log(weights)
        log_prob_norm = logsumexp_rows(weighted)
        with np.errstate(under="ignore"):
            log_resp = weighted - log_prob_norm[:, np.newaxis]
        lower_bound = np.mean(log_prob_norm)
        weights, means, covariances = gaussian_parameters(points, np.exp(log_resp), REG_COVAR)
        weights /= np.sum(weights)
        prec_chol = precision_cholesky(covariances)
        converged = bool(abs(lower_bound - previous) < tol)
    return GaussianMixtureFit(weights, means, prec_chol, converged, n_iter)

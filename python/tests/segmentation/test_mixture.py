"""The hand-rolled Gaussian mixture is scikit-learn's GaussianMixture, bit for bit."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

from insiders.segmentation.mixture import fit_gaussian_mixture, logsumexp_rows, row_max, row_sums


def blobs(seed: int, n: int = 600, n_features: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4, size=(4, n_features))
    return centres[rng.integers(0, 4, size=n)] + rng.normal(size=(n, n_features))


@pytest.mark.parametrize(
    ("seed", "k", "max_iter"), [(0, 2, 300), (1, 5, 300), (2, 9, 300), (3, 6, 3)]
)
def test_fit_equals_scikit_learn_bit_for_bit(seed, k, max_iter):
    points = blobs(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        expected = GaussianMixture(
            n_components=k, covariance_type="full", max_iter=max_iter, random_state=seed
        ).fit(points)
    fitted = fit_gaussian_mixture(points, k, seed, max_iter=max_iter)
    assert np.array_equal(fitted.weights, expected.weights_)
    assert np.array_equal(fitted.means, expected.means_)
    assert np.array_equal(fitted.precisions_cholesky, expected.precisions_cholesky_)
    assert (fitted.converged, fitted.n_iter) == (expected.converged_, expected.n_iter_)
    others = blobs(seed + 100, n=300)
    assert np.array_equal(fitted.predict(others), expected.predict(others))


def test_a_short_run_is_reported_as_not_converged():
    fitted = fit_gaussian_mixture(blobs(3), 6, 3, max_iter=1)
    assert (fitted.converged, fitted.n_iter) == (False, 1)


@pytest.mark.parametrize("n_columns", [1, 2, 7, 8, 11, 17, 130])
def test_row_sums_and_maxima_equal_numpys_bit_for_bit(n_columns):
    rng = np.random.default_rng(n_columns)
    values = rng.normal(size=(500, n_columns)) * np.exp(rng.normal(scale=5, size=(500, n_columns)))
    assert np.array_equal(row_sums(values), np.sum(values, axis=1))
    assert np.array_equal(row_max(values), np.max(values, axis=1))


def test_logsumexp_rows_is_the_log_of_the_sum_of_exponentials():
    rng = np.random.default_rng(0)
    values = rng.normal(scale=30, size=(200, 6))
    values[0] = -np.inf
    values[1, :3] = values[1].max()  # a row whose maximum appears more than once
    with np.errstate(divide="ignore"):
        expected = np.log(np.exp(values).sum(axis=1))
        found = logsumexp_rows(values)
    assert np.allclose(found[1:], expected[1:], rtol=1e-12, atol=0)
    assert found[0] == -np.inf

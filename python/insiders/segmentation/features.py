"""Feature spaces the customers are clustered in.

Two spaces, both built from the same feature list:

``scaled``
    ``sign(x) * log1p(|x|)`` of every feature, then standard scaling. Money and counts in retail
    are heavy-tailed (a few wholesalers buy a thousand times the median); on raw or only
    standard-scaled values those few customers get clusters of their own and every other customer
    lands in one blob. The log spreads the bulk and pulls in the tail; the sign keeps it defined for
    the odd negative value (a refund larger than the purchases). Robust scaling after the log has
    not been compared; standard scaling is the simpler choice.
``embedding``
    The study's space: a random forest predicts (log) gross revenue from the other features; each
    customer becomes the one-hot vector of the leaves it falls in, one per tree. The Euclidean
    distance between two such vectors is ``sqrt(2 * trees that separate them)``, the forest's
    dissimilarity. The study reduced it to two dimensions with UMAP; here a PCA of the one-hot
    leaves (scikit-learn, sparse ARPACK) does it, fitted on a seeded sample and applied to every
    customer, so it scales linearly and needs no extra dependency.

Every function returns rows in ascending ``customer_id`` order, whatever the input order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestRegressor
from sklearn.preprocessing import OneHotEncoder, StandardScaler

FEATURE_SPACES: tuple[str, ...] = ("scaled", "embedding")
REVENUE_COLUMN = "gross_revenue"

# Forest sized so that 500k customers embed in seconds: 100 trees of at most 64 leaves give a
# 6,400-column one-hot matrix; deeper trees add columns without changing the 2-D picture.
FOREST_TREES = 100
FOREST_MAX_LEAVES = 64

# Independent random streams, so that drawing one sample never shifts another.
STREAM_FIT = 1
STREAM_SCORE = 2
STREAM_EMBEDDING = 3
STREAM_STABILITY = 4


def sort_customers(features: pd.DataFrame) -> pd.DataFrame:
    """The frame in ascending ``customer_id`` order, checked to have one row per customer."""
    if not features["customer_id"].is_unique:
        raise ValueError("features must have one row per customer_id")
    return features.sort_values("customer_id", kind="mergesort", ignore_index=True)


def sample_index(n_rows: int, cap: int, seed: int, stream: int) -> np.ndarray:
    """Sorted positions of a seeded sample of at most ``cap`` rows out of ``n_rows``."""
    if n_rows <= cap:
        return np.arange(n_rows)
    rng = np.random.default_rng([seed, stream])
    return np.sort(rng.choice(n_rows, size=cap, replace=False))


def signed_log1p(values: np.ndarray) -> np.ndarray:
    """``sign(x) * log1p(|x|)``: a log for heavy tails that is defined at zero and below."""
    return np.sign(values) * np.log1p(np.abs(values))


def feature_matrix(features: pd.DataFrame, feature_columns: Sequence[str]) -> np.ndarray:
    """The features as float64; nulls (one-purchase customers have no gap) get the median."""
    missing = [column for column in feature_columns if column not in features.columns]
    if missing:
        raise KeyError(f"feature columns not in the features table: {missing}")
    matrix = features[list(feature_columns)].astype("float64").to_numpy(copy=True)
    for j in range(matrix.shape[1]):
        nulls = np.isnan(matrix[:, j])
        if nulls.any():
            matrix[nulls, j] = np.nanmedian(matrix[:, j]) if not nulls.all() else 0.0
    return matrix


def scaled_space(raw: np.ndarray) -> np.ndarray:
    """Signed log1p, then zero mean and unit variance per feature."""
    return StandardScaler().fit_transform(signed_log1p(raw))


def embedding_space(
    raw: np.ndarray,
    feature_columns: Sequence[str],
    seed: int,
    fit_sample_cap: int,
) -> np.ndarray:
    """Random-forest leaf embedding of the customers in two dimensions.

    The forest learns ``signed_log1p(gross_revenue)`` from the other features (the log keeps a
    few wholesalers from owning every split) on a seeded sample of at most ``fit_sample_cap``
    customers; the PCA of the one-hot leaves is fitted on the same sample; every customer is then
    embedded with the fitted forest and PCA.
    """
    columns = list(feature_columns)
    if REVENUE_COLUMN not in columns or len(columns) < 2:
        raise ValueError("the embedding needs gross_revenue and at least one other feature")
    target = signed_log1p(raw[:, columns.index(REVENUE_COLUMN)])
    predictors = np.delete(raw, columns.index(REVENUE_COLUMN), axis=1)
    fit_rows = sample_index(len(raw), fit_sample_cap, seed, STREAM_EMBEDDING)
    forest = RandomForestRegressor(
        n_estimators=FOREST_TREES,
        max_leaf_nodes=FOREST_MAX_LEAVES,
        random_state=seed,
        n_jobs=-1,
    ).fit(predictors[fit_rows], target[fit_rows])
    encoder = OneHotEncoder(handle_unknown="ignore", dtype=np.float64)
    leaves_fit = encoder.fit_transform(forest.apply(predictors[fit_rows]))
    n_components = min(2, leaves_fit.shape[1] - 1)
    if n_components < 1:
        return np.zeros((len(raw), 2))
    pca = PCA(n_components=n_components, svd_solver="arpack", random_state=seed).fit(leaves_fit)
    # Centre and project by hand, in chunks: the one-hot matrix of every customer stays sparse.
    offset = pca.mean_ @ pca.components_.T
    coordinates = np.empty((len(raw), 2))
    coordinates[:, n_components:] = 0.0
    for start in range(0, len(raw), 100_000):
        chunk = encoder.transform(forest.apply(predictors[start : start + 100_000]))
        coordinates[start : start + 100_000, :n_components] = chunk @ pca.components_.T - offset
    return coordinates


def prepare_features(
    features: pd.DataFrame,
    feature_columns: Sequence[str],
    space: str,
    seed: int,
    *,
    fit_sample_cap: int,
) -> np.ndarray:
    """The customers as points of a feature space, one row per customer by ascending id.

    ``space`` is ``"scaled"`` or ``"embedding"`` (see the module docstring). ``seed`` and
    ``fit_sample_cap`` matter only for the embedding.
    """
    raw = feature_matrix(sort_customers(features), feature_columns)
    if space == "scaled":
        return scaled_space(raw)
    if space == "embedding":
        return embedding_space(raw, feature_columns, seed, fit_sample_cap)
    raise ValueError(f"unknown feature space {space!r}; expected one of {FEATURE_SPACES}")

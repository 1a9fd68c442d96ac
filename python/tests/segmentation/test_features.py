"""The feature spaces: scaled and embedding (insiders.segmentation.features)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from segmentation_data import (
    FEATURE_COLUMNS,
    FIT_SAMPLE_CAP,
    synthetic_customers,
)

from insiders.segmentation.clustering import (
    prepare_features,
)


@pytest.fixture(scope="module")
def customers() -> tuple[pd.DataFrame, pd.DataFrame]:
    return synthetic_customers(3_000, seed=1)


def test_scaled_space_is_standardised_log_features(customers):
    features, _ = customers
    points = prepare_features(
        features, FEATURE_COLUMNS, "scaled", seed=0, fit_sample_cap=FIT_SAMPLE_CAP
    )
    assert points.shape == (len(features), len(FEATURE_COLUMNS))
    np.testing.assert_allclose(points.mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(points.std(axis=0), 1, atol=1e-9)
    # The log tames the tail: the richest customer sits a few deviations out, not dozens.
    assert points[:, 0].max() < 5


def test_feature_spaces_ignore_input_row_order(customers):
    features, _ = customers
    shuffled = features.sample(frac=1.0, random_state=7)
    for space in ("scaled", "embedding"):
        np.testing.assert_array_equal(
            prepare_features(features, FEATURE_COLUMNS, space, seed=3, fit_sample_cap=1_000),
            prepare_features(shuffled, FEATURE_COLUMNS, space, seed=3, fit_sample_cap=1_000),
        )


def test_embedding_is_two_dimensional_and_finite(customers):
    features, _ = customers
    points = prepare_features(features, FEATURE_COLUMNS, "embedding", seed=0, fit_sample_cap=1_000)
    assert points.shape == (len(features), 2)
    assert np.isfinite(points).all()
    assert points.std(axis=0).min() > 0


def test_null_gaps_are_filled_and_unknown_spaces_rejected(customers):
    features, _ = customers
    columns = ["gross_revenue", "avg_days_between_purchases"]
    assert features["avg_days_between_purchases"].isna().any()
    points = prepare_features(features, columns, "scaled", seed=0, fit_sample_cap=FIT_SAMPLE_CAP)
    assert np.isfinite(points).all()
    with pytest.raises(ValueError, match="unknown feature space"):
        prepare_features(features, FEATURE_COLUMNS, "umap", 0, fit_sample_cap=FIT_SAMPLE_CAP)
    with pytest.raises(KeyError, match="not in the features table"):
        prepare_features(features, ["lifetime_value"], "scaled", 0, fit_sample_cap=FIT_SAMPLE_CAP)

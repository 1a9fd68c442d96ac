"""How model selection computes (not what it chooses): the work it shares and skips."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import silhouette_score

import insiders.segmentation.selection as selection_module
from insiders.segmentation.clustering import selection_settings
from insiders.segmentation.features import STREAM_FIT, STREAM_SCORE, prepare_features, sample_index


def customer_frame(n_customers: int, seed: int) -> pd.DataFrame:
    """Customers with the default clustering features, from three loose groups."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, size=n_customers)
    return pd.DataFrame(
        {
            "customer_id": rng.permutation(n_customers) + 10_000,
            "gross_revenue": rng.lognormal(5 + 1.5 * group, 0.6),
            "recency_days": rng.integers(0, 120, size=n_customers) + 100 * (group == 0),
            "line_count": rng.poisson(5 + 20 * group) + 1,
            "frequency": rng.uniform(0, 0.3, size=n_customers) * (1 + group),
            "returned_items": rng.poisson(0.5 * group),
            "return_rate": rng.beta(1, 30, size=n_customers) * (1 + group),
            "invoice_count": rng.poisson(1 + 3 * group) + 1,
            "avg_lines_per_invoice": rng.lognormal(2 + 0.3 * group, 0.4),
            "avg_items_per_line": rng.lognormal(1.5 + 0.2 * group, 0.5),
        }
    )


def test_embedding_is_computed_only_when_listed(monkeypatch):
    features = customer_frame(600, seed=3)
    spaces = []
    prepare = selection_module.prepare_features

    def recording_prepare(features, columns, space, *args, **kwargs):
        spaces.append(space)
        return prepare(features, columns, space, *args, **kwargs)

    monkeypatch.setattr(selection_module, "prepare_features", recording_prepare)
    defaults = selection_settings()
    assert defaults["spaces"] == ("scaled",)
    selection_module.select_models(
        features, **{**defaults, "k_values": range(2, 4), "n_stability_fits": 0}
    )
    assert spaces == ["scaled"]


@pytest.mark.parametrize("algorithm", ["kmeans", "gmm", "hierarchical"])
def test_selection_silhouette_is_scikit_learns_on_the_score_sample(algorithm):
    features = customer_frame(700, seed=5)
    caps = {"fit_sample_cap": 500, "score_sample_cap": 300}
    settings = {**selection_settings(), "algorithms": (algorithm,), "k_values": [3, 6]}
    selection = selection_module.select_models(
        features, **{**settings, "n_stability_fits": 0, "seed": 2, **caps}
    )
    points = prepare_features(
        features, settings["feature_columns"], "scaled", 2, fit_sample_cap=caps["fit_sample_cap"]
    )
    fit_rows = sample_index(len(points), caps["fit_sample_cap"], 2, STREAM_FIT)
    score_rows = sample_index(len(points), caps["score_sample_cap"], 2, STREAM_SCORE)
    for k, silhouette in zip(selection["k"], selection["silhouette"], strict=True):
        fitted = selection_module.fit_partitions(algorithm, points[fit_rows], [k], 2)[k]
        labels = fitted.assign(points[score_rows])
        expected = silhouette_score(points[score_rows], labels)
        assert silhouette == pytest.approx(expected, abs=1e-12)
        assert not np.isnan(silhouette)


def test_selection_is_the_same_on_any_number_of_threads():
    features = customer_frame(600, seed=8)
    settings = {**selection_settings(), "k_values": range(2, 7), "n_stability_fits": 2}
    one, two = (
        selection_module.select_models(features, **settings, n_threads=n_threads)
        for n_threads in (1, 2)
    )
    pd.testing.assert_frame_equal(one.drop(columns="fit_seconds"), two.drop(columns="fit_seconds"))
    assert one["stability_ari"].notna().all()

"""Model selection and the choice rule (insiders.segmentation.selection)."""

from __future__ import annotations

import pandas as pd
import pytest
from segmentation_data import (
    FEATURE_COLUMNS,
    SEGMENT,
    SELECTION,
    choose,
    synthetic_customers,
)

import insiders.segmentation.fitting as fitting_module
from insiders.segmentation.clustering import (
    SELECTION_DTYPES,
    empty_selection,
    segment_customers,
    select_models,
)


@pytest.fixture(scope="module")
def customers() -> tuple[pd.DataFrame, pd.DataFrame]:
    return synthetic_customers(3_000, seed=1)


@pytest.fixture(scope="module")
def small_selection(customers: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    features, _ = customers
    return select_models(
        features,
        feature_columns=FEATURE_COLUMNS,
        spaces=("scaled", "embedding"),
        k_values=range(2, 6),
        seed=0,
        fit_sample_cap=1_500,
        score_sample_cap=1_000,
        n_stability_fits=1,
    )


def test_selection_has_one_scored_row_per_model(small_selection, customers):
    features, _ = customers
    assert list(small_selection.columns) == list(SELECTION_DTYPES)
    assert len(small_selection) == 2 * 3 * 4
    assert small_selection["model_key"].is_unique
    assert small_selection["silhouette"].between(-1, 1).all()
    assert small_selection["stability_ari"].between(-1, 1).all()
    assert small_selection["revenue_separation"].between(0, 1).all()
    assert small_selection["smallest_cluster_share"].between(0, 0.5).all()
    assert small_selection["insiders_share"].between(0, 1, inclusive="right").all()
    assert (small_selection["insiders_share"] >= small_selection["smallest_cluster_share"]).all()
    assert (small_selection["n_customers"] == len(features)).all()
    assert (small_selection["fit_sample_size"] == 1_500).all()
    assert (small_selection["score_sample_size"] == 1_000).all()


def test_one_ward_tree_serves_every_k(customers, monkeypatch):
    features, _ = customers
    trees = []
    ward = fitting_module.ward

    def counting_ward(points):
        trees.append(len(points))
        return ward(points)

    monkeypatch.setattr(fitting_module, "ward", counting_ward)
    selection = select_models(
        features,
        feature_columns=FEATURE_COLUMNS,
        seed=0,
        spaces=("scaled",),
        algorithms=("hierarchical",),
        k_values=range(2, 9),
        fit_sample_cap=1_000,
        score_sample_cap=500,
        n_stability_fits=2,
    )
    assert len(selection) == 7
    # One tree on the fit sample, one per stability resample (80 % of the fit sample); the
    # three are built on threads, in any order.
    assert sorted(trees) == [800, 800, 1_000]


def test_empty_features_give_the_typed_empty_tables(customers):
    features, _ = customers
    empty = features.iloc[:0]
    selection = select_models(empty, **SELECTION)
    assert selection.empty
    assert selection.dtypes.to_dict() == empty_selection().dtypes.to_dict()
    segments = segment_customers(empty, selection, keep_k_tolerance=0.05, **SEGMENT)
    assert segments.empty
    assert list(segments.columns[:4]) == ["customer_id", "cluster_id", "segment", "is_insider"]
    assert segments["customer_id"].dtype == "int64"
    assert segments["is_insider"].dtype == "bool"


def selection_rows(rows: list[tuple]) -> pd.DataFrame:
    """Selection rows; the would-be Insiders' share is 0.1 unless a seventh value gives it."""
    return pd.DataFrame(
        [row if len(row) == 7 else (*row, 0.1) for row in rows],
        columns=[
            "feature_space",
            "algorithm",
            "k",
            "silhouette",
            "smallest_cluster_share",
            "stability_ari",
            "insiders_share",
        ],
    )


def test_choose_model_prefers_best_silhouette_among_sound_models():
    selection = selection_rows(
        [
            ("scaled", "kmeans", 3, 0.50, 0.001, 0.99),  # a trivially small cluster
            ("scaled", "gmm", 4, 0.48, 0.10, 0.40),  # unstable
            ("scaled", "kmeans", 5, 0.40, 0.05, 0.95),
            ("scaled", "hierarchical", 6, 0.40, 0.05, 0.95),
            ("scaled", "hierarchical", 7, 0.30, 0.05, 0.95),
        ]
    )
    assert choose(selection) == ("scaled", "kmeans", 5)
    assert choose(selection, algorithm="hierarchical") == ("scaled", "hierarchical", 6)
    assert choose(selection, k=7) == ("scaled", "hierarchical", 7)
    assert choose(selection, min_cluster_share=0.0) == ("scaled", "kmeans", 3)
    assert choose(selection, algorithm="gmm", k=9, space="embedding") == (
        "embedding",
        "gmm",
        9,
    )
    # Nothing sound among the pinned rows: the best silhouette among them.
    assert choose(selection, algorithm="gmm") == ("scaled", "gmm", 4)
    with pytest.raises(ValueError, match="no scored model"):
        choose(selection, algorithm="dbscan")


def test_choose_model_keeps_the_insiders_a_minority():
    selection = selection_rows(
        [
            ("scaled", "kmeans", 2, 0.40, 0.45, 0.99, 0.55),  # best silhouette, half are "Insiders"
            ("scaled", "kmeans", 6, 0.30, 0.05, 0.95, 0.12),
            ("scaled", "hierarchical", 7, 0.28, 0.05, 0.95, 0.08),
        ]
    )
    assert choose(selection) == ("scaled", "kmeans", 2)  # no limit by default
    assert choose(selection, max_insiders_share=0.25) == ("scaled", "kmeans", 6)
    assert choose(selection, max_insiders_share=0.10) == ("scaled", "hierarchical", 7)


def test_choose_model_considers_only_enough_segments_when_there_are_any():
    selection = selection_rows(
        [
            ("scaled", "kmeans", 3, 0.45, 0.05, 0.95),  # best silhouette, too few segments
            ("scaled", "hierarchical", 5, 0.35, 0.05, 0.95),
            ("scaled", "kmeans", 6, 0.38, 0.001, 0.95),  # enough segments, one trivially small
        ]
    )
    assert choose(selection) == ("scaled", "kmeans", 3)  # TEST_RULE asks for 2 segments
    assert choose(selection, min_segments=5) == ("scaled", "hierarchical", 5)
    # No model has that many: the rule reads the whole table rather than fail.
    assert choose(selection, min_segments=8) == ("scaled", "kmeans", 3)

"""Labels, segment names and the score against planted customers (insiders.segmentation.labels)."""

from __future__ import annotations

import pandas as pd
import pytest
from segmentation_data import (
    FEATURE_COLUMNS,
    FIT_SAMPLE_CAP,
    synthetic_customers,
)

from insiders.segmentation.clustering import (
    INSIDERS,
    label_customers,
    score_against_truth,
)
from insiders.segmentation.labels import name_segments, segment_name


@pytest.fixture(scope="module")
def customers() -> tuple[pd.DataFrame, pd.DataFrame]:
    return synthetic_customers(3_000, seed=1)


def test_segment_names_follow_the_profile_rule():
    assert segment_name(
        is_recent=True, is_high_revenue=True, is_one_off=False, is_returner=False
    ) == ("Loyal")
    assert segment_name(
        is_recent=True, is_high_revenue=False, is_one_off=False, is_returner=False
    ) == ("Frequent small")
    assert segment_name(
        is_recent=False, is_high_revenue=True, is_one_off=True, is_returner=False
    ) == ("Big spenders at risk")
    assert (
        segment_name(is_recent=False, is_high_revenue=False, is_one_off=True, is_returner=False)
        == "One-off"
    )
    assert (
        segment_name(is_recent=True, is_high_revenue=True, is_one_off=False, is_returner=True)
        == "Returners"
    )
    profiles = pd.DataFrame(
        {
            "gross_revenue": [9_000.0, 100.0, 90.0, 80.0],
            "recency_days": [5.0, 300.0, 250.0, 10.0],
            "invoice_count": [20.0, 3.0, 2.0, 1.0],
        },
        index=[1, 2, 3, 4],
    )
    overall = pd.Series({"gross_revenue": 500.0, "recency_days": 100.0})
    assert name_segments(profiles, overall) == [INSIDERS, "Lapsed", "Lapsed 2", "Newcomers"]


def test_a_cluster_that_sends_back_a_large_share_of_its_items_is_named_returners():
    profiles = pd.DataFrame(
        {
            "gross_revenue": [9_000.0, 1_500.0, 1_400.0, 80.0],
            "recency_days": [5.0, 10.0, 12.0, 300.0],
            "invoice_count": [20.0, 4.0, 4.0, 1.0],
            "return_rate": [0.25, 0.2, 0.01, 0.0],
        },
        index=[1, 2, 3, 4],
    )
    overall = pd.Series({"gross_revenue": 500.0, "recency_days": 100.0, "return_rate": 0.03})
    # the top cluster stays the Insiders whatever it returns; a zero rate is never a returner
    assert name_segments(profiles, overall) == [INSIDERS, "Returners", "Loyal", "One-off"]
    no_returns = overall.copy()
    no_returns["return_rate"] = 0.0
    assert name_segments(profiles.assign(return_rate=0.0), no_returns)[1] == "Loyal"


def test_labels_are_ordered_by_revenue_and_name_one_insiders_segment(customers):
    features, _ = customers
    labels = label_customers(
        features,
        feature_columns=FEATURE_COLUMNS,
        space="scaled",
        algorithm="kmeans",
        k=6,
        seed=0,
        fit_sample_cap=FIT_SAMPLE_CAP,
    )
    assert len(labels) == len(features)
    assert labels["customer_id"].is_monotonic_increasing
    assert labels["customer_id"].is_unique
    assert list(labels.columns) == [
        "customer_id",
        "cluster_id",
        "segment",
        "is_insider",
        *FEATURE_COLUMNS,
        "map_x",
        "map_y",
    ]
    means = labels.groupby("cluster_id")["gross_revenue"].mean()
    assert list(means.index) == list(range(1, 7))
    assert means.is_monotonic_decreasing
    names = labels.groupby("cluster_id")["segment"].unique()
    assert all(len(name) == 1 for name in names)
    assert names[1][0] == INSIDERS
    assert labels.drop_duplicates("cluster_id")["segment"].is_unique
    assert (labels["is_insider"] == (labels["cluster_id"] == 1)).all()
    assert (labels["is_insider"] == (labels["segment"] == INSIDERS)).all()


@pytest.mark.parametrize("algorithm", ["kmeans", "gmm", "hierarchical"])
def test_same_data_and_settings_give_identical_labels(customers, algorithm):
    features, _ = customers
    settings = {
        "feature_columns": FEATURE_COLUMNS,
        "space": "scaled",
        "algorithm": algorithm,
        "k": 5,
        "seed": 4,
    }
    first = label_customers(features, fit_sample_cap=2_000, **settings)
    again = label_customers(features, fit_sample_cap=2_000, **settings)
    shuffled = label_customers(
        features.sample(frac=1.0, random_state=11), fit_sample_cap=2_000, **settings
    )
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    pd.testing.assert_frame_equal(first, shuffled, check_exact=True)


def test_capped_fit_still_labels_every_customer(customers):
    features, _ = customers
    labels = label_customers(
        features,
        feature_columns=FEATURE_COLUMNS,
        space="scaled",
        algorithm="hierarchical",
        k=4,
        seed=0,
        fit_sample_cap=500,
    )
    assert len(labels) == len(features)
    assert sorted(labels["cluster_id"].unique()) == [1, 2, 3, 4]


def test_score_against_truth_on_a_perfect_and_a_useless_labelling(customers):
    _, truth = customers
    perfect = pd.DataFrame(
        {
            "customer_id": truth["customer_id"],
            "cluster_id": pd.factorize(truth["archetype"])[0] + 1,
            "is_insider": truth["is_high_value"],
        }
    )
    assert score_against_truth(perfect, truth) == pytest.approx(
        {
            "adjusted_rand_index": 1.0,
            "insider_precision": 1.0,
            "insider_recall": 1.0,
            "insider_share": truth["is_high_value"].mean(),
            "n_customers": len(truth),
        }
    )
    everyone = perfect.assign(cluster_id=1, is_insider=True)
    scores = score_against_truth(everyone, truth)
    assert scores["adjusted_rand_index"] == pytest.approx(0.0)
    assert scores["insider_recall"] == 1.0
    with pytest.raises(ValueError, match="same customers"):
        score_against_truth(perfect.iloc[1:], truth)

"""Tests of the matching of a new fit to the previous run's segments."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from insiders.segmentation.matching import (
    carry_segment_names,
    keep_previous_k,
    match_clusters,
    with_as_of_date,
)

# No threshold of the choice rule, unless a test sets one.
NO_RULE = {
    "min_cluster_share": 0.0,
    "min_stability": 0.0,
    "max_insiders_share": 1.0,
    "min_segments": 2,
}


def keep(selection, chosen, previous_k, **given):
    return keep_previous_k(selection, chosen, previous_k, **{**NO_RULE, **given})


def run(cluster_ids: list[int], segments: list[str] | None = None) -> pd.DataFrame:
    """A run's labels for customers 1..n: cluster ids and (optionally) segment names."""
    frame = pd.DataFrame(
        {"customer_id": np.arange(1, len(cluster_ids) + 1), "cluster_id": cluster_ids}
    )
    if segments is not None:
        frame["segment"] = segments
    return frame


PREVIOUS = run(
    [1] * 3 + [2] * 4 + [3] * 5,
    ["Insiders"] * 3 + ["Loyal"] * 4 + ["Lapsed"] * 5,
)


def test_permuted_labels_map_back_to_the_previous_names():
    # Same customers, same groups, but the new fit numbered the two lower clusters the other way.
    current = run([1] * 3 + [3] * 4 + [2] * 5, ["Insiders"] * 3 + ["One-off"] * 4 + ["Loyal"] * 5)
    relabelled, carried = carry_segment_names(current, PREVIOUS)
    assert match_clusters(current, PREVIOUS) == {1: "Insiders", 3: "Loyal", 2: "Lapsed"}
    assert relabelled["segment"].tolist() == PREVIOUS["segment"].tolist()
    assert carried.all()


def test_a_vanished_cluster_frees_its_name_and_a_new_cluster_is_named_by_profile():
    # "Loyal" customers are split between Insiders and Lapsed: Loyal vanishes. A new cluster of
    # customers not seen before gets its profile name.
    current = run(
        [1] * 5 + [2] * 7 + [3] * 2,
        ["Insiders"] * 5 + ["One-off"] * 7 + ["Newcomers"] * 2,
    )
    relabelled, carried = carry_segment_names(current, PREVIOUS)
    names = relabelled.groupby("cluster_id")["segment"].first().to_dict()
    assert names == {1: "Insiders", 2: "Lapsed", 3: "Newcomers"}
    assert carried.to_dict() == {1: True, 2: True, 3: False}


def test_a_profile_name_taken_by_a_carried_name_is_numbered():
    current = run(
        [1] * 3 + [2] * 4 + [3] * 5 + [4] * 2,
        ["Insiders"] * 3 + ["Loyal"] * 4 + ["Lapsed"] * 5 + ["Loyal 2"] * 2,
    )
    relabelled, _ = carry_segment_names(current, PREVIOUS)
    assert relabelled.groupby("cluster_id")["segment"].first().tolist() == [
        "Insiders",
        "Loyal",
        "Lapsed",
        "Loyal 2",
    ]


def test_the_top_cluster_is_the_insiders_even_when_the_old_members_moved():
    # Conflict: most previous Insiders are now in cluster 2; the revenue rule wins.
    current = run([2] * 3 + [1] * 4 + [3] * 5, ["Loyal"] * 3 + ["Insiders"] * 4 + ["Lapsed"] * 5)
    matches = match_clusters(current, PREVIOUS)
    assert matches[1] == "Insiders"
    assert "Insiders" not in [matches.get(2), matches.get(3)]
    relabelled, _ = carry_segment_names(current, PREVIOUS)
    assert set(relabelled.loc[relabelled["cluster_id"] == 1, "segment"]) == {"Insiders"}
    assert (relabelled["segment"] == "Insiders").sum() == 4


def test_ties_are_broken_by_revenue_rank_and_do_not_depend_on_row_order():
    # Clusters 2 and 3 each hold two Loyal and two Lapsed customers: a tie.
    previous = run([1, 2, 2, 3, 3], ["Insiders", "Loyal", "Loyal", "Lapsed", "Lapsed"])
    current = run([1, 2, 3, 2, 3], ["Insiders", "Frequent small", "One-off", "A", "B"])
    first = match_clusters(current, previous)
    assert first == {1: "Insiders", 2: "Loyal", 3: "Lapsed"}
    shuffled = current.sample(frac=1.0, random_state=3)
    assert match_clusters(shuffled, previous.sample(frac=1.0, random_state=4)) == first


def test_without_a_previous_run_the_labels_are_unchanged():
    current = run([1, 2], ["Insiders", "Lapsed"])
    relabelled, carried = carry_segment_names(current, None)
    assert relabelled is current
    assert not carried.any()


def selection_rows(rows: list[tuple[str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "feature_space": "scaled",
            "algorithm": [algorithm for algorithm, _, _ in rows],
            "k": [k for _, k, _ in rows],
            "silhouette": [silhouette for _, _, silhouette in rows],
            "smallest_cluster_share": 0.1,
            "stability_ari": 0.9,
            "insiders_share": 0.1,
        }
    )


def test_the_previous_k_is_kept_within_the_tolerance_only():
    selection = selection_rows(
        [("kmeans", 3, 0.40), ("gmm", 5, 0.37), ("kmeans", 5, 0.36), ("kmeans", 7, 0.30)]
    )
    chosen = ("scaled", "kmeans", 3)
    assert keep(selection, chosen, 5, tolerance=0.05) == ("scaled", "gmm", 5)
    assert keep(selection, chosen, 7, tolerance=0.05) == chosen
    assert keep(selection, chosen, 5, tolerance=0.0) == chosen
    assert keep(selection, chosen, 5, tolerance=0.05, algorithm="kmeans") == (
        "scaled",
        "kmeans",
        5,
    )
    assert keep(selection, chosen, 5, tolerance=0.05, min_stability=0.95) == chosen


def test_the_run_date_is_the_reference_date_of_the_features():
    features = pd.DataFrame(
        {
            "customer_id": [1, 2],
            "last_purchase_date": pd.to_datetime(["2011-01-10", "2011-01-31"]),
            "recency_days": [21, 0],
        }
    )
    stamped = with_as_of_date(features[["customer_id"]], features)
    assert stamped["as_of_date"].tolist() == [dt.date(2011, 1, 31)] * 2
    empty = with_as_of_date(features.iloc[:0][["customer_id"]], features.iloc[:0])
    assert str(empty["as_of_date"].dtype) == "date32[day][pyarrow]"

"""The join and leave rules of the programme (insiders.programme.membership)."""

from __future__ import annotations

import pandas as pd

from insiders.programme.membership import apply_membership as apply_rules
from insiders.settings import setting

# The project's rules (dbt vars), unless a test states its own.
RULES = {
    "max_recency_days": setting("insiders_max_recency_days"),
    "grace_runs": setting("insiders_grace_runs"),
}


def apply_membership(segments, previous=None, **given) -> pd.DataFrame:
    return apply_rules(segments, previous, **{**RULES, **given})


def run(rows: list[tuple[int, int, int]]) -> pd.DataFrame:
    """Segments of one run: (customer_id, cluster_id, recency_days)."""
    return pd.DataFrame(rows, columns=["customer_id", "cluster_id", "recency_days"])


def members(labelled: pd.DataFrame) -> list[int]:
    return sorted(labelled.loc[labelled["is_insider"], "customer_id"].tolist())


def test_first_run_members_are_the_active_customers_of_the_insiders_segment():
    first = apply_membership(run([(1, 1, 10), (2, 1, 120), (3, 2, 5)]))
    # 2 is in the segment but has not bought for 120 days; 3 is in another segment
    assert members(first) == [1]
    assert first["runs_outside_insiders"].tolist() == [0, 0, 0]


def test_a_member_outside_the_segment_stays_for_the_grace_runs_then_leaves():
    first = apply_membership(run([(1, 1, 10)]))
    second = apply_membership(run([(1, 3, 5)]), first, grace_runs=1)
    assert members(second) == [1]
    assert second["runs_outside_insiders"].tolist() == [1]
    third = apply_membership(run([(1, 3, 5)]), second, grace_runs=1)
    assert members(third) == []
    assert third["runs_outside_insiders"].tolist() == [0]
    # back in the segment: joins again
    fourth = apply_membership(run([(1, 1, 5)]), third, grace_runs=1)
    assert members(fourth) == [1]


def test_returning_to_the_segment_resets_the_grace():
    state = apply_membership(run([(1, 1, 10)]))
    for cluster, expected_outside in ((2, 1), (1, 0), (2, 1)):
        state = apply_membership(run([(1, cluster, 10)]), state, grace_runs=1)
        assert members(state) == [1]
        assert state["runs_outside_insiders"].tolist() == [expected_outside]


def test_an_inactive_member_leaves_at_once_even_in_the_segment():
    first = apply_membership(run([(1, 1, 80)]))
    second = apply_membership(run([(1, 1, 91)]), first, max_recency_days=90)
    assert members(first) == [1]
    assert members(second) == []


def test_a_non_member_is_not_kept_by_grace_and_new_customers_join():
    first = apply_membership(run([(1, 2, 10)]))
    second = apply_membership(run([(1, 3, 10), (2, 1, 0)]), first)
    assert members(second) == [2]


def test_no_grace_follows_the_segment_exactly():
    first = apply_membership(run([(1, 1, 10), (2, 1, 10)]))
    second = apply_membership(run([(1, 2, 10), (2, 1, 10)]), first, grace_runs=0)
    assert members(second) == [2]


def test_a_previous_table_without_the_counter_counts_from_zero():
    previous = pd.DataFrame({"customer_id": [1], "is_insider": [True]})
    second = apply_membership(run([(1, 2, 10)]), previous, grace_runs=1)
    assert members(second) == [1]
    assert second["runs_outside_insiders"].tolist() == [1]


def test_recency_comes_from_the_features_when_the_clustering_does_not_use_it():
    segments = pd.DataFrame({"customer_id": [1, 2], "cluster_id": [1, 1]})
    features = pd.DataFrame({"customer_id": [2, 1], "recency_days": [200, 3]})
    assert members(apply_membership(segments, features=features)) == [1]

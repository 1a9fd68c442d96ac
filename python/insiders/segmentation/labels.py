"""Labelled customers: cluster ids by revenue, segment names by profile, the Insiders.

Cluster ids. The algorithm's own labels are arbitrary, so clusters are renumbered by mean gross
revenue, highest first: cluster 1 is the highest-revenue cluster, and its customers are the
Insiders.

Segment names. Cluster 1 is "Insiders". Every other cluster is named from the medians of its
customers compared with all customers:

- recent: the cluster's median ``recency_days`` is at most the overall median;
- high revenue: the cluster's median ``gross_revenue`` is at least the overall 75th percentile
  (against the overall median, half the clusters would count as big spenders);
- one-off: the cluster's median ``invoice_count`` is at most 1;
- returner: the cluster's median ``return_rate`` is above zero and at least the overall 90th
  percentile. A returner cluster is "Returners" whatever its other flags: nurtured as big recent
  buyers, its customers would be sent offers on goods that come back.

======  ============  =======  ======================
recent  high revenue  one-off  segment
======  ============  =======  ======================
yes     yes           no       Loyal
yes     yes           yes      Promising
yes     no            no       Frequent small
yes     no            yes      Newcomers
no      yes           either   Big spenders at risk
no      no            no       Lapsed
no      no            yes      One-off
======  ============  =======  ======================

(A returner cluster is "Returners" before the table is read.)

A name that comes up again gets " 2", " 3"... in cluster-id order, so names are unique and
depend only on the clusters' profiles.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score

from insiders.segmentation.features import prepare_features, sort_customers
from insiders.segmentation.fitting import fit_labels

INSIDERS = "Insiders"
SEGMENT_NAMES: tuple[str, ...] = (
    INSIDERS,
    "Loyal",
    "Promising",
    "Frequent small",
    "Newcomers",
    "Big spenders at risk",
    "Lapsed",
    "One-off",
    "Returners",
)
HIGH_REVENUE_QUANTILE = 0.75
HIGH_RETURN_RATE_QUANTILE = 0.9
PROFILE_COLUMNS: tuple[str, ...] = ("gross_revenue", "recency_days", "invoice_count")
RETURN_RATE_COLUMN = "return_rate"


def segment_name(
    *, is_recent: bool, is_high_revenue: bool, is_one_off: bool, is_returner: bool
) -> str:
    """The name of a non-top cluster from its profile (table in the module docstring)."""
    if is_returner:
        return "Returners"
    if not is_recent:
        if is_high_revenue:
            return "Big spenders at risk"
        return "One-off" if is_one_off else "Lapsed"
    if is_high_revenue:
        return "Promising" if is_one_off else "Loyal"
    return "Newcomers" if is_one_off else "Frequent small"


def name_segments(profiles: pd.DataFrame, overall: pd.Series) -> list[str]:
    """Unique names for clusters whose median profiles are the rows of ``profiles``.

    ``profiles`` is indexed by cluster id in ascending order; ``overall`` holds all customers'
    median ``recency_days`` and 75th percentile of ``gross_revenue`` and, where the profiles have
    ``return_rate``, its 90th percentile.
    """
    has_returns = RETURN_RATE_COLUMN in profiles.columns and RETURN_RATE_COLUMN in overall.index
    names: list[str] = []
    seen: dict[str, int] = {}
    for position, (_, profile) in enumerate(profiles.iterrows()):
        if position == 0:
            name = INSIDERS
        else:
            name = segment_name(
                is_recent=bool(profile["recency_days"] <= overall["recency_days"]),
                is_high_revenue=bool(profile["gross_revenue"] >= overall["gross_revenue"]),
                is_one_off=bool(profile["invoice_count"] <= 1),
                is_returner=has_returns
                and bool(profile[RETURN_RATE_COLUMN] > 0)
                and bool(profile[RETURN_RATE_COLUMN] >= overall[RETURN_RATE_COLUMN]),
            )
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} {seen[name]}")
    return names


def revenue_ordered_ids(labels: np.ndarray, gross_revenue: np.ndarray) -> np.ndarray:
    """Cluster ids 1..m by mean gross revenue, highest first (ties: the algorithm's order)."""
    found, inverse = np.unique(labels, return_inverse=True)
    means = np.bincount(inverse, weights=gross_revenue) / np.bincount(inverse)
    rank = np.empty(len(found), dtype=np.int64)
    rank[np.lexsort((np.arange(len(found)), -means))] = np.arange(1, len(found) + 1)
    return rank[inverse]


def map_coordinates(points: np.ndarray) -> np.ndarray:
    """Two coordinates for a picture of the customers: the first two principal components."""
    n_components = min(2, points.shape[1], len(points))
    coordinates = np.zeros((len(points), 2))
    if n_components > 0:
        coordinates[:, :n_components] = PCA(
            n_components=n_components, svd_solver="full"
        ).fit_transform(points)
    return coordinates


def label_customers(
    features: pd.DataFrame,
    *,
    feature_columns: Sequence[str],
    space: str,
    algorithm: str,
    k: int,
    seed: int,
    fit_sample_cap: int,
) -> pd.DataFrame:
    """One row per customer, by ascending id: ``customer_id``, ``cluster_id``, ``segment``,
    ``is_insider``, the features used, ``map_x`` and ``map_y``.

    The fit is the one ``select_models`` scored for the same settings (same seeded sample, same
    seed). ``features`` also needs the profile columns ``gross_revenue``, ``recency_days`` and
    ``invoice_count`` to name the segments, and ``return_rate`` to name returners.
    """
    ordered = sort_customers(features)
    feature_columns = list(feature_columns)
    if ordered.empty:
        return empty_segments(ordered, feature_columns)
    points = prepare_features(ordered, feature_columns, space, seed, fit_sample_cap=fit_sample_cap)
    labels = fit_labels(points, algorithm=algorithm, k=k, seed=seed, fit_sample_cap=fit_sample_cap)
    profile_columns = [*PROFILE_COLUMNS, RETURN_RATE_COLUMN]
    profile = ordered[[c for c in profile_columns if c in ordered.columns]].astype("float64")
    cluster_id = revenue_ordered_ids(labels, profile["gross_revenue"].to_numpy())
    profiles = profile.groupby(cluster_id).median().sort_index()
    overall = pd.Series(
        {
            "recency_days": profile["recency_days"].median(),
            "gross_revenue": profile["gross_revenue"].quantile(HIGH_REVENUE_QUANTILE),
        }
    )
    if RETURN_RATE_COLUMN in profile.columns:
        overall[RETURN_RATE_COLUMN] = profile[RETURN_RATE_COLUMN].quantile(
            HIGH_RETURN_RATE_QUANTILE
        )
    names = dict(zip(profiles.index, name_segments(profiles, overall), strict=True))
    coordinates = map_coordinates(points)
    return pd.DataFrame(
        {
            "customer_id": ordered["customer_id"].to_numpy(),
            "cluster_id": cluster_id,
            "segment": pd.Series([names[c] for c in cluster_id], dtype="str"),
            "is_insider": cluster_id == 1,
            **{column: ordered[column].to_numpy() for column in feature_columns},
            "map_x": coordinates[:, 0],
            "map_y": coordinates[:, 1],
        }
    )


def empty_segments(features: pd.DataFrame, feature_columns: Sequence[str]) -> pd.DataFrame:
    """The segments table with no rows, typed like a full one (for ``dbt build --empty``)."""
    columns = {
        "customer_id": pd.Series(dtype="int64"),
        "cluster_id": pd.Series(dtype="int64"),
        "segment": pd.Series(dtype="str"),
        "is_insider": pd.Series(dtype="bool"),
    }
    for column in feature_columns:
        dtype = features[column].dtype if column in features.columns else "float64"
        columns[column] = pd.Series(dtype=dtype)
    columns["map_x"] = pd.Series(dtype="float64")
    columns["map_y"] = pd.Series(dtype="float64")
    return pd.DataFrame(columns)


def score_against_truth(labels: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    """How well the segments recover planted archetypes and high-value customers.

    ``labels`` is ``label_customers`` output; ``truth`` has ``customer_id``, ``archetype`` and
    ``is_high_value``. Returns the adjusted Rand index of clusters vs archetypes, precision and
    recall of ``is_insider`` vs ``is_high_value``, the Insiders' share and the customer count.
    """
    joined = labels[["customer_id", "cluster_id", "is_insider"]].merge(
        truth[["customer_id", "archetype", "is_high_value"]],
        on="customer_id",
        how="inner",
        validate="one_to_one",
    )
    if len(joined) != len(labels) or len(joined) != len(truth):
        raise ValueError("labels and truth must hold the same customers")
    insider = joined["is_insider"].to_numpy(dtype=bool)
    high_value = joined["is_high_value"].to_numpy(dtype=bool)
    hits = int((insider & high_value).sum())
    return {
        "adjusted_rand_index": float(
            adjusted_rand_score(joined["archetype"], joined["cluster_id"])
        ),
        "insider_precision": hits / insider.sum() if insider.any() else 0.0,
        "insider_recall": hits / high_value.sum() if high_value.any() else 0.0,
        "insider_share": float(insider.mean()) if len(insider) else 0.0,
        "n_customers": float(len(joined)),
    }

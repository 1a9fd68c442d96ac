"""Stable segment names across runs: a new fit is matched to the previous run's segments.

Each monthly run re-fits the clustering, and the algorithm's clusters come out in any order and
with boundaries that move a little. Names must stay with behaviour, so the clusters of the new
fit are matched to the segments of the previous run by the customers they share:

- the overlap matrix counts, for every new cluster and every previous segment, the customers
  (present in both runs) that the new cluster holds and the previous run placed in that segment;
- a one-to-one assignment maximising the total overlap is found by the Hungarian method
  (``scipy.optimize.linear_sum_assignment``); a pair that shares no customer is no match;
- ties are broken by preferring pairs whose revenue ranks are closest (new cluster id against the
  previous run's cluster id), then by lower ids, so the same input always gives the same names;
- a matched cluster takes the previous segment's name; an unmatched one (a new cluster, or more
  clusters than before) is named from its profile, numbered after the names in use; a previous
  segment that nothing matches has vanished.

The Insiders are always the top segment by revenue (cluster 1). The pair (new cluster 1,
previous Insiders) is fixed before the assignment, so the matching decides the other names
only: when most of the previous Insiders land in another cluster (a conflict), the revenue rule
wins, that cluster is named from its profile, and cluster 1 is the Insiders.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.optimize import linear_sum_assignment

INSIDERS = "Insiders"


def overlap_matrix(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Customers shared by each new cluster (rows) and each previous segment (columns).

    ``current`` has ``customer_id`` and ``cluster_id``; ``previous`` has ``customer_id``,
    ``cluster_id`` and ``segment``. Rows are ordered by cluster id, columns by the previous
    run's cluster id; customers in only one of the runs count nowhere.
    """
    shared = current[["customer_id", "cluster_id"]].merge(
        previous[["customer_id", "segment"]], on="customer_id", how="inner", validate="one_to_one"
    )
    rows = np.sort(current["cluster_id"].unique())
    columns = previous_segments(previous)
    counts = pd.crosstab(shared["cluster_id"], shared["segment"])
    return counts.reindex(index=rows, columns=columns, fill_value=0).astype("int64")


def previous_segments(previous: pd.DataFrame) -> list[str]:
    """The previous run's segment names, in its cluster-id order (revenue, highest first)."""
    order = previous.groupby("segment", sort=False)["cluster_id"].min().sort_values(kind="stable")
    return [str(name) for name in order.index]


def match_clusters(current: pd.DataFrame, previous: pd.DataFrame) -> dict[int, str]:
    """New cluster id -> the previous segment name it carries on (unmatched clusters absent).

    See the module docstring for the rule. Cluster 1 carries "Insiders" whenever the previous
    run had Insiders, whatever the overlap.
    """
    if current.empty or previous.empty:
        return {}
    overlap = overlap_matrix(current, previous)
    clusters = [int(c) for c in overlap.index]
    segments = list(overlap.columns)
    matches: dict[int, str] = {}
    if INSIDERS in segments and 1 in clusters:
        matches[1] = INSIDERS
        overlap = overlap.drop(index=1, columns=INSIDERS)
    if overlap.empty:
        return matches
    counts = overlap.to_numpy()
    rank_rows = np.arange(counts.shape[0])[:, None]
    rank_columns = np.arange(counts.shape[1])[None, :]
    # Overlap first; the rank distance only breaks ties (it is always smaller than one customer).
    tie_break = np.abs(rank_rows - rank_columns) + (rank_rows + rank_columns) / (counts.size + 1)
    # Scaled so that the tie-breaks of a whole assignment add up to less than one customer.
    cost = -counts + tie_break / ((tie_break.max() + 1) * min(counts.shape))
    row_index, column_index = linear_sum_assignment(cost)
    for r, c in zip(row_index, column_index, strict=True):
        if counts[r, c] > 0:
            matches[int(overlap.index[r])] = str(overlap.columns[c])
    return matches


def carry_segment_names(
    labelled: pd.DataFrame, previous: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.Series]:
    """``labelled`` (``label_customers`` output) with names carried over from ``previous``.

    Returns the relabelled frame and, per cluster id, whether its name was carried (True) or
    given by its profile (False). Without a previous run the frame is returned as it is.
    Profile names that clash with a carried name are numbered (" 2", " 3"...) after it.
    """
    clusters = np.sort(labelled["cluster_id"].unique())
    if previous is None or previous.empty or labelled.empty:
        return labelled, pd.Series(False, index=clusters, dtype="bool")
    matches = match_clusters(labelled, previous)
    profile_names = labelled.groupby("cluster_id")["segment"].first()
    used = set(matches.values())
    names: dict[int, str] = {}
    for cluster in clusters:
        if cluster in matches:
            names[cluster] = matches[cluster]
            continue
        base = _base_name(str(profile_names[cluster]))
        name, number = base, 1
        while name in used:
            number += 1
            name = f"{base} {number}"
        used.add(name)
        names[cluster] = name
    relabelled = labelled.assign(
        segment=pd.Series(
            [names[c] for c in labelled["cluster_id"]], index=labelled.index, dtype="str"
        )
    )
    carried = pd.Series([c in matches for c in clusters], index=clusters, dtype="bool")
    return relabelled, carried


def _base_name(name: str) -> str:
    """A segment name without its " 2", " 3"... suffix."""
    head, _, tail = name.rpartition(" ")
    return head if head and tail.isdigit() else name


def reference_date(features: pd.DataFrame) -> dt.date | None:
    """The run's reference date, None for no customers.

    It is not a column of ``customer_features``, but every customer's
    ``last_purchase_date + recency_days`` is that date.
    """
    if features.empty:
        return None
    reference = (
        pd.to_datetime(features["last_purchase_date"])
        + pd.to_timedelta(features["recency_days"].astype("int64"), unit="D")
    ).max()
    return reference.date()


def with_as_of_date(segments: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    """``segments`` with the run's reference date, ``as_of_date``, as a last column.

    See ``reference_date``; an empty frame gets a typed empty column.
    """
    reference = reference_date(features)
    dates = pd.Series(
        [reference] * len(segments), index=segments.index, dtype=pd.ArrowDtype(pa.date32())
    )
    return segments.assign(as_of_date=dates)


def matching_enabled(value: object) -> bool:
    """A dbt config flag (a bool, or text such as ``"True"``/``"false"``); unset means on."""
    if value is None:
        return True
    return str(value).strip().lower() not in {"false", "0", "no", "off"}


def keep_previous_k(
    selection: pd.DataFrame,
    chosen: tuple[str, str, int],
    previous_k: int,
    *,
    tolerance: float,
    algorithm: str | None = None,
    min_cluster_share: float,
    min_stability: float,
    max_insiders_share: float,
    min_segments: int,
) -> tuple[str, str, int]:
    """The model to use this run: the previous run's k if it is still good enough.

    ``chosen`` is what the rule (``choose_model``) picks on this run's selection alone. The
    previous run's number of clusters is kept, with the best algorithm at that k (or the pinned
    ``algorithm``) in the chosen space, when a model with that k passes the rule's thresholds and
    its silhouette is within ``tolerance`` of the chosen model's; otherwise the rule's choice
    stands. Without this, monthly re-fits jump between close values of k and reshuffle the
    Insiders. Ties go to the algorithm name in alphabetical order.
    """
    space, chosen_algorithm, chosen_k = chosen
    if tolerance <= 0 or chosen_k == previous_k:
        return chosen
    rows = selection[selection["feature_space"] == space].dropna(subset=["silhouette"])
    best = rows.loc[(rows["algorithm"] == chosen_algorithm) & (rows["k"] == chosen_k), "silhouette"]
    passes = (
        (rows["k"] == previous_k)
        & (rows["k"] >= min_segments)
        & (rows["smallest_cluster_share"] >= min_cluster_share)
        & ~(rows["stability_ari"] < min_stability)
    )
    if "insiders_share" in rows.columns:
        passes &= ~(rows["insiders_share"] > max_insiders_share)
    if algorithm is not None:
        passes &= rows["algorithm"] == algorithm
    same_k = rows[passes]
    if best.empty or same_k.empty:
        return chosen
    kept = same_k.sort_values(
        ["silhouette", "algorithm"], ascending=[False, True], kind="mergesort"
    ).iloc[0]
    if kept["silhouette"] < best.iloc[0] - tolerance:
        return chosen
    return space, str(kept["algorithm"]), int(previous_k)

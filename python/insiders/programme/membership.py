"""Who is a member of the Insiders programme at a run: the join and leave rules.

The clustering says, at each monthly run, which customers behave like Insiders (the top segment,
cluster 1). Membership adds two rules on top, so that it means what the business asked for and
does not flip with every re-fit:

- **join**: a customer joins when a run places them in the Insiders segment and they bought in
  the last ``max_recency_days`` days (an inactive customer is not an Insider, whatever the fit);
- **leave**: a member leaves at the first run where they have not bought for more than
  ``max_recency_days`` days, or when they have been outside the Insiders segment for more than
  ``grace_runs`` runs in a row. Until then they stay: one re-fit that draws the boundary a little
  differently does not take the programme away from a customer who keeps buying.

With no previous run (a first build), members are the Insiders segment's active customers. The
previous run is the latest one recorded before the run's date (``insiders.programme.runs``).
"""

from __future__ import annotations

import pandas as pd

INSIDERS_CLUSTER = 1


def apply_membership(
    segments: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    *,
    features: pd.DataFrame | None = None,
    max_recency_days: int,
    grace_runs: int,
) -> pd.DataFrame:
    """``segments`` with ``is_insider`` set by the join and leave rules (see the module).

    ``segments`` has ``customer_id``, ``cluster_id`` and ``recency_days`` (or ``features``, the
    customer_features rows, gives it: the clustering may not use recency); ``previous`` (the
    last run) has ``customer_id``, ``is_insider`` and, where the table has it,
    ``runs_outside_insiders``. Adds ``runs_outside_insiders``: for a member, the runs in a row
    they have been outside the Insiders segment (0 inside it); 0 for everyone else.
    """
    in_segment = segments["cluster_id"].to_numpy() == INSIDERS_CLUSTER
    if "recency_days" in segments.columns:
        recency = segments["recency_days"]
    else:
        recency = segments["customer_id"].map(features.set_index("customer_id")["recency_days"])
    active = recency.to_numpy() <= max_recency_days
    was_member = pd.Series(False, index=segments.index)
    runs_outside_before = pd.Series(0, index=segments.index, dtype="int64")
    if previous is not None and not previous.empty:
        state = previous.set_index("customer_id")
        ids = segments["customer_id"]
        was_member = ids.map(state["is_insider"]).fillna(False).astype(bool)
        if "runs_outside_insiders" in state.columns:
            runs_outside_before = ids.map(state["runs_outside_insiders"]).fillna(0).astype("int64")
    runs_outside = (runs_outside_before + 1).where(was_member & ~in_segment, 0)
    kept_by_grace = was_member.to_numpy() & (runs_outside.to_numpy() <= grace_runs)
    is_member = active & (in_segment | kept_by_grace)
    return segments.assign(
        is_insider=is_member,
        runs_outside_insiders=runs_outside.where(is_member, 0).astype("int64"),
    )

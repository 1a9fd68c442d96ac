"""One row per customer: cluster, segment name and Insiders flag, from the chosen model.

Thin on purpose: the choice rule, the fit and the naming live in insiders.segmentation.clustering
(tested there). The model is the one cluster_model_selection scored best by the rule, unless the
project vars pin the algorithm and k. Segment names are carried over from the previous run by
insiders.segmentation.matching, and the previous run's k is kept while its silhouette is within
cluster_keep_k_tolerance of the rule's choice; cluster_match_previous false turns both off.
Membership (is_insider) follows the join and leave rules of insiders.programme.membership.
The previous run is the latest one dated before this run's as_of_date in the membership run
table (insiders.programme.runs), so a rerun of a month starts from the same memory as before.
"""

from insiders.programme.membership import apply_membership
from insiders.programme.runs import previous_run
from insiders.segmentation.clustering import empty_segments, segment_customers, segment_settings
from insiders.segmentation.frames import to_pandas
from insiders.segmentation.matching import matching_enabled, reference_date, with_as_of_date


def model(dbt, session):
    dbt.config(materialized="table")
    settings = segment_settings(
        feature_columns=dbt.config.get("feature_columns"),
        feature_space=dbt.config.get("feature_space"),
        algorithm=dbt.config.get("algorithm"),
        k=dbt.config.get("k"),
        seed=dbt.config.get("seed"),
        fit_sample_cap=dbt.config.get("fit_sample_cap"),
        min_cluster_share=dbt.config.get("min_cluster_share"),
        min_stability=dbt.config.get("min_stability"),
        max_insiders_share=dbt.config.get("max_insiders_share"),
        min_segments=dbt.config.get("min_segments"),
    )
    # one row per customer: the only tables that become pandas, on any engine
    features = to_pandas(dbt.ref("customer_features"))
    selection = to_pandas(dbt.ref("cluster_model_selection"))
    if features.empty:
        # dbt build --empty: no customers, but the table keeps its columns and types.
        empty = empty_segments(features, settings["feature_columns"])
        return with_as_of_date(empty.assign(runs_outside_insiders=0), features)
    previous = previous_run(
        session,
        dbt.this.database,
        dbt.this.schema,
        dbt.config.get("runs_table"),
        reference_date(features),
    )
    segments = segment_customers(
        features,
        selection,
        previous=previous if matching_enabled(dbt.config.get("match_previous")) else None,
        keep_k_tolerance=float(dbt.config.get("keep_k_tolerance") or 0),
        **settings,
    )
    members = apply_membership(
        segments,
        previous,
        features=features,
        max_recency_days=int(dbt.config.get("max_recency_days")),
        grace_runs=int(dbt.config.get("grace_runs")),
    )
    return with_as_of_date(members, features)

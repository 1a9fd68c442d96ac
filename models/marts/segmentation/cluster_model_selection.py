"""Every (feature space, algorithm, k) fitted and scored on customer_features.

Thin on purpose: the fitting, sampling and scoring live in insiders.segmentation.clustering
(tested there).
Settings come from this model's YAML config, which reads the project vars cluster_*.
"""

from insiders.segmentation.clustering import empty_selection, select_models, selection_settings
from insiders.segmentation.frames import to_pandas


def model(dbt, session):
    dbt.config(materialized="table")
    settings = selection_settings(
        feature_columns=dbt.config.get("feature_columns"),
        feature_spaces=dbt.config.get("feature_spaces"),
        k_min=dbt.config.get("k_min"),
        k_max=dbt.config.get("k_max"),
        seed=dbt.config.get("seed"),
        fit_sample_cap=dbt.config.get("fit_sample_cap"),
        score_sample_cap=dbt.config.get("score_sample_cap"),
        stability_fits=dbt.config.get("stability_fits"),
    )
    # one row per customer: the only table that becomes pandas, on any engine
    features = to_pandas(dbt.ref("customer_features"))
    if features.empty:
        # dbt build --empty: no customers, but the table keeps its columns and types.
        return empty_selection()
    return select_models(features, **settings)

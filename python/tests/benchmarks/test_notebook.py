"""The benchmark's contenders compute what the pipeline computes.

- The lower bound (one DuckDB query on the raw file) equals ``customer_features`` under the
  project's default policies and under the study's (surrogate customers, duplicates kept).
- The notebook re-implementation, run on the same file, agrees with ``customer_features``
  built under the study's policies wherever the two define a feature the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from benchmarks import notebook
from benchmarks.lower_bound import customer_features as lower_bound_features
from conftest import PIPELINE_SCALE, PIPELINE_SEED, build_pipeline

STUDY_VARS = "{missing_customer_policy: surrogate, duplicate_line_policy: keep_all}"
# The notebook's name for each pipeline feature whose definition it shares.
SHARED_FEATURES = {
    "gross_revenue": "gross_revenue",
    "recency_days": "recency_days",
    "invoice_count": "qtde_invoices",
    "items_count": "qtde_items",
    "line_count": "qtde_products",
    "avg_ticket": "avg_ticket",
    "frequency": "frequency",
    "returned_items": "qtde_returns",
    "avg_basket_size": "avg_basket_size",
    "avg_unique_basket_size": "avg_unique_basket_size",
}


def assert_same_features(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Equal row for row: exact for ids, counts, dates and text, to 1e-9 for doubles."""
    assert sorted(actual.columns) == sorted(expected.columns)
    actual = actual.sort_values("customer_id").reset_index(drop=True)
    expected = expected.sort_values("customer_id").reset_index(drop=True)
    assert actual["customer_id"].tolist() == expected["customer_id"].tolist()
    for column in expected.columns:
        left, right = actual[column], expected[column]
        if right.dtype.kind == "f":
            np.testing.assert_allclose(left, right, rtol=1e-9, equal_nan=True, err_msg=column)
        else:
            assert left.astype(str).tolist() == right.astype(str).tolist(), column


@pytest.fixture(scope="module")
def study_pipeline(tmp_path_factory):
    """The features up to ``customer_features`` under the study's policies.

    The unit tests are left out: they pin the default policies by their expected rows.
    Data tests run where all their models are built (``cautious``).
    """
    return build_pipeline(
        tmp_path_factory.mktemp("study_pipeline"),
        scale=PIPELINE_SCALE,
        seed=PIPELINE_SEED,
        extra=(
            "--select",
            "+customer_features",
            "--indirect-selection",
            "cautious",
            "--exclude-resource-type",
            "unit_test",
            "--vars",
            STUDY_VARS,
        ),
    )


@pytest.fixture(scope="module")
def notebook_run(study_pipeline):
    raw = notebook.read_raw(study_pipeline.raw_path)
    cleaned = notebook.clean(raw)
    return cleaned, notebook.build_features(cleaned)


@pytest.mark.slow
def test_lower_bound_equals_the_pipeline_features(pipeline):
    expected = pipeline.frame("select * from customer_features")
    assert_same_features(lower_bound_features(pipeline.raw_path), expected)


@pytest.mark.slow
def test_lower_bound_equals_the_pipeline_features_under_the_study_policies(study_pipeline):
    expected = study_pipeline.frame("select * from customer_features")
    actual = lower_bound_features(
        study_pipeline.raw_path,
        missing_customer_policy="surrogate",
        duplicate_line_policy="keep_all",
    )
    assert_same_features(actual, expected)


@pytest.mark.slow
def test_notebook_cleaning_keeps_the_pipeline_lines(study_pipeline, notebook_run):
    cleaned, _features = notebook_run
    kept = study_pipeline.scalar("select count(*) from intermediate.int_invoice_lines_cleaned")
    assert len(cleaned) == kept


@pytest.mark.slow
def test_notebook_features_agree_with_the_pipeline(study_pipeline, notebook_run):
    _cleaned, features = notebook_run
    # Surrogates are numbered differently (the notebook in raw-file order, before cleaning)
    # and the notebook's dropna() drops them all (one invoice, one day): compare the others.
    pipeline = study_pipeline.frame(
        f"select * from customer_features where customer_id < {notebook.SURROGATE_START}"
    )
    # The notebook's dropna() keeps customers seen on two days or more: every identified
    # customer with two purchase days is there, and nobody the pipeline has not.
    several_days = pipeline.loc[pipeline["avg_days_between_purchases"].notna(), "customer_id"]
    assert set(several_days) <= set(features["customer_id"])
    identified = features.loc[features["customer_id"] < notebook.SURROGATE_START]
    assert set(identified["customer_id"]) <= set(pipeline["customer_id"])
    assert len(identified) > 100

    both = identified.merge(pipeline, on="customer_id", suffixes=("_notebook", ""))
    for ours, theirs in SHARED_FEATURES.items():
        np.testing.assert_allclose(
            both[theirs if theirs != ours else f"{ours}_notebook"].astype(float),
            both[ours].astype(float),
            rtol=1e-9,
            err_msg=ours,
        )
    # The notebook's mean gap counts return days too and is negative (it subtracts the later
    # date from the earlier one); without returns the two definitions coincide.
    no_returns = both.loc[both["returned_items"] == 0]
    assert len(no_returns) > 50
    np.testing.assert_allclose(
        -no_returns["avg_recency_days"], no_returns["avg_days_between_purchases"], rtol=1e-9
    )


def test_notebook_model_selection_scores_every_algorithm_and_k():
    rng = np.random.default_rng(7)
    points = np.vstack([rng.normal(centre, 0.05, size=(40, 5)) for centre in (0.0, 0.5, 1.0)])
    selection = notebook.model_selection(points, k_values=(2, 3, 4))
    assert len(selection) == 9
    assert set(selection["algorithm"]) == {"kmeans", "gmm", "hierarchical"}
    assert selection["silhouette"].between(-1, 1).all()
    best = selection.loc[selection["silhouette"].idxmax()]
    assert best["k"] == 3

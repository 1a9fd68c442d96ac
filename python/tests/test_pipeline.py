"""The dbt project end to end on generated data: every raw line accounted for, the business
rules hold in the built tables, and the features agree with an independent computation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

EXCLUDED_CODES = (
    "POST",
    "D",
    "DOT",
    "M",
    "S",
    "AMAZONFEE",
    "m",
    "DCGSSBOY",
    "DCGSSGIRL",
    "PADS",
    "B",
    "CRUK",
)
EXCLUDED_LIST = ", ".join(repr(code) for code in EXCLUDED_CODES)


def test_every_raw_line_is_kept_or_rejected_once(pipeline):
    raw = pipeline.scalar(f"select count(*) from read_parquet('{pipeline.raw_path}')")
    landed = pipeline.scalar("select count(*) from raw.invoice_lines")
    kept = pipeline.scalar("select count(*) from intermediate.int_invoice_lines_cleaned")
    rejected = pipeline.scalar("select count(*) from audit.rejected_invoice_lines")
    assert landed == raw
    assert kept + rejected == raw
    accounted = dict(
        pipeline.query(
            "select coalesce(rejection_reason, 'kept'), line_count "
            "from audit.invoice_line_accounting"
        )
    )
    by_reason = dict(
        pipeline.query(
            "select rejection_reason, count(*) from audit.rejected_invoice_lines group by 1"
        )
    )
    assert accounted["kept"] == kept
    for reason, count in by_reason.items():
        assert accounted[reason] == count


def test_business_rules_reject_what_the_study_drops(pipeline):
    by_reason = dict(
        pipeline.query(
            "select rejection_reason, count(*) from audit.rejected_invoice_lines group by 1"
        )
    )
    # The generator plants each kind of line the study drops, so each rule has work to do.
    for reason in (
        "excluded_stock_code",
        "unit_price_below_minimum",
        "excluded_country",
        "duplicate_line",
    ):
        assert by_reason.get(reason, 0) > 0, reason
    survivors = pipeline.scalar(
        "select count(*) from intermediate.int_invoice_lines_cleaned "
        "where unit_price < 0.04 or country in ('European Community', 'Unspecified') "
        f"or stock_code in ({EXCLUDED_LIST})"
    )
    assert survivors == 0


def test_guest_lines_stay_in_revenue_but_not_in_features(pipeline):
    guests = pipeline.scalar(
        "select count(*) from intermediate.int_invoice_lines_cleaned where customer_id is null"
    )
    assert guests > 0
    assert pipeline.scalar("select max(customer_id) from customer_features") < 19000


def test_features_match_an_independent_computation(pipeline):
    """Recompute gross revenue, invoices and returns straight from the raw file."""
    expected = pipeline.frame(
        f"""
        with raw as (
            select *, row_number() over () as n from read_parquet('{pipeline.raw_path}')
        ),
        valid as (
            select * from raw
            where UnitPrice >= 0.04
              and StockCode not in ({EXCLUDED_LIST})
              and Country not in ('European Community', 'Unspecified')
              and CustomerID is not null and CustomerID != 16446
        ),
        deduplicated as (
            select distinct on (InvoiceNo, StockCode, Description, Quantity, InvoiceDate,
                                UnitPrice, CustomerID, Country) *
            from valid
        )
        select
            cast(CustomerID as bigint) as customer_id,
            sum(case when not starts_with(InvoiceNo, 'C') and Quantity >= 0
                then cast(Quantity * cast(UnitPrice as decimal(18, 4)) as decimal(38, 4)) end)
                as gross_revenue,
            count(distinct case when not starts_with(InvoiceNo, 'C') and Quantity >= 0
                then InvoiceNo end) as invoice_count,
            coalesce(-sum(case when Quantity < 0 then Quantity end), 0) as returned_items
        from deduplicated
        group by 1
        having invoice_count > 0
        order by 1
        """
    )
    actual = pipeline.frame(
        "select customer_id, gross_revenue, invoice_count, returned_items "
        "from customer_features order by customer_id"
    )
    assert list(actual["customer_id"]) == list(expected["customer_id"])
    assert (actual["invoice_count"].to_numpy() == expected["invoice_count"].to_numpy()).all()
    assert (actual["returned_items"].to_numpy() == expected["returned_items"].to_numpy()).all()
    difference = (actual["gross_revenue"] - expected["gross_revenue"].astype(float)).abs()
    assert difference.max() < 1e-6


def test_segments_find_the_planted_high_value_customers(pipeline):
    """The built segments and members against the generator's planted archetypes.

    Measured at scale 0.1, seed 7 (435 customers; the rule picks k-means with k = 5):
    adjusted Rand index 0.65; members' precision 0.89 and recall 0.79 against the planted
    wholesalers and loyal high-value customers; members are 12.6% of customers and bring 70%
    of revenue. The floors sit under these with a margin (the issue's aim is 0.9, not reached:
    see the README, which gives scale 1 and 10 too); the members stay a minority that brings
    most of the revenue, and one-off buyers, the largest archetype, are never members.
    """
    import pandas as pd

    from insiders.segmentation.clustering import score_against_truth

    labels = pipeline.frame("select customer_id, cluster_id, is_insider from customer_segments")
    truth = pd.read_parquet(pipeline.truth_path)
    truth = truth[truth["customer_id"].isin(labels["customer_id"])]
    scores = score_against_truth(labels, truth)
    assert scores["adjusted_rand_index"] >= 0.55
    assert scores["insider_precision"] >= 0.8
    assert scores["insider_recall"] >= 0.7
    assert scores["insider_share"] <= 1 / 3
    member_revenue = pipeline.scalar(
        "select sum(features.gross_revenue) filter (where segments.is_insider)"
        " / sum(features.gross_revenue) from customer_segments as segments"
        " inner join customer_features as features"
        " on segments.customer_id = features.customer_id"
    )
    assert member_revenue >= 2 / 3
    one_off = truth.loc[truth["archetype"] == "one_off", "customer_id"]
    assert not labels.loc[labels["customer_id"].isin(one_off), "is_insider"].any()


def test_the_selection_keeps_every_model_and_each_segment_has_a_sentence(pipeline):
    """The rule reads only models of at least cluster_min_segments clusters, but the selection
    table keeps every algorithm at every k; segment_profiles says each segment in a sentence."""
    from insiders.segmentation.clustering import ALGORITHMS
    from insiders.settings import setting

    scored = pipeline.query("select algorithm, k from cluster_model_selection")
    k_values = range(setting("cluster_k_min"), setting("cluster_k_max") + 1)
    assert sorted(scored) == sorted((a, k) for a in ALGORITHMS for k in k_values)
    profiles = pipeline.frame(
        "select segment, customers, description from segment_profiles order by cluster_id"
    )
    assert len(profiles) >= setting("cluster_min_segments")
    for row in profiles.itertuples():
        assert row.description.startswith(f"{row.customers} customers (")
        assert "% of revenue)" in row.description and row.description.endswith("of the items.")


def test_unit_tests_hold_under_the_study_policies(pipeline):
    """The dbt unit tests pin the vars they assume, so they pass whatever policy a user picks:
    here the study's (every duplicate kept, one surrogate customer per guest invoice)."""
    from conftest import run_dbt

    result = run_dbt(
        pipeline.env,
        "test",
        "--select",
        "test_type:unit",
        "--vars",
        "{duplicate_line_policy: keep_all, missing_customer_policy: surrogate}",
    )
    assert result.success
    results = json.loads((Path(pipeline.env["DBT_TARGET_PATH"]) / "run_results.json").read_text())
    statuses = [
        node["status"]
        for node in results["results"]
        if node["unique_id"].startswith("unit_test.")  # not the on-run-start hook
    ]
    assert statuses and set(statuses) == {"pass"}

"""The whole pipeline on other retailers' data, through the shipped mappings: CDNOW and Shopify.

Each build runs `dbt build` (every model, data test and unit test) with ``INSIDERS_MAPPING``
set, then checks the customers and revenue the marts hold against the file itself, and that
features, segments, members, customer value and the report's answers are all there.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from conftest import BuiltPipeline, dbt_env, run_dbt
from shop_exports import write_shopify_export


def build_with_mapping(root: Path, raw_path: Path, mapping: str) -> BuiltPipeline:
    database = root / "insiders.duckdb"
    env = {**dbt_env(root, raw_path, database), "INSIDERS_MAPPING": mapping}
    run_dbt(env, "build")
    return BuiltPipeline(root, raw_path, raw_path, database, env)


def assert_whole_pipeline_built(built: BuiltPipeline, customers: int) -> None:
    assert built.scalar("select count(*) from main.customers") == customers
    assert built.scalar("select count(distinct customer_id) from main.customer_segments") == (
        customers
    )
    assert built.scalar("select count(*) from main.insiders") > 0
    assert built.scalar("select count(p_alive) from main.customer_value") == customers
    assert built.scalar("select count(*) from main.rpt_insiders_answers") == 9
    kept, lines = built.query(
        "select sum(line_count) filter (where outcome = 'kept'), sum(line_count) "
        "from audit.invoice_line_accounting"
    )[0]
    assert lines == built.scalar("select count(*) from raw.invoice_lines")
    assert kept > 0


@pytest.fixture(scope="module")
def cdnow_build(cdnow_dir, tmp_path_factory) -> BuiltPipeline:
    return build_with_mapping(
        tmp_path_factory.mktemp("cdnow"), cdnow_dir / "CDNOW_master.txt", "cdnow"
    )


def test_cdnow_builds_every_customer_and_all_the_revenue_of_the_file(cdnow_build, cdnow_dir):
    file = pd.read_csv(cdnow_dir / "CDNOW_master.txt", sep=r"\s+", dtype=str)
    revenue = sum(Decimal(amount) for amount in file["dollar_value"])

    assert file["customer_id"].nunique() == 23570
    assert cdnow_build.scalar("select count(*) from main.customer_features") == 23570
    assert (
        cdnow_build.scalar(
            "select sum(line_revenue) from intermediate.int_invoice_lines_cleaned where is_purchase"
        )
        == revenue
    )
    features_revenue = cdnow_build.scalar("select sum(gross_revenue) from main.customer_features")
    assert features_revenue == pytest.approx(float(revenue), abs=0.01)
    assert_whole_pipeline_built(cdnow_build, 23570)


def test_cdnow_lines_are_orders_of_one_product_under_the_generic_rules(cdnow_build):
    mapping = cdnow_build.query("select mapping_name, rule_set from staging.stg_retail__mapping")
    lines = cdnow_build.query(
        "select count(*), count(distinct invoice_id), min(stock_code), max(stock_code), "
        "min(country) from intermediate.int_invoice_lines_cleaned"
    )[0]

    assert mapping == [("cdnow", "generic")]
    assert lines == (69659, 69659, "n/a", "n/a", "unknown")


@pytest.fixture(scope="module")
def shopify_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("shopify")
    truth = write_shopify_export(root / "orders_export.csv")
    return build_with_mapping(root, root / "orders_export.csv", "shopify"), truth


def test_a_shopify_export_builds_its_buying_customers_and_their_revenue(shopify_build):
    built, truth = shopify_build

    assert built.scalar("select count(*) from main.customer_features") == truth.customers
    assert (
        built.scalar(
            "select sum(line_revenue) from intermediate.int_invoice_lines_cleaned where is_purchase"
        )
        == truth.revenue
    )
    assert_whole_pipeline_built(built, truth.customers)


def test_a_shopify_export_rejects_guest_orders_and_keeps_cancelled_ones_as_no_purchase(
    shopify_build,
):
    built, truth = shopify_build
    outcomes = dict(
        built.query(
            "select coalesce(rejection_reason, 'kept'), count(*) "
            "from intermediate.int_invoice_lines_screened group by all"
        )
    )
    cancelled = built.query(
        "select bool_and(not is_purchase), count(distinct invoice_id) "
        "from intermediate.int_invoice_lines_cleaned where is_cancellation"
    )[0]

    assert set(outcomes) == {"kept", "missing_customer_id"}
    assert sum(outcomes.values()) == truth.lines
    assert cancelled[0] is True and cancelled[1] > 0

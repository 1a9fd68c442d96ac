"""customer_value on the built pipeline: planted customers of the generator get the p_alive their
behaviour calls for, and the back-test scores the model beside the two simple rules."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def with_truth(pipeline, where: str, order: str) -> list[tuple]:
    return pipeline.query(
        f"""
        select value.customer_id, value.frequency, value.p_alive
        from main.customer_value as value
        inner join read_parquet('{pipeline.truth_path}') as truth
            on value.customer_id = truth.customer_id
        where {where}
        order by {order}, value.customer_id
        """
    )


def test_a_planted_lapsed_customer_ends_with_a_low_p_alive(pipeline):
    # The generator's lapsed customers buy like regulars, then stop on stops_buying_on. Take
    # the one with the most repeat purchase days among those who stopped over 180 days ago.
    lapsed = with_truth(
        pipeline,
        "truth.archetype = 'lapsed' and value.frequency >= 4"
        " and value.as_of_date - truth.stops_buying_on > 180",
        "value.frequency desc",
    )
    assert lapsed, "the generated data has no long-lapsed customer with repeat purchases"
    customer_id, frequency, p_alive = lapsed[0]
    assert p_alive < 0.1, (customer_id, frequency, p_alive)


def test_a_regular_buyer_ends_with_a_high_p_alive(pipeline):
    regular = with_truth(
        pipeline,
        "truth.archetype in ('regular', 'loyal_high_value') and value.frequency >= 4"
        ' and value."T" - value.recency <= 30',
        "value.frequency desc",
    )
    assert regular, "the generated data has no recent regular buyer"
    customer_id, frequency, p_alive = regular[0]
    assert p_alive > 0.9, (customer_id, frequency, p_alive)


def test_lapsed_customers_are_less_likely_alive_than_regulars(pipeline):
    medians = dict(
        pipeline.query(
            f"""
            select truth.archetype, median(value.p_alive)
            from main.customer_value as value
            inner join read_parquet('{pipeline.truth_path}') as truth
                on value.customer_id = truth.customer_id
            where value.frequency > 0 and truth.archetype in ('lapsed', 'regular')
            group by truth.archetype
            """
        )
    )
    assert medians["lapsed"] < medians["regular"] - 0.1


def test_one_row_per_customer_with_features(pipeline):
    missing = pipeline.scalar(
        """
        select count(*) from main.customer_features as features
        anti join main.customer_value as value on features.customer_id = value.customer_id
        where features.first_purchase_date is not null
        """
    )
    assert missing == 0
    tiers = dict(pipeline.query("select value_tier, count(*) from main.customer_value group by 1"))
    customers = sum(tiers.values())
    assert tiers["top 50%"] + tiers["top 25%"] + tiers["top 10%"] + tiers.get("top 5%", 0) + (
        tiers.get("top 1%", 0)
    ) == pytest.approx(customers / 2, abs=1)


def test_the_backtest_scores_the_model_beside_both_baselines(pipeline):
    rows = pipeline.query(
        """
        select forecast_method, customers, predicted_revenue, actual_revenue, spearman,
            top_decile_revenue_share
        from main.customer_value_backtest order by method_order
        """
    )
    assert [row[0] for row in rows] == ["bg_nbd_gamma_gamma", "average_daily_revenue", "run_rate"]
    assert len({row[1] for row in rows}) == 1
    actual = pipeline.scalar(
        """
        select cast(sum(line_revenue) as double) from intermediate.int_invoice_lines_cleaned
        where is_purchase and customer_id is not null
            and invoiced_on > (
                select max(invoiced_on) from intermediate.int_invoice_lines_cleaned
            ) - 90
            and customer_id in (
                select customer_id from intermediate.int_customer_value_windows
                where calibration = 'backtest'
            )
        """
    )
    assert [row[3] for row in rows] == pytest.approx([actual] * 3)

"""Planted customers and the project's settings, shared by the segmentation tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from insiders.segmentation.clustering import (
    choose_model,
    segment_settings,
    selection_settings,
)

# The project's settings (its dbt vars), as the dbt models get them.
SELECTION = selection_settings()
SEGMENT = segment_settings()
FEATURE_COLUMNS = SELECTION["feature_columns"]
FIT_SAMPLE_CAP = SELECTION["fit_sample_cap"]
# The features the synthetic archetypes below differ in (the others are noise here).
PLANTED_FEATURES = ("gross_revenue", "recency_days", "line_count", "frequency", "return_rate")
# The choice rule's thresholds these tests were written against (no limit on the Insiders' share
# unless a test sets one).
TEST_RULE = {
    "min_cluster_share": 0.02,
    "min_stability": 0.7,
    "max_insiders_share": 1.0,
    "min_segments": 2,
}


def choose(selection: pd.DataFrame, **given):
    return choose_model(selection, **{**TEST_RULE, **given})


# Planted archetypes, shaped like the Online Retail customers: share, recency range in days,
# mean extra invoices (None: exactly one invoice), lines per invoice, value per line, and the
# chance of having returned something.
ARCHETYPES: dict[str, tuple[float, tuple[int, int], float | None, float, float, float]] = {
    "insider": (0.05, (0, 20), 20.0, 30.0, 25.0, 0.5),
    "loyal": (0.15, (0, 40), 6.0, 15.0, 18.0, 0.3),
    "frequent_small": (0.10, (0, 30), 10.0, 4.0, 8.0, 0.1),
    "newcomer": (0.15, (0, 40), None, 10.0, 15.0, 0.05),
    "big_spender_at_risk": (0.05, (150, 370), 3.0, 40.0, 30.0, 0.3),
    "lapsed": (0.25, (100, 370), 1.0, 10.0, 15.0, 0.1),
    "one_off": (0.25, (60, 370), None, 12.0, 15.0, 0.05),
}


def synthetic_customers(n_customers: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A ``customer_features``-shaped frame with planted archetypes, and the truth frame.

    Revenue, lines and returns are log-normal (heavy-tailed); only "insider" is high value.
    Rows come in a shuffled customer_id order.
    """
    rng = np.random.default_rng(seed)
    names = list(ARCHETYPES)
    shares = np.array([ARCHETYPES[name][0] for name in names])
    archetype = rng.choice(len(names), size=n_customers, p=shares / shares.sum())
    recency = np.zeros(n_customers, dtype=np.int64)
    invoices = np.ones(n_customers, dtype=np.int64)
    lines_per_invoice = np.zeros(n_customers)
    line_value = np.zeros(n_customers)
    has_returns = np.zeros(n_customers, dtype=bool)
    for i, name in enumerate(names):
        _, (low, high), extra, lines, value, return_chance = ARCHETYPES[name]
        rows = archetype == i
        size = int(rows.sum())
        recency[rows] = rng.integers(low, high + 1, size=size)
        if extra is not None:
            invoices[rows] = 2 + rng.poisson(extra, size=size)
        lines_per_invoice[rows] = lines * rng.lognormal(0, 0.5, size=size)
        line_value[rows] = value * rng.lognormal(0, 0.5, size=size)
        has_returns[rows] = rng.random(size) < return_chance
    line_count = np.maximum(invoices, np.round(invoices * lines_per_invoice)).astype(np.int64)
    items = line_count * (1 + rng.poisson(8, size=n_customers))
    revenue = np.round(line_count * line_value, 2)
    span = np.where(invoices > 1, 1 + rng.integers(0, 372, size=n_customers) % (373 - recency), 0)
    last = pd.Timestamp("2011-12-09") - pd.to_timedelta(recency, unit="D")
    first = last - pd.to_timedelta(span, unit="D")
    returned = np.where(has_returns, np.ceil(items * rng.beta(1, 20, size=n_customers)), 0)
    distinct = np.maximum(1, np.round(line_count * rng.uniform(0.3, 1.0, size=n_customers)))
    features = pd.DataFrame(
        {
            "customer_id": 12_000 + rng.permutation(n_customers).astype(np.int64),
            "country": np.where(rng.random(n_customers) < 0.9, "United Kingdom", "France"),
            "gross_revenue": revenue,
            "recency_days": recency,
            "invoice_count": invoices,
            "items_count": items,
            "line_count": line_count,
            "distinct_products": distinct.astype(np.int64),
            "avg_ticket": revenue / line_count,
            "avg_order_value": revenue / invoices,
            "avg_days_between_purchases": np.where(
                invoices > 1, span / np.maximum(invoices - 1, 1), np.nan
            ),
            "frequency": invoices / (span + 1),
            "returned_items": returned.astype(np.int64),
            "return_rate": returned / (items + returned),
            "avg_lines_per_invoice": line_count / invoices,
            "avg_items_per_line": items / line_count,
            "avg_basket_size": items / invoices,
            "avg_unique_basket_size": distinct / invoices,
            "first_purchase_date": first.date,
            "last_purchase_date": last.date,
        }
    )
    truth = pd.DataFrame(
        {
            "customer_id": features["customer_id"],
            "archetype": np.array(names)[archetype],
            "is_high_value": archetype == names.index("insider"),
        }
    )
    return features, truth

"""The lower bound for computing the customer features: one DuckDB query on the raw file.

No landing as text, no audit trail, no intermediate tables, no tests: the typed Parquet
columns are read once, filtered under the study's rules and aggregated straight into
``customer_features``' columns and definitions. Whatever the pipeline spends beyond this is
the price of its guarantees (every line accounted for, every rule tested); the benchmark
reports the ratio.

The rules and policies are the pipeline's defaults (see ``dbt_project.yml`` and the seeds),
written here as literals on purpose: this query must not depend on the project. With the
same policies its output equals ``customer_features`` (``python/tests/test_notebook.py``).
Run it as ``python -m benchmarks.lower_bound RAW.parquet --out features.parquet``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd

from benchmarks.study import (
    EXCLUDED_COUNTRIES,
    EXCLUDED_CUSTOMERS,
    EXCLUDED_STOCK_CODES,
)

MISSING_CUSTOMER_POLICIES = ("exclude", "surrogate")
DUPLICATE_LINE_POLICIES = ("keep_first", "keep_all")


def _sql_list(values) -> str:
    return ", ".join("'" + str(value).replace("'", "''") + "'" for value in values)


def features_sql(
    raw_path: str | Path,
    *,
    missing_customer_policy: str = "exclude",
    duplicate_line_policy: str = "keep_first",
    min_unit_price: float = 0.04,
    surrogate_customer_id_start: int = 19000,
) -> str:
    """The query: raw Parquet file in, one row per customer with the features out."""
    if missing_customer_policy not in MISSING_CUSTOMER_POLICIES:
        raise ValueError(f"missing_customer_policy must be one of {MISSING_CUSTOMER_POLICIES}")
    if duplicate_line_policy not in DUPLICATE_LINE_POLICIES:
        raise ValueError(f"duplicate_line_policy must be one of {DUPLICATE_LINE_POLICIES}")
    # keep_first keeps one copy of each exact duplicate: the same rows as a distinct select.
    distinct = "distinct" if duplicate_line_policy == "keep_first" else ""
    surrogates_cte, surrogates_join, customer_column = _surrogates(
        missing_customer_policy, surrogate_customer_id_start
    )
    path = str(raw_path).replace("'", "''")
    excluded_customers = ", ".join(str(int(value)) for value in EXCLUDED_CUSTOMERS)
    return (
        f"""
with
kept as (
    select {distinct}
        InvoiceNo as invoice_id,
        StockCode as stock_code,
        Description as description,
        Quantity as quantity,
        InvoiceDate as invoiced_at,
        cast(UnitPrice as decimal(18, 4)) as unit_price,
        cast(CustomerID as bigint) as customer_id,
        Country as country
    from read_parquet('{path}')
    where
        InvoiceNo is not null and StockCode is not null and Quantity is not null
        and InvoiceDate is not null and UnitPrice is not null
        and StockCode not in ({_sql_list(EXCLUDED_STOCK_CODES)})
        and cast(UnitPrice as decimal(18, 4)) >= {float(min_unit_price)}
        and coalesce(Country not in ({_sql_list(EXCLUDED_COUNTRIES)}), true)
        and coalesce(cast(CustomerID as bigint) not in ({excluded_customers}), true)
),
{surrogates_cte}
lines as (
    select
        {customer_column} as customer_id,
        kept.invoice_id,
        kept.stock_code,
        kept.country,
        kept.quantity,
        kept.quantity * kept.unit_price as line_revenue,
        not starts_with(kept.invoice_id, 'C') and kept.quantity >= 0 as is_purchase,
        cast(kept.invoiced_at as date) as invoiced_on
    from kept
    {surrogates_join}
),
"""
        + FEATURES_FROM_LINES
    )


def _surrogates(
    missing_customer_policy: str, surrogate_customer_id_start: int
) -> tuple[str, str, str]:
    """The surrogate customers' CTE, join and customer column (empty unless ``surrogate``)."""
    if missing_customer_policy == "surrogate":
        # The study's way: one customer per invoice without one, numbered in invoice order.
        surrogates_cte = f"""surrogates as (
    select
        invoice_id,
        {int(surrogate_customer_id_start) - 1} + row_number() over (order by invoice_id)
            as surrogate_customer_id
    from (select distinct invoice_id from kept where customer_id is null)
),"""
        surrogates_join = (
            "left join surrogates on kept.customer_id is null"
            " and kept.invoice_id = surrogates.invoice_id"
        )
        customer_column = "coalesce(kept.customer_id, surrogates.surrogate_customer_id)"
        return surrogates_cte, surrogates_join, customer_column
    return "", "", "kept.customer_id"


# The features from the kept lines on: the same query whatever the policies.
FEATURES_FROM_LINES = """reference as (
    select max(invoiced_on) as reference_date from lines
),
countries as (
    select customer_id, first(country order by line_count desc, country asc) as country
    from (
        select customer_id, country, count(*) as line_count
        from lines
        where is_purchase and customer_id is not null
        group by all
    )
    group by customer_id
),
totals as (
    select
        customer_id,
        sum(line_revenue) filter (where is_purchase) as gross_revenue,
        count(distinct invoice_id) filter (where is_purchase) as invoice_count,
        sum(quantity) filter (where is_purchase) as items_count,
        count(*) filter (where is_purchase) as line_count,
        count(distinct stock_code) filter (where is_purchase) as distinct_products,
        avg(line_revenue) filter (where is_purchase) as avg_ticket,
        count(distinct invoiced_on) filter (where is_purchase) as purchase_day_count,
        min(invoiced_on) filter (where is_purchase) as first_purchase_date,
        max(invoiced_on) filter (where is_purchase) as last_purchase_date,
        coalesce(-sum(quantity) filter (where quantity < 0), 0) as returned_items
    from lines
    where customer_id is not null
    group by customer_id
)
select
    totals.customer_id,
    countries.country,
    cast(totals.gross_revenue as double) as gross_revenue,
    cast(reference.reference_date - totals.last_purchase_date as integer) as recency_days,
    totals.invoice_count,
    cast(totals.items_count as bigint) as items_count,
    totals.line_count,
    totals.distinct_products,
    cast(totals.avg_ticket as double) as avg_ticket,
    cast(totals.gross_revenue as double) / totals.invoice_count as avg_order_value,
    case
        when totals.purchase_day_count > 1
            then cast(totals.last_purchase_date - totals.first_purchase_date as double)
            / (totals.purchase_day_count - 1)
    end as avg_days_between_purchases,
    totals.invoice_count
    / cast(totals.last_purchase_date - totals.first_purchase_date + 1 as double) as frequency,
    cast(totals.returned_items as bigint) as returned_items,
    totals.returned_items
    / cast(totals.items_count + totals.returned_items as double) as return_rate,
    cast(totals.items_count as double) / totals.invoice_count as avg_basket_size,
    cast(totals.line_count as double) / totals.invoice_count as avg_lines_per_invoice,
    cast(totals.items_count as double) / totals.line_count as avg_items_per_line,
    cast(totals.distinct_products as double) / totals.invoice_count as avg_unique_basket_size,
    totals.first_purchase_date,
    totals.last_purchase_date
from totals
cross join reference
inner join countries on totals.customer_id = countries.customer_id
"""


def customer_features(raw_path: str | Path, **policies) -> pd.DataFrame:
    """The features as a frame (for tests); ``policies`` as in ``features_sql``."""
    with duckdb.connect() as con:
        return con.sql(features_sql(raw_path, **policies)).df()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.lower_bound", description=__doc__.splitlines()[0]
    )
    parser.add_argument("raw_path", type=Path, help="the raw invoice lines (parquet)")
    parser.add_argument("--out", type=Path, required=True, help="parquet file to write")
    parser.add_argument(
        "--missing-customer-policy", choices=MISSING_CUSTOMER_POLICIES, default="exclude"
    )
    parser.add_argument(
        "--duplicate-line-policy", choices=DUPLICATE_LINE_POLICIES, default="keep_first"
    )
    args = parser.parse_args(argv)
    query = features_sql(
        args.raw_path,
        missing_customer_policy=args.missing_customer_policy,
        duplicate_line_policy=args.duplicate_line_policy,
    )
    started = time.perf_counter()
    out = str(args.out).replace("'", "''")
    with duckdb.connect() as con:
        con.execute(f"copy ({query}) to '{out}' (format parquet)")
        customers = con.execute(f"select count(*) from read_parquet('{out}')").fetchone()[0]
    seconds = time.perf_counter() - started
    sys.stdout.write(f"{customers} customers in {seconds:.3f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

{#- One row per run and customer: the segment and the features the run saw. Incremental and
    keyed by the run's as_of_date: each run adds its rows; a rerun of a date first removes the
    rows of that date and of any later one (macro rewind_runs_to_run), so it replaces that run's
    record, and an earlier date rewrites the history from there on. customer_segments reads its
    previous run (the latest one before its date) from this table. -#}
{{
    config(
        materialized='incremental',
        unique_key=['as_of_date', 'customer_id'],
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        pre_hook="{{ rewind_runs_to_run(this, ref('customer_segments')) }}",
    )
}}

with

customers as (
    select * from {{ ref('customers') }}
),

final as (
    select
        cast(customers.as_of_date as date) as as_of_date,
        cast(customers.customer_id as bigint) as customer_id,
        cast(customers.cluster_id as bigint) as cluster_id,
        cast(customers.segment as varchar) as segment,
        cast(customers.is_insider as boolean) as is_insider,
        cast(customers.runs_outside_insiders as integer) as runs_outside_insiders,
        cast(customers.gross_revenue as double) as gross_revenue,
        cast(customers.recency_days as integer) as recency_days,
        cast(customers.invoice_count as bigint) as invoice_count,
        cast(customers.frequency as double) as frequency,
        cast(customers.returned_items as bigint) as returned_items,
        cast(customers.avg_order_value as double) as avg_order_value
    from customers
)

select * from final

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

segments as (
    select * from {{ ref('customer_segments') }}
),

features as (
    select * from {{ ref('customer_features') }}
),

final as (
    select
        cast(segments.as_of_date as date) as as_of_date,
        cast(segments.customer_id as bigint) as customer_id,
        cast(segments.cluster_id as bigint) as cluster_id,
        cast(segments.segment as varchar) as segment,
        cast(segments.is_insider as boolean) as is_insider,
        cast(segments.runs_outside_insiders as integer) as runs_outside_insiders,
        cast(features.gross_revenue as double) as gross_revenue,
        cast(features.recency_days as integer) as recency_days,
        cast(features.invoice_count as bigint) as invoice_count,
        cast(features.frequency as double) as frequency,
        cast(features.returned_items as bigint) as returned_items,
        cast(features.avg_order_value as double) as avg_order_value
    from segments
    inner join features
        on segments.customer_id = features.customer_id
)

select * from final

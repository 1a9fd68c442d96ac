{%- set policy = choice_var('missing_customer_policy', ['exclude', 'surrogate']) %}
{%- set use_surrogates = policy == 'surrogate' %}
{#- Incremental on DuckDB (macros/incremental_lines.sql), as int_invoice_lines_screened: a
    run cleans the kept lines after those it holds, when it was built from the screened lines'
    current history (they were not built whole since).
    Surrogates are numbered over the whole file (a new invoice can take an old one's place in
    invoice order), so with the surrogate policy every run builds every line. -#}
{{ config(
    materialized=lines_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    post_hook="{{ record_cleaned_lines() }}",
) }}

with

screened as (
    select * from {{ ref('int_invoice_lines_screened') }}
),

kept as (
    select * from screened
    where rejection_reason is null and {{ cleaned_lines_to_build(use_surrogates) }}
),

-- Surrogates are numbered from surrogate_customer_id_start (the study's 19000, above its real
-- ids) or from just above the greatest real id of the file, whichever is higher, so that a
-- surrogate never takes the id of a real customer, kept or rejected.
surrogate_id_start as (
    select
        greatest(
            {{ var('surrogate_customer_id_start') }}, max(customer_id) + 1
        ) as first_surrogate_customer_id
    from screened
),

-- The study's way (missing_customer_policy = surrogate): each invoice without a customer
-- becomes one surrogate customer, numbered in invoice order.
surrogate_ids as (
    select
        kept.invoice_id,
        surrogate_id_start.first_surrogate_customer_id
        + dense_rank() over (order by kept.invoice_id) - 1 as surrogate_customer_id
    from kept
    cross join surrogate_id_start
    where kept.customer_id is null
    group by kept.invoice_id, surrogate_id_start.first_surrogate_customer_id
),

final as (
    select
        kept.source_file,
        kept.source_sheet,
        kept.source_line,
        kept.invoice_id,
        kept.stock_code,
        case
            when {{ use_surrogates }}
                then coalesce(kept.customer_id, surrogate_ids.surrogate_customer_id)
            else kept.customer_id
        end as customer_id,
        {{ use_surrogates }} and kept.customer_id is null as has_surrogate_customer_id,
        kept.description,
        kept.country,
        kept.quantity,
        kept.unit_price,
        kept.line_revenue,
        kept.is_cancellation,
        kept.is_return,
        not kept.is_cancellation and kept.quantity >= 0 as is_purchase,
        kept.invoiced_at,
        kept.invoiced_on
    from kept
    left join surrogate_ids
        on kept.invoice_id = surrogate_ids.invoice_id
)

select * from final

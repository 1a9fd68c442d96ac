{%- set policy = choice_var('missing_customer_policy', ['exclude', 'surrogate']) %}
{%- set use_surrogates = policy == 'surrogate' %}

with

screened as (
    select * from {{ ref('int_invoice_lines_screened') }}
),

kept as (
    select * from screened
    where rejection_reason is null
),

-- The study's way (missing_customer_policy = surrogate): each invoice without a customer
-- becomes one surrogate customer, numbered in invoice order.
surrogate_ids as (
    select
        invoice_id,
        {{ var('surrogate_customer_id_start') }}
        + dense_rank() over (order by invoice_id) - 1 as surrogate_customer_id
    from kept
    where customer_id is null
    group by invoice_id
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

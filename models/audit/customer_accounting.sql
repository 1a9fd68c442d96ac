with

lines_as_of as (
    select * from {{ ref('int_invoice_lines_as_of') }}
),

features as (
    select customer_id from {{ ref('customer_features') }}
),

customers_in_window as (
    select
        customer_id,
        bool_or(is_purchase) as has_purchase
    from lines_as_of
    where customer_id is not null
    group by customer_id
),

classified as (
    select
        case
            when features.customer_id is not null then 'has_features'
            when not customers_in_window.has_purchase then 'returns_or_cancellations_only'
            else 'unexplained'
        end as customer_outcome
    from customers_in_window
    left join features
        on customers_in_window.customer_id = features.customer_id
),

final as (
    select
        customer_outcome,
        count(*) as customer_count
    from classified
    group by customer_outcome
)

select * from final

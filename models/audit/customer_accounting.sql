with

cleaned as (
    select * from {{ ref('int_invoice_lines_cleaned') }}
),

features as (
    select customer_id from {{ ref('customer_features') }}
),

reference as (
    select {{ reference_date('cleaned') }} as reference_date
),

customers_in_window as (
    select
        cleaned.customer_id,
        bool_or(cleaned.is_purchase) as has_purchase
    from cleaned
    cross join reference
    where
        cleaned.customer_id is not null
        and cleaned.invoiced_on <= reference.reference_date
    group by cleaned.customer_id
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

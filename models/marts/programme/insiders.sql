{#- The Insiders programme list: the members of the customers mart, ranked by revenue, with
    the control group drawn there (listed, but not given the programme's benefits). -#}
with

customers as (
    select * from {{ ref('customers') }}
),

revenue_total as (
    select sum(gross_revenue) as all_revenue from customers
),

ranked as (
    select
        customers.*,
        row_number() over (
            order by customers.gross_revenue desc, customers.customer_id asc
        ) as revenue_rank
    from customers
    where customers.is_insider
),

final as (
    select
        cast(ranked.customer_id as bigint) as customer_id,
        cast(ranked.revenue_rank as bigint) as revenue_rank,
        cast(ranked.country as {{ dbt.type_string() }}) as country,
        cast(ranked.gross_revenue as double) as gross_revenue,
        cast(ranked.gross_revenue / revenue_total.all_revenue as double) as revenue_share,
        cast(ranked.recency_days as integer) as recency_days,
        cast(ranked.frequency as double) as frequency,
        cast(ranked.invoice_count as bigint) as invoice_count,
        cast(ranked.avg_order_value as double) as avg_order_value,
        cast(ranked.returned_items as bigint) as returned_items,
        cast(ranked.first_purchase_date as date) as first_purchase_date,
        cast(ranked.last_purchase_date as date) as last_purchase_date,
        ranked.is_control_group
    from ranked
    cross join revenue_total
)

select * from final

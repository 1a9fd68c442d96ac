{#- The Insiders programme list. A reproducible share of the members (var
    insiders_control_share, drawn by md5(customer_id || var insiders_control_seed)) is held out
    as the control group: listed, but not given the programme's benefits. -#}
with

segments as (
    select * from {{ ref('customer_segments') }}
),

features as (
    select * from {{ ref('customer_features') }}
),

revenue_total as (
    select sum(gross_revenue) as all_revenue from features
),

members as (
    select features.*
    from features
    inner join segments
        on features.customer_id = segments.customer_id
    where segments.is_insider
),

ranked as (
    select
        members.*,
        row_number() over (
            order by members.gross_revenue desc, members.customer_id asc
        ) as revenue_rank,
        row_number() over (
            order by
                md5(
                    cast(members.customer_id as varchar)
                    || '-' || '{{ var("insiders_control_seed", 42) }}'
                ),
                members.customer_id
        ) as draw_order,
        count(*) over () as member_count
    from members
),

final as (
    select
        cast(ranked.customer_id as bigint) as customer_id,
        cast(ranked.revenue_rank as bigint) as revenue_rank,
        cast(ranked.country as varchar) as country,
        cast(ranked.gross_revenue as double) as gross_revenue,
        cast(ranked.gross_revenue / revenue_total.all_revenue as double) as revenue_share,
        cast(ranked.recency_days as integer) as recency_days,
        cast(ranked.frequency as double) as frequency,
        cast(ranked.invoice_count as bigint) as invoice_count,
        cast(ranked.avg_order_value as double) as avg_order_value,
        cast(ranked.returned_items as bigint) as returned_items,
        cast(ranked.first_purchase_date as date) as first_purchase_date,
        cast(ranked.last_purchase_date as date) as last_purchase_date,
        ranked.draw_order <= round(
            ranked.member_count * {{ var('insiders_control_share', 0.2) }}
        ) as is_control_group
    from ranked
    cross join revenue_total
)

select * from final

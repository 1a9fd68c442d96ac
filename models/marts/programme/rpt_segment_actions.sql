{#- Rule: each segment's medians against the medians of all customers give four flags, and the
    flags pick the action (the table in the docs block segment_actions_rule). -#}
with

profiles as (
    select * from {{ ref('segment_profiles') }}
),

customers as (
    select * from {{ ref('customers') }}
),

overall as (
    select
        median(gross_revenue) as median_gross_revenue,
        median(recency_days) as median_recency_days,
        median(returned_items) as median_returned_items
    from customers
),

flagged as (
    select
        profiles.cluster_id,
        profiles.segment,
        profiles.is_insider_segment,
        profiles.customers,
        profiles.revenue_share,
        profiles.median_recency_days <= overall.median_recency_days as is_recent,
        profiles.median_gross_revenue >= overall.median_gross_revenue as is_high_revenue,
        profiles.median_invoice_count <= 1 as is_one_off,
        profiles.median_returned_items > overall.median_returned_items as has_high_returns
    from profiles
    cross join overall
),

final as (
    select
        cluster_id,
        segment,
        customers,
        revenue_share,
        is_recent,
        is_high_revenue,
        is_one_off,
        has_high_returns,
        case
            when is_insider_segment
                then 'Enrol in Insiders: early access, free delivery, a named contact; no discounts'
            when segment like 'Returners%'
                then 'Fix the returns first: ask why items come back; no offers until they fall'
            when not is_recent and is_high_revenue
                then 'Win back: a personal call or letter with an offer on their usual products'
            when not is_recent and is_one_off
                then 'Low-cost reactivation: one e-mail, then stop spending'
            when not is_recent
                then 'Reactivation campaign: reminder of favourite products, time-limited offer'
            when is_high_revenue and not is_one_off
                then 'Nurture towards Insiders: show the join criteria and the gap to them'
            when is_high_revenue
                then 'Second purchase: a follow-up offer within 30 days'
            when not is_one_off
                then 'Grow the basket: bundles and a free-delivery threshold'
            else 'Onboarding: welcome series with best sellers'
        end
        || case
            when has_high_returns and not segment like 'Returners%'
                then '; review the reasons for returns first'
            else ''
        end as recommended_action,
        concat_ws(
            ', ',
            case when is_recent then 'bought recently' else 'not bought lately' end,
            case when is_high_revenue then 'high revenue' else 'low revenue' end,
            case when is_one_off then 'one invoice' else 'repeat invoices' end,
            case when has_high_returns then 'returns above the median' end
        ) as rationale
    from flagged
)

select * from final

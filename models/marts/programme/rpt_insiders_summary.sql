with

customers as (
    select * from {{ ref('customers') }}
),

lines_as_of as (
    select * from {{ ref('int_invoice_lines_as_of') }}
),

all_purchases as (
    select
        max(reference_date) as reference_date,
        sum(line_revenue) filter (where is_purchase) as all_revenue
    from lines_as_of
),

by_group as (
    select
        count(*) as customer_count,
        count(*) filter (where is_insider) as insider_count,
        count(distinct is_insider) as group_count,
        sum(gross_revenue) as customer_revenue,
        sum(gross_revenue) filter (where is_insider) as insider_revenue,
        median(gross_revenue) filter (where is_insider) as insider_median_revenue,
        median(gross_revenue) filter (where not is_insider) as rest_median_revenue,
        min(gross_revenue) filter (where is_insider) as insider_min_revenue,
        count(distinct segment) as segment_count
    from customers
),

final as (
    select
        all_purchases.reference_date,
        by_group.customer_count,
        by_group.insider_count,
        cast(by_group.insider_count as double) / by_group.customer_count as insider_share,
        by_group.customer_revenue,
        by_group.insider_revenue,
        by_group.insider_revenue / by_group.customer_revenue as insider_revenue_share,
        cast(all_purchases.all_revenue as double) as all_revenue,
        by_group.insider_revenue
        / cast(all_purchases.all_revenue as double) as insider_share_of_all_revenue,
        by_group.insider_median_revenue,
        by_group.rest_median_revenue,
        by_group.insider_min_revenue,
        by_group.segment_count
    from by_group
    cross join all_purchases
)

select * from final

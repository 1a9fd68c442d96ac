with

segments as (
    select * from {{ ref('customer_segments') }}
),

features as (
    select * from {{ ref('customer_features') }}
),

cleaned as (
    select * from {{ ref('int_invoice_lines_cleaned') }}
),

reference as (
    select {{ reference_date('cleaned') }} as reference_date
),

all_purchases as (
    select sum(cleaned.line_revenue) as all_revenue
    from cleaned
    cross join reference
    where cleaned.is_purchase and cleaned.invoiced_on <= reference.reference_date
),

customers as (
    select
        features.customer_id,
        features.gross_revenue,
        segments.is_insider
    from features
    inner join segments
        on features.customer_id = segments.customer_id
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
        min(gross_revenue) filter (where is_insider) as insider_min_revenue
    from customers
),

final as (
    select
        reference.reference_date,
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
        (select count(distinct segments.segment) from segments) as segment_count
    from by_group
    cross join all_purchases
    cross join reference
)

select * from final

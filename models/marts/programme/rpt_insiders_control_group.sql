{#- The control group is drawn in the insiders model; this checks the draw is balanced and
    states how large an effect the comparison can detect. -#}
{%- set period_days = var('forecast_period_days') %}

with

members as (
    select * from {{ ref('insiders') }}
),

lines_as_of as (
    select * from {{ ref('int_invoice_lines_as_of') }}
),

last_period as (
    select
        customer_id,
        sum(cast(line_revenue as double)) as period_revenue
    from lines_as_of
    where
        is_purchase
        and invoiced_on > reference_date - {{ period_days }}
    group by customer_id
),

assigned as (
    select
        members.*,
        coalesce(last_period.period_revenue, 0) as period_revenue,
        case when members.is_control_group then 'control' else 'programme' end as programme_group
    from members
    left join last_period
        on members.customer_id = last_period.customer_id
),

by_group as (
    select
        programme_group,
        count(*) as customers,
        avg(period_revenue) as mean_period_revenue,
        coalesce(var_samp(period_revenue), 0) as variance_period_revenue,
        avg(gross_revenue) as mean_gross_revenue,
        median(gross_revenue) as median_gross_revenue,
        avg(recency_days) as mean_recency_days,
        avg(frequency) as mean_frequency
    from assigned
    group by programme_group
),

overall as (
    select
        avg(period_revenue) as mean_period_revenue,
        coalesce(stddev_samp(period_revenue), 0) as sd_period_revenue,
        count(*) filter (where is_control_group) as control_customers,
        count(*) filter (where not is_control_group) as programme_customers
    from assigned
),

final as (
    select
        by_group.programme_group,
        cast(by_group.customers as bigint) as customers,
        by_group.mean_gross_revenue,
        by_group.median_gross_revenue,
        by_group.mean_recency_days,
        by_group.mean_frequency,
        by_group.mean_period_revenue,
        -- balance: distance of the group mean from all members, in standard deviations
        (by_group.mean_period_revenue - overall.mean_period_revenue)
        / nullif(overall.sd_period_revenue, 0) as standardised_difference,
        -- smallest uplift in revenue per member a two-sided 5% test finds 80% of the time
        2.8 * overall.sd_period_revenue * sqrt(
            1.0 / nullif(overall.control_customers, 0)
            + 1.0 / nullif(overall.programme_customers, 0)
        ) / nullif(overall.mean_period_revenue, 0) as minimum_detectable_uplift,
        {{ period_days }} as period_days,
        {{ var('insiders_control_seed') }} as control_seed
    from by_group
    cross join overall
)

select * from final

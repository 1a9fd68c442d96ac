{#- The members at risk of leaving: those meeting a leave rule of rpt_insiders_membership_criteria
    today (no purchase for longer than most members, revenue below most members', or a chance of
    still buying below insiders_min_p_alive), with what each rule reads, most at risk first. -#}
with

members as (
    select * from {{ ref('insiders') }}
),

customers as (
    select * from {{ ref('customers') }}
),

criteria as (
    select * from {{ ref('rpt_insiders_membership_criteria') }}
),

thresholds as (
    select
        max(threshold) filter (where rule_order = 5) as max_recency_days,
        max(threshold) filter (where rule_order = 6) as min_gross_revenue,
        max(threshold) filter (where rule_order = 7) as min_p_alive
    from criteria
),

checked as (
    select
        members.customer_id,
        members.gross_revenue,
        members.recency_days,
        customers.p_alive,
        customers.expected_revenue_next_period,
        customers.value_tier,
        members.recency_days > thresholds.max_recency_days as warns_recency,
        members.gross_revenue < thresholds.min_gross_revenue as warns_revenue,
        coalesce(customers.p_alive < thresholds.min_p_alive, false) as warns_p_alive
    from members
    cross join thresholds
    inner join customers
        on members.customer_id = customers.customer_id
),

final as (
    select
        cast(customer_id as bigint) as customer_id,
        cast(p_alive as double) as p_alive,
        cast(recency_days as integer) as recency_days,
        cast(gross_revenue as double) as gross_revenue,
        cast(expected_revenue_next_period as double) as expected_revenue_next_period,
        cast(value_tier as {{ dbt.type_string() }}) as value_tier,
        cast(warns_p_alive as boolean) as warns_p_alive,
        cast(warns_recency as boolean) as warns_recency,
        cast(warns_revenue as boolean) as warns_revenue
    from checked
    where warns_recency or warns_revenue or warns_p_alive
)

select * from final
order by p_alive asc nulls last, recency_days desc, customer_id asc

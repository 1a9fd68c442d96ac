{#- The join and leave criteria in words a customer can be told, read off the members'
    own profile: join when a customer looks like nine members in ten on every count; leave
    (an early warning before the monthly run drops them) when a member falls below one. -#}
with

customers as (
    select * from {{ ref('customers') }}
),

thresholds as (
    select
        percentile_cont(0.1) within group (order by gross_revenue) as min_gross_revenue,
        percentile_cont(0.1) within group (order by invoice_count) as min_invoice_count,
        percentile_cont(0.9) within group (order by recency_days) as max_recency_days,
        {{ var('insiders_min_p_alive') }} as min_p_alive
    from customers
    where is_insider
),

checked as (
    select
        customers.customer_id,
        customers.is_insider,
        customers.gross_revenue >= thresholds.min_gross_revenue as meets_revenue,
        customers.invoice_count >= thresholds.min_invoice_count as meets_invoices,
        customers.recency_days <= thresholds.max_recency_days as meets_recency,
        coalesce(customers.p_alive >= thresholds.min_p_alive, true) as meets_p_alive
    from customers
    cross join thresholds
),

counts as (
    select
        count(*) filter (where not is_insider and meets_revenue) as join_revenue,
        count(*) filter (where not is_insider and meets_invoices) as join_invoices,
        count(*) filter (where not is_insider and meets_recency) as join_recency,
        count(*) filter (
            where not is_insider and meets_revenue and meets_invoices and meets_recency
        ) as join_all,
        count(*) filter (where is_insider and not meets_recency) as leave_recency,
        count(*) filter (where is_insider and not meets_revenue) as leave_revenue,
        count(*) filter (where is_insider and not meets_p_alive) as leave_p_alive,
        count(*) filter (
            where is_insider and not (meets_recency and meets_revenue and meets_p_alive)
        ) as leave_any
    from checked
),

rules as (
    select
        'join' as criterion,
        1 as rule_order,
        'gross_revenue' as feature,
        '>=' as comparison,
        thresholds.min_gross_revenue as threshold,
        'revenue at least that of the 10th-percentile member' as rule_text,
        counts.join_revenue as customers_meeting
    from thresholds
    cross join counts
    union all
    select
        'join' as criterion,
        2 as rule_order,
        'invoice_count' as feature,
        '>=' as comparison,
        thresholds.min_invoice_count as threshold,
        'at least as many invoices as the 10th-percentile member' as rule_text,
        counts.join_invoices as customers_meeting
    from thresholds
    cross join counts
    union all
    select
        'join' as criterion,
        3 as rule_order,
        'recency_days' as feature,
        '<=' as comparison,
        thresholds.max_recency_days as threshold,
        'bought no longer ago than the 90th-percentile member' as rule_text,
        counts.join_recency as customers_meeting
    from thresholds
    cross join counts
    union all
    select
        'join' as criterion,
        4 as rule_order,
        'all' as feature,
        'and' as comparison,
        null as threshold,
        'candidates: customers outside the programme meeting all three' as rule_text,
        counts.join_all as customers_meeting
    from thresholds
    cross join counts
    union all
    select
        'leave' as criterion,
        5 as rule_order,
        'recency_days' as feature,
        '>' as comparison,
        thresholds.max_recency_days as threshold,
        'no purchase for longer than the 90th-percentile member' as rule_text,
        counts.leave_recency as customers_meeting
    from thresholds
    cross join counts
    union all
    select
        'leave' as criterion,
        6 as rule_order,
        'gross_revenue' as feature,
        '<' as comparison,
        thresholds.min_gross_revenue as threshold,
        'revenue below the 10th-percentile member' as rule_text,
        counts.leave_revenue as customers_meeting
    from thresholds
    cross join counts
    union all
    select
        'leave' as criterion,
        7 as rule_order,
        'p_alive' as feature,
        '<' as comparison,
        thresholds.min_p_alive as threshold,
        'chance of still buying (customer_value.p_alive) below insiders_min_p_alive' as rule_text,
        counts.leave_p_alive as customers_meeting
    from thresholds
    cross join counts
    union all
    select
        'leave' as criterion,
        8 as rule_order,
        'any' as feature,
        'or' as comparison,
        null as threshold,
        'members at risk: meeting any leave rule today' as rule_text,
        counts.leave_any as customers_meeting
    from thresholds
    cross join counts
),

final as (
    select
        cast(criterion as {{ dbt.type_string() }}) as criterion,
        cast(rule_order as integer) as rule_order,
        cast(feature as {{ dbt.type_string() }}) as feature,
        cast(comparison as {{ dbt.type_string() }}) as comparison,
        cast(threshold as double) as threshold,
        cast(rule_text as {{ dbt.type_string() }}) as rule_text,
        cast(customers_meeting as bigint) as customers_meeting
    from rules
)

select * from final

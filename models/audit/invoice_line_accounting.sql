with

screened as (
    select * from {{ ref('int_invoice_lines_screened') }}
),

mapping as (
    select * from {{ ref('stg_retail__mapping') }}
),

-- the rules of the rule set the mapping chose
rules as (
    select rejection_rules.*
    from {{ ref('rejection_rules') }} as rejection_rules
    cross join mapping
    where rejection_rules.applies_to in ('any', mapping.rule_set)
),

outcomes as (
    select
        rejection_reason,
        count(*) as line_count,
        sum(line_revenue) as line_revenue
    from screened
    group by rejection_reason
),

kept as (
    select
        'kept' as outcome,
        cast(null as {{ dbt.type_string() }}) as rejection_reason,
        0 as rule_order,
        cast(null as {{ dbt.type_string() }}) as rejection_stage,
        'Kept: the line is in int_invoice_lines_cleaned' as rule_description,
        cast(coalesce(sum(outcomes.line_count), 0) as bigint) as line_count,
        sum(outcomes.line_revenue) as line_revenue
    from outcomes
    where outcomes.rejection_reason is null
),

rejected as (
    select
        'rejected' as outcome,
        rules.rejection_reason,
        rules.rule_order,
        rules.stage as rejection_stage,
        rules.rule_description,
        cast(coalesce(outcomes.line_count, 0) as bigint) as line_count,
        outcomes.line_revenue
    from rules
    left join outcomes
        on rules.rejection_reason = outcomes.rejection_reason
),

final as (
    select * from kept
    union all
    select * from rejected
)

select * from final

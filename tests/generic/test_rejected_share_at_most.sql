{#- Fails, with one row per rejection reason (its lines and share), when the rejected lines are
    more than max_share of the raw lines. Applied to audit.invoice_line_accounting. -#}
{% test rejected_share_at_most(model, max_share) %}
with

accounting as (
    select * from {{ model }}
),

totals as (
    select
        sum(line_count) as raw_lines,
        coalesce(sum(line_count) filter (where outcome = 'rejected'), 0) as rejected_lines
    from accounting
),

final as (
    select
        accounting.rejection_reason,
        accounting.line_count,
        accounting.line_count / totals.raw_lines as line_share,
        totals.rejected_lines / totals.raw_lines as rejected_share,
        {{ max_share }} as max_share
    from accounting
    cross join totals
    where
        accounting.outcome = 'rejected'
        and accounting.line_count > 0
        and totals.rejected_lines > {{ max_share }} * totals.raw_lines
)

select * from final
{% endtest %}

{#- Who joined and who left the Insiders at each run, with the features that moved them: each
    run against the run before it (insiders_membership_runs). A customer first seen in a run who
    lands among the Insiders joins with no "before" features; a member the run no longer sees
    (the file was fixed and their lines went) leaves with no "after" features. -#}
with

runs as (
    select * from {{ ref('insiders_membership_runs') }}
),

run_dates as (
    select
        as_of_date,
        lag(as_of_date) over (order by as_of_date) as previous_as_of_date
    from (select distinct as_of_date from runs) as distinct_runs
),

compared as (
    select
        run_dates.as_of_date,
        run_dates.previous_as_of_date,
        after_run.customer_id,
        before_run.segment as segment_before,
        after_run.segment as segment_after,
        coalesce(before_run.is_insider, false) as was_insider,
        after_run.is_insider,
        before_run.gross_revenue as gross_revenue_before,
        after_run.gross_revenue as gross_revenue_after,
        before_run.recency_days as recency_days_before,
        after_run.recency_days as recency_days_after,
        before_run.invoice_count as invoice_count_before,
        after_run.invoice_count as invoice_count_after,
        before_run.frequency as frequency_before,
        after_run.frequency as frequency_after,
        before_run.returned_items as returned_items_before,
        after_run.returned_items as returned_items_after
    from run_dates
    inner join runs as after_run
        on run_dates.as_of_date = after_run.as_of_date
    left join runs as before_run
        on
            run_dates.previous_as_of_date = before_run.as_of_date
            and after_run.customer_id = before_run.customer_id
    where run_dates.previous_as_of_date is not null
),

vanished as (
    select
        run_dates.as_of_date,
        run_dates.previous_as_of_date,
        before_run.customer_id,
        before_run.segment as segment_before,
        null as segment_after,
        before_run.is_insider as was_insider,
        false as is_insider,
        before_run.gross_revenue as gross_revenue_before,
        null as gross_revenue_after,
        before_run.recency_days as recency_days_before,
        null as recency_days_after,
        before_run.invoice_count as invoice_count_before,
        null as invoice_count_after,
        before_run.frequency as frequency_before,
        null as frequency_after,
        before_run.returned_items as returned_items_before,
        null as returned_items_after
    from run_dates
    inner join runs as before_run
        on run_dates.previous_as_of_date = before_run.as_of_date
    left join runs as after_run
        on
            run_dates.as_of_date = after_run.as_of_date
            and before_run.customer_id = after_run.customer_id
    where after_run.customer_id is null
),

changed as (
    select
        *,
        case when is_insider then 'joined' else 'left' end as change_type
    from (
        select * from compared
        union all
        select * from vanished
    ) as seen_or_vanished
    where is_insider != was_insider
),

final as (
    select
        cast(as_of_date as date) as as_of_date,
        cast(previous_as_of_date as date) as previous_as_of_date,
        cast(customer_id as bigint) as customer_id,
        cast(change_type as varchar) as change_type,
        cast(segment_before as varchar) as segment_before,
        cast(segment_after as varchar) as segment_after,
        cast(gross_revenue_before as double) as gross_revenue_before,
        cast(gross_revenue_after as double) as gross_revenue_after,
        cast(gross_revenue_after - gross_revenue_before as double) as gross_revenue_change,
        cast(recency_days_before as integer) as recency_days_before,
        cast(recency_days_after as integer) as recency_days_after,
        cast(recency_days_after - recency_days_before as integer) as recency_days_change,
        cast(invoice_count_before as bigint) as invoice_count_before,
        cast(invoice_count_after as bigint) as invoice_count_after,
        cast(invoice_count_after - invoice_count_before as bigint) as invoice_count_change,
        cast(frequency_before as double) as frequency_before,
        cast(frequency_after as double) as frequency_after,
        cast(returned_items_before as bigint) as returned_items_before,
        cast(returned_items_after as bigint) as returned_items_after
    from changed
)

select * from final

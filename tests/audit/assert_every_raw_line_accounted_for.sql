-- Rule: every raw line ends in exactly one place, the cleaned lines or the rejected lines,
-- and the per-rule counts of the accounting add up to both.
with

raw_lines as (
    select count(*) as line_count from {{ ref('stg_retail__invoice_lines') }}
),

cleaned as (
    select count(*) as line_count from {{ ref('int_invoice_lines_cleaned') }}
),

rejected as (
    select count(*) as line_count from {{ ref('rejected_invoice_lines') }}
),

accounted as (
    select
        sum(line_count) as total_count,
        sum(case when outcome = 'kept' then line_count else 0 end) as kept_count,
        sum(case when outcome = 'rejected' then line_count else 0 end) as rejected_count
    from {{ ref('invoice_line_accounting') }}
),

identity as (
    select
        raw_lines.line_count as raw_count,
        cleaned.line_count as cleaned_count,
        rejected.line_count as rejected_count,
        accounted.total_count as accounted_total,
        accounted.kept_count as accounted_kept,
        accounted.rejected_count as accounted_rejected
    from raw_lines, cleaned, rejected, accounted
)

select * from identity
where
    raw_count != cleaned_count + rejected_count
    or accounted_total != raw_count
    or accounted_kept != cleaned_count
    or accounted_rejected != rejected_count

with

screened as (
    select * from {{ ref('int_invoice_lines_screened') }}
),

rules as (
    select * from {{ ref('rejection_rules') }}
),

rejected as (
    select
        screened.source_file,
        screened.source_sheet,
        screened.source_line,
        screened.rejection_reason,
        rules.stage as rejection_stage,
        screened.invoice_id,
        screened.stock_code,
        screened.description,
        screened.quantity,
        screened.invoiced_at,
        screened.unit_price,
        screened.customer_id,
        screened.country,
        screened.quantity_text,
        screened.invoice_date_text,
        screened.unit_price_text,
        screened.customer_id_text
    from screened
    left join rules
        on screened.rejection_reason = rules.rejection_reason
    where screened.rejection_reason is not null
)

select * from rejected

{%- set date_order_setting = invoice_date_order() -%}
{%- set date_order_sql = '(select date_order from date_order)' %}

with

source as (
    select * from {{ source('retail', 'invoice_lines') }}
),

trimmed as (
    select
        source_file,
        source_shape,
        source_sheet,
        source_line,
        line_error,
        nullif(trim(invoice_no), '') as invoice_no,
        nullif(trim(stock_code), '') as stock_code,
        nullif(trim(description), '') as description,
        nullif(trim(quantity), '') as quantity,
        nullif(trim(invoice_date), '') as invoice_date,
        nullif(trim(unit_price), '') as unit_price,
        nullif(trim(customer_id), '') as customer_id,
        nullif(trim(country), '') as country
    from source
),

slash_dates as (
    -- the first two parts of each slash date: a part above 12 is the day
    select
        source_file,
        source_sheet,
        source_line,
        invoice_date,
        cast(regexp_extract(invoice_date, '^(\d{1,2})/(\d{1,2})/', 1) as integer) as first_part,
        cast(regexp_extract(invoice_date, '^(\d{1,2})/(\d{1,2})/', 2) as integer) as second_part
    from trimmed
    where regexp_matches(invoice_date, '^\d{1,2}/\d{1,2}/')
),

date_evidence as (
    select
        any_value(source_file) as source_file,
        count(*) as slash_dates,
        count(*) filter (where first_part > 12) as day_first_dates,
        count(*) filter (where second_part > 12) as month_first_dates,
        min(source_line) as first_line,
        max(source_line) as last_line,
        arg_min(
            concat_ws(' ', 'line', source_line, '(' || invoice_date || ')', source_sheet),
            source_line
        ) filter (where first_part > 12) as day_first_example,
        arg_min(
            concat_ws(' ', 'line', source_line, '(' || invoice_date || ')', source_sheet),
            source_line
        ) filter (where second_part > 12) as month_first_example
    from slash_dates
),

date_order as (
    -- dmy or mdy: as set, else as the whole file shows; an error when it cannot be told
    select
        case
            when '{{ date_order_setting }}' != 'auto' then '{{ date_order_setting }}'
            when day_first_dates > 0 and month_first_dates > 0
                then error(
                    source_file || ': the invoice dates disagree on the day/month order: '
                    || day_first_example || ' has the day first, '
                    || month_first_example || ' the month first ('
                    || day_first_dates || ' and ' || month_first_dates || ' dates); fix the '
                    || 'file, or set INSIDERS_DATE_ORDER (var invoice_date_order) to dmy or mdy'
                )
            when day_first_dates > 0 then 'dmy'
            when month_first_dates > 0 or slash_dates = 0 then 'mdy'
            else error(
                source_file || ': the day/month order of the invoice dates cannot be told: in '
                || 'all ' || slash_dates || ' slash dates (lines ' || first_line || ' to '
                || last_line || ') both parts are 12 or less; set INSIDERS_DATE_ORDER (var '
                || 'invoice_date_order) to dmy or mdy'
            )
        end as date_order
    from date_evidence
),

parsed as (
    select
        *,
        -- a whole number, or null: 6.5 units is not a quantity to round
        case
            when try_cast(quantity as double) = floor(try_cast(quantity as double))
                then try_cast(try_cast(quantity as double) as bigint)
        end as quantity_units,
        {{ parse_invoice_timestamp('invoice_date', date_order_sql) }} as invoiced_at,
        try_cast(unit_price as decimal(18, 4)) as unit_price_amount,
        case
            when try_cast(customer_id as double) = floor(try_cast(customer_id as double))
                then try_cast(try_cast(customer_id as double) as bigint)
        end as customer_id_whole
    from trimmed
),

renamed as (
    select
        -- lineage
        source_file,
        source_shape,
        source_sheet,
        source_line,
        -- ids
        invoice_no as invoice_id,
        stock_code,
        customer_id_whole as customer_id,
        -- strings
        description,
        country,
        -- numerics
        quantity_units as quantity,
        unit_price_amount as unit_price,
        quantity_units * unit_price_amount as line_revenue,
        -- booleans
        starts_with(invoice_no, 'C') as is_cancellation,
        quantity_units < 0 as is_return,
        -- timestamps
        invoiced_at,
        cast(invoiced_at as date) as invoiced_on,
        -- the text as read, so a rejected line can be shown as it was
        quantity as quantity_text,
        invoice_date as invoice_date_text,
        unit_price as unit_price_text,
        customer_id as customer_id_text,
        -- the first reason the line cannot be read, null when it can
        case
            when line_error is not null then line_error
            when invoice_no is null then 'missing_invoice_no'
            when stock_code is null then 'missing_stock_code'
            when quantity is null then 'missing_quantity'
            when quantity_units is null then 'unparseable_quantity'
            when invoice_date is null then 'missing_invoice_date'
            when invoiced_at is null then 'unparseable_invoice_date'
            when unit_price is null then 'missing_unit_price'
            when unit_price_amount is null then 'unparseable_unit_price'
            when customer_id is not null and customer_id_whole is null
                then 'unparseable_customer_id'
        end as parse_error
    from parsed
)

select * from renamed

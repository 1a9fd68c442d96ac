{#- A view on DuckDB (screening streams it twice rather than hold it); a table on Spark, whose
    plan of the parsing, read twice by screening, costs more to compile and run twice than to
    write once. -#}
{{ config(materialized='table' if target.type == 'spark' else 'view') }}
{%- set date_order_setting = invoice_date_order() -%}

with

-- read twice (trimmed, date_texts): streamed, so that a filter on the lines' position (an
-- incremental screening's new lines) reaches the scan and the history is not parsed
source as {{ not_materialized() }} (
    select * from {{ source('retail', 'invoice_lines') }}
),

-- the column mapping the file was read with (one row): configuration, not an entity, so
-- crossing it with the lines is no join of data. Read from the source, as the lines are, so
-- that this model stands alone (dbt show on a new database)
mapping as (
    select * from {{ source('retail', 'mapping') }}
),

trimmed as (
    select
        source.source_file,
        source.source_shape,
        source.source_sheet,
        source.source_line,
        source.line_error,
        nullif(trim(source.invoice_no), '') as invoice_no,
        nullif(trim(source.stock_code), '') as stock_code,
        nullif(trim(source.description), '') as description,
        -- a value a typed source landed typed has no text: its canonical text is rendered here
        coalesce(
            nullif(trim(source.quantity), ''), {{ number_text('source.quantity_value') }}
        ) as quantity,
        coalesce(
            nullif(trim(source.invoice_date), ''),
            {{ timestamp_text('source.invoice_date_value') }}
        ) as invoice_date,
        coalesce(
            nullif(trim(source.unit_price), ''), {{ number_text('source.unit_price_value') }}
        ) as unit_price,
        coalesce(
            nullif(trim(source.customer_id), ''), {{ number_text('source.customer_id_value') }}
        ) as customer_id,
        nullif(trim(source.country), '') as country,
        coalesce(
            nullif(trim(source.line_amount), ''), {{ number_text('source.line_amount_value') }}
        ) as line_amount,
        nullif(trim(source.order_status), '') as order_status,
        source.quantity_value,
        source.invoice_date_value,
        source.customer_id_value
    from source
),

-- A field the mapping does not name gets its default here; a field it names but a line
-- leaves empty stays null, and the line is rejected for it.
defaulted as (
    select
        trimmed.source_file,
        trimmed.source_shape,
        trimmed.source_sheet,
        trimmed.source_line,
        trimmed.line_error,
        -- no order id: each line is an order of its own
        case
            when mapping.has_order_id then trimmed.invoice_no
            else concat_ws(
                ' ', 'line', trimmed.source_sheet,
                cast(trimmed.source_line as {{ dbt.type_string() }})
            )
        end as invoice_no,
        -- no product code: every line is the one product 'n/a'
        case when mapping.has_product_code then trimmed.stock_code else 'n/a' end as stock_code,
        trimmed.description,
        -- no quantity: a line is one unit
        case when mapping.has_quantity then trimmed.quantity else '1' end as quantity,
        case when mapping.has_quantity then trimmed.quantity_value end as quantity_value,
        trimmed.invoice_date,
        trimmed.invoice_date_value,
        -- the price as the mapping gives it: a unit price, or the line's amount
        case
            when mapping.price_from = 'unit_price' then trimmed.unit_price
            else trimmed.line_amount
        end as price,
        trimmed.customer_id,
        trimmed.customer_id_value,
        -- no country: 'unknown'
        case when mapping.has_country then trimmed.country else 'unknown' end as country,
        trimmed.order_status,
        mapping.price_from,
        mapping.date_format,
        mapping.customer_ids,
        mapping.cancelled_id_prefix,
        mapping.cancels_by_status,
        mapping.cancelled_status_values
    from trimmed
    cross join mapping
),

-- The evidence of the day/month order is the whole file's. It reads the source itself, not
-- the lines above, so that they are read once (streamed), and filtered where they are read.
date_texts as (
    select
        source.source_file,
        source.source_sheet,
        source.source_line,
        trim(source.invoice_date) as invoice_date
    from source
    cross join mapping
    -- a mapping with a date format of its own has its dates rendered by the landing, a typed
    -- source its dates typed
    where mapping.date_format = 'auto' and source.invoice_date_value is null
),

slash_dates as (
    -- the first two parts of each slash date: a part above 12 is the day
    select
        source_file,
        source_sheet,
        source_line,
        invoice_date,
        cast(regexp_extract(invoice_date, '^([0-9]{1,2})/([0-9]{1,2})/', 1) as integer)
            as first_part,
        cast(regexp_extract(invoice_date, '^([0-9]{1,2})/([0-9]{1,2})/', 2) as integer)
            as second_part
    from date_texts
    -- '' is no match (both engines)
    where regexp_extract(invoice_date, '^([0-9]{1,2})/([0-9]{1,2})/', 0) != ''
),

date_evidence as (
    select
        any_value(source_file) as source_file,
        count(*) as slash_dates,
        count(*) filter (where first_part > 12) as day_first_dates,
        count(*) filter (where second_part > 12) as month_first_dates,
        min(source_line) as first_line,
        max(source_line) as last_line,
        min_by(
            concat_ws(
                ' ', 'line', cast(source_line as {{ dbt.type_string() }}),
                '(' || invoice_date || ')', source_sheet
            ),
            source_line
        ) filter (where first_part > 12) as day_first_example,
        min_by(
            concat_ws(
                ' ', 'line', cast(source_line as {{ dbt.type_string() }}),
                '(' || invoice_date || ')', source_sheet
            ),
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
                then {{ error_function() }}(
                    source_file || ': the invoice dates disagree on the day/month order: '
                    || day_first_example || ' has the day first, '
                    || month_first_example || ' the month first ('
                    || day_first_dates || ' and ' || month_first_dates || ' dates); fix the '
                    || 'file, or set INSIDERS_DATE_ORDER (var invoice_date_order) to dmy or mdy'
                )
            when day_first_dates > 0 then 'dmy'
            when month_first_dates > 0 or slash_dates = 0 then 'mdy'
            else {{ error_function() }}(
                source_file || ': the day/month order of the invoice dates cannot be told: in '
                || 'all ' || slash_dates || ' slash dates (lines ' || first_line || ' to '
                || last_line || ') both parts are 12 or less; set INSIDERS_DATE_ORDER (var '
                || 'invoice_date_order) to dmy or mdy'
            )
        end as date_order
    from date_evidence
),

-- the numbers a typed source landed typed, else parsed from the text (the same double)
doubles as (
    select
        *,
        coalesce(quantity_value, try_cast(quantity as double)) as quantity_double,
        coalesce(customer_id_value, try_cast(customer_id as double)) as customer_id_double
    from defaulted
),

numbers as (
    select
        *,
        -- a whole number, or null: 6.5 units is not a quantity to round
        case
            when quantity_double = floor(quantity_double)
                then try_cast(quantity_double as bigint)
        end as quantity_units,
        -- from the text: its decimal digits, not the double's binary value, round to 4 places
        try_cast(price as decimal(18, 4)) as price_amount
    from doubles
),

-- the file's one day/month order (one row) beside each line
dated as (
    select
        numbers.*,
        date_order.date_order
    from numbers
    cross join date_order
),

parsed as (
    select
        *,
        -- auto: the shapes the Online Retail files use; else the landing rendered the date
        -- in the mapping's format as YYYY-MM-DD HH:MM:SS, and a date it could not read is kept
        -- as it was: only the rendered shape parses
        coalesce(
            invoice_date_value,
            case
                when date_format = 'auto'
                    then {{ parse_invoice_timestamp('invoice_date', 'date_order') }}
                else {{ try_parse_timestamp('invoice_date', '%Y-%m-%d %H:%M:%S') }}
            end
        ) as invoiced_at,
        -- a line amount gives the unit price to 4 decimals; the revenue is the amount itself
        case
            when price_from = 'unit_price' then price_amount
            else cast(price_amount / nullif(quantity_units, 0) as decimal(18, 4))
        end as unit_price_amount,
        case
            when price_from = 'unit_price' then quantity_units * price_amount
            else price_amount
        end as line_revenue_amount,
        case
            -- an id that is text (an email): a stable whole number from its md5 (52 bits)
            when customer_ids = 'text'
                then {{ hex_to_bigint('left(md5(lower(customer_id)), 13)') }}
            when customer_id_double = floor(customer_id_double)
                then try_cast(customer_id_double as bigint)
        end as customer_id_whole,
        case
            when cancels_by_status
                then (
                    order_status is not null
                    and (
                        {{ list_length('cancelled_status_values') }} = 0
                        or {{ list_has('cancelled_status_values', 'lower(order_status)') }}
                    )
                )
                or coalesce(
                    left(invoice_no, length(cancelled_id_prefix)) = cancelled_id_prefix, false
                )
            when cancelled_id_prefix is not null
                then left(invoice_no, length(cancelled_id_prefix)) = cancelled_id_prefix
            else false
        end as is_cancelled_order
    from dated
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
        line_revenue_amount as line_revenue,
        -- booleans
        is_cancelled_order as is_cancellation,
        quantity_units < 0 as is_return,
        -- timestamps
        invoiced_at,
        cast(invoiced_at as date) as invoiced_on,
        -- the text as read, so a rejected line can be shown as it was
        quantity as quantity_text,
        invoice_date as invoice_date_text,
        price as unit_price_text,
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
            when price is null then 'missing_unit_price'
            when unit_price_amount is null then 'unparseable_unit_price'
            when customer_id is not null and customer_id_whole is null
                then 'unparseable_customer_id'
        end as parse_error
    from parsed
)

select * from renamed

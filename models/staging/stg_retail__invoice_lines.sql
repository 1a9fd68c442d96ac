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

parsed as (
    select
        *,
        -- a whole number, or null: 6.5 units is not a quantity to round
        case
            when try_cast(quantity as double) = floor(try_cast(quantity as double))
                then try_cast(try_cast(quantity as double) as bigint)
        end as quantity_units,
        {{ parse_invoice_timestamp('invoice_date') }} as invoiced_at,
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

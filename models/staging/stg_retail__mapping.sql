{#- The column mapping the raw file was landed with, one row. The lines' staging reads it for the
    defaults, the date format, how customers and cancellations are read; screening for the rule
    set and the mapping's own exclusion lists. -#}
with

source as (
    select * from {{ source('retail', 'mapping') }}
),

renamed as (
    select
        mapping_name,
        mapping_file,
        rule_set,
        date_format,
        customer_ids,
        has_order_id,
        has_product_code,
        has_quantity,
        has_country,
        price_from,
        cancelled_id_prefix,
        cancels_by_status,
        cancelled_status_values,
        order_fields_on_first_row,
        excluded_stock_codes,
        excluded_countries,
        excluded_customers
    from source
)

select * from renamed

{#- The column mapping the raw file was landed with, one row, for the models after staging:
    screening reads the rule set and the mapping's own exclusion lists, the audit the rule set.
    (stg_retail__invoice_lines reads the source itself.) Built after the lines' staging: each
    model that reads the source lands it again, and two landings at once would collide. -#}
-- depends_on: {{ ref('stg_retail__invoice_lines') }}
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

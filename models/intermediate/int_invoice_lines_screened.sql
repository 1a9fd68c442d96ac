{%- set policy = choice_var('duplicate_line_policy', ['keep_first', 'keep_all']) %}
{%- set drop_duplicates = policy == 'keep_first' %}

with

staged as (
    select * from {{ ref('stg_retail__invoice_lines') }}
),

excluded_stock_codes as (
    select stock_code from {{ ref('excluded_stock_codes') }}
),

excluded_countries as (
    select country from {{ ref('excluded_countries') }}
),

excluded_customers as (
    select customer_id from {{ ref('excluded_customers') }}
),

flagged as (
    select
        staged.*,
        excluded_stock_codes.stock_code is not null as is_excluded_stock_code,
        excluded_countries.country is not null as is_excluded_country,
        excluded_customers.customer_id is not null as is_excluded_customer,
        -- an exact copy of an earlier line of the file (a fact; the policy decides what it costs)
        row_number() over (
            partition by
                staged.invoice_id,
                staged.stock_code,
                staged.description,
                staged.quantity,
                staged.invoiced_at,
                staged.unit_price,
                staged.customer_id,
                staged.country
            order by staged.source_file asc, staged.source_sheet asc, staged.source_line asc
        ) > 1 as is_duplicate_line
    from staged
    left join excluded_stock_codes
        on staged.stock_code = excluded_stock_codes.stock_code
    left join excluded_countries
        on staged.country = excluded_countries.country
    left join excluded_customers
        on staged.customer_id = excluded_customers.customer_id
),

screened as (
    select
        *,
        -- the first rule, in rule_order of the rejection_rules seed, that rejects the line
        case
            when parse_error is not null then parse_error
            when is_excluded_stock_code then 'excluded_stock_code'
            when unit_price < {{ var('min_unit_price') }} then 'unit_price_below_minimum'
            when is_excluded_country then 'excluded_country'
            when is_excluded_customer then 'excluded_customer'
            when {{ drop_duplicates }} and is_duplicate_line then 'duplicate_line'
        end as rejection_reason
    from flagged
)

select * from screened

{%- set policy = choice_var('duplicate_line_policy', ['keep_first', 'keep_all']) %}
{%- set drop_duplicates = policy == 'keep_first' %}
{%- set copy_columns = [
    'invoice_id', 'stock_code', 'description', 'quantity', 'invoiced_at', 'unit_price',
    'customer_id', 'country',
] %}
{#- Incremental on DuckDB (macros/incremental_lines.sql): a run screens the lines after those
    the table holds, when they still stand (else every line). -#}
{{ config(
    materialized=lines_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    post_hook="{{ record_screened_lines() }}",
) }}

with

-- read twice (line_groups, flagged): not materialized, so DuckDB streams the staging view
-- twice instead of holding every staged column of every line in memory. On an incremental run,
-- the lines the table does not hold yet (the filter reaches the scan of the raw lines).
staged as {{ not_materialized() }} (
    select * from {{ ref('stg_retail__invoice_lines') }}
    where {{ screened_lines_to_build() }}
),

-- the column mapping (one row): its rule set, and its own exclusion lists
mapping as (
    select * from {{ ref('stg_retail__mapping') }}
),

-- The study's lists apply to the Online Retail data only (rule set online_retail).
excluded_stock_codes as (
    select stock_code from {{ ref('excluded_stock_codes') }}
),

excluded_countries as (
    select country from {{ ref('excluded_countries') }}
),

excluded_customers as (
    select customer_id from {{ ref('excluded_customers') }}
),

-- The values shared by two or more lines, with the position of the earliest of them in the
-- file. Found on the eight values and the position alone, so that the other staged columns
-- are not carried through a sort or window (at tens of millions of lines that was minutes and
-- many GB). min() of the struct (struct_of) orders by file, sheet, then line, like an order
-- by; struct comparison treats a missing sheet as equal to a missing sheet (both engines).
-- On an incremental run every group of new lines is kept: one new line can copy a held one.
line_groups as (
    select
        invoice_id,
        stock_code,
        description,
        quantity,
        invoiced_at,
        unit_price,
        customer_id,
        country,
        min(
            {{ struct_of(['source_file', 'source_sheet', 'source_line']) }}
        ) as first_position,
        count(*) as line_count
    from staged
    group by
        invoice_id,
        stock_code,
        description,
        quantity,
        invoiced_at,
        unit_price,
        customer_id,
        country
    {%- if not is_incremental() %}
    having count(*) > 1
    {%- endif %}
),

{% if is_incremental() -%}
-- the lines the table holds come before the new ones in the file: the earliest held copy of
-- each group of new lines, when there is one (the eight values as one struct, whose
-- comparison treats a missing value as equal to a missing value, as a partition does)
held_copies as (
    select
        {{ struct_of(copy_columns) }} as line_values,
        min(
            {{ struct_of(['source_file', 'source_sheet', 'source_line']) }}
        ) as first_position
    from {{ this }}
    where
        {{ struct_of(copy_columns) }}
        in (select {{ struct_of(copy_columns) }} from line_groups)
    group by {{ struct_of(copy_columns) }}
),

duplicate_groups as (
    select
        line_groups.* exclude (first_position),
        coalesce(held_copies.first_position, line_groups.first_position) as first_position
    from line_groups
    left join held_copies
        on {{ struct_of(copy_columns) }} = held_copies.line_values
    where held_copies.first_position is not null or line_groups.line_count > 1
),
{%- else -%}
duplicate_groups as (
    select * from line_groups
),
{%- endif %}

flagged as (
    select
        staged.*,
        excluded_stock_codes.stock_code is not null
        or coalesce(
            {{ list_has('mapping.excluded_stock_codes', 'staged.stock_code') }}, false
        )
            as is_excluded_stock_code,
        excluded_countries.country is not null
        or coalesce({{ list_has('mapping.excluded_countries', 'staged.country') }}, false)
            as is_excluded_country,
        excluded_customers.customer_id is not null
        or coalesce(
            {{ list_has('mapping.excluded_customers', 'staged.customer_id_text') }}, false
        )
            as is_excluded_customer,
        -- an exact copy of an earlier line of the file (a fact; the policy decides what it costs)
        coalesce(
            {{ struct_of(['staged.source_file', 'staged.source_sheet', 'staged.source_line']) }}
            <> duplicate_groups.first_position,
            false
        ) as is_duplicate_line
    from staged
    cross join mapping
    left join excluded_stock_codes
        on
            mapping.rule_set = 'online_retail'
            and staged.stock_code = excluded_stock_codes.stock_code
    left join excluded_countries
        on mapping.rule_set = 'online_retail' and staged.country = excluded_countries.country
    left join excluded_customers
        on
            mapping.rule_set = 'online_retail'
            and staged.customer_id = excluded_customers.customer_id
    -- a missing value equals a missing value here, as it does in a partition
    left join duplicate_groups
        on
            staged.invoice_id is not distinct from duplicate_groups.invoice_id
            and staged.stock_code is not distinct from duplicate_groups.stock_code
            and staged.description is not distinct from duplicate_groups.description
            and staged.quantity is not distinct from duplicate_groups.quantity
            and staged.invoiced_at is not distinct from duplicate_groups.invoiced_at
            and staged.unit_price is not distinct from duplicate_groups.unit_price
            and staged.customer_id is not distinct from duplicate_groups.customer_id
            and staged.country is not distinct from duplicate_groups.country
),

screened as (
    select
        flagged.*,
        -- the first rule, in rule_order of the rejection_rules seed, that rejects the line
        -- among those of the mapping's rule set (its applies_to)
        case
            when flagged.parse_error is not null then flagged.parse_error
            when flagged.is_excluded_stock_code then 'excluded_stock_code'
            when
                mapping.rule_set = 'online_retail'
                and flagged.unit_price < {{ var('min_unit_price') }}
                then 'unit_price_below_minimum'
            when flagged.is_excluded_country then 'excluded_country'
            when flagged.is_excluded_customer then 'excluded_customer'
            when {{ drop_duplicates }} and flagged.is_duplicate_line then 'duplicate_line'
            when mapping.rule_set = 'generic' and flagged.customer_id is null
                then 'missing_customer_id'
        end as rejection_reason
    from flagged
    -- the rule set again (one row), so that flagged need not carry it
    cross join mapping
)

select * from screened

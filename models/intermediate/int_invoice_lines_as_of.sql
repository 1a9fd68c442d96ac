{#- The cleaned lines up to the reference date, with that date as a column: every model that
    measures from the reference date starts here. The reference date is the var as_of_date when
    set (a run as of a past date), else the last invoice date of the cleaned lines. A view: it
    adds a column and a filter, not a copy of the lines. -#}
{{ config(materialized='view') }}

with

cleaned as (
    select * from {{ ref('int_invoice_lines_cleaned') }}
),

reference as (
    {%- if var('as_of_date') %}
    select cast('{{ var("as_of_date") }}' as date) as reference_date
    {%- else %}
    select max(invoiced_on) as reference_date from cleaned
    {%- endif %}
),

final as (
    select
        cleaned.*,
        reference.reference_date
    from cleaned
    cross join reference
    where cleaned.invoiced_on <= reference.reference_date
)

select * from final

{#- The date recency is measured from: the var as_of_date when set, else the last invoice date
    of the given relation (the cleaned lines). -#}
{% macro reference_date(lines_relation) -%}
    {%- if var('as_of_date') -%}
        cast('{{ var("as_of_date") }}' as date)
    {%- else -%}
        (select max(invoiced_on) from {{ lines_relation }})
    {%- endif -%}
{%- endmacro %}

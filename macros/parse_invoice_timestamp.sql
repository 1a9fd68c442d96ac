{#- Parse an invoice date written in any of the shapes the data comes in; null when none fits. -#}
{% macro parse_invoice_timestamp(column_name) -%}
    coalesce(
        try_strptime({{ column_name }}, '%Y-%m-%d %H:%M:%S'),
        try_strptime({{ column_name }}, '%Y-%m-%d %H:%M:%S.%f'),
        try_strptime({{ column_name }}, '%Y-%m-%dT%H:%M:%S'),
        try_strptime({{ column_name }}, '%Y-%m-%d'),
        try_strptime({{ column_name }}, '%m/%d/%Y %H:%M'),
        try_strptime({{ column_name }}, '%m/%d/%Y %H:%M:%S'),
        try_strptime({{ column_name }}, '%d-%b-%y')
    )
{%- endmacro %}

{#- The day/month order of slash dates as set: the var invoice_date_order, else the environment
    variable INSIDERS_DATE_ORDER, else auto (detected from the file). -#}
{% macro invoice_date_order() -%}
    {%- set value = var('invoice_date_order') | string | trim | lower -%}
    {%- if value == 'auto' -%}
        {%- set value = env_var('INSIDERS_DATE_ORDER', 'auto') | trim | lower -%}
    {%- endif -%}
    {%- if value not in ['auto', 'dmy', 'mdy'] -%}
        {{ exceptions.raise_compiler_error(
            "the invoice date order (var invoice_date_order, or INSIDERS_DATE_ORDER) must be "
            ~ "auto, dmy or mdy; got " ~ value) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

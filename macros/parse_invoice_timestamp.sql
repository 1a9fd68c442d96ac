{#- Parse an invoice date written in any of the shapes the data comes in; null when none fits.
    Slash dates are read day first when date_order (a SQL expression) is 'dmy', else month
    first. The shapes are strptime formats; try_parse_timestamp renders each for the engine. -#}
{% macro parse_invoice_timestamp(column_name, date_order="'mdy'") -%}
    coalesce(
        {{ try_parse_timestamp(column_name, '%Y-%m-%d %H:%M:%S') }},
        {{ try_parse_timestamp(column_name, '%Y-%m-%d %H:%M:%S.%f') }},
        {{ try_parse_timestamp(column_name, '%Y-%m-%dT%H:%M:%S') }},
        {{ try_parse_timestamp(column_name, '%Y-%m-%d') }},
        case
            when {{ date_order }} = 'dmy'
                then coalesce(
                    {{ try_parse_timestamp(column_name, '%d/%m/%Y %H:%M') }},
                    {{ try_parse_timestamp(column_name, '%d/%m/%Y %H:%M:%S') }}
                )
            else coalesce(
                {{ try_parse_timestamp(column_name, '%m/%d/%Y %H:%M') }},
                {{ try_parse_timestamp(column_name, '%m/%d/%Y %H:%M:%S') }}
            )
        end,
        {{ try_parse_timestamp(column_name, '%d-%b-%y') }}
    )
{%- endmacro %}

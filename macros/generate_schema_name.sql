{#- Use a model's custom schema as it is (staging, intermediate, audit, reference) instead of
    prefixing it with the target schema, so analysts read `staging.stg_...` and `main.insiders`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

{#- The few places where DuckDB and Spark SQL differ, each behind adapter.dispatch so that the
    models are one set of files for both engines (see _macros.yml). Where dbt's own cross-database
    macros fit (dbt.type_string), the models use those instead. -#}

{#- Whole days from start_date to end_date (end - start), both dates. -#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    date_diff('day', {{ start_date }}, {{ end_date }})
{%- endmacro %}

{% macro spark__days_between(start_date, end_date) -%}
    datediff({{ end_date }}, {{ start_date }})
{%- endmacro %}

{#- A struct of the given columns, compared field by field (min, max, =, <>). -#}
{% macro struct_of(columns) -%}
    {{ return(adapter.dispatch('struct_of')(columns)) }}
{%- endmacro %}

{% macro default__struct_of(columns) -%}
    struct_pack({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__struct_of(columns) -%}
    struct({{ columns | join(', ') }})
{%- endmacro %}

{#- A hint that a CTE read twice should be streamed twice rather than held in memory (DuckDB);
    nothing on engines that do not take the hint. -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
    not materialized
{%- endmacro %}

{% macro spark__not_materialized() -%}
{%- endmacro %}

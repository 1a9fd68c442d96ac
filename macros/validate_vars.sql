{#- Every project var checked before anything is built: on-run-start calls validate_vars(), so a
    settings mistake stops dbt at once with one line naming the var, the value given and what is
    allowed, instead of a Python traceback half-way through the build. -#}
{% macro validate_vars() -%}
    {%- set k_min = var('cluster_k_min') -%}
    {%- set k_max = var('cluster_k_max') -%}
    {#- Cleaning rules -#}
    {%- do _check_number('min_unit_price', 0) -%}
    {%- do _check_choice('missing_customer_policy', ['exclude', 'surrogate']) -%}
    {%- do _check_integer('surrogate_customer_id_start', 1) -%}
    {%- do _check_choice('duplicate_line_policy', ['keep_first', 'keep_all']) -%}
    {%- do _check_date('as_of_date') -%}
    {%- do _check_choice('invoice_date_order', ['auto', 'dmy', 'mdy']) -%}
    {%- do _check_number('rejected_share_error', 0, 1) -%}
    {%- do _check_number('rejected_share_warn', 0, 1) -%}
    {#- Segmentation -#}
    {%- do _check_names('cluster_features', _numeric_feature_columns()) -%}
    {%- do _check_names('cluster_feature_spaces', ['scaled', 'embedding']) -%}
    {%- do _check_choice('cluster_feature_space', var('cluster_feature_spaces'), 'one of cluster_feature_spaces: ') -%}
    {%- do _check_integer('cluster_k_min', 2) -%}
    {%- do _check_integer('cluster_k_max', k_min) -%}
    {%- do _check_choice('cluster_algorithm', [none, 'kmeans', 'gmm', 'hierarchical']) -%}
    {%- if var('cluster_k') is not none -%}
        {%- do _check_integer('cluster_k', [k_min, 2] | max, k_max) -%}
    {%- endif -%}
    {%- do _check_integer('cluster_seed', 0) -%}
    {%- do _check_integer('cluster_fit_sample_cap', k_max + 1) -%}
    {%- do _check_integer('cluster_score_sample_cap', k_max + 1) -%}
    {%- do _check_integer('cluster_stability_fits', 0) -%}
    {%- do _check_number('cluster_min_share', 0, 1) -%}
    {%- do _check_number('cluster_min_stability', -1, 1) -%}
    {%- do _check_number('cluster_max_insiders_share', 0, 1) -%}
    {%- do _check_integer('cluster_min_segments', 2) -%}
    {%- do _check_boolean('cluster_match_previous') -%}
    {%- do _check_number('cluster_keep_k_tolerance', 0, 2) -%}
    {#- Membership and programme -#}
    {%- do _check_integer('insiders_max_recency_days', 0) -%}
    {%- do _check_integer('insiders_grace_runs', 0) -%}
    {%- do _check_integer('forecast_period_days', 1) -%}
    {%- do _check_number('insiders_control_share', 0, 1) -%}
    {%- do _check_integer('insiders_control_seed', 0) -%}
    {%- do _check_number('insiders_min_p_alive', 0, 1) -%}
    {%- do _check_integer('customer_value_draws', 1) -%}
    {%- do _check_integer('customer_value_seed', 0) -%}
    select 1
{%- endmacro %}


{% macro _var_error(name, allowed) -%}
    {{ exceptions.raise_compiler_error(
        "var " ~ name ~ " = " ~ _shown(var(name)) ~ " is not allowed: it must be " ~ allowed) }}
{%- endmacro %}


{#- A value as the user wrote it: text quoted, null as null, lists item by item. -#}
{% macro _shown(value) -%}
    {%- if value is none -%} null
    {%- elif value is string -%} '{{ value }}'
    {%- elif value is mapping -%} {{ value | string }}
    {%- elif value is sequence -%} [{% for item in value %}{{ _shown(item) }}{{ ", " if not loop.last }}{% endfor %}]
    {%- else -%} {{ value | string | lower if value is boolean else value | string }}
    {%- endif -%}
{%- endmacro %}


{% macro _range_text(low, high) -%}
    {%- if high is none -%} at least {{ low }} {%- else -%} from {{ low }} to {{ high }} {%- endif -%}
{%- endmacro %}


{% macro _check_integer(name, low, high=none) -%}
    {%- set value = var(name) -%}
    {%- if not (value is integer) or value < low or (high is not none and value > high) -%}
        {%- do _var_error(name, "a whole number " ~ _range_text(low, high)) -%}
    {%- endif -%}
{%- endmacro %}


{% macro _check_number(name, low, high=none) -%}
    {%- set value = var(name) -%}
    {%- if value is boolean or not (value is number) or value < low
        or (high is not none and value > high) -%}
        {%- do _var_error(name, "a number " ~ _range_text(low, high)) -%}
    {%- endif -%}
{%- endmacro %}


{% macro _check_boolean(name) -%}
    {%- if not (var(name) is boolean) -%}
        {%- do _var_error(name, "true or false") -%}
    {%- endif -%}
{%- endmacro %}


{% macro _check_choice(name, choices, prefix='') -%}
    {%- if var(name) is not string and var(name) is not none or var(name) not in choices -%}
        {%- do _var_error(name, prefix ~ "one of " ~ _shown(choices)) -%}
    {%- endif -%}
{%- endmacro %}


{% macro _check_names(name, allowed) -%}
    {%- set value = var(name) -%}
    {%- set valid = value is sequence and value is not string and value | length > 0 -%}
    {%- if valid -%}
        {%- for item in value -%}
            {%- if item is not string or (allowed is not none and item not in allowed) or (value | select('equalto', item) | list | length) > 1 -%}
                {%- do _var_error(name, _names_text(allowed)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- else -%}
        {%- do _var_error(name, _names_text(allowed)) -%}
    {%- endif -%}
{%- endmacro %}


{% macro _names_text(allowed) -%}
    a non-empty list of distinct names {%- if allowed is not none %} from {{ _shown(allowed) }} {%- endif -%}
{%- endmacro %}


{#- A date written YYYY-MM-DD (or a YAML date) that exists on the calendar, or null. -#}
{% macro _check_date(name) -%}
    {%- set value = var(name) -%}
    {%- if value is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = value | string -%}
    {%- set parts = modules.re.fullmatch('([0-9]{4})-([0-9]{2})-([0-9]{2})', text) -%}
    {%- set ok = parts is not none -%}
    {%- if ok -%}
        {%- set year, month, day = parts.group(1) | int, parts.group(2) | int, parts.group(3) | int -%}
        {%- set leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 -%}
        {%- set month_days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
        {%- set ok = year >= 1 and 1 <= month <= 12 and 1 <= day <= month_days[month - 1] -%}
    {%- endif -%}
    {%- if not ok -%}
        {%- do _var_error(name, "null (the last invoice date) or a calendar date written YYYY-MM-DD") -%}
    {%- endif -%}
{%- endmacro %}


{#- The numeric columns of customer_features (its contract), which the clustering can use;
    none when the graph is not loaded (dbt run-operation), where any names pass. -#}
{% macro _numeric_feature_columns() -%}
    {%- set names = [] -%}
    {%- if not graph.get('nodes') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == 'customer_features' -%}
        {%- for column in node.columns.values()
            if column.name != 'customer_id'
            and (column.data_type or '') | lower in ['integer', 'bigint', 'double'] -%}
            {%- do names.append(column.name) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

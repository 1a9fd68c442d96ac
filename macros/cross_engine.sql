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

{#- A timestamp parsed from text in a strptime format (%Y %m %d %H %M %S %f %b %y and literal
    characters), null when the text does not fit it. -#}
{% macro try_parse_timestamp(text, strptime_format) -%}
    {{ return(adapter.dispatch('try_parse_timestamp')(text, strptime_format)) }}
{%- endmacro %}

{% macro default__try_parse_timestamp(text, strptime_format) -%}
    try_strptime({{ text }}, '{{ strptime_format }}')
{%- endmacro %}

{#- Spark's datetime patterns (letters of the text quoted): one-letter month, day and hour take one or two digits, as DuckDB's
    %m, %d and %H do; a fraction of S letters takes one to six digits, as %f does. -#}
{% macro spark__try_parse_timestamp(text, strptime_format) -%}
    {%- set letters = {'%Y': 'yyyy', '%m': 'M', '%d': 'd', '%H': 'H', '%M': 'mm', '%S': 'ss',
        '%f': 'SSSSSS', '%b': 'MMM', '%y': 'yy'} -%}
    {%- set pattern = [] -%}
    {%- for part in modules.re.findall('%.|[^%]+', strptime_format) -%}
        {%- if part in letters -%}
            {%- do pattern.append(letters[part]) -%}
        {%- elif modules.re.search('[A-Za-z]', part) -%}
            {%- do pattern.append("'" ~ part ~ "'") -%}
        {%- else -%}
            {%- do pattern.append(part) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- a double-quoted literal: Spark reads it as text, and the pattern may quote letters -#}
    try_to_timestamp({{ text }}, "{{ pattern | join('') }}")
{%- endmacro %}

{#- The name of the function that stops the query with its text argument when evaluated
    (DuckDB's error, Spark's raise_error), to be called with the message. -#}
{% macro error_function() -%}
    {{ return(adapter.dispatch('error_function')()) }}
{%- endmacro %}

{% macro default__error_function() -%}
    error
{%- endmacro %}

{% macro spark__error_function() -%}
    raise_error
{%- endmacro %}

{#- Whether a list (array) holds the value; null when the value is null. -#}
{% macro list_has(list, value) -%}
    {{ return(adapter.dispatch('list_has')(list, value)) }}
{%- endmacro %}

{% macro default__list_has(list, value) -%}
    list_contains({{ list }}, {{ value }})
{%- endmacro %}

{% macro spark__list_has(list, value) -%}
    array_contains({{ list }}, {{ value }})
{%- endmacro %}

{#- The number of items of a list (array). -#}
{% macro list_length(list) -%}
    {{ return(adapter.dispatch('list_length')(list)) }}
{%- endmacro %}

{% macro default__list_length(list) -%}
    len({{ list }})
{%- endmacro %}

{% macro spark__list_length(list) -%}
    size({{ list }})
{%- endmacro %}

{#- The whole number written in hexadecimal digits (at most 15, so that it fits a bigint). -#}
{% macro hex_to_bigint(hex_text) -%}
    {{ return(adapter.dispatch('hex_to_bigint')(hex_text)) }}
{%- endmacro %}

{% macro default__hex_to_bigint(hex_text) -%}
    cast('0x' || {{ hex_text }} as bigint)
{%- endmacro %}

{% macro spark__hex_to_bigint(hex_text) -%}
    cast(conv({{ hex_text }}, 16, 10) as bigint)
{%- endmacro %}

{#- A number as text with thousands separators and the given decimals ("1,234.5"), rounded half
    to even on the exact binary value on both engines (DuckDB's fmt, Java's DecimalFormat). -#}
{% macro grouped_number(value, decimals=0) -%}
    {{ return(adapter.dispatch('grouped_number')(value, decimals)) }}
{%- endmacro %}

{% macro default__grouped_number(value, decimals=0) -%}
    format('{:,.{{ decimals }}f}', cast({{ value }} as double))
{%- endmacro %}

{% macro spark__grouped_number(value, decimals=0) -%}
    format_number({{ value }}, {{ decimals }})
{%- endmacro %}

{#- A number as text with the given decimals and no separators ("1234.5"); signed=true writes
    the sign of positive numbers too ("+12"). Rounded as grouped_number. -#}
{% macro fixed_number(value, decimals=0, signed=false) -%}
    {{ return(adapter.dispatch('fixed_number')(value, decimals, signed)) }}
{%- endmacro %}

{% macro default__fixed_number(value, decimals=0, signed=false) -%}
    format('{:{{ "+" if signed }}.{{ decimals }}f}', cast({{ value }} as double))
{%- endmacro %}

{% macro spark__fixed_number(value, decimals=0, signed=false) -%}
    {%- set text = "replace(format_number(" ~ value ~ ", " ~ decimals ~ "), ',', '')" -%}
    {%- if signed -%}
        concat(case when {{ text }} like '-%' then '' else '+' end, {{ text }})
    {%- else -%}
        {{ text }}
    {%- endif -%}
{%- endmacro %}

{#- A whole or half number (a median of counts) as short text: "3", "2.5". -#}
{% macro short_number(value) -%}
    {{ return(adapter.dispatch('short_number')(value)) }}
{%- endmacro %}

{% macro default__short_number(value) -%}
    format('{:g}', cast({{ value }} as double))
{%- endmacro %}

{% macro spark__short_number(value) -%}
    case
        when {{ value }} = round({{ value }}) then cast(cast({{ value }} as bigint) as string)
        else cast({{ value }} as string)
    end
{%- endmacro %}

{#- The texts of a group joined by the separator, in the given order. -#}
{% macro ordered_string_agg(text, separator, order_by) -%}
    {{ return(adapter.dispatch('ordered_string_agg')(text, separator, order_by)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(text, separator, order_by) -%}
    string_agg({{ text }}, {{ separator }} order by {{ order_by }})
{%- endmacro %}

{% macro spark__ordered_string_agg(text, separator, order_by) -%}
    listagg({{ text }}, {{ separator }}) within group (order by {{ order_by }})
{%- endmacro %}

{#- The text of a number a typed source landed typed (a double), as the text path lands a
    typed number (insiders.landing.duckdb_io.text_sql on DuckDB, spark_text_of on Spark): a
    whole number below 2**53 as an integer ("17850"), another as the engine writes a double
    ("2.55"). Staging shows it in the *_text columns and reads the price from it. -#}
{% macro number_text(value) -%}
    {{ return(adapter.dispatch('number_text')(value)) }}
{%- endmacro %}

{#- One body serves DuckDB and Spark: floor(x) = x tests "whole" on both, and dbt.type_string()
    is each engine's text type (text, an alias of varchar, on DuckDB; string on Spark). -#}
{% macro default__number_text(value) -%}
    case
        when {{ value }} = floor({{ value }}) and abs({{ value }}) < 9007199254740992
            then cast(cast({{ value }} as bigint) as {{ dbt.type_string() }})
        else cast({{ value }} as {{ dbt.type_string() }})
    end
{%- endmacro %}

{#- The text of a timestamp a typed source landed typed, YYYY-MM-DD HH:MM:SS, as the text path
    lands a typed date. -#}
{% macro timestamp_text(value) -%}
    {{ return(adapter.dispatch('timestamp_text')(value)) }}
{%- endmacro %}

{% macro default__timestamp_text(value) -%}
    strftime({{ value }}, '%Y-%m-%d %H:%M:%S')
{%- endmacro %}

{% macro spark__timestamp_text(value) -%}
    date_format({{ value }}, 'yyyy-MM-dd HH:mm:ss')
{%- endmacro %}

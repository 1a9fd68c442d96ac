{#- Lands the raw invoice lines as the source table retail.invoice_lines, on engines where the
    insiders_raw source plugin (DuckDB) does not. Run as an on-run-start hook of `dbt build` and
    `dbt run`. -#}
{% macro land_raw_invoice_lines() -%}
    {{ return(adapter.dispatch('land_raw_invoice_lines')()) }}
{%- endmacro %}

{#- DuckDB: the insiders_raw plugin (python/insiders/landing) lands the file; nothing to do. -#}
{% macro default__land_raw_invoice_lines() -%}
{%- endmacro %}

{#- Spark reads the csv or parquet itself, with the landing's rules (raw_file.py): every line as
    text with source_file, source_shape and source_line (csv: the physical line, header = 1,
    blank lines skipped; parquet: the 1-based row). The column sets are COLUMN_SETS of
    python/insiders/landing/raw_file.py. xlsx is landed by the DuckDB target only. -#}
{% macro spark__land_raw_invoice_lines() -%}
    {%- if not execute or flags.WHICH not in ['build', 'run', 'run-operation'] -%}
        {{ return('') }}
    {%- endif -%}
    {%- set source_node = graph.sources.values()
        | selectattr('source_name', 'equalto', 'retail')
        | selectattr('name', 'equalto', 'invoice_lines') | first -%}
    {%- set path = source_node.meta.raw_path -%}
    {%- set extension = path.split('.')[-1] | lower -%}
    {%- if extension == 'xlsx' -%}
        {{ exceptions.raise_compiler_error(
            path ~ ": xlsx is landed by the DuckDB target only (its reader is Python); on Spark "
            ~ "land the csv or parquet export of the same data") }}
    {%- elif extension not in ['csv', 'parquet'] -%}
        {{ exceptions.raise_compiler_error(
            path ~ ": unsupported extension '." ~ extension ~ "'; accepted: .csv, .parquet") }}
    {%- endif -%}
    {%- set landed = spark_landed_parquet(path) if extension == 'parquet'
        else spark_landed_csv(path) -%}
    {%- do run_query('create database if not exists ' ~ source_node.schema) -%}
    {%- do run_query('drop table if exists ' ~ source_node.schema ~ '.' ~ source_node.name) -%}
    {%- do run_query(
        'create table ' ~ source_node.schema ~ '.' ~ source_node.name
        ~ ' using parquet as ' ~ landed) -%}
    {{ return('') }}
{%- endmacro %}

{#- The file's names, in the order invoice_no, stock_code, description, quantity, invoice_date,
    unit_price, customer_id, country, matched case-insensitively; unnamed columns are ignored.
    Returns [family, the file's name for each canonical column, whether any was ignored]. -#}
{% macro spark_match_columns(path, columns) -%}
    {%- set column_sets = {
        'uci': ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice',
                'CustomerID', 'Country'],
        'retail_ii': ['Invoice', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'Price',
                      'Customer ID', 'Country'],
    } -%}
    {%- set named = {} -%}
    {%- set ignored = [] -%}
    {%- for column in columns -%}
        {%- set found = (column or '') | trim | lower -%}
        {%- if modules.re.fullmatch('(unnamed: *\\d+)?', found) -%}
            {%- do ignored.append(column) -%}
        {%- else -%}
            {%- do named.update({found: column}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for family, expected in column_sets.items() -%}
        {%- set wanted = expected | map('lower') | list -%}
        {%- if (named.keys() | sort) == (wanted | sort) and (named | length) + (ignored | length)
            == (columns | length) -%}
            {%- set names = [] -%}
            {%- for name in wanted -%}
                {%- do names.append(named[name]) -%}
            {%- endfor -%}
            {{ return([family, names, ignored | length > 0]) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        path ~ ": the columns " ~ (columns | join(', ')) ~ " match no accepted set; accepted: "
        ~ column_sets.values() | map('join', ', ') | join('; ')) }}
{%- endmacro %}

{#- Spark SQL for a parquet column as the landing's text: timestamps as yyyy-MM-dd HH:mm:ss,
    whole numbers without a fraction, NaN as null. -#}
{% macro spark_text_of(column, column_type) -%}
    {%- set value = '`' ~ column ~ '`' -%}
    {%- set kind = column_type | lower -%}
    {%- if kind.startswith('timestamp') or kind == 'date' -%}
        date_format(cast({{ value }} as timestamp), 'yyyy-MM-dd HH:mm:ss')
    {%- elif kind in ['double', 'float'] or kind.startswith('decimal') -%}
        case
            {% if not kind.startswith('decimal') %}when isnan({{ value }}) then null{% endif %}
            when {{ value }} = floor({{ value }}) and abs({{ value }}) < 9007199254740992
                then cast(cast({{ value }} as bigint) as string)
            else cast({{ value }} as string)
        end
    {%- else -%}
        cast({{ value }} as string)
    {%- endif -%}
{%- endmacro %}

{% macro spark_landed_parquet(path) -%}
    {%- set source = 'parquet.`' ~ path ~ '`' -%}
    {%- set described = run_query('describe query select * from ' ~ source) -%}
    {%- set types = {} -%}
    {%- for row in described.rows -%}
        {%- do types.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {%- set match = spark_match_columns(path, types.keys() | list) -%}
    {%- set canonical = ['invoice_no', 'stock_code', 'description', 'quantity', 'invoice_date',
        'unit_price', 'customer_id', 'country'] -%}
    select
        '{{ path }}' as source_file,
        'parquet_{{ match[0] }}' as source_shape,
        cast(null as string) as source_sheet,
        _metadata.row_index + 1 as source_line,
        {%- for name in canonical %}
        {{ spark_text_of(match[1][loop.index0], types[match[1][loop.index0]]) }} as {{ name }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ source }}
{%- endmacro %}

{#- A csv, one physical line per row: the text source keeps blank lines, so the line numbers are
    exact, and from_csv parses each line (quotes doubled inside quotes, as the csv module does). A
    quoted value spanning lines, a line with more fields than the header, or bytes that are not
    utf-8 stop the landing with the line, as the DuckDB landing does. -#}
{% macro spark_landed_csv(path) -%}
    {%- set lines -%}
        select
            value as line_text,
            row_number() over (order by monotonically_increasing_id()) as source_line
        from text.`{{ path }}`
    {%- endset -%}
    {%- set header = run_query('select line_text from (' ~ lines ~ ') where source_line = 1') -%}
    {%- set header_text = header.rows[0][0] | replace('\ufeff', '') -%}
    {%- set options = "map('escape', '\"')" -%}
    {%- set columns = modules.re.split(',(?=(?:[^"]*"[^"]*")*[^"]*$)', header_text) -%}
    {%- set columns = columns | map('trim') | map('replace', '"', '') | list -%}
    {%- set match = spark_match_columns(path, columns) -%}
    {%- set width = columns | length -%}
    {%- set fields = [] -%}
    {%- for position in range(width + 1) -%}
        {%- do fields.append('c' ~ position ~ ' string') -%}
    {%- endfor -%}
    {%- set shape = {'uci': 'study_csv' if match[2] else 'kaggle_csv',
        'retail_ii': 'retail_ii_csv'}[match[0]] -%}
    {%- set checked -%}
        with numbered as ({{ lines }})
        select
            source_line,
            line_text,
            from_csv(line_text, '{{ fields | join(", ") }}', {{ options }}) as fields
        from numbered
        where source_line > 1 and line_text != ''
    {%- endset -%}
    {%- set problems = run_query(
        "select source_line, case when line_text like '%\ufffd%' then 'bytes that are not utf-8 "
        ~ "(the Spark landing reads utf-8; re-encode the file)' when (length(line_text) - "
        ~ "length(replace(line_text, '\"', ''))) % 2 = 1 then 'a quoted value that does not end "
        ~ "on its line (the Spark landing reads one line per row)' else 'more fields than the "
        ~ "header' end from (" ~ checked ~ ") where line_text like '%\ufffd%' or (length(line_text) "
        ~ "- length(replace(line_text, '\"', ''))) % 2 = 1 or fields.c" ~ width ~ " is not null "
        ~ "order by source_line limit 1") -%}
    {%- if problems.rows | length > 0 -%}
        {{ exceptions.raise_compiler_error(
            path ~ ": line " ~ problems.rows[0][0] ~ " has " ~ problems.rows[0][1]) }}
    {%- endif -%}
    {%- set canonical = ['invoice_no', 'stock_code', 'description', 'quantity', 'invoice_date',
        'unit_price', 'customer_id', 'country'] -%}
    select
        '{{ path }}' as source_file,
        '{{ shape }}' as source_shape,
        cast(null as string) as source_sheet,
        source_line,
        {%- for name in canonical %}
        nullif(fields.c{{ columns.index(match[1][loop.index0]) }}, '') as {{ name }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from ({{ checked }})
{%- endmacro %}

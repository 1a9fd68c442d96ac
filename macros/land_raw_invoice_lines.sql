{#- Lands the raw invoice lines as the source table retail.invoice_lines, on engines where the
    insiders_raw source plugin (DuckDB) does not. Run as an on-run-start hook of `dbt build` and
    `dbt run`. -#}
{% macro land_raw_invoice_lines() -%}
    {{ return(adapter.dispatch('land_raw_invoice_lines')()) }}
{%- endmacro %}

{#- DuckDB: the insiders_raw plugin (python/insiders/landing) lands the file; nothing to do. -#}
{% macro default__land_raw_invoice_lines() -%}
{%- endmacro %}

{#- Spark reads the csv or parquet itself, with the landing's rules (raw_file.py): every line
    with source_file, source_shape and source_line (csv: the physical line, header = 1, blank
    lines skipped; parquet: the 1-based row), its values as text, but for the numbers and dates
    a parquet file stores typed, which land typed in the *_value columns (landed.TYPED_VALUES).
    The column sets are COLUMN_SETS of python/insiders/landing/raw_file.py. xlsx is landed by
    the DuckDB target only. -#}
{% macro spark__land_raw_invoice_lines() -%}
    {%- if not execute or flags.WHICH not in ['build', 'run', 'run-operation'] -%}
        {{ return('') }}
    {%- endif -%}
    {%- set sources = graph.sources.values() | selectattr('source_name', 'equalto', 'retail')
        | list -%}
    {#- a build that reads no raw table (the SQL marts, spark_marts) lands nothing -#}
    {%- if flags.WHICH in ['build', 'run'] and not _selection_reads(sources) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set lines_node = sources | selectattr('name', 'equalto', 'invoice_lines') | first -%}
    {%- set mapping_node = sources | selectattr('name', 'equalto', 'mapping') | first -%}
    {%- set mapping = (lines_node.source_meta.mapping or 'online_retail') | trim -%}
    {%- if mapping != 'online_retail' -%}
        {{ exceptions.raise_compiler_error(
            "mapping " ~ mapping ~ " (INSIDERS_MAPPING): the Spark landing reads the "
            ~ "online_retail mapping only (the Online Retail csv and parquet shapes); land "
            ~ "another mapping's file with the DuckDB target (the default)") }}
    {%- endif -%}
    {#- insiders.paths' default, relative to the folder dbt runs in (the project's) -#}
    {%- set path = lines_node.meta.raw_path or 'data/raw/online_retail.parquet' -%}
    {%- set extension = path.split('.')[-1] | lower -%}
    {%- if extension == 'xlsx' -%}
        {{ exceptions.raise_compiler_error(
            path ~ ": xlsx is landed by the DuckDB target only (its reader is Python); on Spark "
            ~ "land the csv or parquet export of the same data") }}
    {%- elif extension not in ['csv', 'parquet'] -%}
        {{ exceptions.raise_compiler_error(
            path ~ ": unsupported extension '." ~ extension ~ "'; accepted on Spark: .csv, "
            ~ ".parquet") }}
    {%- endif -%}
    {%- set landed = spark_landed_parquet(path) if extension == 'parquet'
        else spark_landed_csv(path) -%}
    {%- do run_query('create database if not exists ' ~ lines_node.schema) -%}
    {%- for node, select in [(lines_node, landed), (mapping_node, spark_online_retail_mapping())]
    -%}
        {%- set table = lines_node.schema ~ '.' ~ node.name -%}
        {%- do run_query('drop table if exists ' ~ table) -%}
        {%- do run_query('create table ' ~ table ~ ' using parquet as ' ~ select) -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}

{#- The online_retail mapping as the one row of raw.mapping (insiders.landing.mapping_row of
    python/insiders/landing/mappings/online_retail.yml; the tests compare the two). -#}
{% macro spark_online_retail_mapping() -%}
    select
        'online_retail' as mapping_name,
        'python/insiders/landing/mappings/online_retail.yml' as mapping_file,
        'online_retail' as rule_set,
        'auto' as date_format,
        'number' as customer_ids,
        true as has_order_id,
        true as has_product_code,
        true as has_quantity,
        true as has_country,
        'unit_price' as price_from,
        'C' as cancelled_id_prefix,
        false as cancels_by_status,
        cast(array() as array<string>) as cancelled_status_values,
        false as order_fields_on_first_row,
        cast(array() as array<string>) as excluded_stock_codes,
        cast(array() as array<string>) as excluded_countries,
        cast(array() as array<string>) as excluded_customers
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

{#- The canonical columns the mapping names none of land as null. -#}
{% macro spark_unnamed_columns() -%}
        cast(null as string) as line_amount,
        cast(null as string) as order_status
{%- endmacro %}

{#- The values that land typed, in the order of landed.TYPED_VALUES: SQL for each, by canonical
    name, from ``values``; null (of its type) for the others. -#}
{% macro spark_typed_values(values) -%}
    {%- for name in ['quantity', 'invoice_date', 'unit_price', 'customer_id', 'line_amount'] %}
        {{ values.get(name) or 'cast(null as ' ~ ('timestamp' if name == 'invoice_date'
            else 'double') ~ ')' }} as {{ name }}_value{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- A parquet column as the landing lands it (duckdb_io.typed_sql): [its text, its typed value]
    in Spark SQL, the value none when it lands as text (spark_text_of). The invoice date stored
    as a timestamp or date lands as a timestamp to the second; a number stored as a double (NaN
    null) or as a whole number below 2**53 as a double; a float, a decimal, a larger whole
    number or a string as text. -#}
{% macro spark_landed_value(name, column, column_type) -%}
    {%- set value = '`' ~ column ~ '`' -%}
    {%- set kind = column_type | lower -%}
    {%- set no_text = 'cast(null as string)' -%}
    {%- set exact = value ~ ' > -9007199254740992 and ' ~ value ~ ' < 9007199254740992' -%}
    {%- if name == 'invoice_date' -%}
        {%- if kind.startswith('timestamp') or kind == 'date' -%}
            {{ return([no_text, "date_trunc('SECOND', cast(" ~ value ~ " as timestamp))"]) }}
        {%- endif -%}
    {%- elif name in ['quantity', 'unit_price', 'customer_id', 'line_amount'] -%}
        {%- if kind == 'double' -%}
            {{ return([no_text, 'case when not isnan(' ~ value ~ ') then ' ~ value ~ ' end']) }}
        {%- elif kind in ['tinyint', 'smallint', 'int', 'bigint'] -%}
            {{ return([
                'case when not (' ~ exact ~ ') then cast(' ~ value ~ ' as string) end',
                'case when ' ~ exact ~ ' then cast(' ~ value ~ ' as double) end',
            ]) }}
        {%- endif -%}
    {%- endif -%}
    {{ return([spark_text_of(column, column_type), none]) }}
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
    {%- set texts = [] -%}
    {%- set values = {} -%}
    {%- for name in canonical -%}
        {%- set column = match[1][loop.index0] -%}
        {%- set landed = spark_landed_value(name, column, types[column]) -%}
        {%- do texts.append(landed[0]) -%}
        {%- if landed[1] is not none -%}
            {%- do values.update({name: landed[1]}) -%}
        {%- endif -%}
    {%- endfor -%}
    select
        '{{ path }}' as source_file,
        'parquet_{{ match[0] }}' as source_shape,
        cast(null as string) as source_sheet,
        _metadata.row_index + 1 as source_line,
        cast(null as string) as line_error,
        {%- for name in canonical %}
        {{ texts[loop.index0] }} as {{ name }},
        {%- endfor %}
        {{ spark_unnamed_columns() }},
        {{- spark_typed_values(values) }}
    from {{ source }}
{%- endmacro %}

{#- A csv, one physical line per row: the text source keeps blank lines, so the line numbers are
    exact, and from_csv parses each line (quotes doubled inside quotes, as the csv module does;
    a field the line lacks is null, an empty one ''). A line with another number of fields than
    the header lands with line_error wrong_field_count, its values the fields it has; a last
    line cut inside a quoted value, or short of fields with no line break after it, lands as
    truncated_last_line. Bytes that are not utf-8 and a quoted value spanning lines stop the
    landing naming the line (the DuckDB landing reads those files). -#}
{% macro spark_landed_csv(path) -%}
    {%- set lines -%}
        select
            value as line_text,
            row_number() over (order by monotonically_increasing_id()) as source_line
        from text.`{{ path }}`
    {%- endset -%}
    {%- set header = run_query('select line_text from (' ~ lines ~ ') where source_line = 1') -%}
    {%- set header_text = header.rows[0][0] | replace('\ufeff', '') -%}
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
    {%- set ends_with_newline = spark_csv_ends_with_newline(path, lines) -%}
    {%- set odd_quotes = "(length(line_text) - length(replace(line_text, '\"', ''))) % 2 = 1" -%}
    {%- set checked -%}
        with numbered as ({{ lines }}),
        last_line as (select max(source_line) as source_line from numbered)
        select
            numbered.source_line,
            numbered.line_text,
            numbered.source_line = last_line.source_line as is_last_line,
            from_csv(
                numbered.line_text, '{{ fields | join(", ") }}',
                map('escape', '"', 'nullValue', '\u001f')
            ) as fields
        from numbered
        cross join last_line
        where numbered.source_line > 1 and numbered.line_text != ''
    {%- endset -%}
    {%- set problems = run_query(
        "select source_line, case when line_text like '%\ufffd%' then 'bytes that are not utf-8 "
        ~ "(the Spark landing reads utf-8: land it with the DuckDB target, or re-encode it)' "
        ~ "else 'a quoted value that does not end on its line (the Spark landing reads one line "
        ~ "per row: land it with the DuckDB target)' end from (" ~ checked ~ ") where line_text "
        ~ "like '%\ufffd%' or (" ~ odd_quotes ~ " and not (is_last_line and not "
        ~ ends_with_newline ~ ")) order by source_line limit 1") -%}
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
        case
            when is_last_line and not {{ ends_with_newline }}
                and ({{ odd_quotes }} or fields.c{{ width - 1 }} is null)
                then 'truncated_last_line'
            when fields.c{{ width - 1 }} is null or fields.c{{ width }} is not null
                then 'wrong_field_count'
        end as line_error,
        {%- for name in canonical %}
        nullif(fields.c{{ columns.index(match[1][loop.index0]) }}, '') as {{ name }},
        {%- endfor %}
        {{ spark_unnamed_columns() }},
        {{- spark_typed_values({}) }}
    from ({{ checked }})
{%- endmacro %}

{#- Whether the csv's last line ends with a line break, as SQL true or false: the file's bytes
    (binaryFile's length, its content left unread) against the bytes of its lines, each line
    break one byte (\n) or two (\r\n). -#}
{% macro spark_csv_ends_with_newline(path, lines) -%}
    {%- set counted = run_query(
        "select (select length from binaryFile.`" ~ path ~ "`), sum(octet_length(line_text)), "
        ~ "count(*) from (" ~ lines ~ ")") -%}
    {%- set size, text_bytes, line_count = counted.rows[0] -%}
    {{ return('true' if (size - text_bytes) in [line_count, 2 * line_count] else 'false') }}
{%- endmacro %}

{#- Whether any node of this run's selection reads one of the sources directly. -#}
{% macro _selection_reads(sources) -%}
    {%- set source_ids = sources | map(attribute='unique_id') | list -%}
    {%- for unique_id in selected_resources -%}
        {%- set node = graph.nodes.get(unique_id) -%}
        {%- if node and node.depends_on.nodes | select('in', source_ids) | list -%}
            {{ return(true) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}

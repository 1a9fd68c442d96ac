{#- The screened and cleaned lines are incremental on DuckDB. A monthly run receives the whole
    export again, grown by the lines appended since, and builds only the lines after those the
    table holds, by their position in the file (per file and sheet). First it checks that what
    the table holds still stands; when it does not, it empties the table and builds every line,
    as a full build does. The decision is taken as the model compiles, when the model runs
    (dbt build or run): the filter on positions is then a literal, which DuckDB takes down to
    the scan of the raw lines, so the history is not parsed again. Spark builds the lines whole
    each run (its parquet tables cannot delete rows). See
    models/intermediate/_intermediate__docs.md. -#}

{% macro lines_materialization() -%}
    {{ return('incremental' if target.type == 'duckdb' else 'table') }}
{%- endmacro %}

{#- The landed raw lines, named without source(): on DuckDB each source() lands the file again. -#}
{% macro _landed_raw_lines() -%}
    {%- if not execute -%}
        {{ return(api.Relation.create(identifier='invoice_lines')) }}
    {%- endif -%}
    {%- set node = graph.sources.values() | selectattr('source_name', 'equalto', 'retail')
        | selectattr('name', 'equalto', 'invoice_lines') | first -%}
    {{ return(api.Relation.create(
        database=node.database, schema=node.schema, identifier=node.identifier)) }}
{%- endmacro %}

{#- A text as an SQL literal (dbt's escape_single_quotes: '' on DuckDB). -#}
{% macro _sql_text(value) -%}
    '{{ dbt.escape_single_quotes(value | string) }}'
{%- endmacro %}

{#- A relation by its name alone (a ref() of a run with --empty reads no row). -#}
{% macro _named(relation) -%}
    {{ return(api.Relation.create(
        database=relation.database, schema=relation.schema, identifier=relation.identifier)) }}
{%- endmacro %}

{#- The record kept beside an incremental table of lines: what it was built from. -#}
{% macro lines_record(relation=this) -%}
    {{ return(api.Relation.create(
        database=relation.database, schema=relation.schema,
        identifier=relation.identifier ~ '_built_from')) }}
{%- endmacro %}

{#- The first value of a one-value query. -#}
{% macro _query_value(sql) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(run_query(sql).columns[0].values()[0]) }}
{%- endmacro %}

{#- Whether a table exists now (the relation cache does not see the tables a hook wrote). -#}
{% macro _table_exists(relation) -%}
    {{ return(_query_value(
        'select count(*) > 0 from duckdb_tables() where database_name = '
        ~ _sql_text(relation.database) ~ ' and schema_name = ' ~ _sql_text(relation.schema)
        ~ ' and table_name = ' ~ _sql_text(relation.identifier))) }}
{%- endmacro %}

{#- Empties the table, so that this run builds every line (dbt build and run only: dbt compile
    and docs change nothing). -#}
{% macro _forget_held_lines() -%}
    {%- if flags.WHICH in ['build', 'run'] -%}
        {%- do run_query('delete from ' ~ this) -%}
    {%- endif -%}
{%- endmacro %}

{#- The filter on the lines that the table does not hold: in each (file, sheet) of `positions`
    (a relation with source_file and source_sheet: the raw lines, or the screened lines'
    record), those after the last line it holds. -#}
{% macro _lines_after_held(positions) -%}
    {%- set sheets = run_query(
        'select sheet.source_file, sheet.source_sheet, coalesce(max(held.source_line), 0)'
        ~ ' from (select distinct source_file, source_sheet from ' ~ positions ~ ') as sheet'
        ~ ' left join ' ~ this ~ ' as held on sheet.source_file = held.source_file'
        ~ ' and sheet.source_sheet is not distinct from held.source_sheet'
        ~ ' group by all order by all') -%}
    {%- if sheets.rows | length == 1 -%}
        source_line > {{ sheets.rows[0][2] }}
    {%- elif sheets.rows | length == 0 -%}
        true
    {%- else -%}
        (
        {%- for row in sheets.rows %}
            {{ 'or ' if not loop.first }}(
                source_file = {{ _sql_text(row[0]) }}
                and source_sheet {{ 'is null' if row[1] is none else '= ' ~ _sql_text(row[1]) }}
                and source_line > {{ row[2] }}
            )
        {%- endfor %}
        )
    {%- endif -%}
{%- endmacro %}

{#- The rules of screening that are not in the lines, as one hash: the staging view's SQL (with
    the vars and macros it was rendered with), screening's own code, the mapping, the seeds'
    lists and the vars screening reads. -#}
{% macro screening_rules_hash() -%}
    {%- set staging = ref('stg_retail__invoice_lines') -%}
    md5(concat_ws(
        '|',
        (
            select md5(sql) from duckdb_views()
            where
                schema_name = {{ _sql_text(staging.schema) }}
                and view_name = {{ _sql_text(staging.identifier) }}
        ),
        {{ _sql_text(model.checksum.checksum) }},
        (select cast(list_sort(list(m)) as varchar) from {{ _named(ref('stg_retail__mapping')) }} as m),
        (select cast(list_sort(list(stock_code)) as varchar) from {{ _named(ref('excluded_stock_codes')) }}),
        (select cast(list_sort(list(country)) as varchar) from {{ _named(ref('excluded_countries')) }}),
        (select cast(list_sort(list(customer_id)) as varchar) from {{ _named(ref('excluded_customers')) }}),
        {{ _sql_text(var('min_unit_price')) }},
        {{ _sql_text(var('duplicate_line_policy')) }}
    ))
{%- endmacro %}

{#- Whether the screened lines the table holds still stand: its record says they were built
    under the same rules, and for each (file, sheet) it holds, the raw lines up to the last line
    held are the same (count and checksum); a new file or sheet comes after those held (else
    one of its lines would be the first of a duplicate a held line now is). -#}
{% macro _screened_lines_stand() -%}
    {%- set record = lines_record() -%}
    {%- if not _table_exists(record) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set check -%}
        with

        current_lines as (
            select
                raw.source_file,
                raw.source_sheet,
                any_value(held.held_to_line) is null as is_new_sheet,
                count(*) filter (where raw.source_line <= held.held_to_line) as held_raw_lines,
                cast(
                    coalesce(
                        sum(hash(raw)) filter (where raw.source_line <= held.held_to_line), 0
                    ) as hugeint
                ) as held_raw_checksum
            from {{ _landed_raw_lines() }} as raw
            left join {{ record }} as held
                on
                    raw.source_file = held.source_file
                    and raw.source_sheet is not distinct from held.source_sheet
            group by raw.source_file, raw.source_sheet
        )

        select coalesce(
            bool_and(
                held.rules_hash = {{ screening_rules_hash() }}
                and held.raw_lines = coalesce(current_lines.held_raw_lines, 0)
                and held.raw_checksum = coalesce(current_lines.held_raw_checksum, 0)
            )
            and coalesce((
                select
                    min(struct_pack(source_file, source_sheet))
                    > (select max(struct_pack(source_file, source_sheet)) from {{ record }})
                from current_lines
                where is_new_sheet
            ), true),
            false
        )
        from {{ record }} as held
        left join current_lines
            on
                held.source_file = current_lines.source_file
                and held.source_sheet is not distinct from current_lines.source_sheet
    {%- endset -%}
    {{ return(_query_value(check)) }}
{%- endmacro %}

{#- The screened lines this run builds (a filter on the staged lines). -#}
{% macro screened_lines_to_build() -%}
    {%- if not (execute and is_incremental()) -%}
        true
    {%- elif not _screened_lines_stand() -%}
        {%- do _forget_held_lines() -%}
        {#- the record holds no history now: its id moves to previous_history_id, from which
            the post-hook chains the new one -#}
        {%- if flags.WHICH in ['build', 'run'] and _table_exists(lines_record()) -%}
            {%- do run_query('update ' ~ lines_record() ~ ' set previous_history_id = history_id,'
                ~ ' history_id = null where history_id is not null') -%}
        {%- endif -%}
        true
    {%- else -%}
        {{ _lines_after_held(_landed_raw_lines()) }}
    {%- endif -%}
{%- endmacro %}

{#- Post-hook of the screened lines: record what the table now holds (every raw line) and its
    history id. The id stays while runs append lines; a run that built every line chains a new
    one from the last (a hash of it, the rules and the raw lines), so that the same builds give
    the same ids and a history built again never takes back an earlier id. A run with --empty
    holds no line: no record, so the next run builds every line. -#}
{% macro record_screened_lines() -%}
    {%- set record = lines_record() -%}
    {%- if target.type != 'duckdb' -%}
        select 1
    {%- elif flags.EMPTY -%}
        drop table if exists {{ record }}
    {%- else -%}
        {%- set recorded = _table_exists(record) -%}
        create or replace table {{ record }} as
        with

        held as (
            select
                source_file,
                source_sheet,
                max(source_line) as held_to_line,
                count(*) as raw_lines,
                cast(coalesce(sum(hash(raw)), 0) as hugeint) as raw_checksum
            from {{ _landed_raw_lines() }} as raw
            group by source_file, source_sheet
        ),

        built as (
            select
                {{ screening_rules_hash() }} as rules_hash,
                {%- if recorded %}
                (select any_value(history_id) from {{ record }}) as kept_history_id,
                (
                    select coalesce(any_value(history_id), any_value(previous_history_id))
                    from {{ record }}
                ) as last_history_id
                {%- else %}
                cast(null as varchar) as kept_history_id,
                cast(null as varchar) as last_history_id
                {%- endif %}
        )

        select
            held.*,
            built.rules_hash,
            {%- if is_incremental() %}
            coalesce(
                built.kept_history_id,
            {%- else %}
            (
            {%- endif %}
                md5(concat_ws(
                    '|',
                    built.last_history_id,
                    built.rules_hash,
                    (
                        select
                            string_agg(
                                concat_ws(':', source_file, source_sheet, raw_lines, raw_checksum),
                                ',' order by source_file, source_sheet
                            )
                        from held
                    )
                ))
            ) as history_id,
            cast(null as varchar) as previous_history_id
        from held
        cross join built
    {%- endif %}
{%- endmacro %}

{#- The cleaned lines this run builds (a filter on the screened lines): those the table does not
    hold, when it was built from the same history of screened lines; else every line, and with
    surrogate customers always (they are numbered over the whole file). -#}
{% macro cleaned_lines_to_build(use_surrogates) -%}
    {%- if not (execute and is_incremental()) -%}
        true
    {%- else -%}
        {%- set screened = _named(ref('int_invoice_lines_screened')) -%}
        {%- set record = lines_record() -%}
        {%- set screened_record = lines_record(screened) -%}
        {%- set stands = not use_surrogates and _table_exists(record)
            and _table_exists(screened_record) and _query_value(
            'select coalesce(bool_and(cleaned.screened_history_id = screened.history_id'
            ~ ' and cleaned.rules_hash = ' ~ cleaning_rules_hash() ~ '), false)'
            ~ ' from ' ~ record ~ ' as cleaned cross join (select any_value(history_id) as'
            ~ ' history_id from ' ~ screened_record ~ ') as screened') -%}
        {%- if not stands -%}
            {%- do _forget_held_lines() -%}
            true
        {%- else -%}
            {#- the screened lines' files and sheets: their record's, not a scan of the lines -#}
            {{ _lines_after_held(screened_record) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- The rules of cleaning that are not in the screened lines, as one hash: its code and vars. -#}
{% macro cleaning_rules_hash() -%}
    md5(concat_ws(
        '|',
        {{ _sql_text(model.checksum.checksum) }},
        {{ _sql_text(var('missing_customer_policy')) }},
        {{ _sql_text(var('surrogate_customer_id_start')) }}
    ))
{%- endmacro %}

{#- Post-hook of the cleaned lines: the history of screened lines and the rules they were
    built with. -#}
{% macro record_cleaned_lines() -%}
    {%- set record = lines_record() -%}
    {%- if target.type != 'duckdb' -%}
        select 1
    {%- elif flags.EMPTY or not _table_exists(lines_record(ref('int_invoice_lines_screened'))) -%}
        drop table if exists {{ record }}
    {%- else -%}
        create or replace table {{ record }} as
        select
            any_value(history_id) as screened_history_id,
            {{ cleaning_rules_hash() }} as rules_hash
        from {{ lines_record(ref('int_invoice_lines_screened')) }}
    {%- endif %}
{%- endmacro %}

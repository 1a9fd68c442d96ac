{#- The second step of the two-step run on open-source Spark (README, "Bigger than one
    machine"): on the duckdb target, with the var spark_warehouse set to the warehouse folder a
    Spark build wrote, every model that build wrote and this run does not build becomes a view
    over its parquet folder (<warehouse>/<schema>.db/<table>), in its own schema and name. The
    models downstream of them (the clustering, customer value, customers and the programme and
    membership marts: the after_spark selector) then read Spark's tables through their usual
    refs. An on-run-start hook; nothing when the var is null or on another engine. -#}
{% macro read_spark_warehouse() -%}
    {{ return(adapter.dispatch('read_spark_warehouse')()) }}
{%- endmacro %}

{% macro default__read_spark_warehouse() -%}
{%- endmacro %}

{% macro duckdb__read_spark_warehouse() -%}
    {%- set warehouse = var('spark_warehouse') -%}
    {%- if not execute or not warehouse or flags.WHICH not in ['build', 'run'] -%}
        {{ return('') }}
    {%- endif -%}
    {%- set root = _warehouse_folder(warehouse) -%}
    {%- set found = run_query("select distinct parse_dirpath(file) from glob('"
        ~ root ~ "/*.db/*/*.parquet')") -%}
    {%- set folders = found.columns[0].values() | list -%}
    {%- set features = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', 'customer_features') | first -%}
    {%- if _warehouse_folder(warehouse, features) not in folders -%}
        {{ exceptions.raise_compiler_error(
            "spark_warehouse: " ~ root ~ " holds no parquet folder " ~ features.schema
            ~ ".db/" ~ features.alias ~ " (set it to the warehouse the Spark step wrote: "
            ~ "<INSIDERS_SPARK_DIR>/warehouse, by default target/spark/warehouse)") }}
    {%- endif -%}
    {%- for node in graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') -%}
        {%- set folder = _warehouse_folder(warehouse, node) -%}
        {%- if node.unique_id not in selected_resources and folder in folders -%}
            {%- do _view_over_parquet(node, folder) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}

{#- Replaces whatever the relation is (a table of an earlier DuckDB build, a view of an earlier
    two-step run) with a view over the parquet folder. -#}
{% macro _view_over_parquet(node, folder) -%}
    {%- set relation = api.Relation.create(
        database=node.database, schema=node.schema, identifier=node.alias) -%}
    {%- set existing = adapter.get_relation(
        database=node.database, schema=node.schema, identifier=node.alias) -%}
    {%- do run_query('create schema if not exists ' ~ relation.without_identifier()) -%}
    {%- if existing is not none -%}
        {%- do adapter.drop_relation(existing) -%}
    {%- endif -%}
    {%- do run_query('create view ' ~ relation ~ " as select * from read_parquet('"
        ~ folder ~ "/*.parquet')") -%}
{%- endmacro %}

{#- DuckDB: the tables of the Python models (the clustering and customer value) as parquet
    folders in a Spark warehouse, laid out as Spark lays out its own (<warehouse>/<schema>.db/
    <table>), for register_python_model_tables on Spark. -#}
{% macro export_python_model_tables(warehouse) -%}
    {%- if target.type != 'duckdb' -%}
        {{ exceptions.raise_compiler_error(
            "export_python_model_tables writes the duckdb target's tables; run it without --target") }}
    {%- endif -%}
    {%- for node in _python_models() -%}
        {%- set relation = adapter.get_relation(
            database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- if relation is none -%}
            {{ exceptions.raise_compiler_error(
                node.name ~ " is not built in " ~ node.database ~ " (INSIDERS_DUCKDB_PATH): build "
                ~ "it first (dbt build, or the after_spark selector of the two-step run)") }}
        {%- endif -%}
        {%- set folder = _warehouse_folder(warehouse, node) -%}
        {%- do run_query("copy (select * from " ~ relation ~ ") to '" ~ folder
            ~ "' (format parquet, per_thread_output true, overwrite true)") -%}
        {{ log('exported ' ~ relation ~ ' to ' ~ folder, info=true) }}
    {%- endfor -%}
{%- endmacro %}

{#- Spark: the tables of the Python models (the clustering and customer value), which a local
    Spark session cannot run, as external tables over the parquet export_python_model_tables
    wrote into the warehouse, so that the SQL marts downstream of them build on Spark. On
    Databricks the Python models run in place and neither is needed. -#}
{% macro register_python_model_tables(warehouse) -%}
    {%- if target.type != 'spark' -%}
        {{ exceptions.raise_compiler_error(
            "register_python_model_tables is for the spark target (--target spark); on "
            ~ target.type ~ " the Python models run in place") }}
    {%- endif -%}
    {%- for node in _python_models() -%}
        {%- set relation = api.Relation.create(schema=node.schema, identifier=node.alias) -%}
        {%- set folder = _warehouse_folder(warehouse, node) -%}
        {%- do run_query('create schema if not exists ' ~ node.schema) -%}
        {%- do run_query('drop table if exists ' ~ relation) -%}
        {%- do run_query('create table ' ~ relation ~ " using parquet location '" ~ folder ~ "'") -%}
        {{ log('registered ' ~ relation ~ ' over ' ~ folder, info=true) }}
    {%- endfor -%}
{%- endmacro %}

{#- A folder of the Spark warehouse as the text of a SQL string on this engine, quotes escaped
    as its literals want them ('' on DuckDB, \' on Spark: dbt.escape_single_quotes): the
    warehouse itself, trimmed of spaces and a trailing slash, or, given a model's node, the
    folder of its table, <warehouse>/<schema>.db/<alias>, as Spark lays out its own. -#}
{% macro _warehouse_folder(warehouse, node=none) -%}
    {%- set folder = (warehouse | string | trim).rstrip('/') -%}
    {%- if node is not none -%}
        {%- set folder = folder ~ '/' ~ node.schema ~ '.db/' ~ node.alias -%}
    {%- endif -%}
    {{ return(dbt.escape_single_quotes(folder)) }}
{%- endmacro %}

{% macro _python_models() -%}
    {{ return(graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
        | selectattr('language', 'equalto', 'python') | sort(attribute='name') | list) }}
{%- endmacro %}

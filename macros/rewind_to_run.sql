{#- A run is keyed by its as_of_date. Before the membership record takes this run's rows, the
    rows of this date and of any later date are removed, so a rerun of a month replaces that
    month's record and an earlier date rewrites the history from that date on (the later months
    are rebuilt by running them again). -#}

{#- The snapshot as it stood just before the run's date: periods opened on or after it are
    deleted, and the periods they closed are open again. Nothing to do on a first build. -#}
{% macro rewind_snapshot_to_run(snapshot, segments) -%}
    {%- if execute and load_relation(snapshot) is not none -%}
        delete from {{ snapshot }}
        where dbt_valid_from >= ({{ run_as_of_date(segments) }});
        update {{ snapshot }} set dbt_valid_to = null
        where dbt_valid_to >= ({{ run_as_of_date(segments) }});
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{#- An incremental table with one row per run and key: the rows of this run's date and later go. -#}
{% macro rewind_runs_to_run(runs, segments) -%}
    {%- if execute and load_relation(runs) is not none -%}
        delete from {{ runs }}
        where as_of_date >= ({{ run_as_of_date(segments) }})
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{#- The date of the run being built: the as_of_date of the customer_segments it just wrote. -#}
{% macro run_as_of_date(segments) -%}
    select min(as_of_date) from {{ segments }}
{%- endmacro %}

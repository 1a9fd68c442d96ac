"""The run a monthly run builds on: the latest recorded run dated before it.

A run is keyed by its reference date (``as_of_date``). Its memory - the names to carry over and
who was a member - is the latest run before that date in ``insiders_membership_runs``, never a
run of the same date or a later one: a rerun of a month then starts from the same memory as the
first attempt, and a run dated before the latest one starts from the history as it stood then.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

PREVIOUS_RUN_SQL = """
select * from {table}
where as_of_date = (select max(as_of_date) from {table} where as_of_date < ?)
"""


def previous_run(
    connection, database: str, schema: str, table: str, as_of_date: dt.date
) -> pd.DataFrame | None:
    """The rows of the latest run before ``as_of_date``; None when there is none.

    ``connection`` is a dbt Python model's session: a DuckDB connection, or a SparkSession on
    Databricks (untested here: no Databricks workspace); the table is the membership run table
    (one row per run and customer), absent on a first build.
    """
    if hasattr(connection, "catalog"):
        return _previous_run_on_spark(connection, database, schema, table, as_of_date)
    found = connection.execute(
        "select count(*) from information_schema.tables"
        " where table_catalog = ? and table_schema = ? and table_name = ?",
        [database, schema, table],
    ).fetchall()[0][0]
    if not found:
        return None
    name = f'"{database}"."{schema}"."{table}"'
    rows = connection.execute(PREVIOUS_RUN_SQL.format(table=name), [as_of_date]).df()
    return None if rows.empty else rows


def _previous_run_on_spark(session, database, schema, table, as_of_date):
    """previous_run on Spark: the earlier runs' dates in Spark, the one run's rows as pandas."""
    qualified = ".".join(part for part in (database, schema, table) if part)
    if not session.catalog.tableExists(qualified):
        return None
    runs = session.table(qualified)
    earlier = runs.where(runs.as_of_date < as_of_date).agg({"as_of_date": "max"}).first()[0]
    if earlier is None:
        return None
    return runs.where(runs.as_of_date == earlier).toPandas()

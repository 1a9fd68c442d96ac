"""The incremental screened and cleaned lines equal a full rebuild (macros/incremental_lines.sql).

A monthly run lands the whole file again, grown by a month. Here the file grows month end by
month end, on the replay's dates (the whole file at each date); each run is incremental, and
its tables must equal those of ``--full-refresh`` on the same file, row for row. A run must
also leave the lines it already screened alone (it does not redo history), unless the file's
history or a rule changed: then it must build everything again.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest
from benchmarks.compare_builds import compare_relation
from conftest import dbt_env, run_dbt

from insiders.commands.replay import month_ends
from insiders.generator.generate import generate

SCALE = 0.05
LINE_TABLES = (
    "intermediate.int_invoice_lines_screened",
    "intermediate.int_invoice_lines_cleaned",
    "audit.rejected_invoice_lines",
    "audit.invoice_line_accounting",
)
SELECT = (
    "--select",
    "+int_invoice_lines_cleaned",
    "+rejected_invoice_lines",
    "+invoice_line_accounting",
    "--exclude",
    "resource_type:test",
    "resource_type:unit_test",
)
# Flags that no rebuild would leave flipped: a history day that keeps them flipped was not
# built again.
FLAGS = (
    ("int_invoice_lines_screened", "is_excluded_country"),
    ("int_invoice_lines_cleaned", "is_purchase"),
)


def write_lines_up_to(full: Path, out: Path, last_day: dt.date) -> Path:
    """The raw file as exported on ``last_day``: its lines up to that day, in the file's order."""
    with duckdb.connect() as con:
        con.execute(
            f"copy (select * from read_parquet('{full}') where cast(InvoiceDate as date) <= ?)"
            f" to '{out}' (format parquet)",
            [last_day],
        )
    return out


def build(root: Path, raw: Path, database: Path, *extra: str) -> None:
    run_dbt(dbt_env(root, raw, database), "build", *SELECT, *extra)


def differences(incremental: Path, full: Path) -> list[str]:
    with duckdb.connect() as con:
        con.execute(f"attach '{incremental}' as before (read_only)")
        con.execute(f"attach '{full}' as after (read_only)")
        return [f"{d.relation}: {d.what}" for t in LINE_TABLES for d in compare_relation(con, t)]


def full_rebuild(root: Path, raw: Path, database: Path, *extra: str) -> Path:
    """A copy of ``database`` built again with --full-refresh on the same file and vars."""
    full = root / f"full_{database.stem}.duckdb"
    shutil.copyfile(database, full)
    build(root, raw, full, "--full-refresh", *extra)
    return full


def flip_flags(database: Path, day: dt.date, tables: tuple[str, ...]) -> None:
    with duckdb.connect(str(database)) as con:
        for table, column in FLAGS:
            if table not in tables:
                continue
            con.execute(
                f"update intermediate.{table} set {column} = not {column} where invoiced_on = ?",
                [day],
            )


def flags(database: Path, day: dt.date) -> list[int]:
    """How many lines of ``day`` have each flag set."""
    with duckdb.connect(str(database), read_only=True) as con:
        return [
            con.execute(
                f"select count(*) filter (where {column}) from intermediate.{table}"
                " where invoiced_on = ?",
                [day],
            ).fetchall()[0][0]
            for table, column in FLAGS
        ]


def flipped_copy(
    database: Path, copy: Path, day: dt.date, tables: tuple[str, ...] = tuple(t for t, _ in FLAGS)
) -> tuple[list[int], list[int]]:
    """A copy of ``database`` with the flags of ``day`` flipped in ``tables``; the flags before
    and after."""
    shutil.copyfile(database, copy)
    before = flags(copy, day)
    flip_flags(copy, day, tables)
    after = flags(copy, day)
    assert after != before
    return before, after


@pytest.fixture(scope="module")
def monthly(tmp_path_factory):
    """The lines built month end by month end, incrementally, into one database."""
    root = tmp_path_factory.mktemp("incremental")
    full_file = Path(generate(root / "all.parquet", scale=SCALE, seed=11).data_path)
    with duckdb.connect() as con:
        first, last = con.execute(
            f"select min(cast(InvoiceDate as date)), max(cast(InvoiceDate as date))"
            f" from read_parquet('{full_file}')"
        ).fetchall()[0]
    raw = root / "online_retail.parquet"
    database = root / "incremental.duckdb"
    # The replay's run dates; a run at the first, a middle and the last two keeps the test short.
    days = month_ends(first, last)
    days = [days[0], days[len(days) // 2], days[-2], days[-1]]
    for day in days:
        build(root, write_lines_up_to(full_file, raw, day), database)
    return root, full_file, raw, database, [first, *days]


def test_month_by_month_equals_a_full_rebuild(monthly):
    root, _full_file, raw, database, _days = monthly
    assert differences(database, full_rebuild(root, raw, database)) == []


def test_a_monthly_run_leaves_the_days_it_screened_alone(monthly):
    root, _full_file, raw, database, days = monthly
    copy = root / "flipped.duckdb"
    before, flipped = flipped_copy(database, copy, days[0])
    # The same whole file again: no line is screened again.
    build(root, raw, copy)
    assert flags(copy, days[0]) == flipped
    build(root, raw, copy, "--full-refresh")
    assert flags(copy, days[0]) == before


CHANGES = {
    # The lines of the first month but its first day again, at the end: copies of lines the
    # table holds (the first day's flags tell whether the history was built again).
    "copies of held lines appended": ("copies", ()),
    "a re-issued file: one line of the first month changed": ("reissued", ()),
    "a new rule: another minimum unit price": ("same", ("--vars", "{min_unit_price: 1.0}")),
    # Screening does not depend on it: only the cleaned lines are built again.
    "the surrogate policy": ("same", ("--vars", "{missing_customer_policy: surrogate}")),
    # Then the default again: the surrogate customers must not stay.
    "the surrogate policy and back": ("same", ()),
    "another file: the last month alone": ("last_month", ()),
}


def write_changed_file(kind: str, full_file: Path, out: Path, days: list[dt.date]) -> None:
    with duckdb.connect() as con:
        if kind == "same":
            shutil.copyfile(full_file, out)
        elif kind == "copies":
            con.execute(
                f"copy (select * from read_parquet('{full_file}') union all"
                f" select * from read_parquet('{full_file}')"
                " where cast(InvoiceDate as date) > ? and cast(InvoiceDate as date) <= ?)"
                f" to '{out}' (format parquet)",
                [days[0], days[1]],
            )
        elif kind == "reissued":
            con.execute(
                "copy (select * exclude (file_row_number) replace (case when file_row_number = 1"
                " then Quantity + 1 else Quantity end as Quantity)"
                f" from read_parquet('{full_file}', file_row_number = true))"
                f" to '{out}' (format parquet)"
            )
        else:
            con.execute(
                f"copy (select * from read_parquet('{full_file}')"
                f" where cast(InvoiceDate as date) > ?) to '{out}' (format parquet)",
                [days[-2]],
            )


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_changed_history_is_built_again(monthly, change):
    root, full_file, raw, database, days = monthly
    kind, extra = CHANGES[change]
    copy = root / "changed.duckdb"
    surrogate = "surrogate" in change
    tables = ("int_invoice_lines_cleaned",) if surrogate else (FLAGS[0][0], FLAGS[1][0])
    before, flipped = flipped_copy(database, copy, days[0], tables)
    # The export at the same path as the builds before, but for another file.
    changed = root / "another.parquet" if kind == "last_month" else raw
    write_changed_file(kind, full_file, changed, days)
    try:
        if change.endswith("and back"):
            build(root, changed, copy, "--vars", "{missing_customer_policy: surrogate}")
            before, _flipped = flipped_copy(copy, copy.with_suffix(".back.duckdb"), days[0], tables)
            copy = copy.with_suffix(".back.duckdb")
        build(root, changed, copy, *extra)
        if kind == "copies":
            # appended lines only: the history stands, and the copies are duplicates of it
            assert flags(copy, days[0]) == flipped, f"{change}: the history was built again"
            flip_flags(copy, days[0], tables)
        elif kind != "last_month":
            assert flags(copy, days[0]) == before, f"{change}: the history was not built again"
        assert differences(copy, full_rebuild(root, changed, copy, *extra)) == []
    finally:
        shutil.copyfile(full_file, raw)

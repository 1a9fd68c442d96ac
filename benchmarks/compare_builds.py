"""Compare two built databases table by table: same tables, same columns, same rows, bit for bit.

A change that should not change behaviour (a refactoring) is checked by building the project
before and after it on the same data and settings, then::

    .venv/bin/python -m benchmarks.compare_builds before.duckdb after.duckdb

Every table and view of either database is compared: its columns (names, order and types), then
its rows as multisets, with ``EXCEPT ALL`` both ways (floating-point values compare exactly).
A relation present in only one database is listed as such. Exit status 1 on any difference.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

RELATIONS = """
    select schema_name, table_name from duckdb_tables() where database_name = '{alias}'
    union all
    select schema_name, view_name from duckdb_views()
    where database_name = '{alias}' and not internal
"""


@dataclass(frozen=True)
class Difference:
    relation: str
    what: str


def relations(con: duckdb.DuckDBPyConnection, alias: str) -> set[str]:
    rows = con.execute(RELATIONS.format(alias=alias)).fetchall()
    return {f"{schema}.{name}" for schema, name in rows}


def columns(con: duckdb.DuckDBPyConnection, alias: str, relation: str) -> list[tuple[str, str]]:
    described = con.execute(f"describe {alias}.{relation}").fetchall()
    return [(row[0], row[1]) for row in described]


def compare_relation(con: duckdb.DuckDBPyConnection, relation: str) -> list[Difference]:
    before, after = columns(con, "before", relation), columns(con, "after", relation)
    if before != after:
        return [Difference(relation, f"columns differ: {before} != {after}")]
    found = []
    for left, right in (("before", "after"), ("after", "before")):
        extra = con.execute(
            f"select count(*) from (select * from {left}.{relation}"
            f" except all select * from {right}.{relation})"
        ).fetchall()[0][0]
        if extra:
            found.append(Difference(relation, f"{extra} rows in {left} only"))
    return found


def compare(before: Path, after: Path) -> tuple[list[str], list[Difference]]:
    """The relations compared and every difference found."""
    with duckdb.connect() as con:
        con.execute(f"attach '{before}' as before (read_only)")
        con.execute(f"attach '{after}' as after (read_only)")
        in_before, in_after = relations(con, "before"), relations(con, "after")
        differences = [Difference(name, "only in before") for name in in_before - in_after]
        differences += [Difference(name, "only in after") for name in in_after - in_before]
        shared = sorted(in_before & in_after)
        for relation in shared:
            differences += compare_relation(con, relation)
    return shared, differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    shared, differences = compare(args.before, args.after)
    for difference in differences:
        print(f"DIFFERENT  {difference.relation}: {difference.what}")
    print(f"{len(shared)} relations compared, {len(differences)} differences")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())

"""`insiders summary`: what the last build produced and where, read from the database."""

from __future__ import annotations

import argparse
from pathlib import Path

from insiders import paths
from insiders.commands.readonly import read_only

ENVIRONMENT = {
    "INSIDERS_DUCKDB_PATH": "the database, unless --database is given (default: insiders.duckdb)",
}

# (schema, table, what it holds), in the order a reader meets them.
TABLES: tuple[tuple[str, str, str], ...] = (
    ("raw", "invoice_lines", "raw lines landed"),
    ("intermediate", "int_invoice_lines_cleaned", "lines kept by the business rules"),
    ("audit", "rejected_invoice_lines", "lines rejected, each with its rule"),
    ("main", "customer_features", "customers with features"),
    ("main", "cluster_model_selection", "models compared"),
    ("main", "customer_segments", "customers labelled"),
    ("main", "insiders", "Insiders (the programme list)"),
)


def table_counts(database: Path) -> list[tuple[str, int | None, str]]:
    """Row counts of the tables a build writes; None for a table the build did not write."""
    with read_only(database, "summary") as con:
        present = {
            (schema, name)
            for schema, name in con.execute(
                "select schema_name, table_name from duckdb_tables() "
                "union all select schema_name, view_name from duckdb_views()"
            ).fetchall()
        }
        counts = []
        for schema, name, label in TABLES:
            count = None
            if (schema, name) in present:
                count = con.execute(f'select count(*) from "{schema}"."{name}"').fetchall()[0][0]
            counts.append((f"{schema}.{name}", count, label))
    return counts


def run(args: argparse.Namespace) -> int:
    database = Path(args.database)
    if not database.exists():
        print(f"insiders summary: no database at {database}; run `make run` first")
        return 1
    print(f"Built database: {database.resolve()}")
    for relation, count, label in table_counts(database):
        shown = f"{count:>12,}" if count is not None else f"{'(not built)':>12}"
        print(f"  {shown}  {label:<34} {relation}")
    for extra in args.artifacts:
        path = Path(extra)
        if path.exists():
            print(f"  {'':>12}  {path.name:<34} {path.resolve()}")
    print(f"Query it: .venv/bin/insiders sql --database {database}")
    return 0


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        default=str(paths.database_path()),
        help="the DuckDB file, read-only (default: $INSIDERS_DUCKDB_PATH, else insiders.duckdb)",
    )
    parser.add_argument(
        "artifacts", nargs="*", help="other files the run wrote (report, docs), listed if present"
    )
    parser.set_defaults(func=run)

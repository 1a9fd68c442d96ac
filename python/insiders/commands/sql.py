"""`insiders sql`: open the built database for SQL, read-only.

With a query argument it runs the query and prints the result; without one it reads statements
from the terminal (or a pipe), each ended by ';'. The DuckDB command-line shell works too, where
installed; this one needs nothing beyond the project's own dependencies.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from insiders import paths
from insiders.commands.readonly import read_only

ENVIRONMENT = {
    "INSIDERS_DUCKDB_PATH": "the database, unless --database is given (default: insiders.duckdb)",
}


def run_query(con: duckdb.DuckDBPyConnection, query: str, *, max_rows: int = 50) -> str:
    """The result of one statement as a table of text (the first max_rows rows)."""
    relation = con.sql(query)
    if relation is None:
        return "ok"
    return str(relation.limit(max_rows) if max_rows else relation)


def statements(stream) -> list[str]:
    """Statements ended by ';' read from a stream of lines (the last may lack its ';')."""
    found, pending = [], []
    for line in stream:
        pending.append(line)
        if line.rstrip().endswith(";"):
            found.append("".join(pending).strip())
            pending = []
    if "".join(pending).strip():
        found.append("".join(pending).strip())
    return found


def run(args: argparse.Namespace) -> int:
    database = Path(args.database)
    with read_only(database, "sql") as con:
        queries = [" ".join(args.query)] if args.query else None
        if queries is None:
            if sys.stdin.isatty():
                print(f"{database}: SQL statements ending in ';', Ctrl-D to quit")
            queries = statements(sys.stdin)
        for query in queries:
            try:
                print(run_query(con, query, max_rows=args.max_rows))
            except duckdb.Error as error:
                print(f"error: {error}", file=sys.stderr)
                return 1
    return 0


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="*", help="a SQL statement (default: read from stdin)")
    parser.add_argument(
        "--database",
        default=str(paths.database_path()),
        help="the DuckDB file, read-only (default: $INSIDERS_DUCKDB_PATH, else insiders.duckdb)",
    )
    parser.add_argument(
        "--max-rows", type=int, default=50, help="rows shown per result, 0 for all (default: 50)"
    )
    parser.set_defaults(func=run)

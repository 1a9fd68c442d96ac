"""The built database opened for reading, or one line that says why it cannot be.

Analysts query the database while the monthly build writes it. DuckDB lets one process write a
file and nobody else open it meanwhile, so a read during a plain ``dbt build`` fails; the
commands that read (``sql``, ``summary``, ``report``) say so in one line instead of a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


def unavailable(command: str, database: Path, error: duckdb.Error) -> str:
    """The line to print when ``database`` cannot be opened for reading."""
    text = str(error)
    if "lock" in text.lower():
        holder = re.search(r"\(PID (\d+)\)", text)
        by = f" (process {holder.group(1)})" if holder else ""
        return (
            f"insiders {command}: {database} is being written by another process{by}, most likely"
            " a dbt build; try again when it has finished"
        )
    return f"insiders {command}: cannot open {database}: {text.splitlines()[0]}"


@contextmanager
def read_only(database: Path, command: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to ``database``; exits with one line when there is none to have."""
    if not Path(database).exists():
        raise SystemExit(
            f"insiders {command}: no database at {database}; build it first (make run), or set"
            " INSIDERS_DUCKDB_PATH or --database"
        )
    try:
        connection = duckdb.connect(str(database), read_only=True)
    except duckdb.Error as error:
        raise SystemExit(unavailable(command, Path(database), error)) from None
    with connection:
        yield connection

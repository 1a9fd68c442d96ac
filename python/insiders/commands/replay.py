"""`insiders replay`: the pipeline run month by month over the data's period, tests on.

A monthly scheduled run builds the project at each month end on the data up to that date. The
replay does the same on past data: for each month end (and the data's last day, when the last
month is not complete) it runs ``dbt build --vars '{as_of_date: ...}'``, which builds the
models, the ``customer_segments_snapshot`` snapshot (its periods start at the run's date) and
the membership marts, and runs the tests, as the scheduled job would. It prints one line per
run: the members, who joined and who left.

A run is keyed by its date, so the replay could run on a used database (a run rewrites the
history from its date on), but it refuses an existing file unless ``--overwrite`` is given, and
never touches the project's own database unless asked to by ``--database``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from insiders.dbt_runner import DbtError, dbt_environment, run_dbt_in_child
from insiders.progress import progress

DEFAULT_DATABASE = "replay.duckdb"


@dataclass(frozen=True)
class RunSummary:
    """One run of the replay: its date and the membership it left."""

    as_of_date: dt.date
    members: int
    joined: int
    left: int

    def line(self) -> str:
        return (
            f"{self.as_of_date.isoformat()}  members {self.members:>6,}"
            f"  joined {self.joined:>5,}  left {self.left:>5,}"
        )


def month_ends(
    first_day: dt.date,
    last_day: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[dt.date]:
    """The run dates: every month end within the data, then its last day if later.

    ``start`` and ``end`` keep the dates between them (both included).
    """
    ends = pd.date_range(first_day, last_day, freq="ME").date.tolist()
    if not ends or ends[-1] < last_day:
        ends.append(last_day)
    return [day for day in ends if (start is None or day >= start) and (end is None or day <= end)]


def run_dbt_step(args: Sequence[str], env: Mapping[str, str], quiet: bool) -> None:
    """Run one dbt step of the replay in a process of its own (as each month's scheduled job
    runs); stop the replay with dbt's log if it fails."""
    try:
        run_dbt_in_child(args, env=env, echo=not quiet)
    except DbtError as error:
        sys.stderr.write(f"{error}\n")
        raise SystemExit(f"dbt {' '.join(args[:1])} failed") from None


def data_period(database: Path) -> tuple[dt.date, dt.date]:
    """First and last invoice day of the cleaned lines."""
    with duckdb.connect(str(database), read_only=True) as con:
        first, last = con.execute(
            "select min(invoiced_on), max(invoiced_on) from intermediate.int_invoice_lines_cleaned"
        ).fetchone()
    if first is None:
        raise SystemExit("the data holds no clean invoice line: nothing to replay")
    return first, last


def run_summary(database: Path, as_of_date: dt.date) -> RunSummary:
    with duckdb.connect(str(database), read_only=True) as con:
        members = con.execute(
            "select count(*) filter (where is_insider) from main.insiders_membership_runs"
            " where as_of_date = ?",
            [as_of_date],
        ).fetchone()[0]
        joined, left = con.execute(
            "select count(*) filter (where change_type = 'joined'),"
            " count(*) filter (where change_type = 'left')"
            " from main.insiders_membership_changes where as_of_date = ?",
            [as_of_date],
        ).fetchone()
    return RunSummary(as_of_date, int(members), int(joined), int(left))


def replay(
    database: Path,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    extra_vars: dict[str, object] | None = None,
    full_build: bool = True,
    env: dict[str, str] | None = None,
    quiet: bool = True,
    echo: bool = True,
) -> list[RunSummary]:
    """Replay the monthly runs into ``database`` (which must not exist yet)."""
    env = dbt_environment(database=database, base=env)
    extra_vars = dict(extra_vars or {})
    # The seeds and the cleaned lines do not depend on the date: build them once to find the period.
    run_dbt_step(
        [
            "build",
            "--select",
            "+int_invoice_lines_cleaned",
            "--exclude",
            "resource_type:test",
            "resource_type:unit_test",
            "--vars",
            json.dumps(extra_vars, default=str),
        ],
        env,
        quiet,
    )
    first_day, last_day = data_period(database)
    summaries = []
    run_dates = month_ends(first_day, last_day, start, end)
    for as_of_date in progress(run_dates, desc="replaying month ends", unit="runs"):
        run_vars = json.dumps({**extra_vars, "as_of_date": as_of_date.isoformat()}, default=str)
        args = ["build", "--vars", run_vars]
        if not full_build:
            args += ["--exclude", "resource_type:test", "resource_type:unit_test"]
        run_dbt_step(args, env, quiet)
        summary = run_summary(database, as_of_date)
        summaries.append(summary)
        if echo:
            print(summary.line(), flush=True)
    return summaries


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


ENVIRONMENT = {
    "INSIDERS_REPLAY_DUCKDB_PATH": f"the database, unless --database is given ({DEFAULT_DATABASE})",
    "INSIDERS_REPLAY_START": "the first run date, unless --start is given (YYYY-MM-DD)",
    "INSIDERS_REPLAY_END": "the last run date, unless --end is given (YYYY-MM-DD)",
    "INSIDERS_RAW_PATH": "the raw file replayed (default: data/raw/online_retail.parquet)",
    "INSIDERS_MAPPING": "the raw file's column mapping: a shipped name or a .yml path "
    "(default: online_retail)",
    "INSIDERS_RAW_ENCODING": "a text file's encoding: auto (default), utf-8, latin-1 or cp1252",
    "INSIDERS_DUCKDB_MEMORY_LIMIT": "DuckDB's memory limit for the builds (default: 6GB)",
}


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--start",
        type=_date,
        default=os.environ.get("INSIDERS_REPLAY_START") or None,
        help="first run date to replay, YYYY-MM-DD (default: $INSIDERS_REPLAY_START, else the"
        " data's first month end)",
    )
    parser.add_argument(
        "--end",
        type=_date,
        default=os.environ.get("INSIDERS_REPLAY_END") or None,
        help="last run date to replay, YYYY-MM-DD (default: $INSIDERS_REPLAY_END, else the"
        " data's last day)",
    )
    parser.add_argument(
        "--database",
        type=Path,
        default=Path(os.environ.get("INSIDERS_REPLAY_DUCKDB_PATH", DEFAULT_DATABASE)),
        help="the DuckDB file to build, relative to the working directory"
        f" (default: $INSIDERS_REPLAY_DUCKDB_PATH, else {DEFAULT_DATABASE})",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="delete the database first if it exists (default: refuse an existing file)",
    )
    parser.add_argument(
        "--vars",
        default="{}",
        help="more dbt vars for every run, as JSON or YAML, e.g. '{cluster_k_max: 6}'"
        " (default: none, the project's vars)",
    )
    parser.add_argument(
        "--no-tests",
        action="store_true",
        help="skip the dbt tests of each run: faster, the models and snapshot are still built"
        " (default: run them, as a scheduled job does)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import yaml

    try:
        extra_vars = yaml.safe_load(args.vars) or {}
    except (yaml.YAMLError, ValueError) as error:
        # An impossible unquoted date ({as_of_date: 2011-02-30}) fails in YAML itself.
        reason = " ".join(str(error).split())
        print(f"insiders replay: --vars {args.vars} cannot be read: {reason}", file=sys.stderr)
        return 2
    if not isinstance(extra_vars, dict):
        print(f"insiders replay: --vars must be a mapping, got {args.vars}", file=sys.stderr)
        return 2
    database = args.database.resolve()
    if database.exists():
        if not args.overwrite:
            print(
                f"{database} exists: a replay needs a fresh database (use --overwrite)",
                file=sys.stderr,
            )
            return 2
        database.unlink()
        Path(f"{database}.wal").unlink(missing_ok=True)
    database.parent.mkdir(parents=True, exist_ok=True)
    print(f"replaying into {database}")
    replay(
        database,
        start=args.start,
        end=args.end,
        extra_vars=extra_vars,
        full_build=not args.no_tests,
    )
    return 0

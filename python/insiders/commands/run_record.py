"""The record of each published run, ``audit.published_runs``, and what a failed build reports.

`insiders build` appends one row per published run to the work copy just before publishing it,
so the table carries over from run to run with the database (plain ``dbt build`` writes none):
when the run started and was published, the raw file with its size and SHA-256, the vars (those
given and the effective ones), the dbt arguments, the row counts of the tables a build writes,
and the versions of dbt, dbt-duckdb, DuckDB and the project (with its git commit when known).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import uuid
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import duckdb
import yaml

from insiders import paths
from insiders.commands.summary import table_counts

REPO = paths.project_dir()
TABLE = "audit.published_runs"
COLUMNS = """
    run_id varchar primary key,
    started_at timestamp with time zone,
    published_at timestamp with time zone,
    copy_seconds double,
    raw_path varchar,
    raw_bytes bigint,
    raw_sha256 varchar,
    cli_vars json,
    effective_vars json,
    dbt_arguments json,
    row_counts json,
    dbt_version varchar,
    dbt_duckdb_version varchar,
    duckdb_version varchar,
    insiders_version varchar,
    git_commit varchar
"""
COMMENT = (
    "One row per run published by `insiders build`: when, on which raw file (path, bytes, "
    "SHA-256), with which vars and dbt arguments, the row counts, and the versions."
)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def effective_vars(cli_vars: str | None) -> dict:
    """The project's vars (dbt_project.yml) with those given on the command line on top."""
    project = yaml.safe_load((REPO / "dbt_project.yml").read_text(encoding="utf-8"))
    given = yaml.safe_load(cli_vars) if cli_vars else {}
    return {**(project.get("vars") or {}), **(given or {})}


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


def collect(
    work: Path,
    env: dict[str, str],
    cli_vars: str | None,
    arguments: Sequence[str],
    started: dt.datetime,
    copy_seconds: float,
) -> dict:
    """The run's row, read from the built work copy and the environment."""
    raw = Path(env["INSIDERS_RAW_PATH"])
    raw_file = raw if raw.is_absolute() else REPO / raw
    counts = {name: count for name, count, _label in table_counts(work) if count is not None}
    return {
        "run_id": str(uuid.uuid4()),
        "started_at": started,
        "published_at": now(),
        "copy_seconds": round(copy_seconds, 3),
        "raw_path": str(raw_file),
        "raw_bytes": raw_file.stat().st_size if raw_file.is_file() else None,
        "raw_sha256": file_sha256(raw_file) if raw_file.is_file() else None,
        "cli_vars": json.dumps(yaml.safe_load(cli_vars) if cli_vars else {}, default=str),
        "effective_vars": json.dumps(effective_vars(cli_vars), default=str, sort_keys=True),
        "dbt_arguments": json.dumps(list(arguments)),
        "row_counts": json.dumps(counts),
        "dbt_version": _version("dbt-core"),
        "dbt_duckdb_version": _version("dbt-duckdb"),
        "duckdb_version": duckdb.__version__,
        "insiders_version": _version("insiders"),
        "git_commit": _git_commit(),
    }


def write(database: Path, record: dict) -> None:
    """Append ``record`` to the run table of ``database`` (created on first use)."""
    with duckdb.connect(str(database)) as con:
        con.execute("create schema if not exists audit")
        con.execute(f"create table if not exists {TABLE} ({COLUMNS})")
        con.execute(f"comment on table {TABLE} is '{COMMENT}'")
        names = ", ".join(record)
        marks = ", ".join("?" for _ in record)
        con.execute(f"insert into {TABLE} ({names}) values ({marks})", list(record.values()))


def failed_nodes(target: Path) -> list[tuple[str, str]]:
    """(node, status) of the nodes that errored or failed in the last dbt run."""
    try:
        results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [
        (result["unique_id"], result["status"])
        for result in results.get("results", [])
        if result.get("status") in ("error", "fail")
    ]


def rejections_per_reason(database: Path) -> list[str]:
    """Lines of text: the rejected lines per reason and their share of the raw lines."""
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            rows = con.execute(
                "select rejection_reason, line_count, line_count / sum(line_count) over ()"
                " from audit.invoice_line_accounting where line_count > 0"
                " order by outcome, rule_order"
            ).fetchall()
    except duckdb.Error:
        return []
    lines = []
    for reason, count, share in rows:
        lines.append(f"{reason or 'kept':<28} {count:>12,} lines  {share:7.2%}")
    return ["raw lines by outcome:", *lines]

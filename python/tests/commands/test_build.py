"""`insiders build` publishes a complete, tested build atomically, or leaves the database as it was.

Each test starts from a copy of the session's built pipeline (the "published" database) and
compares it table by table, and byte for byte, before and after.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import BIN, REPO

from insiders.commands.build import remove_stale_work_dirs, work_dir

pytestmark = pytest.mark.slow

# Quick builds: the landing, cleaning and accounting models with their tests.
ACCOUNTING = ("--select", "+invoice_line_accounting")


def fingerprint(database: Path) -> dict[str, tuple[int, int]]:
    """Every table's row count and a hash of its content."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() order by all"
        ).fetchall()
        return {
            f"{schema}.{table}": tuple(
                con.execute(
                    f'select count(*), coalesce(sum(hash(t)), 0) from "{schema}"."{table}" as t'
                ).fetchall()[0]
            )
            for schema, table in tables
        }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def published(pipeline, tmp_path) -> Path:
    """A published database: a copy of the session's build."""
    path = tmp_path / "published.duckdb"
    shutil.copyfile(pipeline.database, path)
    return path


def build_env(pipeline, published: Path) -> dict[str, str]:
    env = dict(pipeline.env)
    env.update(
        INSIDERS_DUCKDB_PATH=str(published),
        DBT_TARGET_PATH=str(published.parent / "target"),
        DBT_LOG_PATH=str(published.parent / "logs"),
    )
    return env


def insiders_build(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "insiders"), "build", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def leftovers(published: Path) -> list[Path]:
    return sorted(published.parent.glob(f".{published.name}.build-*"))


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_build_failing_a_test_leaves_the_database_as_it_was(pipeline, published):
    before, digest = fingerprint(published), sha256(published)
    # A build killed outright (SIGKILL) left its work folder behind: the next build removes it.
    stale = work_dir(published, dead_pid())
    stale.mkdir()
    (stale / published.name).write_bytes(b"half a database")

    result = insiders_build(
        build_env(pipeline, published),
        "--vars",
        "{rejected_share_error: 0.001}",
        *ACCOUNTING,
    )

    assert result.returncode != 0
    assert "left as it was" in result.stderr
    # Too many rejected lines: the failing test is named, and the lines per reason listed.
    assert "rejected_share_at_most_error_threshold" in result.stderr
    assert "unit_price_below_minimum" in result.stderr
    assert "excluded_stock_code" in result.stderr
    assert fingerprint(published) == before
    assert sha256(published) == digest
    assert leftovers(published) == []


def test_a_build_stopped_by_sigterm_midway_leaves_the_database_as_it_was(pipeline, published):
    before, digest = fingerprint(published), sha256(published)
    process = subprocess.Popen(
        [str(BIN / "insiders"), "build", "--select", "+cluster_model_selection"],
        cwd=REPO,
        env=build_env(pipeline, published),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []
    for line in process.stdout:
        seen.append(line)
        if "START python table model main.cluster_model_selection" in line:
            break
    else:
        pytest.fail("the build ended before cluster selection started:\n" + "".join(seen))
    time.sleep(1)  # the clustering is under way
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=120)

    assert process.returncode == 128 + signal.SIGTERM
    assert "stopped by SIGTERM" in err
    assert fingerprint(published) == before
    assert sha256(published) == digest
    assert leftovers(published) == []


READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
def runs():
    return con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'audit'"
        " and table_name = 'published_runs'").fetchall()[0][0]
print(runs(), flush=True)
sys.stdin.readline()
print(runs(), flush=True)
"""


def test_a_passing_build_is_published_while_a_reader_keeps_the_old_run(pipeline, published):
    snapshot_before = fingerprint(published)["snapshots.customer_segments_snapshot"]
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout.readline().strip() == "0"  # the reader has the old file open

    # More rejected lines than the warning threshold: a warning, and the run is published.
    result = insiders_build(
        build_env(pipeline, published), "--vars", "{rejected_share_warn: 0.001}", *ACCOUNTING
    )

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    assert "WARN" in result.stdout and "rejected_share_at_most_warning_threshold" in result.stdout
    out, _err = reader.communicate("\n", timeout=60)
    assert out.strip() == "0"  # still the old run, never blocked
    assert leftovers(published) == []
    with duckdb.connect(str(published), read_only=True) as con:  # the next reader: the new run
        runs = con.execute("select * from audit.published_runs").df()
        raw_lines = con.execute("select count(*) from raw.invoice_lines").fetchall()[0][0]
    assert len(runs) == 1
    run = runs.iloc[0]
    assert run["raw_path"] == str(pipeline.raw_path)
    assert run["raw_sha256"] == sha256(pipeline.raw_path)
    assert json.loads(run["cli_vars"]) == {"rejected_share_warn": 0.001}
    assert json.loads(run["effective_vars"])["min_unit_price"] == 0.04
    assert json.loads(run["row_counts"])["raw.invoice_lines"] == raw_lines
    assert run["dbt_version"].startswith("1.11")
    assert run["published_at"] >= run["started_at"]
    # History carries over from the published copy.
    assert fingerprint(published)["snapshots.customer_segments_snapshot"] == snapshot_before


def test_stale_work_folders_of_live_builds_are_kept(tmp_path):
    published = tmp_path / "x.duckdb"
    live, dead = work_dir(published, os.getpid()), work_dir(published, dead_pid())
    live.mkdir()
    dead.mkdir()
    assert remove_stale_work_dirs(published) == [dead]
    assert live.exists() and not dead.exists()

"""The README's monthly commands, run as it writes them, with their tests on: the scheduled
`make build` on a fresh database and again on the used one, the rerun of a past month, and
`make replay` on a fresh database and again over its own (the replay's first month end is
where it used to fail). Tiny data; the replay stops at its first month ends
(INSIDERS_REPLAY_END), the whole period is timed by hand at scale 1 (README)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest
from conftest import PIPELINE_SEED, REPO

from insiders.generator.generate import generate

pytestmark = pytest.mark.slow

MONTHLY = (
    "INSIDERS_RAW_PATH=/data/exports/online_retail.parquet"
    " INSIDERS_DUCKDB_PATH=/data/insiders.duckdb make build"
)
RERUN = """.venv/bin/insiders build --vars '{as_of_date: "2011-10-31"}'"""
REPLAY = "make replay"
SCALE = 0.02


def readme_command(command: str) -> str:
    """The README's line that starts with ``command``, without its comment."""
    for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith(command):
            return line.split("   #")[0].split("    #")[0].strip()
    raise AssertionError(f"the README no longer shows {command!r}")


def shell(command: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["bash", "-c", command], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{command}\n{result.stdout[-6000:]}{result.stderr[-3000:]}"
    return result


def clean_env(root: Path, **values: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("INSIDERS_", "DBT_", "MAKE"))
    }
    env.update(DBT_TARGET_PATH=str(root / "target"), DBT_LOG_PATH=str(root / "logs"), **values)
    return env


def run_dates(database: Path) -> list[str]:
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select distinct as_of_date from main.insiders_membership_runs order by 1"
        ).fetchall()
    return [row[0].isoformat() for row in rows]


def test_the_monthly_build_and_a_rerun_as_the_readme_writes_them(tmp_path):
    raw = generate(tmp_path / "export.parquet", scale=SCALE, seed=PIPELINE_SEED).data_path
    database = tmp_path / "published" / "insiders.duckdb"
    monthly = (
        readme_command(MONTHLY)
        .replace("/data/exports/online_retail.parquet", str(raw))
        .replace("/data/insiders.duckdb", str(database))
    )
    env = clean_env(tmp_path, INSIDERS_REPORTS_DIR=str(tmp_path / "reports"))

    shell(monthly, env)  # a fresh database
    assert run_dates(database) == ["2011-12-09"]
    shell(monthly, env)  # the used one, the same month again
    assert run_dates(database) == ["2011-12-09"]

    rerun = readme_command(RERUN)
    assert rerun == RERUN
    shell(rerun, {**env, "INSIDERS_RAW_PATH": str(raw), "INSIDERS_DUCKDB_PATH": str(database)})
    # An earlier date rewrites the history from there: the later run goes until rerun.
    assert run_dates(database) == ["2011-10-31"]


def test_make_replay_with_its_tests_on_a_fresh_database_and_its_own(tmp_path):
    raw = generate(tmp_path / "export.parquet", scale=SCALE, seed=PIPELINE_SEED).data_path
    reports = tmp_path / "reports"
    env = clean_env(tmp_path, INSIDERS_RAW_PATH=str(raw), INSIDERS_REPORTS_DIR=str(reports))
    replay = readme_command(REPLAY)
    assert replay == REPLAY

    first = shell(replay, {**env, "INSIDERS_REPLAY_END": "2010-12-31"})
    assert run_dates(reports / "replay.duckdb") == ["2010-12-31"]
    assert "2010-12-31  members" in first.stdout
    # Its tests ran, and passed: the month's dbt results hold them.
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    tests = [r["status"] for r in results if r["unique_id"].startswith(("test.", "unit_test."))]
    assert len(tests) > 100
    assert set(tests) == {"pass"}
    shell(replay, {**env, "INSIDERS_REPLAY_END": "2011-01-31"})  # over the used database
    assert run_dates(reports / "replay.duckdb") == ["2010-12-31", "2011-01-31"]

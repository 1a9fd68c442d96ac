"""The README's monthly commands, run as it writes them, with their tests on: the scheduled
`make build` on a fresh database and again on the used one, and the rerun of a past month.
Tiny data (`make replay` has its module: test_readme_replay.py)."""

from __future__ import annotations

import pytest
from conftest import PIPELINE_SEED
from readme_commands import clean_env, readme_command, run_dates, shell

from insiders.generator.generate import generate

pytestmark = pytest.mark.slow

MONTHLY = (
    "INSIDERS_RAW_PATH=/data/exports/online_retail.parquet"
    " INSIDERS_DUCKDB_PATH=/data/insiders.duckdb make build"
)
RERUN = """.venv/bin/insiders build --vars '{as_of_date: "2011-10-31"}'"""
SCALE = 0.02


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

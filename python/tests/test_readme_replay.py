"""`make replay` as the README writes it, with its tests on, on a fresh database and again over
its own (the replay's first month end is where it used to fail). Tiny data; the replay stops at
its first month ends (INSIDERS_REPLAY_END); the whole period is timed by hand at scale 1 (README).
"""

from __future__ import annotations

import json

import pytest
from conftest import PIPELINE_SEED
from readme_commands import clean_env, readme_command, run_dates, shell

from insiders.generator.generate import generate

pytestmark = pytest.mark.slow

REPLAY = "make replay"
SCALE = 0.02


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

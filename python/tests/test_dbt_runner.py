"""dbt through the one runner: in this process, with the environment it is given, and nothing of
one invocation (environment, folder, open database) left for the next or for the caller."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import warnings
from pathlib import Path

import duckdb
import pytest

from insiders.dbt_runner import DbtError, dbt_environment, run_dbt

SEED = "excluded_countries"


@pytest.fixture(scope="module")
def dbt_folders(tmp_path_factory) -> dict[str, Path]:
    """One target and log folder for the module (dbt parses the project once, then partially)
    and a raw file of its own: a run never depends on what another test left in data/raw."""
    from insiders.generator.generate import generate

    folder = tmp_path_factory.mktemp("dbt")
    raw = generate(folder / "online_retail.parquet", scale=0.01, seed=1).data_path
    return {"target_path": folder / "target", "log_path": folder / "logs", "raw_path": raw}


def seed_into(folder: Path, name: str, dbt_folders) -> tuple[Path, dict[str, str]]:
    database = folder / f"{name}.duckdb"
    return database, dbt_environment(database=database, **dbt_folders)


@pytest.mark.slow
def test_runs_leave_no_state_behind(tmp_path, monkeypatch, dbt_folders):
    monkeypatch.chdir(tmp_path)
    environment_before = dict(os.environ)
    first, first_env = seed_into(tmp_path, "first", dbt_folders)
    second, second_env = seed_into(tmp_path, "second", dbt_folders)

    run = run_dbt(["seed", "--select", SEED], env={**first_env, "INSIDERS_PROBE": "1"})
    assert run.success
    # The on-run-start hook (validate_vars) is a result too; the seed is the one node.
    seeds = [r for r in run.result.results if str(r.node.resource_type) == "seed"]
    assert [str(result.status) for result in seeds] == ["success"]
    assert dict(os.environ) == environment_before
    assert Path.cwd() == tmp_path
    # The database is closed: this process can open it for writing, and drop what dbt wrote.
    with duckdb.connect(str(first)) as con:
        assert con.execute(f"select count(*) from reference.{SEED}").fetchall()[0][0] > 0
        con.execute(f"drop table reference.{SEED}")

    # The next invocation builds where its own environment says, not where the last one did.
    run_dbt(["seed", "--select", SEED], env=second_env)
    with duckdb.connect(str(second), read_only=True) as con:
        assert con.execute(f"select count(*) from reference.{SEED}").fetchall()[0][0] > 0
    with duckdb.connect(str(first), read_only=True) as con:
        tables = con.execute("select table_name from duckdb_tables()").fetchall()
    assert (SEED,) not in tables
    # Nothing left open to be found by the garbage collector (event loops, sockets, files).
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


@pytest.mark.slow
def test_a_failed_run_raises_with_dbt_s_log(tmp_path, dbt_folders):
    _database, env = seed_into(tmp_path, "failed", dbt_folders)
    with pytest.raises(DbtError, match=r"(?s)run-operation no_such_macro failed.*no_such_macro"):
        run_dbt(["run-operation", "no_such_macro"], env=env)


@pytest.mark.slow
def test_the_module_runs_dbt_from_a_shell(tmp_path, dbt_folders):
    database, env = seed_into(tmp_path, "shell", dbt_folders)
    result = subprocess.run(
        [sys.executable, "-m", "insiders.dbt_runner", "seed", "--select", SEED],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert database.exists()

"""The README's commands run as it writes them, in a shell from the project folder: finding the
line, running it with a clean environment, reading which runs a database holds."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
from conftest import REPO


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

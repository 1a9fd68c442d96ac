"""The project folder and the default files are found from any working directory."""

from __future__ import annotations

from pathlib import Path

import yaml

from insiders import paths

REPO = Path(__file__).resolve().parents[2]


def test_the_project_is_found_from_another_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("DBT_PROJECT_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert paths.project_dir() == REPO
    assert paths.project_dir({"DBT_PROJECT_DIR": str(tmp_path)}) == tmp_path


def test_default_files_are_in_the_project_and_the_environment_overrides_them(tmp_path):
    environ = {"DBT_PROJECT_DIR": str(REPO)}
    assert paths.raw_path(environ) == REPO / "data" / "raw" / "online_retail.parquet"
    assert paths.database_path(environ) == REPO / "insiders.duckdb"
    given = {**environ, "INSIDERS_RAW_PATH": "x/raw.csv", "INSIDERS_DUCKDB_PATH": str(tmp_path)}
    assert paths.raw_path(given) == REPO / "x" / "raw.csv"
    assert paths.database_path(given) == tmp_path


def test_the_profile_names_the_same_default_database():
    """dbt's profile cannot import Python, so it states the default too: they must agree."""
    profile = yaml.safe_load((REPO / "profiles.yml").read_text())
    # The file is attached (under a fixed catalog name), so its path is the attach entry's.
    path = profile["insiders"]["outputs"]["dev"]["attach"][0]["path"]
    assert f"'{paths.DATABASE_VARIABLE}', '{paths.DEFAULT_DATABASE}'" in path

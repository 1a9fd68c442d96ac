"""Where the project and its files are: the dbt project folder, the raw file, the database.

Each default is written here once. A relative path in ``INSIDERS_RAW_PATH`` or
``INSIDERS_DUCKDB_PATH`` is taken, as dbt takes it, from the folder dbt runs in: the project
folder (``insiders.dbt_runner`` runs dbt there, and so does ``make``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

# Relative to the project folder.
DEFAULT_RAW_PATH = "data/raw/online_retail.parquet"
DEFAULT_DATABASE = "insiders.duckdb"

RAW_PATH_VARIABLE = "INSIDERS_RAW_PATH"
DATABASE_VARIABLE = "INSIDERS_DUCKDB_PATH"
PROJECT_FILE = "dbt_project.yml"


def _environ(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def project_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The dbt project folder, whatever the working directory.

    ``DBT_PROJECT_DIR`` when set; else the first folder holding ``dbt_project.yml`` above this
    package (a source checkout), then above the working directory.
    """
    given = _environ(environ).get("DBT_PROJECT_DIR")
    if given:
        return Path(given).resolve()
    for start in (Path(__file__).resolve().parent, Path.cwd().resolve()):
        for folder in (start, *start.parents):
            if (folder / PROJECT_FILE).is_file():
                return folder
    raise FileNotFoundError(
        f"no {PROJECT_FILE} above {Path(__file__).parent} or {Path.cwd()}: "
        "set DBT_PROJECT_DIR to the insiders project"
    )


def _in_project(path: str, environ: Mapping[str, str] | None) -> Path:
    given = Path(path).expanduser()
    return given if given.is_absolute() else project_dir(environ) / given


def raw_path(environ: Mapping[str, str] | None = None) -> Path:
    """The raw invoice-lines file: ``INSIDERS_RAW_PATH``, else the generated data."""
    return _in_project(_environ(environ).get(RAW_PATH_VARIABLE) or DEFAULT_RAW_PATH, environ)


def database_path(environ: Mapping[str, str] | None = None) -> Path:
    """The DuckDB file dbt builds: ``INSIDERS_DUCKDB_PATH``, else ``insiders.duckdb``."""
    return _in_project(_environ(environ).get(DATABASE_VARIABLE) or DEFAULT_DATABASE, environ)

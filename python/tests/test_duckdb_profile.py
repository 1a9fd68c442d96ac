"""The DuckDB target of profiles.yml, opened the way dbt-duckdb opens it.

dbt-duckdb opens the database once with the profile's ``config_options`` and then runs each of
its ``settings`` again on every cursor it hands a model or a test. DuckDB refuses to switch its
temporary directory once a query has spilled into it, so a ``temp_directory`` among the
settings broke every build large enough to spill (scale 100 under its memory limit; scale 1
under 100MB) at the first cursor after the spill.
"""

from __future__ import annotations

import jinja2
import yaml
from dbt.adapters.duckdb.credentials import DuckDBCredentials
from dbt.adapters.duckdb.environments import Environment

from insiders.paths import project_dir

# Sorting ten times more than the memory limit holds spills whatever the machine.
SPILLING_QUERY = "select max(j) from (select hash(i) as j from range(4000000) t(i) order by j)"


def dev_credentials(env: dict[str, str]) -> DuckDBCredentials:
    """The `dev` output of profiles.yml, rendered with ``env`` as dbt renders env_var()."""
    text = (project_dir() / "profiles.yml").read_text()
    rendered = jinja2.Template(text).render(
        env_var=lambda name, default=None: env.get(name, default)
    )
    output = yaml.safe_load(rendered)["insiders"]["outputs"]["dev"]
    fields = {key: value for key, value in output.items() if key not in ("type", "threads")}
    return DuckDBCredentials.from_dict({**fields, "plugins": []})


def test_a_query_that_spills_leaves_the_next_cursor_working(tmp_path):
    credentials = dev_credentials(
        {
            "INSIDERS_DUCKDB_PATH": str(tmp_path / "insiders.duckdb"),
            "INSIDERS_DUCKDB_MEMORY_LIMIT": "20MB",
            "INSIDERS_DUCKDB_TEMP": str(tmp_path / "spill"),
        }
    )
    database = Environment.initialize_db(credentials)
    first = Environment.initialize_cursor(credentials, database.cursor())
    first.execute(SPILLING_QUERY).fetchall()

    second = Environment.initialize_cursor(credentials, database.cursor())

    assert second.execute("select current_setting('temp_directory')").fetchall() == [
        (str(tmp_path / "spill"),)
    ]
    assert second.execute("select current_setting('memory_limit')").fetchall() == [("19.0 MiB",)]

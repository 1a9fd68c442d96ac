"""The dbt-duckdb plugin: it lands every shape through dbt, and a bad file stops dbt."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from dbt.adapters.duckdb.utils import SourceConfig
from landing_files import UCI_HEADER, landed, uci_parquet, uci_workbook, write_bytes

from insiders.landing import raw_file
from insiders.landing.dbt_plugin import Plugin
from insiders.landing.raw_file import LANDED_SCHEMA, RawFileError


def source_config(meta: dict) -> SourceConfig:
    return SourceConfig(
        name="invoice_lines",
        identifier="invoice_lines",
        schema="raw",
        database=None,
        meta=meta,
        tags=[],
    )


def test_plugin_loads_the_raw_path_with_its_encoding(tmp_path, monkeypatch):
    path = write_bytes(tmp_path / "data.csv", f"{UCI_HEADER}\n1,A,\xa3,1,d,1,1,UK\n", "latin-1")
    plugin = Plugin("insiders_raw", {})

    reader = plugin.load(source_config({"raw_path": str(path), "encoding": "latin-1"}))

    assert reader.read_all().column("description").to_pylist() == ["£"]
    # No raw_path: the default raw file (insiders.paths), taken from the folder dbt runs in.
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RawFileError, match=r"online_retail\.parquet: no such file"):
        plugin.load(source_config({}))
    with pytest.raises(RawFileError, match="must be materialized as a table"):
        plugin.load(source_config({"raw_path": str(path), "materialization": "view"}))


def dbt_project(root: Path) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text(
        "name: landing_check\nversion: '1.0'\nconfig-version: 2\nprofile: landing_check\n"
    )
    (root / "profiles.yml").write_text(
        textwrap.dedent(
            f"""\
            landing_check:
              target: dev
              outputs:
                dev:
                  type: duckdb
                  path: "{root / "landing.duckdb"}"
                  threads: 1
                  plugins:
                    - module: insiders.landing.dbt_plugin
                      alias: insiders_raw
            """
        )
    )
    (root / "models" / "_sources.yml").write_text(
        textwrap.dedent(
            """\
            sources:
              - name: retail
                schema: raw
                tables:
                  - name: invoice_lines
                    meta:
                      plugin: insiders_raw
                      raw_path: "{{ env_var('INSIDERS_RAW_PATH') }}"
                      encoding: auto
            """
        )
    )
    (root / "models" / "landed_lines.sql").write_text(
        "select * from {{ source('retail', 'invoice_lines') }}\n"
    )
    return root


def run_dbt(project: Path, raw_path: Path) -> subprocess.CompletedProcess[str]:
    # A subprocess: dbt's in-process runner keeps global state and logging between runs.
    environment = {
        **os.environ,
        "INSIDERS_RAW_PATH": str(raw_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PYTHONPATH": os.pathsep.join([str(Path(raw_file.__file__).parents[2]), *sys.path]),
    }
    dbt = Path(sys.executable).with_name("dbt")
    return subprocess.run(
        [str(dbt), "run", "--project-dir", str(project), "--profiles-dir", str(project)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=project,
        check=False,
    )


@pytest.mark.slow
def test_dbt_lands_every_shape_through_the_plugin(tmp_path):
    project = dbt_project(tmp_path / "project")
    raw_files = [
        write_bytes(
            tmp_path / "data.csv", f"{UCI_HEADER}\n1,A,\xa3,1,d,1,1.0,UK\n2,B,b,2,d,2", "latin-1"
        ),
        uci_workbook(tmp_path / "Online Retail.xlsx"),
        uci_parquet(tmp_path / "online_retail.parquet", UCI_HEADER.upper().split(",")),
    ]
    landed_by_dbt = {}
    for raw_path in raw_files:
        result = run_dbt(project, raw_path)
        assert result.returncode == 0, result.stdout + result.stderr
        with duckdb.connect(str(project / "landing.duckdb"), read_only=True) as con:
            table = con.sql("select * from raw.invoice_lines").to_arrow_table()
            model = con.sql("select count(*) from main.landed_lines").fetchall()
        assert table.schema.names == LANDED_SCHEMA.names
        assert model == [(table.num_rows,)]
        landed_by_dbt[raw_path.name] = table.to_pylist()

    for raw_path in raw_files:
        assert landed_by_dbt[raw_path.name] == landed(raw_path)
    assert landed_by_dbt["data.csv"][0]["description"] == "£"


@pytest.mark.slow
def test_dbt_fails_before_building_on_a_bad_file(tmp_path):
    project = dbt_project(tmp_path / "project")
    raw_path = write_bytes(tmp_path / "data.csv", "a;b;c\n1;2;3\n")

    result = run_dbt(project, raw_path)

    assert result.returncode != 0
    assert "the delimiter looks wrong" in result.stdout

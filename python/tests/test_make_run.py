"""`make run` as the README shows it, with every path a user may hand it: spaces, quotes,
non-ASCII, a database named after a year. Builds a small file end to end (report, docs site,
members list) and publishes it with `insiders build`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import BIN, REPO

from insiders.generator.generate import generate

pytestmark = pytest.mark.slow

README_EXAMPLE = 'INSIDERS_RAW_PATH="$HOME/Downloads/Online Retail.xlsx" make run'


def test_make_run_with_the_readme_example_and_awkward_paths(tmp_path):
    assert README_EXAMPLE in (REPO / "README.md").read_text(encoding="utf-8")
    home = tmp_path / "Zoë's home"
    workbook = home / "Downloads" / "Online Retail.xlsx"
    workbook.parent.mkdir(parents=True)
    lines = pd.read_parquet(generate(tmp_path / "lines.parquet", scale=0.05, seed=5).data_path)
    lines.to_excel(workbook, index=False, sheet_name="Online Retail")
    database = tmp_path / "2011 Insiders ü's.duckdb"  # a digit first: the catalog name
    reports = tmp_path / "reports ü's"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("INSIDERS_", "DBT_", "MAKE"))
    }
    env.update(
        HOME=str(home),
        INSIDERS_DUCKDB_PATH=str(database),
        INSIDERS_REPORTS_DIR=str(reports),
        DBT_TARGET_PATH=str(tmp_path / "target"),
        DBT_LOG_PATH=str(tmp_path / "logs"),
    )

    result = subprocess.run(
        ["bash", "-c", README_EXAMPLE],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert (reports / "insiders_report.html").stat().st_size > 0
    assert (reports / "docs.html").stat().st_size > 0
    members = pd.read_csv(reports / "insiders_members.csv")
    with duckdb.connect(str(database), read_only=True) as con:
        raw_lines = con.execute("select count(*) from raw.invoice_lines").fetchall()[0][0]
        insiders = con.execute("select count(*) from main.insiders").fetchall()[0][0]
        runs = con.execute("select raw_path, row_counts from audit.published_runs").fetchall()
    assert raw_lines == len(lines)
    assert len(members) == insiders > 0
    assert list(members.columns[:5]) == [
        "customer_id",
        "segment",
        "revenue",
        "joined_on",
        "is_control_group",
    ]
    assert [Path(raw_path) for raw_path, _ in runs] == [workbook]
    assert "insiders_members.csv" in result.stdout  # the summary lists it
    assert not list(tmp_path.glob(".*.build-*"))  # no work copy left behind

    # The README's export and query commands, as written, on this database.
    readme = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    shown = [
        line.split("   #")[0]
        for line in readme
        if line.startswith((".venv/bin/insiders export", ".venv/bin/insiders sql"))
    ]
    assert len(shown) == 6
    for line in shown:
        ran = subprocess.run(
            ["bash", "-c", line.replace(".venv/bin/insiders", str(BIN / "insiders"), 1)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert ran.returncode == 0, f"{line}\n{ran.stdout}{ran.stderr}"
        assert ran.stdout.strip(), line  # every example answers something
    assert pd.read_csv(tmp_path / "reports" / "insiders_members.csv").equals(members)
    assert (tmp_path / "reports" / "insiders_segment.parquet").exists()


def test_the_readme_generate_examples_as_written(tmp_path):
    """The README's `insiders generate` lines write what they say, where they say."""
    readme = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    shown = [line for line in readme if line.startswith(".venv/bin/insiders generate")]
    assert len(shown) == 2
    for line in shown:
        command = line.split("   #")[0].replace(".venv/bin/insiders", str(BIN / "insiders"), 1)
        ran = subprocess.run(
            ["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, check=False
        )
        assert ran.returncode == 0, f"{line}\n{ran.stdout}{ran.stderr}"
    small = pd.read_parquet(tmp_path / "data" / "raw" / "small.parquet")
    kaggle = pd.read_csv(tmp_path / "data" / "raw" / "data.csv", encoding="latin-1")
    assert 0 < len(small) < len(kaggle) / 5
    assert "InvoiceNo" in kaggle.columns

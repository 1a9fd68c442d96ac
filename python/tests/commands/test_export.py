"""`insiders export`: the members, or a segment, for marketing tools, from the tables the report
reads."""

from __future__ import annotations

import subprocess

import duckdb
import pandas as pd
import pytest
from conftest import BIN

from insiders.commands.export import output_format

pytestmark = pytest.mark.slow

COLUMNS = ["customer_id", "segment", "revenue", "joined_on", "is_control_group", "email"]


def export(pipeline, cwd, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "insiders"), "export", "--database", str(pipeline.database), *args],
        cwd=cwd,
        env=pipeline.env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_members_list_is_the_programme_list(pipeline, tmp_path):
    # A relative path with a space, a quote and an accent, from where the user stands.
    result = export(pipeline, tmp_path, "--members", "--output", "lists/Insiders ü's.csv")

    assert result.returncode == 0, result.stderr
    members = pd.read_csv(tmp_path / "lists" / "Insiders ü's.csv")
    programme = pipeline.frame(
        "select customer_id, gross_revenue, is_control_group from main.insiders"
        " order by revenue_rank"
    )
    assert list(members.columns) == COLUMNS
    assert members["customer_id"].tolist() == programme["customer_id"].tolist()
    assert members["revenue"].tolist() == pytest.approx(programme["gross_revenue"].tolist())
    assert members["is_control_group"].tolist() == programme["is_control_group"].tolist()
    assert members["joined_on"].notna().all()  # every member joined at a run of the snapshot
    assert members["email"].isna().all()  # the retail data has no email
    assert f"{len(members):,} members written" in result.stdout


def test_a_segment_exports_to_parquet(pipeline, tmp_path):
    segment, customers = pipeline.query(
        "select segment, count(*) from main.customer_segments where not is_insider"
        " group by segment order by count(*) desc limit 1"
    )[0]
    result = export(
        pipeline,
        tmp_path,
        "--segment",
        segment,
        "--output",
        str(tmp_path / "s.pq"),
        "--format",
        "parquet",
    )

    assert result.returncode == 0, result.stderr
    with duckdb.connect() as con:
        rows = con.execute(
            "select count(*), count(distinct segment), max(segment) from read_parquet(?)",
            [str(tmp_path / "s.pq")],
        ).fetchall()[0]
    assert rows == (customers, 1, segment)


def test_an_unknown_segment_is_refused_with_the_segments_there_are(pipeline, tmp_path):
    result = export(pipeline, tmp_path, "--segment", "Nobody", "--output", "x.csv")

    assert result.returncode == 2
    assert "no segment 'Nobody'" in result.stderr and "Insiders" in result.stderr
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    ("name", "given", "expected"),
    [
        ("a.parquet", None, "parquet"),
        ("a.CSV", None, "csv"),
        ("a.txt", None, "csv"),
        ("a.csv", "parquet", "parquet"),
    ],
)
def test_the_format_follows_the_file_name_unless_given(tmp_path, name, given, expected):
    assert output_format(tmp_path / name, given) == expected

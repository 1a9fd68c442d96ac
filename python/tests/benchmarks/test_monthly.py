"""The monthly benchmark: a monthly run and a full rebuild timed, its section of BENCHMARKS.md."""

from __future__ import annotations

import json

import duckdb
import pytest
from benchmarks.monthly import SECTION_END, SECTION_START, main


@pytest.mark.slow
def test_the_monthly_benchmark_times_both_runs_and_writes_its_section(tmp_path, capsys):
    out = tmp_path / "BENCHMARKS.md"
    out.write_text(f"# Benchmarks\n\n{SECTION_START}\nold figures\n{SECTION_END}\n\n## Next\n")

    assert main(["--scales", "0.01", "--data", str(tmp_path), "--out", str(out)]) == 0

    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert 0 < figures["new_lines"] < figures["lines"]
    text = out.read_text()
    assert "old figures" not in text and text.endswith("## Next\n")
    assert [line for line in text.splitlines() if line.startswith("| 0.01 |")]
    # Both runs left the same lines: the monthly run is the full rebuild's equal.
    work = tmp_path / "monthly" / "s0.01"
    with duckdb.connect() as con:
        for name in ("monthly", "full"):
            con.execute(f"attach '{work / name}.duckdb' as {name}_run (read_only)")
        for table in ("int_invoice_lines_screened", "int_invoice_lines_cleaned"):
            query = "select count(*), sum(hash(t)) from {}_run.intermediate." + table + " as t"
            assert (
                con.execute(query.format("monthly")).fetchall()
                == con.execute(query.format("full")).fetchall()
            )

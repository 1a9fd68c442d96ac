"""The landing benchmark: csv and two workbooks timed, its section of BENCHMARKS.md."""

from __future__ import annotations

import pytest
from benchmarks.landing import SECTION_END, SECTION_START, main


@pytest.mark.slow
def test_the_landing_benchmark_writes_its_section_between_the_others(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    out.write_text(f"# Benchmarks\n\n{SECTION_START}\nold figures\n{SECTION_END}\n\n## Next\n")

    assert (
        main(["--scale", "0.01", "--repeat", "1", "--data", str(tmp_path), "--out", str(out)]) == 0
    )

    text = out.read_text()
    assert "old figures" not in text and text.endswith("## Next\n")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "MB |" in line]
    assert [row.split(" | ")[0] for row in rows] == [
        "| csv (DuckDB)",
        "| xlsx, strings inline: landing (fastexcel + DuckDB)",
        "| xlsx, strings inline: fastexcel's parse alone",
        "| xlsx, shared strings: landing (fastexcel + DuckDB)",
        "| xlsx, shared strings: fastexcel's parse alone",
    ]
    assert "the csv landing's CPU time" in text

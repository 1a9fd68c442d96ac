"""The stage table's section of BENCHMARKS.md, rendered from one measured build."""

from __future__ import annotations

from benchmarks.render import kept_sections, with_section
from benchmarks.stages import SECTION_END, SECTION_START, render_section

HOST = {"cores": 2, "cpu": "test cpu", "memory_gb": 24, "python": "3.11"}


def build(layers: dict[str, float]) -> dict:
    return {
        "scale": "1",
        "seed": 42,
        "data": {"path": "data/bench/s1.parquet"},
        "started": "2026-01-01T00:00:00+00:00",
        "finished": "2026-01-01T00:01:00+00:00",
        "load_before": 1.5,
        "load_after": 2.0,
        "pipeline": {
            "status": "ok",
            "seconds": 40.0,
            "cpu_seconds": 50.0,
            "peak_tree_rss_mb": 650.0,
            "command": "python -m insiders.dbt_runner build",
            "detail": {
                "layers": layers,
                "elapsed": 30.0,
                "customers": 4366,
                "slowest": [{"node": "model.insiders.cluster_model_selection", "seconds": 3.0}],
            },
        },
    }


def test_the_section_has_a_row_per_stage_with_its_share():
    section = render_section(build({"dbt start-up": 10.0, "selection": 3.0, "tests": 7.0}), HOST)
    assert section.startswith(SECTION_START + "\n## ") and section.endswith(SECTION_END + "\n")
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    assert rows[0] == "| stage | what it covers | seconds | share |"
    assert [row.split(" | ")[0] for row in rows[1:]] == ["| dbt start-up", "| selection", "| tests"]
    assert rows[2].endswith("| 3.0 s | 15% |")
    assert "Run 2026-01-01T00:00:00+00:00" in section and "2 cores (test cpu)" in section
    assert "they add up to 20.0 s, against a wall time of 40.0 s" in section
    assert "`cluster_model_selection` 3.0 s" in section
    assert "4,366 customers; wall time 40.0 s, CPU time 50.0 s" in section


def test_the_whole_page_keeps_the_sections_other_scripts_wrote():
    section = render_section(build({"tests": 1.0}), HOST).strip()
    old = with_section("# Benchmarks\n\nold page\n", section, SECTION_START, SECTION_END)
    new = kept_sections(old, "# Benchmarks\n\nnew page\n")
    assert "old page" not in new and "new page" in new
    assert new.count(SECTION_START) == 1 and new.rstrip().endswith(SECTION_END)

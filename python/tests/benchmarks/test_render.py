"""BENCHMARKS.md rendered from results: every contender's row, ratios and the notebook's story."""

from __future__ import annotations

from benchmarks.render import render

HOST = {
    "cores": 2,
    "cpu": "test cpu",
    "memory_gb": 24,
    "os": "linux",
    "python": "3.11",
    "versions": {"dbt-core": "1.11"},
}
SETTINGS = {
    "time_limit": 3600,
    "memory_limit_gb": 16,
    "engine_memory_limit_gb": 22,
    "blas_threads": 1,
    "pipeline_vars": "",
}


def entry(status: str, seconds: float, mb: float, detail: dict | None = None) -> dict:
    return {
        "status": status,
        "seconds": seconds,
        "peak_rss_mb": mb,
        "peak_tree_rss_mb": mb,
        "returncode": 0 if status == "ok" else 1,
        "detail": detail or {},
        "command": f"run {status}",
    }


def result(contenders: dict) -> dict:
    return {
        "scale": 1,
        "started": "2026-01-01T00:00:00",
        "finished": "2026-01-01T01:00:00",
        "load_before": [1.5],
        "load_after": [2.0],
        "data": {"path": "data/bench/s1.parquet", "bytes": 2**20},
        "raw_lines": 541_909,
        "contenders": contenders,
    }


def test_the_page_has_a_row_per_contender_and_the_ratios():
    notebook = {
        "stages": {
            "features": {"arrival": 5.0, "peak_rss_mb": 500.0, "customers": 4_300},
            "model_selection_start": {"customers": 4_300},
        },
        "last_event": {"event": "start", "stage": "model_selection"},
    }
    contenders = {
        "lower_bound": entry("ok", 1.0, 270, {"customers": 4_366}),
        "pipeline": entry(
            "ok",
            38.0,
            650,
            {"layers": {"seeds": 1.0, "tests": 9.0}, "elapsed": 30.0, "slowest": []},
        ),
        "notebook": entry("memory_limit", 700.0, 17_000, notebook),
    }
    page = render({"1": result(contenders)}, SETTINGS, HOST)
    assert "| 1 | 541,909 | 1.0 s / 270 MB | - | 5.0 s / 500 MB | 38.0 s / 650 MB |" in page
    assert "| lower bound | one DuckDB query, file to features | ok | 4,366 | 1.0 s | 270 MB |" in (
        page
    )
    assert "stopped at the memory limit (16 GB)" in page
    assert "- end to end: pipeline ÷ notebook: none, the notebook did not finish" in page
    assert "- end to end: pipeline ÷ lower bound = 38.00 (time)" in page
    assert "| seeds | tests | dbt elapsed | wall |\n|---:|---:|---:|---:|\n" in page
    assert "Outcome: stopped at the memory limit (16 GB), during model_selection." in page
    assert page.endswith("\n") and "\n\n\n" not in page


def test_a_scale_names_duckdbs_memory_limit_and_the_database_it_built():
    pipeline = entry(
        "ok",
        600.0,
        7_000,
        {"layers": {"tests": 9.0}, "elapsed": 590.0, "database_mb": 2_950.0},
    )
    pipeline["detail"]["publish_copy_seconds"] = 18.24
    capped = {**result({"pipeline": pipeline}), "limits": {"duckdb_memory_limit": "6GB"}}
    page = render({"1": capped}, {**SETTINGS, "duckdb_memory_limit": "6GB"}, HOST)
    assert "DuckDB's memory limit in the pipeline: 6GB (INSIDERS_DUCKDB_MEMORY_LIMIT)." in page
    assert "-m benchmarks.run --scales 1 --duckdb-memory-limit 6GB\n" in page
    assert "The built database: 2.88 GB." in page
    assert "a copy of this one took 18.2 s" in page

    page = render({"1": result({"pipeline": entry("ok", 38.0, 650)})}, SETTINGS, HOST)
    assert "DuckDB's memory limit in the pipeline: the profile default." in page
    assert "--duckdb-memory-limit" not in page and "The built database" not in page

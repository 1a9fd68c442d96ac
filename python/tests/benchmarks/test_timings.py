"""dbt's node timings summed by stage: landing, staging, ..., tests, and dbt's start-up."""

from __future__ import annotations

import datetime as dt
import json

from benchmarks.timings import STAGES, dbt_layers, node_stage

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def at(seconds: float) -> str:
    return (START + dt.timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def node(unique_id: str, begin: float, seconds: float, compile_seconds: float = 0.0) -> dict:
    timing = [
        {"name": "compile", "started_at": at(begin), "completed_at": at(begin + compile_seconds)}
    ]
    timing.append(
        {
            "name": "execute",
            "started_at": at(begin + compile_seconds),
            "completed_at": at(begin + seconds),
        }
    )
    return {
        "unique_id": unique_id,
        "status": "success",
        "execution_time": seconds,
        "timing": timing,
    }


def test_nodes_are_placed_by_resource_type_name_and_folder():
    folder = {"original_file_path": "models/intermediate/int_lines_as_of.sql"}
    assert node_stage("model.insiders.int_lines_as_of", folder) == "cleaning"
    assert node_stage("model.insiders.stg_retail__lines", {}) == "staging"
    assert node_stage("model.insiders.customer_features", {}) == "features"
    assert node_stage("model.insiders.cluster_model_selection", {}) == "selection"
    assert node_stage("model.insiders.customer_segments", {}) == "labels"
    assert node_stage("model.insiders.rpt_insiders_summary", {}) == "marts"
    assert node_stage("seed.insiders.excluded_stock_codes", {}) == "landing"
    assert node_stage("test.insiders.not_null_x.abc", {}) == "tests"
    assert node_stage("unit_test.insiders.customers.a_case", {}) == "tests"
    assert node_stage("operation.insiders.insiders-on-run-start-0", {}) == "dbt start-up"


def test_stages_sum_node_seconds_and_start_up_runs_to_the_first_node(tmp_path):
    results = [
        node("operation.insiders.insiders-on-run-start-0", 10.0, 0.5),
        node("model.insiders.stg_retail__lines", 11.0, 4.0, compile_seconds=3.0),
        node("model.insiders.cluster_model_selection", 16.0, 2.5),
        node("test.insiders.not_null_x.abc", 16.0, 0.25),
        node("test.insiders.unique_x.def", 16.5, 0.25),
    ]
    (tmp_path / "run_results.json").write_text(
        json.dumps({"results": results, "elapsed_time": 9.0})
    )
    detail = dbt_layers(tmp_path, START)
    assert detail["layers"] == {
        "dbt start-up": 10.5,
        "landing": 3.0,
        "staging": 1.0,
        "selection": 2.5,
        "tests": 0.5,
    }
    assert list(detail["layers"]) == [stage for stage in STAGES if stage in detail["layers"]]
    assert detail["slowest"][0] == {
        "node": results[1]["unique_id"],
        "seconds": 4.0,
        "status": "success",
    }
    assert detail["statuses"] == {"success": 5}
    assert dbt_layers(tmp_path)["layers"]["dbt start-up"] == 0.5  # no process start: hooks only

"""What the contenders report about themselves: dbt's node timings and the notebook's stages.

- ``dbt_layers``: node seconds from dbt's ``run_results.json``, summed by stage of the build
  (landing, staging, cleaning, features, selection, labels, marts, tests) and dbt's start-up;
- ``notebook_progress``: the stage ends the notebook prints as JSON lines.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

from benchmarks.measure import Measured

# Stages of a whole dbt build, in build order (issue 14), and how a node is placed in one.
STAGES = (
    "dbt start-up",
    "landing",
    "staging",
    "cleaning",
    "features",
    "selection",
    "labels",
    "marts",
    "tests",
)
STAGE_OF_MODEL = {
    "customer_features": "features",
    "cluster_model_selection": "selection",
    "customer_segments": "labels",
}
STAGE_OF_FOLDER = {"staging": "staging", "intermediate": "cleaning"}


def node_stage(unique_id: str, node: dict) -> str:
    """The stage of a node: by resource type, then by model name, then by folder."""
    kind, _project, name = unique_id.split(".")[:3]
    if kind in ("test", "unit_test"):
        return "tests"
    if kind == "seed":
        return "landing"
    if kind == "operation":
        return "dbt start-up"
    if name in STAGE_OF_MODEL:
        return STAGE_OF_MODEL[name]
    folder = Path(node.get("original_file_path", "")).parts[1:2]
    if folder and folder[0] in STAGE_OF_FOLDER:
        return STAGE_OF_FOLDER[folder[0]]
    if name.startswith("stg_"):
        return "staging"
    if name.startswith("int_"):
        return "cleaning"
    return "marts"


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _phases(result: dict) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    return {
        t["name"]: (_instant(t["started_at"]), _instant(t["completed_at"]))
        for t in result.get("timing", [])
        if t.get("started_at") and t.get("completed_at")
    }


def stage_seconds(results: list[dict], nodes: dict, started: dt.datetime | None) -> dict:
    """Node seconds summed by stage.

    The raw file is landed when dbt-duckdb resolves the source, while it compiles the staging
    model: that compile time counts as landing. ``dbt start-up`` is the time from ``started``
    (the process's start) to dbt's first node, plus its on-run hooks.
    """
    stages: dict[str, float] = defaultdict(float)
    starts: list[dt.datetime] = []
    for result in results:
        stage = node_stage(result["unique_id"], nodes.get(result["unique_id"], {}))
        phases = _phases(result)
        seconds = float(result.get("execution_time") or 0.0)
        if stage == "staging" and "compile" in phases:
            compile_start, compile_end = phases["compile"]
            landing = (compile_end - compile_start).total_seconds()
            stages["landing"] += landing
            seconds = max(seconds - landing, 0.0)
        stages[stage] += seconds
        starts += [start for start, _ in phases.values()]
    if started is not None and starts:
        stages["dbt start-up"] += max((min(starts) - started).total_seconds(), 0.0)
    return {stage: round(stages[stage], 2) for stage in STAGES if stage in stages}


def dbt_layers(target: Path, started: dt.datetime | None = None) -> dict:
    """Node seconds from run_results.json, summed by stage (``stage_seconds``); the slowest
    nodes and the count of each status too. ``started``: when the dbt process started (UTC)."""
    results_path, manifest_path = target / "run_results.json", target / "manifest.json"
    if not results_path.exists():
        return {}
    results = json.loads(results_path.read_text())
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    slowest = sorted(
        (
            (float(r.get("execution_time") or 0.0), r["unique_id"], r["status"])
            for r in results["results"]
        ),
        reverse=True,
    )
    statuses = [r["status"] for r in results["results"]]
    return {
        "elapsed": results.get("elapsed_time"),
        "layers": stage_seconds(results["results"], nodes, started),
        "slowest": [
            {"node": uid, "seconds": round(sec, 2), "status": status}
            for sec, uid, status in slowest[:8]
        ],
        "statuses": {status: statuses.count(status) for status in sorted(set(statuses))},
    }


def notebook_progress(run: Measured) -> dict:
    """Stage ends (parent-side seconds, peak memory so far) and the last thing it did."""
    stages, fits, last = {}, [], None
    for arrival, line in run.lines:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        last = {**event, "arrival": arrival}
        if event.get("event") == "end":
            stages[event["stage"]] = {
                "arrival": round(arrival, 2),
                "seconds": event["seconds"],
                "peak_rss_mb": round(event["peak_rss_mb"], 1),
                **{k: v for k, v in event.items() if k in ("lines", "customers", "best_k")},
            }
        if event.get("event") == "fit":
            fits.append(
                {
                    key: event[key]
                    for key in ("algorithm", "k", "fit_seconds", "score_seconds", "silhouette")
                }
            )
        if event.get("event") == "start" and event["stage"] == "model_selection":
            stages["model_selection_start"] = {"customers": event.get("customers")}
    return {"stages": stages, "fits": fits, "last_event": last}

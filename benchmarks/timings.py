"""What the contenders report about themselves: dbt's node timings and the notebook's stages.

- ``dbt_layers``: node seconds from dbt's ``run_results.json``, summed by layer of the build;
- ``notebook_progress``: the stage ends the notebook prints as JSON lines.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

from benchmarks.measure import Measured

# Layers of the dbt build, in build order, and how a node is placed in one.
LAYERS = (
    "seeds",
    "landing",
    "staging",
    "cleaning",
    "audit",
    "features",
    "clustering",
    "programme",
    "tests",
)
AUDIT_MODELS = ("rejected_invoice_lines", "invoice_line_accounting", "customer_accounting")


def node_layer(unique_id: str, node: dict) -> str:
    kind, _project, name = unique_id.split(".")[:3]
    if kind == "seed":
        return "seeds"
    if kind in ("test", "unit_test"):
        return "tests"
    if name.startswith("stg_"):
        return "staging"
    if name.startswith("int_"):
        return "cleaning"
    if name in AUDIT_MODELS:
        return "audit"
    if name == "customer_features":
        return "features"
    if node.get("language") == "python" or "segmentation" in node.get("original_file_path", ""):
        return "clustering"
    if "/programme/" in node.get("original_file_path", ""):
        return "programme"
    return "other"


def dbt_layers(target: Path) -> dict:
    """Node seconds from run_results.json, summed by layer; the slowest nodes too.

    The landing of the raw file happens when dbt-duckdb resolves the source, which is while it
    compiles the staging model: that compile time is reported as ``landing``.
    """
    results_path, manifest_path = target / "run_results.json", target / "manifest.json"
    if not results_path.exists():
        return {}
    results = json.loads(results_path.read_text())
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    layers: dict[str, float] = defaultdict(float)
    slowest = []
    for result in results["results"]:
        unique_id = result["unique_id"]
        layer = node_layer(unique_id, nodes.get(unique_id, {}))
        timing = {
            t["name"]: (
                dt.datetime.fromisoformat(t["completed_at"].replace("Z", "+00:00"))
                - dt.datetime.fromisoformat(t["started_at"].replace("Z", "+00:00"))
            ).total_seconds()
            for t in result.get("timing", [])
            if t.get("started_at") and t.get("completed_at")
        }
        seconds = float(result.get("execution_time") or 0.0)
        if layer == "staging" and "compile" in timing:
            layers["landing"] += timing["compile"]
            seconds = max(seconds - timing["compile"], 0.0)
        layers[layer] += seconds
        slowest.append((float(result.get("execution_time") or 0.0), unique_id, result["status"]))
    slowest.sort(reverse=True)
    return {
        "elapsed": results.get("elapsed_time"),
        "layers": {
            layer: round(layers[layer], 2) for layer in (*LAYERS, "other") if layer in layers
        },
        "slowest": [
            {"node": uid, "seconds": round(sec, 2), "status": status}
            for sec, uid, status in slowest[:8]
        ],
        "statuses": dict(
            sorted(
                {
                    status: sum(1 for r in results["results"] if r["status"] == status)
                    for status in {r["status"] for r in results["results"]}
                }.items()
            )
        ),
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

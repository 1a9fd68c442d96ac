"""Where the time of a whole ``dbt build`` goes, stage by stage: one build at one scale.

``make benchmark`` runs every contender at every scale (tens of minutes); this runs only the
pipeline, end to end (every model, every data and unit test), at one scale, and rewrites its own
section of BENCHMARKS.md with the machine and the date:

    .venv/bin/python -m benchmarks.stages --scale 1     # or: make benchmark-stages

The build is measured as ``benchmarks.run`` measures the pipeline contender (same command, same
environment, a fresh database); its nodes are summed by stage by ``benchmarks.timings``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path

from benchmarks.render import fmt_mb, fmt_s, scale_name, templates, write_section
from benchmarks.run import DATA_DIR, REPO, contender_entry, ensure_data, machine, run_pipeline
from benchmarks.run import contender_env as environment
from benchmarks.timings import STAGES

TEMPLATE = "stages.md.j2"
SECTION_START = "<!-- stage table: written by benchmarks/stages.py -->"
SECTION_END = "<!-- end of stage table -->"
WHAT = {
    "dbt start-up": "from the process's start to dbt's first node (Python, dbt's imports, a full "
    "parse of the project, the connection), plus the on-run hooks",
    "landing": "the raw file into DuckDB (dbt-duckdb lands it while it compiles the staging "
    "model), and the seeds",
    "staging": "`models/staging`: rename and cast",
    "cleaning": "`models/intermediate`: screening, deduplication, the lines as of the date",
    "features": "`customer_features`",
    "selection": "`cluster_model_selection`: every (space, algorithm, k) fitted and scored",
    "labels": "`customer_segments`: the chosen model's labels for every customer",
    "marts": "every other model: audit, customers, programme, membership, value, reports",
    "tests": "every data test and unit test",
}


def stage_rows(stages: dict[str, float]) -> list[list[str]]:
    """One row per stage, in build order, with its share of the summed seconds."""
    total = sum(stages.values()) or 1.0
    return [
        [stage, WHAT[stage], fmt_s(stages[stage]), f"{stages[stage] / total:.0%}"]
        for stage in STAGES
        if stage in stages
    ]


def render_section(result: dict, host: dict) -> str:
    """The section, markers included, from one measured build (``measure_build``)."""
    pipeline = result["pipeline"]
    detail = pipeline.get("detail", {})
    stages = detail.get("layers", {})
    return (
        templates()
        .get_template(TEMPLATE)
        .render(
            start=SECTION_START,
            end=SECTION_END,
            result=result,
            host=host,
            outcome=pipeline["status"],
            stages={
                "header": ["stage", "what it covers", "seconds", "share"],
                "align": ["---", "---", "---:", "---:"],
                "rows": stage_rows(stages),
            },
            total=fmt_s(sum(stages.values())),
            elapsed=fmt_s(detail.get("elapsed")),
            wall=fmt_s(pipeline["seconds"]),
            cpu=fmt_s(pipeline.get("cpu_seconds")),
            customers=f"{detail['customers']:,}" if "customers" in detail else "-",
            memory=fmt_mb(pipeline["peak_tree_rss_mb"]),
            slowest=", ".join(
                f"`{node['node'].split('.', 2)[-1]}` {fmt_s(node['seconds'])}"
                for node in detail.get("slowest", [])[:5]
            ),
        )
    )


def measure_build(args: argparse.Namespace) -> dict:
    """One whole ``dbt build`` at ``args.scale``, measured as ``benchmarks.run`` measures it."""
    run_dir = DATA_DIR / "runs" / f"stages_s{scale_name(args.scale)}"
    run_dir.mkdir(parents=True, exist_ok=True)
    data = ensure_data(args.scale, args.seed, run_dir)
    limits = {"time_limit": args.time_limit, "memory_limit_mb": float("inf")}
    started, load_before = dt.datetime.now(dt.UTC), os.getloadavg()[0]
    cmd, run = run_pipeline(
        "pipeline", REPO / data["path"], run_dir, environment(args.blas_threads), limits, args
    )
    return {
        "scale": scale_name(args.scale),
        "seed": args.seed,
        "data": data,
        "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_before": round(load_before, 1),
        "load_after": round(os.getloadavg()[0], 1),
        "pipeline": contender_entry(cmd, run),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--time-limit", type=float, default=1800, help="seconds")
    parser.add_argument("--blas-threads", type=int, default=1, help="0 leaves them unset")
    parser.add_argument("--pipeline-vars", default="", help="dbt --vars (default: none)")
    parser.add_argument("--keep-databases", action="store_true")
    parser.add_argument("--out", type=Path, default=REPO / "BENCHMARKS.md")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = measure_build(args)
    print(f"dbt build: {result['pipeline']['status']} in {result['pipeline']['seconds']:.1f} s")
    write_section(args.out, render_section(result, machine()), SECTION_START, SECTION_END)
    return 0 if result["pipeline"]["status"] == "ok" else 1


if __name__ == "__main__":
    raise SystemExit(main())

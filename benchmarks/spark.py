"""Benchmark the SQL part of the pipeline on Spark (local, 2 cores) against DuckDB.

For each scale: the same generated file (cached under ``data/bench/``, as ``run.py`` makes it)
and the same command, ``dbt build --selector spark --resource-type seed --resource-type model``
(landing, staging, screening, cleaning, audit, customer_features; no tests), once with the
DuckDB target into a fresh database file and once with the spark target into a fresh metastore
and warehouse. Wall time and the peak memory of the process tree (Spark's JVM included) come
from ``run.measure``. The results go to ``data/bench/spark_results.json`` and to the Spark
section of ``BENCHMARKS.md`` (between its markers; ``run.py`` rewrites the rest of the file).

    .venv/bin/python -m benchmarks.spark --scales 1 10
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
from pathlib import Path

import duckdb

from benchmarks.render import write_section
from benchmarks.run import DATA_DIR, REPO, contender_env, ensure_data, measure, scale_name

# The section of BENCHMARKS.md this script writes; benchmarks.run keeps it as it is.
SECTION_START = "<!-- spark: written by benchmarks/spark.py -->"
SECTION_END = "<!-- end of spark -->"

BIN = Path(sys.executable).parent
COMMAND = ("build", "--selector", "spark", "--resource-type", "seed", "--resource-type", "model")


def run_engine(engine: str, raw: Path, run_dir: Path, args: argparse.Namespace) -> dict:
    work = run_dir / engine
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = contender_env(0)
    env.update(
        INSIDERS_RAW_PATH=str(raw),
        INSIDERS_DUCKDB_PATH=str(work / "insiders.duckdb"),
        INSIDERS_SPARK_DIR=str(work / "spark"),
        INSIDERS_SPARK_MASTER=f"local[{args.spark_cores}]",
        INSIDERS_SPARK_DRIVER_MEMORY=args.spark_memory,
        DBT_TARGET_PATH=str(work / "target"),
        DBT_LOG_PATH=str(work / "logs"),
    )
    target = ["--target", "spark"] if engine == "spark" else []
    run = measure(
        [str(BIN / "dbt"), *COMMAND, *target],
        cwd=REPO,
        env=env,
        log_stem=work / "dbt",
        time_limit=args.time_limit,
        memory_limit_mb=args.memory_limit_gb * 1024,
    )
    return {
        "status": run.status,
        "seconds": run.seconds,
        "peak_tree_rss_mb": run.peak_tree_rss_mb,
        "load_after": os.getloadavg(),
    }


def cell(entry: dict) -> str:
    status = "" if entry["status"] == "ok" else f" ({entry['status']})"
    return f"{entry['seconds']:.0f} s / {entry['peak_tree_rss_mb'] / 1024:.2f} GB{status}"


def section(results: dict, args: argparse.Namespace) -> str:
    rows = [
        "## Spark (local) against DuckDB: the SQL part",
        "",
        "Written by `benchmarks/spark.py`: the same "
        f"`dbt {' '.join(COMMAND)}` (landing, staging, screening, cleaning, audit, "
        "customer_features and the customer-value windows; no tests) on each target, DuckDB "
        f"into a fresh file, Spark `local[{args.spark_cores}]` with {args.spark_memory} of "
        "driver memory into a fresh metastore and warehouse. One run each, one after the "
        "other, on the shared 2-core machine (load average before each scale shown).",
        "",
        "| scale | lines | load before | DuckDB | Spark | Spark / DuckDB |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in sorted(results.items(), key=lambda item: float(item[0])):
        duck, spark = result["duckdb"], result["spark"]
        ratio = spark["seconds"] / duck["seconds"] if duck["seconds"] else float("nan")
        rows.append(
            f"| {name} | {result.get('lines', 0):,} | {result['load_before'][0]:.1f} | "
            f"{cell(duck)} | {cell(spark)} | {ratio:.1f} times |"
        )
    rows += [
        "",
        "Each cell: wall time / peak resident memory of the process tree (Spark's JVM "
        "included). A load average above 2 means other work shared the two cores: the absolute "
        "times are then several times an idle machine's (compare the DuckDB features build in "
        "the table above), and the ratio between the engines is the figure to read.",
        "",
        WHERE_EACH_BELONGS,
    ]
    return "\n".join([SECTION_START, *rows, SECTION_END])


WHERE_EACH_BELONGS = """\
**Where each belongs.** On one machine DuckDB is the engine: it runs the SQL part several times
faster than a local Spark on the same cores (Spark pays a JVM and session start on every dbt
command, a metastore, and a shuffle per join or aggregation), and it runs the Python models
beside it. Spark earns its cost only where the data no longer fits one machine's disk and
memory, on a cluster (Databricks, or dbt-spark's thrift/http methods against a Spark cluster),
where the same model files scale out; the local `spark` target exists to keep those files
portable and to check, in `make test`, that Spark computes the same tables as DuckDB."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scales", type=float, nargs="*", default=[1, 10], help="none: rewrite the section only"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--spark-cores", type=int, default=2)
    parser.add_argument("--spark-memory", default="8g")
    parser.add_argument("--time-limit", type=float, default=3600, help="seconds per run")
    parser.add_argument("--memory-limit-gb", type=float, default=20)
    parser.add_argument("--out", type=Path, default=REPO / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    results_path = DATA_DIR / "spark_results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    for scale in args.scales:
        name = scale_name(scale)
        run_dir = DATA_DIR / "runs" / f"spark_s{name}"
        run_dir.mkdir(parents=True, exist_ok=True)
        raw = REPO / ensure_data(scale, args.seed, run_dir)["path"]
        results[name] = {
            "started": dt.datetime.now().isoformat(timespec="seconds"),
            "lines": duckdb.sql(f"select count(*) from read_parquet('{raw}')").fetchall()[0][0],
            "load_before": os.getloadavg(),
            "duckdb": run_engine("duckdb", raw, run_dir, args),
            "spark": run_engine("spark", raw, run_dir, args),
        }
        print(name, json.dumps(results[name]))
        results_path.write_text(json.dumps(results, indent=2))
    write_section(args.out, section(results, args), SECTION_START, SECTION_END)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

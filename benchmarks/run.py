"""Benchmark the pipeline against the study's notebook and a one-query lower bound.

For each scale: generate the data (cached under ``data/bench/``), then run each contender in
a subprocess of its own, with a time limit and a memory limit, and record its wall time and
peak memory (``benchmarks.measure``):

- ``lower_bound``: ``python -m benchmarks.lower_bound`` (one DuckDB query, raw file to features);
- ``pipeline_features``: ``dbt build`` of the models and seeds up to ``customer_features``
  (no tests), into a fresh DuckDB file;
- ``pipeline``: the whole ``dbt build`` (landing, staging, cleaning, audit, features,
  clustering, every data and unit test) into a fresh DuckDB file, timed node by node from
  dbt's ``run_results.json`` and summed by stage (``benchmarks.timings``);
- ``notebook``: ``python -m benchmarks.notebook`` (the study's pandas notebook), which reports
  each stage as it ends, so its features-only time comes from the same run.

dbt runs through the project's runner (``python -m insiders.dbt_runner build``), in a process of
its own so that its memory is measured apart from this script's. Results accumulate in
``data/bench/results.json`` (one entry per scale, the latest run wins) and ``BENCHMARKS.md`` is
rendered from them (``benchmarks.render``).

    .venv/bin/python -m benchmarks.run --scales 0.1 1 10 100
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sys
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from benchmarks.measure import Measured, measure
from benchmarks.render import CONTENDERS, kept_sections, render, scale_name
from benchmarks.timings import dbt_layers, notebook_progress
from insiders.commands.build import copy_database, work_dir
from insiders.progress import progress

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PYTHON = sys.executable
DATA_DIR = REPO / "data" / "bench"


def ensure_data(scale: float, seed: int, log_dir: Path) -> dict:
    """The generated file for ``scale``: made with ``insiders generate`` unless cached."""
    path = DATA_DIR / f"online_retail_s{scale_name(scale)}_seed{seed}.parquet"
    info = {"path": str(path.relative_to(REPO)), "cached": path.exists()}
    if not path.exists():
        cmd = [str(BIN / "insiders"), "generate", "--scale", str(scale), "--seed", str(seed)]
        cmd += ["--out", str(path)]
        run = measure(
            cmd,
            cwd=REPO,
            env=dict(os.environ),
            log_stem=log_dir / "generate",
            time_limit=24 * 3600,
            memory_limit_mb=float("inf"),
        )
        if run.status != "ok":
            raise SystemExit(f"generating scale {scale} failed: see {run.stderr_path}")
        info.update(seconds=run.seconds, peak_rss_mb=run.peak_rss_mb)
    info["bytes"] = path.stat().st_size
    return info


def duckdb_count(sql: str, database: str | None = None) -> int:
    import duckdb

    with duckdb.connect(database or ":memory:", read_only=database is not None) as con:
        return int(con.execute(sql).fetchall()[0][0])


def contender_env(blas_threads: int) -> dict[str, str]:
    env = dict(os.environ)
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env["DBT_PROFILES_DIR"] = str(REPO)
    env["DBT_PROJECT_DIR"] = str(REPO)
    env["PYTHONPATH"] = str(REPO / "python")
    if blas_threads:
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = str(blas_threads)
    return env


def run_lower_bound(raw: Path, run_dir: Path, env: dict, limits: dict, args) -> tuple:
    out = run_dir / "lower_bound_features.parquet"
    cmd = [PYTHON, "-m", "benchmarks.lower_bound", str(raw), "--out", str(out)]
    cmd += args.lower_bound_policies.split()
    run = measure(cmd, cwd=REPO, env=env, log_stem=run_dir / "lower_bound", **limits)
    if run.status == "ok":
        run.detail["customers"] = duckdb_count(f"select count(*) from '{out}'")
    return cmd, run


def run_pipeline(contender: str, raw: Path, run_dir: Path, env: dict, limits: dict, args):
    """``dbt build`` (everything, or up to customer_features) into a fresh database."""
    database = run_dir / f"{contender}.duckdb"
    for stale in (database, database.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    target = run_dir / f"{contender}_target"
    dbt_env = {
        **env,
        "INSIDERS_RAW_PATH": str(raw),
        "INSIDERS_DUCKDB_PATH": str(database),
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(run_dir / f"{contender}_logs"),
    }
    if args.duckdb_memory_limit:
        dbt_env["INSIDERS_DUCKDB_MEMORY_LIMIT"] = args.duckdb_memory_limit
    cmd = [PYTHON, "-m", "insiders.dbt_runner", "build"]
    cmd += ["--vars", args.pipeline_vars] if args.pipeline_vars else []
    if contender == "pipeline_features":
        cmd += ["--select", "+customer_features"]
        cmd += ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
    started = dt.datetime.now(dt.UTC)
    run = measure(cmd, cwd=REPO, env=dbt_env, log_stem=run_dir / contender, **limits)
    run.detail = dbt_layers(target, started)
    if database.exists() and run.status in ("ok", "failed"):
        run.detail["customers"] = duckdb_count(
            "select count(*) from customer_features", str(database)
        )
        run.detail["database_mb"] = round(database.stat().st_size / 2**20, 1)
        run.detail["publish_copy_seconds"] = round(publish_copy_seconds(database), 2)
    if not args.keep_databases:
        database.unlink(missing_ok=True)
    return cmd, run


def publish_copy_seconds(database: Path) -> float:
    """What `insiders build` pays before dbt starts: copying the database to its work copy."""
    work = work_dir(database)
    work.mkdir(exist_ok=True)
    try:
        return copy_database(database, work / database.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_notebook(raw: Path, run_dir: Path, env: dict, limits: dict) -> tuple:
    cmd = [PYTHON, "-m", "benchmarks.notebook", str(raw)]
    run = measure(cmd, cwd=REPO, env=env, log_stem=run_dir / "notebook", **limits)
    run.detail = notebook_progress(run)
    stderr = (REPO / run.stderr_path).read_text(errors="replace")
    if run.status == "failed" and "MemoryError" in stderr:
        run.detail["memory_error"] = True
    return cmd, run


def contender_entry(cmd: list[str], run: Measured) -> dict:
    """A run as results.json keeps it: no output lines, the command relative to the repo."""
    entry = asdict(run)
    entry.pop("lines")
    entry["command"] = " ".join(
        str(Path(part).relative_to(REPO)) if part.startswith(str(REPO)) else part for part in cmd
    )
    return entry


def run_contender(contender: str, raw: Path, run_dir: Path, args) -> tuple:
    env = contender_env(args.blas_threads)
    limits = {"time_limit": args.time_limit, "memory_limit_mb": args.memory_limit_gb * 1024}
    # DuckDB bounds its own memory (80% of RAM by default) and spills: the pipeline and the
    # lower bound get the machine's limit, not the notebook's.
    engine_limits = {**limits, "memory_limit_mb": args.engine_memory_limit_gb * 1024}
    if contender == "lower_bound":
        return run_lower_bound(raw, run_dir, env, engine_limits, args)
    if contender in ("pipeline", "pipeline_features"):
        return run_pipeline(contender, raw, run_dir, env, engine_limits, args)
    if contender == "notebook":
        return run_notebook(raw, run_dir, env, limits)
    raise SystemExit(f"unknown contender {contender}")


def run_scale(scale: float, args: argparse.Namespace, bar=None) -> dict:
    name = scale_name(scale)
    run_dir = DATA_DIR / "runs" / f"s{name}"
    run_dir.mkdir(parents=True, exist_ok=True)
    data = ensure_data(scale, args.seed, run_dir)
    raw = REPO / data["path"]
    result = {
        "scale": scale,
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "load_before": os.getloadavg(),
        "data": data,
        "raw_lines": duckdb_count(f"select count(*) from read_parquet('{raw}')"),
        "contenders": {},
        "limits": {
            "time_limit": args.time_limit,
            "memory_limit_gb": args.memory_limit_gb,
            "engine_memory_limit_gb": args.engine_memory_limit_gb,
            "blas_threads": args.blas_threads,
            "pipeline_vars": args.pipeline_vars,
            "duckdb_memory_limit": duckdb_memory_limit(args),
        },
    }
    for contender in args.contenders:
        print(f"scale {name}: {contender} ...", flush=True)
        if bar is not None:
            bar.set_description(f"scale {name}: {contender}")
        cmd, run = run_contender(contender, raw, run_dir, args)
        result["contenders"][contender] = contender_entry(cmd, run)
        print(f"  {run.status} in {run.seconds:.1f} s, peak {run.peak_tree_rss_mb:.0f} MB")
        if bar is not None:
            bar.update()
    result["load_after"] = os.getloadavg()
    result["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    return result


def duckdb_memory_limit(args: argparse.Namespace) -> str | None:
    """DuckDB's memory limit in the pipeline's runs: the option, else the environment's
    ``INSIDERS_DUCKDB_MEMORY_LIMIT``, else None (the profile's default)."""
    return args.duckdb_memory_limit or os.environ.get("INSIDERS_DUCKDB_MEMORY_LIMIT") or None


def machine() -> dict:
    cpu_model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    versions = {}
    for package in ("dbt-core", "dbt-duckdb", "duckdb", "pandas", "numpy", "scikit-learn", "scipy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(total_kb / 2**20, 1),
        "cpu": cpu_model,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[0.1, 1, 10, 100])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--contenders", nargs="+", choices=CONTENDERS, default=list(CONTENDERS))
    parser.add_argument("--time-limit", type=float, default=3600, help="seconds per contender")
    parser.add_argument(
        "--memory-limit-gb", type=float, default=16, help="the notebook's memory limit"
    )
    parser.add_argument(
        "--engine-memory-limit-gb",
        type=float,
        default=22,
        help="the pipeline's and the lower bound's memory limit",
    )
    parser.add_argument(
        "--duckdb-memory-limit",
        default="",
        help="DuckDB's memory_limit in the pipeline's runs, e.g. 6GB (sets "
        "INSIDERS_DUCKDB_MEMORY_LIMIT; default: the environment's, else the profile's)",
    )
    parser.add_argument("--blas-threads", type=int, default=1, help="0 leaves them unset")
    parser.add_argument(
        "--pipeline-vars", default="", help="dbt --vars for both pipeline runs (default: none)"
    )
    parser.add_argument(
        "--lower-bound-policies",
        default="",
        help="lower-bound options matching --pipeline-vars, e.g. "
        "'--missing-customer-policy surrogate --duplicate-line-policy keep_all'",
    )
    parser.add_argument("--keep-databases", action="store_true")
    parser.add_argument("--results", type=Path, default=DATA_DIR / "results.json")
    parser.add_argument("--out", type=Path, default=REPO / "BENCHMARKS.md")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    results = json.loads(args.results.read_text()) if args.results.exists() else {}
    host = machine()
    # One step per contender and scale: on a terminal the bar shows which, the share done and
    # the time left; quiet when the output is not a terminal.
    total = len(args.scales) * len(args.contenders)
    with progress(desc="benchmark", total=total, unit="runs") as bar:
        for scale in args.scales:
            results[scale_name(scale)] = run_scale(scale, args, bar)
            args.results.write_text(json.dumps(results, indent=2, default=str))
            before = args.out.read_text() if args.out.exists() else ""
            args.out.write_text(kept_sections(before, render(results, vars(args), host)))
    print(f"wrote {args.out.relative_to(REPO)} and {args.results.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

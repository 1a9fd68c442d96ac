"""Benchmark the pipeline against the study's notebook and a one-query lower bound.

For each scale: generate the data (cached under ``data/bench/``), then run each contender in
a subprocess of its own, with a time limit and a memory limit, and record its wall time and
peak memory:

- ``lower_bound``: ``python -m benchmarks.lower_bound`` (one DuckDB query, raw file to features);
- ``pipeline_features``: ``dbt build`` of the models and seeds up to ``customer_features``
  (no tests), into a fresh DuckDB file;
- ``pipeline``: the whole ``dbt build`` (landing, staging, cleaning, audit, features,
  clustering, every data and unit test) into a fresh DuckDB file, timed node by node from
  dbt's ``run_results.json``;
- ``notebook``: ``python -m benchmarks.notebook`` (the study's pandas notebook), which reports
  each stage as it ends, so its features-only time comes from the same run.

Peak memory is the peak resident set of the contender's process tree: ``wait4``'s
``ru_maxrss`` (the largest single process, exact) and the sum over the tree sampled every
0.2 s (used for the memory limit). Results accumulate in ``data/bench/results.json`` (one
entry per scale, the latest run wins) and ``BENCHMARKS.md`` is written from them.

    .venv/bin/python benchmarks/run.py --scales 0.1 1 10 100
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from tqdm import tqdm

from insiders.commands.build import copy_database, work_dir
from insiders.progress import progress

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PYTHON = sys.executable
DATA_DIR = REPO / "data" / "bench"
CONTENDERS = ("lower_bound", "pipeline_features", "pipeline", "notebook")
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
POLL_SECONDS = 0.2
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass
class Measured:
    """One contender's run: how it ended, its wall time and peak memory."""

    status: str  # ok, failed, time_limit, memory_limit
    seconds: float
    peak_rss_mb: float
    peak_tree_rss_mb: float
    returncode: int | None
    stdout_path: str
    stderr_path: str
    lines: list[tuple[float, str]] = field(default_factory=list)  # (arrival s, stdout line)
    detail: dict = field(default_factory=dict)


def _process_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, resident kB) for every process we can read."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        # After the command name: state, ppid, ..., rss is the 22nd field (pages).
        table[int(entry.name)] = (int(fields[1]), int(fields[21]) * PAGE_KB)
    return table


def tree_rss_kb(root: int) -> int:
    """Resident memory of ``root`` and all its descendants, in kB."""
    table = _process_table()
    children = defaultdict(list)
    for pid, (ppid, _rss) in table.items():
        children[ppid].append(pid)
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        if pid in table:
            total += table[pid][1]
        stack.extend(children.get(pid, ()))
    return total


def measure(
    cmd: list[str],
    *,
    env: dict[str, str],
    log_stem: Path,
    time_limit: float,
    memory_limit_mb: float,
) -> Measured:
    """Run ``cmd`` to the end or to a limit; its wall time and peak memory."""
    stdout_path = log_stem.with_suffix(".stdout")
    stderr_path = log_stem.with_suffix(".stderr")
    lines: list[tuple[float, str]] = []
    peak_tree_kb = 0
    status = None
    with open(stdout_path, "w") as out, open(stderr_path, "w") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=out, stderr=err, start_new_session=True
        )
        with open(stdout_path) as reader:
            while True:
                pid, wait_status, usage = os.wait4(proc.pid, os.WNOHANG)
                elapsed = time.perf_counter() - started
                lines.extend((elapsed, line.rstrip("\n")) for line in reader.readlines())
                if pid:
                    break
                peak_tree_kb = max(peak_tree_kb, tree_rss_kb(proc.pid))
                if elapsed > time_limit:
                    status = "time_limit"
                elif peak_tree_kb / 1024 > memory_limit_mb:
                    status = "memory_limit"
                if status:
                    os.killpg(proc.pid, signal.SIGKILL)
                    pid, wait_status, usage = os.wait4(proc.pid, 0)
                    elapsed = time.perf_counter() - started
                    break
                time.sleep(POLL_SECONDS)
            lines.extend((elapsed, line.rstrip("\n")) for line in reader.readlines())
    proc.returncode = os.waitstatus_to_exitcode(wait_status)
    if status is None:
        status = "ok" if proc.returncode == 0 else "failed"
    peak_rss_mb = usage.ru_maxrss / 1024
    return Measured(
        status=status,
        seconds=round(elapsed, 2),
        peak_rss_mb=round(peak_rss_mb, 1),
        peak_tree_rss_mb=round(max(peak_tree_kb / 1024, peak_rss_mb), 1),
        returncode=proc.returncode,
        stdout_path=str(stdout_path.relative_to(REPO)),
        stderr_path=str(stderr_path.relative_to(REPO)),
        lines=lines,
    )


def scale_name(scale: float) -> str:
    return f"{scale:g}"


def ensure_data(scale: float, seed: int, log_dir: Path) -> dict:
    """The generated file for ``scale``: made with ``insiders generate`` unless cached."""
    path = DATA_DIR / f"online_retail_s{scale_name(scale)}_seed{seed}.parquet"
    info = {"path": str(path.relative_to(REPO)), "cached": path.exists()}
    if not path.exists():
        cmd = [str(BIN / "insiders"), "generate", "--scale", str(scale), "--seed", str(seed)]
        cmd += ["--out", str(path)]
        run = measure(
            cmd,
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


def _duckdb_count(sql: str, database: str | None = None) -> int:
    import duckdb

    with duckdb.connect(database or ":memory:", read_only=database is not None) as con:
        return int(con.execute(sql).fetchone()[0])


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


def publish_copy_seconds(database: Path) -> float:
    """What `insiders build` pays before dbt starts: copying the database to its work copy."""
    work = work_dir(database)
    work.mkdir(exist_ok=True)
    try:
        return copy_database(database, work / database.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_scale(scale: float, args: argparse.Namespace, bar: tqdm | None = None) -> dict:
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
        "raw_lines": _duckdb_count(f"select count(*) from read_parquet('{raw}')"),
        "contenders": {},
        "limits": {
            "time_limit": args.time_limit,
            "memory_limit_gb": args.memory_limit_gb,
            "engine_memory_limit_gb": args.engine_memory_limit_gb,
            "blas_threads": args.blas_threads,
            "pipeline_vars": args.pipeline_vars,
        },
    }
    env = contender_env(args.blas_threads)
    limits = {"time_limit": args.time_limit, "memory_limit_mb": args.memory_limit_gb * 1024}
    # DuckDB bounds its own memory (80% of RAM by default) and spills: the pipeline and the
    # lower bound get the machine's limit, not the notebook's.
    engine_limits = {**limits, "memory_limit_mb": args.engine_memory_limit_gb * 1024}
    dbt_vars = ["--vars", args.pipeline_vars] if args.pipeline_vars else []
    for contender in args.contenders:
        log_stem = run_dir / contender
        print(f"scale {name}: {contender} ...", flush=True)
        if bar is not None:
            bar.set_description(f"scale {name}: {contender}")
        if contender == "lower_bound":
            out = run_dir / "lower_bound_features.parquet"
            cmd = [PYTHON, "-m", "benchmarks.lower_bound", str(raw), "--out", str(out)]
            cmd += args.lower_bound_policies.split()
            run = measure(cmd, env=env, log_stem=log_stem, **engine_limits)
            if run.status == "ok":
                run.detail["customers"] = _duckdb_count(f"select count(*) from '{out}'")
        elif contender in ("pipeline", "pipeline_features"):
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
            cmd = [str(BIN / "dbt"), "build", *dbt_vars]
            if contender == "pipeline_features":
                cmd += ["--select", "+customer_features"]
                cmd += ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
            run = measure(cmd, env=dbt_env, log_stem=log_stem, **engine_limits)
            run.detail = dbt_layers(target)
            if database.exists() and run.status in ("ok", "failed"):
                run.detail["customers"] = _duckdb_count(
                    "select count(*) from customer_features", str(database)
                )
                run.detail["database_mb"] = round(database.stat().st_size / 2**20, 1)
                run.detail["publish_copy_seconds"] = round(publish_copy_seconds(database), 2)
            if not args.keep_databases:
                database.unlink(missing_ok=True)
        elif contender == "notebook":
            cmd = [PYTHON, "-m", "benchmarks.notebook", str(raw)]
            run = measure(cmd, env=env, log_stem=log_stem, **limits)
            run.detail = notebook_progress(run)
            if run.status == "failed" and "MemoryError" in Path(REPO / run.stderr_path).read_text(
                errors="replace"
            ):
                run.detail["memory_error"] = True
        else:
            raise SystemExit(f"unknown contender {contender}")
        entry = asdict(run)
        entry.pop("lines")
        entry["command"] = " ".join(
            str(Path(part).relative_to(REPO)) if part.startswith(str(REPO)) else part
            for part in cmd
        )
        result["contenders"][contender] = entry
        print(f"  {run.status} in {run.seconds:.1f} s, peak {run.peak_tree_rss_mb:.0f} MB")
        if bar is not None:
            bar.update()
    result["load_after"] = os.getloadavg()
    result["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    return result


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


def _fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds:,.1f} s" if seconds < 600 else f"{seconds / 60:,.1f} min"


def _fmt_mb(mb: float | None) -> str:
    if mb is None:
        return "-"
    return f"{mb:,.0f} MB" if mb < 1024 else f"{mb / 1024:,.2f} GB"


def _ratio(a: float | None, b: float | None, b_finished: bool = True) -> str:
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}" if b_finished else f"< {a / b:.2f}"


def _outcome(entry: dict, limits: dict) -> str:
    status = entry["status"]
    if status == "ok":
        return "ok"
    if status == "time_limit":
        return f"stopped at the time limit ({_fmt_s(limits['time_limit'])})"
    if status == "memory_limit":
        return f"stopped at the memory limit ({limits['memory_limit_gb']:g} GB)"
    if entry.get("detail", {}).get("memory_error"):
        return "MemoryError"
    return f"failed (exit {entry['returncode']})"


def scale_section(result: dict, limits: dict) -> list[str]:
    limits = {**limits, **result.get("limits", {})}
    c = result["contenders"]
    lb, pf, pl, nb = (c.get(name) for name in CONTENDERS)
    nb_stages = (nb or {}).get("detail", {}).get("stages", {})
    nb_features = nb_stages.get("features")
    lines = [
        f"### Scale {scale_name(result['scale'])}: {result['raw_lines']:,} raw lines",
        "",
        f"Run {result['started']} to {result['finished']}; load average before "
        f"{result['load_before'][0]:.1f}, after {result['load_after'][0]:.1f}. "
        f"Data `{result['data']['path']}` ({result['data']['bytes'] / 2**20:,.1f} MB). "
        f"Time limit {_fmt_s(limits['time_limit'])} per contender; memory limit "
        f"{limits['memory_limit_gb']:g} GB for the notebook.",
        "",
        "| contender | what it does | outcome | customers | wall time | peak memory |",
        "|---|---|---|---:|---:|---:|",
    ]

    def row(label: str, what: str, entry: dict | None, customers=None, seconds=None, mb=None):
        if entry is None:
            return
        lines.append(
            f"| {label} | {what} | {_outcome(entry, limits)} | "
            f"{'-' if customers is None else f'{customers:,}'} | "
            f"{_fmt_s(entry['seconds'] if seconds is None else seconds)} | "
            f"{_fmt_mb(entry['peak_tree_rss_mb'] if mb is None else mb)} |"
        )

    row(
        "lower bound",
        "one DuckDB query, file to features",
        lb,
        (lb or {}).get("detail", {}).get("customers"),
    )
    row(
        "pipeline, features only",
        "dbt build up to customer_features, no tests",
        pf,
        (pf or {}).get("detail", {}).get("customers"),
    )
    if nb and nb_features:
        lines.append(
            f"| notebook, features only | read, clean, features (pandas) | ok | "
            f"{nb_features.get('customers', 0):,} | {_fmt_s(nb_features['arrival'])} | "
            f"{_fmt_mb(nb_features['peak_rss_mb'])} |"
        )
    elif nb:
        lines.append(
            f"| notebook, features only | read, clean, features (pandas) | "
            f"{_outcome(nb, limits)} before the end of features | - | - | - |"
        )
    row(
        "pipeline, end to end",
        "dbt build: everything, tests included",
        pl,
        (pl or {}).get("detail", {}).get("customers"),
    )
    row(
        "notebook, end to end",
        "features + model selection on all customers",
        nb,
        (nb_stages.get("model_selection_start") or {}).get("customers"),
    )
    lines.append("")

    ratios = []
    if pf and nb_features:
        ratios.append(
            f"features only: pipeline ÷ notebook = {_ratio(pf['seconds'], nb_features['arrival'])}"
            f" (time), {_ratio(pf['peak_tree_rss_mb'], nb_features['peak_rss_mb'])} (memory)"
        )
    if pf and lb and lb["status"] == "ok":
        ratios.append(
            f"features only: pipeline ÷ lower bound = {_ratio(pf['seconds'], lb['seconds'])}"
            f" (time), {_ratio(pf['peak_tree_rss_mb'], lb['peak_tree_rss_mb'])} (memory)"
        )
    if pl and nb and nb["status"] == "ok":
        ratios.append(
            f"end to end: pipeline ÷ notebook = {_ratio(pl['seconds'], nb['seconds'])} (time), "
            f"{_ratio(pl['peak_tree_rss_mb'], nb['peak_tree_rss_mb'])} (memory)"
        )
    elif pl and nb:
        ratios.append("end to end: pipeline ÷ notebook: none, the notebook did not finish")
    if pl and lb and lb["status"] == "ok":
        ratios.append(
            f"end to end: pipeline ÷ lower bound = {_ratio(pl['seconds'], lb['seconds'])} (time)"
        )
    lines += [f"- {text}" for text in ratios]

    if pl and pl.get("detail", {}).get("layers"):
        layers = pl["detail"]["layers"]
        lines += [
            "",
            "Pipeline stage by stage (node seconds from `run_results.json`, summed by layer; "
            "dbt runs two nodes at a time, so layers can overlap; dbt's own start-up and "
            "parsing are the rest of the wall time):",
            "",
            "| " + " | ".join(layers) + " | dbt elapsed | wall |",
            "|" + "---:|" * (len(layers) + 2),
            "| "
            + " | ".join(_fmt_s(v) for v in layers.values())
            + f" | {_fmt_s(pl['detail'].get('elapsed'))} | {_fmt_s(pl['seconds'])} |",
            "",
            "Slowest nodes: "
            + ", ".join(
                f"`{n['node'].split('.', 2)[-1]}` {_fmt_s(n['seconds'])}"
                for n in pl["detail"]["slowest"][:5]
            )
            + ".",
        ]
        if pl["detail"].get("statuses"):
            lines.append(f"Node statuses: {pl['detail']['statuses']}.")
        if pl["detail"].get("publish_copy_seconds") is not None:
            lines.append(
                f"Publishing with `insiders build` first copies the database "
                f"({_fmt_mb(pl['detail'].get('database_mb'))}) to its work copy: "
                f"{_fmt_s(pl['detail']['publish_copy_seconds'])}."
            )
    if nb:
        lines += ["", notebook_sentence(nb, limits)]
    customers = (nb_stages.get("model_selection_start") or {}).get("customers")
    if nb and customers:
        lines.append(
            f"Ward's condensed distance matrix for the notebook's {customers:,} customers takes "
            f"{customers * (customers - 1) / 2 * 8 / 2**30:,.1f} GB (8 bytes a pair), built "
            "again for every k; each exact silhouette visits every pair."
        )
    lines.append("")
    return lines


def notebook_sentence(nb: dict, limits: dict) -> str:
    detail = nb.get("detail", {})
    stages = detail.get("stages", {})
    parts = [
        f"{stage} ends at {_fmt_s(info['arrival'])} (peak {_fmt_mb(info['peak_rss_mb'])})"
        for stage, info in stages.items()
        if "arrival" in info
    ]
    fits = detail.get("fits", [])
    by_algorithm: dict[str, float] = defaultdict(float)
    for fit in fits:
        by_algorithm[fit["algorithm"]] += fit["fit_seconds"] + fit["score_seconds"]
    text = "Notebook: " + "; ".join(parts) + "."
    if by_algorithm:
        text += (
            " Model selection seconds by algorithm (fit + silhouette, all k done): "
            + ", ".join(f"{name} {_fmt_s(sec)}" for name, sec in by_algorithm.items())
            + "."
        )
    if nb["status"] != "ok":
        last = detail.get("last_event") or {}
        where = last.get("stage", "start-up")
        if last.get("event") == "fit":
            where = f"model selection, after {last['algorithm']} k={last['k']}"
        elif last.get("event") == "start":
            where = f"during {where}"
        elif last.get("event") == "end":
            where = f"after {where}"
        text += f" Outcome: {_outcome(nb, limits)}, {where}."
    return text


def render(results: dict, args: argparse.Namespace, host: dict) -> str:
    limits = {"time_limit": args.time_limit, "memory_limit_gb": args.memory_limit_gb}
    v = host["versions"]
    engine_gb = args.engine_memory_limit_gb
    out = [
        "# Benchmarks: the pipeline, the study's notebook, and a lower bound",
        "",
        "Written by `benchmarks/run.py` (see `benchmarks/README.md`); do not edit by hand.",
        "",
        "## Machine",
        "",
        f"- {host['cores']} cores ({host['cpu']}), {host['memory_gb']} GB memory, no swap "
        "assumed; " + host["os"],
        f"- Python {host['python']}; " + ", ".join(f"{k} {val}" for k, val in v.items()),
        "- The machine is shared with other work (see each run's load average): every figure is "
        "a single run, not a best of several, and the small scales were re-run last where noted.",
        f"- BLAS threads pinned to {args.blas_threads} for every contender (OMP_NUM_THREADS, "
        "OPENBLAS_NUM_THREADS): on a loaded machine oversubscribed BLAS threads spin, and one "
        "Gaussian-mixture fit took 10 s instead of 0.3 s in a trial. DuckDB uses both cores.",
        "",
        "## Commands",
        "",
        "```sh",
        ".venv/bin/python benchmarks/run.py --scales "
        + " ".join(scale_name(s) for s in sorted(float(k) for k in results)),
        "```",
        "",
        f"Limits per contender: {_fmt_s(args.time_limit)} of wall time; resident memory of the "
        f"process tree (sampled every {POLL_SECONDS} s) {args.memory_limit_gb:g} GB for the "
        f"notebook, {engine_gb:g} GB for the pipeline and the lower bound (DuckDB limits "
        "itself to 80% of memory and spills). A contender over a limit is killed and the "
        "table says where it was. The limits of the last invocation are shown; each scale's "
        "run used the limits of its own invocation.",
        f"Pipeline vars: {args.pipeline_vars or 'the project defaults'}. The lower bound uses the "
        "same policies, so its output equals `customer_features`; the notebook uses the study's "
        "(a surrogate customer per anonymous invoice, duplicates kept, and its final `dropna()` "
        "keeps only customers seen on two days or more).",
        "",
        "Each contender runs in its own process, one after the other; the commands are:",
        "",
    ]
    any_result = next(iter(results.values()))
    for name, entry in any_result["contenders"].items():
        out.append(f"- {name}: `{entry['command']}`")
    out += ["", "## Results", ""]
    out += summary_table(results)
    out.append("")
    for key in sorted(results, key=float):
        out += scale_section(results[key], limits)
    return "\n".join(out) + "\n"


def summary_table(results: dict) -> list[str]:
    lines = [
        "| scale | lines | lower bound | pipeline features | notebook features | "
        "pipeline end to end | notebook end to end |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key in sorted(results, key=float):
        r = results[key]
        c = r["contenders"]
        cells = []
        for name in (
            "lower_bound",
            "pipeline_features",
            "notebook_features",
            "pipeline",
            "notebook",
        ):
            if name == "notebook_features":
                stages = c.get("notebook", {}).get("detail", {}).get("stages", {})
                features = stages.get("features")
                cells.append(
                    f"{_fmt_s(features['arrival'])} / {_fmt_mb(features['peak_rss_mb'])}"
                    if features
                    else ("did not finish" if "notebook" in c else "-")
                )
                continue
            entry = c.get(name)
            if entry is None:
                cells.append("-")
            elif entry["status"] == "ok":
                cells.append(f"{_fmt_s(entry['seconds'])} / {_fmt_mb(entry['peak_tree_rss_mb'])}")
            else:
                cells.append(
                    f"{entry['status'].replace('_', ' ')} after {_fmt_s(entry['seconds'])}"
                    f" / {_fmt_mb(entry['peak_tree_rss_mb'])}"
                )
        lines.append(
            f"| {scale_name(r['scale'])} | {r['raw_lines']:,} | " + " | ".join(cells) + " |"
        )
    lines += ["", "Each cell: wall time / peak resident memory."]
    return lines


def main(argv: list[str] | None = None) -> int:
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
    args = parser.parse_args(argv)

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    results = json.loads(args.results.read_text()) if args.results.exists() else {}
    host = machine()
    # One step per contender and scale; on a terminal the bar shows which, the share done and
    # the time left (the larger scales take longest, so the estimate is a lower bound).
    with progress(
        desc="benchmark", total=len(args.scales) * len(args.contenders), unit="runs"
    ) as bar:
        for scale in args.scales:
            results[scale_name(scale)] = run_scale(scale, args, bar)
            args.results.write_text(json.dumps(results, indent=2, default=str))
            args.out.write_text(render(results, args, host))
    print(f"wrote {args.out.relative_to(REPO)} and {args.results.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

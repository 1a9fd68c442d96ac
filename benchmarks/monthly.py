"""Time a monthly run of the cleaned lines next to a full rebuild, on the generated data.

The previous month's export (the lines up to the data's second-last month end) is built first;
then the whole file, a month longer, is built twice from a copy of that database: as the
monthly run does (incremental: only the new lines are screened and cleaned), and with
``--full-refresh`` (every line again). Both run the same selection, the lines and their audit
(``+int_invoice_lines_cleaned +rejected_invoice_lines +invoice_line_accounting``, no tests):
the rest of the project does not depend on how the lines were built. The result replaces the
"Monthly runs" section of BENCHMARKS.md.

    .venv/bin/python -m benchmarks.monthly --scales 1 10
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path

import duckdb

from benchmarks.measure import Measured, measure
from benchmarks.render import write_section
from insiders.commands.replay import month_ends

REPO = Path(__file__).resolve().parents[1]
PYTHON = str(REPO / ".venv" / "bin" / "python")
SECTION_START = "<!-- monthly benchmark: written by benchmarks/monthly.py -->"
SECTION_END = "<!-- end of monthly benchmark -->"
SELECTION = ["+int_invoice_lines_cleaned", "+rejected_invoice_lines", "+invoice_line_accounting"]
NODES = ("int_invoice_lines_screened", "int_invoice_lines_cleaned")


def previous_export(raw: Path, out: Path) -> str:
    """The file as exported a month earlier: its lines up to its second-last month end."""
    with duckdb.connect() as con:
        first, last = con.execute(
            "select min(cast(InvoiceDate as date)), max(cast(InvoiceDate as date))"
            f" from read_parquet('{raw}')"
        ).fetchall()[0]
        cut = month_ends(first, last)[-2]
        con.execute(
            f"copy (select * from read_parquet('{raw}') where cast(InvoiceDate as date) <= ?)"
            f" to '{out}' (format parquet)",
            [cut],
        )
    return cut.isoformat()


def build(raw: Path, database: Path, stem: Path, *extra: str) -> tuple[Measured, dict]:
    """``dbt build`` of the lines into ``database``; the run and its nodes' seconds."""
    target = stem.with_name(f"{stem.name}_target")
    env = {
        **os.environ,
        "INSIDERS_RAW_PATH": str(raw),
        "INSIDERS_DUCKDB_PATH": str(database),
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(stem.with_name(f"{stem.name}_logs")),
    }
    cmd = [PYTHON, "-m", "insiders.dbt_runner", "build", "--select", *SELECTION]
    cmd += ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test", *extra]
    run = measure(
        cmd, cwd=REPO, env=env, log_stem=stem, time_limit=3600, memory_limit_mb=float("inf")
    )
    if run.status != "ok":
        raise SystemExit(f"{' '.join(cmd)} failed: see {run.stderr_path}")
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = {r["unique_id"].rsplit(".", 1)[-1]: r["execution_time"] for r in results}
    return run, {name: nodes.get(name, 0.0) for name in NODES}


def run_scale(scale: float, data: Path) -> dict:
    raw = data / f"online_retail_s{scale:g}_seed42.parquet"
    if not raw.exists():
        from insiders.generator.generate import generate

        generate(raw, scale=scale, seed=42)
    work = data / "monthly" / f"s{scale:g}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    # The export keeps its path from month to month, as the scheduled job's does (README).
    export = work / "export.parquet"
    cut = previous_export(raw, export)
    with duckdb.connect() as con:
        count = "select count(*) from read_parquet(?)"
        previous_lines = con.execute(count, [str(export)]).fetchall()[0][0]
        lines = con.execute(count, [str(raw)]).fetchall()[0][0]
    base = work / "previous.duckdb"
    build(export, base, work / "previous")
    shutil.copyfile(raw, export)
    figures = {
        "scale": scale,
        "previous_export_ends": cut,
        "lines": lines,
        "new_lines": lines - previous_lines,
    }
    for name, extra in (("monthly", ()), ("full", ("--full-refresh",))):
        database = work / f"{name}.duckdb"
        shutil.copyfile(base, database)
        run, nodes = build(export, database, work / name, *extra)
        figures[name] = {
            "seconds": run.seconds,
            # dbt and DuckDB's threads: on a loaded machine, the figure to compare
            "cpu_seconds": run.cpu_seconds,
            "peak_mb": run.peak_rss_mb,
            **nodes,
        }
    return figures


def render(runs: list[dict]) -> str:
    lines = [
        SECTION_START,
        "## Monthly runs: the cleaned lines incremental",
        "",
        "`.venv/bin/python -m benchmarks.monthly --scales "
        + " ".join(f"{r['scale']:g}" for r in runs)
        + "` on the generated data (seed 42). The previous month's export (the lines up to "
        "the second-last month end) is built first; then the whole file, a month longer, at the "
        "same path, is built from a copy of that database twice: as a monthly run "
        "(incremental) and with `--full-refresh`. Both build the lines and their audit "
        "(landing, staging, screening, cleaning, audit; no tests); the rest of a build "
        "reads all the lines either way. "
        f"One run each on a shared machine ({os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} at the end). Wall time, CPU time (dbt and DuckDB's "
        "threads; on a loaded machine the figure to compare) and peak memory of `dbt build`, "
        "and the wall seconds of the screening and cleaning nodes.",
        "",
        "| scale | lines | new lines | monthly run | full rebuild | screening: monthly / full "
        "| cleaning: monthly / full |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        monthly, full = r["monthly"], r["full"]
        lines.append(
            f"| {r['scale']:g} | {r['lines']:,} | {r['new_lines']:,} | "
            f"{_run(monthly)} | {_run(full)} | "
            f"{monthly[NODES[0]]:.1f} / {full[NODES[0]]:.1f} s | "
            f"{monthly[NODES[1]]:.1f} / {full[NODES[1]]:.1f} s |"
        )
    lines += ["", SECTION_END]
    return "\n".join(lines)


def _run(figures: dict) -> str:
    return (
        f"{figures['seconds']:.1f} s ({figures['cpu_seconds']:.1f} s CPU) / "
        f"{figures['peak_mb'] / 1024:.2f} GB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--data", type=Path, default=REPO / "data" / "bench")
    parser.add_argument("--out", type=Path, default=REPO / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    args.data.mkdir(parents=True, exist_ok=True)
    runs = []
    for scale in args.scales:
        runs.append(run_scale(scale, args.data))
        print(json.dumps(runs[-1]), flush=True)
    write_section(args.out, render(runs), SECTION_START, SECTION_END)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

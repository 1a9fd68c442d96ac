"""BENCHMARKS.md from the results: the cells are formatted here, the page is a Jinja template
(``BENCHMARKS.md.j2``) with one macro for every table."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from benchmarks.measure import POLL_SECONDS

TEMPLATE = "BENCHMARKS.md.j2"
CONTENDERS = ("lower_bound", "pipeline_features", "pipeline", "notebook")
# Rows of each scale's table: label, what it does, the contender, where its customers come from.
CONTENDER_ROWS = (
    ("lower bound", "one DuckDB query, file to features", "lower_bound"),
    ("pipeline, features only", "dbt build up to customer_features, no tests", "pipeline_features"),
    ("notebook, features only", "read, clean, features (pandas)", "notebook_features"),
    ("pipeline, end to end", "dbt build: everything, tests included", "pipeline"),
    ("notebook, end to end", "features + model selection on all customers", "notebook"),
)
CONTENDER_HEADER = ("contender", "what it does", "outcome", "customers", "wall time", "peak memory")
SUMMARY_HEADER = (
    "scale",
    "lines",
    "lower bound",
    "pipeline features",
    "notebook features",
    "pipeline end to end",
    "notebook end to end",
)
SUMMARY_COLUMNS = ("lower_bound", "pipeline_features", "notebook_features", "pipeline", "notebook")


def scale_name(scale: float) -> str:
    return f"{scale:g}"


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds:,.1f} s" if seconds < 600 else f"{seconds / 60:,.1f} min"


def fmt_mb(mb: float | None) -> str:
    if mb is None:
        return "-"
    return f"{mb:,.0f} MB" if mb < 1024 else f"{mb / 1024:,.2f} GB"


def ratio(a: float | None, b: float | None, b_finished: bool = True) -> str:
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}" if b_finished else f"< {a / b:.2f}"


def outcome(entry: dict, limits: dict) -> str:
    status = entry["status"]
    if status == "ok":
        return "ok"
    if status == "time_limit":
        return f"stopped at the time limit ({fmt_s(limits['time_limit'])})"
    if status == "memory_limit":
        return f"stopped at the memory limit ({limits['memory_limit_gb']:g} GB)"
    if entry.get("detail", {}).get("memory_error"):
        return "MemoryError"
    return f"failed (exit {entry['returncode']})"


def _notebook_stages(contenders: dict) -> dict:
    return (contenders.get("notebook") or {}).get("detail", {}).get("stages", {})


def _contender_row(label: str, what: str, entry: dict, limits: dict, customers) -> list[str]:
    return [
        label,
        what,
        outcome(entry, limits),
        "-" if customers is None else f"{customers:,}",
        fmt_s(entry["seconds"]),
        fmt_mb(entry["peak_tree_rss_mb"]),
    ]


def _notebook_features_row(label: str, what: str, notebook: dict, limits: dict) -> list[str]:
    features = notebook.get("detail", {}).get("stages", {}).get("features")
    if features:
        customers = f"{features.get('customers', 0):,}"
        seconds, memory = fmt_s(features["arrival"]), fmt_mb(features["peak_rss_mb"])
        return [label, what, "ok", customers, seconds, memory]
    return [label, what, f"{outcome(notebook, limits)} before the end of features", "-", "-", "-"]


def contender_rows(contenders: dict, limits: dict) -> list[list[str]]:
    """The rows of a scale's table, one per contender that ran (the notebook's twice)."""
    rows = []
    for label, what, name in CONTENDER_ROWS:
        if name == "notebook_features":
            if "notebook" in contenders:
                rows.append(_notebook_features_row(label, what, contenders["notebook"], limits))
            continue
        entry = contenders.get(name)
        if entry is None:
            continue
        customers = entry.get("detail", {}).get("customers")
        if name == "notebook":
            customers = (_notebook_stages(contenders).get("model_selection_start") or {}).get(
                "customers"
            )
        rows.append(_contender_row(label, what, entry, limits, customers))
    return rows


def ratios(contenders: dict) -> list[str]:
    """The pipeline's time and memory as multiples of the notebook's and the lower bound's."""
    lb, pf, pl, nb = (contenders.get(name) for name in CONTENDERS)
    nb_features = _notebook_stages(contenders).get("features")
    lb_ok = bool(lb and lb["status"] == "ok")
    found = []
    if pf and nb_features:
        found.append(
            f"features only: pipeline ÷ notebook = {ratio(pf['seconds'], nb_features['arrival'])}"
            f" (time), {ratio(pf['peak_tree_rss_mb'], nb_features['peak_rss_mb'])} (memory)"
        )
    if pf and lb_ok:
        found.append(
            f"features only: pipeline ÷ lower bound = {ratio(pf['seconds'], lb['seconds'])}"
            f" (time), {ratio(pf['peak_tree_rss_mb'], lb['peak_tree_rss_mb'])} (memory)"
        )
    if pl and nb and nb["status"] == "ok":
        found.append(
            f"end to end: pipeline ÷ notebook = {ratio(pl['seconds'], nb['seconds'])} (time), "
            f"{ratio(pl['peak_tree_rss_mb'], nb['peak_tree_rss_mb'])} (memory)"
        )
    elif pl and nb:
        found.append("end to end: pipeline ÷ notebook: none, the notebook did not finish")
    if pl and lb_ok:
        found.append(
            f"end to end: pipeline ÷ lower bound = {ratio(pl['seconds'], lb['seconds'])} (time)"
        )
    return found


def layers_table(pipeline: dict | None) -> dict | None:
    """The pipeline's seconds by layer of the build, as one table row."""
    detail = (pipeline or {}).get("detail", {})
    if not detail.get("layers"):
        return None
    layers = detail["layers"]
    cells = [fmt_s(value) for value in layers.values()]
    return {
        "header": [*layers, "dbt elapsed", "wall"],
        "align": ["---:"] * (len(layers) + 2),
        "rows": [[*cells, fmt_s(detail.get("elapsed")), fmt_s(pipeline["seconds"])]],
    }


def notebook_sentence(nb: dict, limits: dict) -> str:
    detail = nb.get("detail", {})
    parts = [
        f"{stage} ends at {fmt_s(info['arrival'])} (peak {fmt_mb(info['peak_rss_mb'])})"
        for stage, info in detail.get("stages", {}).items()
        if "arrival" in info
    ]
    by_algorithm: dict[str, float] = defaultdict(float)
    for fit in detail.get("fits", []):
        by_algorithm[fit["algorithm"]] += fit["fit_seconds"] + fit["score_seconds"]
    text = "Notebook: " + "; ".join(parts) + "."
    if by_algorithm:
        seconds = ", ".join(f"{name} {fmt_s(sec)}" for name, sec in by_algorithm.items())
        text += f" Model selection seconds by algorithm (fit + silhouette, all k done): {seconds}."
    if nb["status"] != "ok":
        text += f" Outcome: {outcome(nb, limits)}, {_where_it_stopped(detail)}."
    return text


def _where_it_stopped(detail: dict) -> str:
    last = detail.get("last_event") or {}
    where = last.get("stage", "start-up")
    if last.get("event") == "fit":
        return f"model selection, after {last['algorithm']} k={last['k']}"
    if last.get("event") == "start":
        return f"during {where}"
    if last.get("event") == "end":
        return f"after {where}"
    return where


def _intro(result: dict, limits: dict) -> str:
    data = result["data"]
    engine = limits.get("duckdb_memory_limit")
    return (
        f"Run {result['started']} to {result['finished']}; load average before "
        f"{result['load_before'][0]:.1f}, after {result['load_after'][0]:.1f}. "
        f"Data `{data['path']}` ({data['bytes'] / 2**20:,.1f} MB). "
        f"Time limit {fmt_s(limits['time_limit'])} per contender; memory limit "
        f"{limits['memory_limit_gb']:g} GB for the notebook. "
        f"DuckDB's memory limit in the pipeline: "
        f"{f'{engine} (INSIDERS_DUCKDB_MEMORY_LIMIT)' if engine else 'the profile default'}."
    )


def database_sentence(pipeline: dict | None) -> str | None:
    """The built database's size and what `insiders build` pays to copy it to its work copy."""
    detail = (pipeline or {}).get("detail", {})
    if "database_mb" not in detail:
        return None
    text = f"The built database: {fmt_mb(detail['database_mb'])}."
    if "publish_copy_seconds" in detail:
        text += (
            f" `insiders build` copies the published database to a work copy before dbt starts:"
            f" a copy of this one took {fmt_s(detail['publish_copy_seconds'])}"
            " (`benchmarks.run.publish_copy_seconds`, right after the build)."
        )
    return text


def scale_context(result: dict, limits: dict) -> dict:
    """Everything the template shows for one scale."""
    limits = {**limits, **result.get("limits", {})}
    contenders = result["contenders"]
    pipeline, notebook = contenders.get("pipeline"), contenders.get("notebook")
    customers = (_notebook_stages(contenders).get("model_selection_start") or {}).get("customers")
    detail = (pipeline or {}).get("detail", {})
    return {
        "name": scale_name(result["scale"]),
        "raw_lines": f"{result['raw_lines']:,}",
        "intro": _intro(result, limits),
        "contenders": {
            "header": CONTENDER_HEADER,
            "align": ["---", "---", "---", "---:", "---:", "---:"],
            "rows": contender_rows(contenders, limits),
        },
        "ratios": ratios(contenders),
        "layers": layers_table(pipeline),
        "slowest": ", ".join(
            f"`{n['node'].split('.', 2)[-1]}` {fmt_s(n['seconds'])}"
            for n in detail.get("slowest", [])[:5]
        ),
        "statuses": detail.get("statuses"),
        "database": database_sentence(pipeline),
        "notebook": notebook_sentence(notebook, limits) if notebook else None,
        "ward": (
            f"Ward's condensed distance matrix for the notebook's {customers:,} customers takes "
            f"{customers * (customers - 1) / 2 * 8 / 2**30:,.1f} GB (8 bytes a pair), built "
            "again for every k; each exact silhouette visits every pair."
            if notebook and customers
            else None
        ),
    }


def _summary_cell(contenders: dict, name: str) -> str:
    if name == "notebook_features":
        features = _notebook_stages(contenders).get("features")
        if features:
            return f"{fmt_s(features['arrival'])} / {fmt_mb(features['peak_rss_mb'])}"
        return "did not finish" if "notebook" in contenders else "-"
    entry = contenders.get(name)
    if entry is None:
        return "-"
    memory = fmt_mb(entry["peak_tree_rss_mb"])
    if entry["status"] == "ok":
        return f"{fmt_s(entry['seconds'])} / {memory}"
    return f"{entry['status'].replace('_', ' ')} after {fmt_s(entry['seconds'])} / {memory}"


def summary_table(results: dict) -> dict:
    """One row per scale: each contender's wall time and peak memory."""
    rows = [
        [scale_name(r["scale"]), f"{r['raw_lines']:,}"]
        + [_summary_cell(r["contenders"], name) for name in SUMMARY_COLUMNS]
        for r in (results[key] for key in sorted(results, key=float))
    ]
    return {
        "header": SUMMARY_HEADER,
        "align": ["---:"] * 7,
        "rows": rows,
    }


def render(results: dict, settings: dict, host: dict) -> str:
    """The page. ``settings`` holds the run's options: time_limit, memory_limit_gb,
    engine_memory_limit_gb, blas_threads, pipeline_vars and duckdb_memory_limit (optional)."""
    limits = {"time_limit": settings["time_limit"], "memory_limit_gb": settings["memory_limit_gb"]}
    any_result = next(iter(results.values()))
    return (
        templates()
        .get_template(TEMPLATE)
        .render(
            host=host,
            versions=", ".join(f"{k} {val}" for k, val in host["versions"].items()),
            blas_threads=settings["blas_threads"],
            scales=" ".join(scale_name(s) for s in sorted(float(k) for k in results)),
            options=(
                f" --duckdb-memory-limit {settings['duckdb_memory_limit']}"
                if settings.get("duckdb_memory_limit")
                else ""
            ),
            time_limit=fmt_s(settings["time_limit"]),
            poll_seconds=POLL_SECONDS,
            memory_limit_gb=f"{settings['memory_limit_gb']:g}",
            engine_gb=f"{settings['engine_memory_limit_gb']:g}",
            pipeline_vars=settings["pipeline_vars"] or "the project defaults",
            commands=[(name, entry["command"]) for name, entry in any_result["contenders"].items()],
            summary=summary_table(results),
            scales_detail=[
                scale_context(results[key], limits) for key in sorted(results, key=float)
            ],
        )
    )


def templates() -> Environment:
    """The Jinja environment of the page's templates (this folder)."""
    return Environment(
        loader=FileSystemLoader(Path(__file__).parent),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


def _section_pattern(start: str, end: str) -> re.Pattern:
    return re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)


def with_section(text: str, section: str, start: str, end: str) -> str:
    """``text`` with its section between the ``start`` and ``end`` markers replaced by
    ``section`` (which carries the markers), or ``section`` added at the end."""
    pattern = _section_pattern(start, end)
    if pattern.search(text):
        text = pattern.sub(lambda _match: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    return text.rstrip("\n") + "\n"


def write_section(markdown: Path, section: str, start: str, end: str) -> None:
    """Replace one section of BENCHMARKS.md (see ``with_section``), keeping the rest."""
    text = markdown.read_text() if markdown.exists() else ""
    markdown.write_text(with_section(text, section, start, end))


# A section another script writes: "<!-- name: written by ... -->" ... "<!-- end of name -->".
OTHER_SECTION = re.compile(r"(<!-- (.+?): written by .*? -->).*?(<!-- end of \2 -->)", re.S)


def kept_sections(old: str, new: str) -> str:
    """The page ``new`` with the sections that other scripts wrote into ``old`` carried over
    (the landing benchmark's, the stage table's)."""
    for found in OTHER_SECTION.finditer(old):
        new = with_section(new, found.group(0), found.group(1), found.group(3))
    return new

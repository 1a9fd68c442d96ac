"""`insiders report`: one self-contained HTML report from the tables of the built database.

The report reads what dbt built (the model selection, the labelled customers, the segment
profiles and the ``rpt_`` models that answer marketing's nine questions) and writes a single
HTML file with its pictures embedded as base64 PNG. Nothing in it depends on the clock or the
machine: the same database gives the same bytes (PNG metadata is dropped, and matplotlib draws
through its Agg canvas without touching pyplot's global state).
"""

from __future__ import annotations

import argparse
import base64
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import matplotlib as mpl
import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from matplotlib.figure import Figure

DEFAULT_OUTPUT = Path("reports") / "insiders_report.html"

# The study's published silhouette scores by algorithm and k, drawn beside ours for comparison:
# the seed reference.study_silhouette_scores, or a CSV given with --study-silhouettes.
STUDY_COLUMNS = ("algorithm", "k", "silhouette")

ALGORITHM_LABELS: Mapping[str, str] = {
    "kmeans": "k-means",
    "gmm": "Gaussian mixture",
    "hierarchical": "hierarchical (Ward)",
}

# customer_value's tiers, highest first.
VALUE_TIERS = ("top 1%", "top 5%", "top 10%", "top 25%", "top 50%", "rest")

# Columns of segment_profiles shown side by side, with their labels and number formats.
PROFILE_ROWS: tuple[tuple[str, str, str], ...] = (
    ("customers", "customers", "{:,.0f}"),
    ("customer_share", "share of customers", "{:.1%}"),
    ("gross_revenue", "revenue (£)", "{:,.0f}"),
    ("revenue_share", "share of revenue", "{:.1%}"),
    ("median_gross_revenue", "median revenue (£)", "{:,.0f}"),
    ("mean_gross_revenue", "mean revenue (£)", "{:,.0f}"),
    ("median_recency_days", "median recency (days)", "{:,.0f}"),
    ("mean_recency_days", "mean recency (days)", "{:,.1f}"),
    ("median_invoice_count", "median invoices", "{:,.1f}"),
    ("mean_invoice_count", "mean invoices", "{:,.1f}"),
    ("median_frequency", "median frequency", "{:.3f}"),
    ("mean_frequency", "mean frequency", "{:.3f}"),
    ("median_line_count", "median lines", "{:,.0f}"),
    ("median_returned_items", "median returned items", "{:,.1f}"),
    ("mean_returned_items", "mean returned items", "{:,.1f}"),
    ("median_avg_order_value", "median order value (£)", "{:,.0f}"),
)

# The features drawn in the profile chart: each bar is a segment's statistic relative to the
# same statistic over all customers, so features of different units share one axis. Returned
# items use the mean: most customers return nothing, so every median is 0.
PROFILE_CHART_FEATURES: tuple[tuple[str, str, str], ...] = (
    ("gross_revenue", "median revenue", "median"),
    ("invoice_count", "median invoices", "median"),
    ("recency_days", "median recency (days)", "median"),
    ("returned_items", "mean returned items", "mean"),
    ("avg_order_value", "median order value", "median"),
)

QUERIES: Mapping[str, str] = {
    "selection": """
        select feature_space, algorithm, k, silhouette, smallest_cluster_share, stability_ari
        from main.cluster_model_selection
        order by feature_space, algorithm, k
    """,
    "segments": """
        select segments.customer_id, segments.cluster_id, segments.segment, segments.map_x,
            segments.map_y, features.gross_revenue, features.invoice_count,
            features.recency_days, features.returned_items, features.avg_order_value
        from main.customer_segments as segments
        inner join main.customer_features as features
            on segments.customer_id = features.customer_id
        order by segments.cluster_id, segments.customer_id
    """,
    "profiles": "select * from main.segment_profiles order by cluster_id",
    "answers": "select * from main.rpt_insiders_answers order by question_number",
    "summary": "select * from main.rpt_insiders_summary",
    "insiders": "select * from main.insiders order by revenue_rank",
    "vs_rest": "select * from main.rpt_insiders_vs_rest order by feature_order",
    "forecast": "select * from main.rpt_insiders_revenue_forecast",
    "backtest": "select * from main.customer_value_backtest order by method_order",
    "value_tiers": """
        select segments.cluster_id, segments.segment, value.value_tier, count(*) as customers
        from main.customer_segments as segments
        inner join main.customer_value as value
            on segments.customer_id = value.customer_id
        group by all
        order by segments.cluster_id, value.value_tier
    """,
    "criteria": "select * from main.rpt_insiders_membership_criteria order by rule_order",
    "control": "select * from main.rpt_insiders_control_group order by programme_group desc",
    "actions": "select * from main.rpt_segment_actions order by cluster_id",
    "study": "select algorithm, k, silhouette from reference.study_silhouette_scores "
    "order by algorithm, k",
}


@dataclass(frozen=True)
class ReportData:
    """The tables the report is drawn from, one frame per query of ``QUERIES``."""

    tables: dict[str, pd.DataFrame]

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def default_database() -> Path:
    return Path(os.environ.get("INSIDERS_DUCKDB_PATH", "insiders.duckdb"))


def load_tables(database: Path) -> ReportData:
    """Every table the report needs, read once from the database (read-only)."""
    with duckdb.connect(str(database), read_only=True) as con:
        return ReportData({name: con.execute(sql).df() for name, sql in QUERIES.items()})


def load_study_silhouettes(path: Path) -> pd.DataFrame:
    """The study's published silhouettes (algorithm, k, silhouette) from a CSV file."""
    study = pd.read_csv(path)
    missing = [column for column in STUDY_COLUMNS if column not in study.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}; expected {list(STUDY_COLUMNS)}")
    return study[list(STUDY_COLUMNS)].sort_values(["algorithm", "k"], ignore_index=True)


def segment_colours(segments: pd.Series) -> dict[str, tuple[float, ...]]:
    """One colour per segment, in cluster order, the same in every picture."""
    palette = mpl.colormaps["tab10"]
    return {name: palette(position % 10) for position, name in enumerate(segments)}


def png_base64(figure: Figure) -> str:
    """The figure as base64 PNG, with no metadata (software version, dates) in the bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def selection_chart(selection: pd.DataFrame, study: pd.DataFrame) -> str:
    """Silhouette by k, one line per algorithm and one panel per feature space; the study's
    published silhouettes, when given, as dashed lines of the same colour."""
    spaces = sorted(selection["feature_space"].unique()) or ["(none)"]
    figure = Figure(figsize=(5.2 * len(spaces), 3.8), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(spaces), sharey=True))
    palette = mpl.colormaps["tab10"]
    algorithms = sorted(set(selection["algorithm"]) | set(study["algorithm"]))
    colours = {name: palette(position) for position, name in enumerate(algorithms)}
    for axis, space in zip(axes, spaces, strict=True):
        scored = selection[selection["feature_space"] == space]
        for algorithm, rows in scored.groupby("algorithm", sort=True):
            axis.plot(
                rows["k"],
                rows["silhouette"],
                marker="o",
                color=colours[algorithm],
                label=ALGORITHM_LABELS.get(algorithm, algorithm),
            )
        for algorithm, rows in study.groupby("algorithm", sort=True):
            axis.plot(
                rows["k"],
                rows["silhouette"],
                linestyle="--",
                color=colours[algorithm],
                label=f"study: {ALGORITHM_LABELS.get(algorithm, algorithm)}",
            )
        axis.set_title(f"feature space: {space}")
        axis.set_xlabel("k (clusters)")
        axis.grid(alpha=0.3)
    axes[0].set_ylabel("silhouette")
    axes[-1].legend(fontsize="small")
    return png_base64(figure)


def profile_chart(segments: pd.DataFrame, colours: Mapping[str, tuple[float, ...]]) -> str:
    """Each segment's median (or mean) of each feature ÷ all customers', side by side."""
    names = list(colours)
    figure = Figure(figsize=(9, 3.6), layout="constrained")
    axis = figure.subplots()
    width = 0.8 / max(len(names), 1)
    positions = np.arange(len(PROFILE_CHART_FEATURES))
    for offset, name in enumerate(names):
        members = segments[segments["segment"] == name]
        ratios = []
        for column, _label, statistic in PROFILE_CHART_FEATURES:
            overall = float(segments[column].agg(statistic))
            value = float(members[column].agg(statistic))
            ratios.append(value / overall if overall else np.nan)
        axis.bar(positions + offset * width, ratios, width, color=colours[name], label=name)
    axis.axhline(1.0, color="black", linewidth=0.8)
    axis.set_xticks(positions + width * (len(names) - 1) / 2)
    axis.set_xticklabels([label for _column, label, _statistic in PROFILE_CHART_FEATURES])
    axis.set_ylabel("segment ÷ all customers")
    axis.legend(fontsize="small", ncols=min(len(names), 4))
    return png_base64(figure)


def customer_map(segments: pd.DataFrame, colours: Mapping[str, tuple[float, ...]]) -> str:
    """The customers on the clustering's 2-D map (map_x, map_y), coloured by segment."""
    figure = Figure(figsize=(7, 5.2), layout="constrained")
    axis = figure.subplots()
    for name in colours:
        members = segments[segments["segment"] == name]
        axis.scatter(
            members["map_x"],
            members["map_y"],
            s=8,
            alpha=0.7,
            color=colours[name],
            label=f"{name} ({len(members):,})",
            linewidths=0,
        )
    axis.set_xlabel("map x")
    axis.set_ylabel("map y")
    axis.legend(fontsize="small", markerscale=2)
    return png_base64(figure)


def revenue_share_chart(profiles: pd.DataFrame, colours: Mapping[str, tuple[float, ...]]) -> str:
    """Share of customers beside share of revenue, per segment."""
    figure = Figure(figsize=(7, 3.4), layout="constrained")
    axis = figure.subplots()
    positions = np.arange(len(profiles))
    bar_colours = [colours[name] for name in profiles["segment"]]
    axis.bar(positions - 0.2, profiles["customer_share"], 0.4, color=bar_colours, alpha=0.45)
    axis.bar(positions + 0.2, profiles["revenue_share"], 0.4, color=bar_colours)
    for position, share in zip(positions, profiles["revenue_share"], strict=True):
        axis.annotate(f"{share:.0%}", (position + 0.2, share), ha="center", va="bottom")
    axis.set_xticks(positions)
    axis.set_xticklabels(profiles["segment"])
    axis.set_ylabel("share")
    axis.set_ylim(0, 1.1)
    axis.set_title("light: share of customers, dark: share of revenue")
    return png_base64(figure)


def format_value(value: object, pattern: str) -> str:
    """``pattern.format(value)``; the pattern "number" shows whole numbers from 100 up and three
    significant digits below, so money and tiny ratios share a column."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    if pattern == "number":
        return f"{value:,.0f}" if abs(float(value)) >= 100 else f"{value:.3g}"
    return pattern.format(value)


def profile_table(profiles: pd.DataFrame) -> dict[str, object]:
    """segment_profiles turned sideways: one column per segment, one row per measure."""
    rows = [
        (label, [format_value(value, pattern) for value in profiles[column]])
        for column, label, pattern in PROFILE_ROWS
        if column in profiles.columns
    ]
    return {"segments": list(profiles["segment"]), "rows": rows}


def silhouette_table(selection: pd.DataFrame) -> list[dict[str, object]]:
    """The study's table: per feature space, algorithms as rows and k as columns."""
    tables = []
    for space, rows in selection.groupby("feature_space", sort=True):
        wide = rows.pivot_table(
            index="algorithm", columns="k", values="silhouette", aggfunc="first"
        )
        tables.append(
            {
                "space": space,
                "ks": [int(k) for k in wide.columns],
                "rows": [
                    (ALGORITHM_LABELS.get(name, name), [f"{value:.3f}" for value in values])
                    for name, values in zip(wide.index, wide.to_numpy(), strict=True)
                ],
            }
        )
    return tables


def records(frame: pd.DataFrame, formats: Mapping[str, str]) -> dict[str, object]:
    """A frame as header and formatted rows for the template (columns of ``formats`` only)."""
    columns = [column for column in formats if column in frame.columns]
    return {
        "columns": columns,
        "rows": [
            [
                format_value(value, formats[column])
                for column, value in zip(columns, row, strict=True)
            ]
            for row in frame[columns].itertuples(index=False, name=None)
        ],
    }


def question_figures(data: ReportData) -> dict[int, dict[str, object]]:
    """The table printed under each answer: the detail behind its sentence."""
    return {
        1: records(
            data["insiders"].head(10),
            {
                "revenue_rank": "{}",
                "customer_id": "{}",
                "country": "{}",
                "gross_revenue": "{:,.0f}",
                "recency_days": "{}",
                "invoice_count": "{}",
                "is_control_group": "{}",
            },
        ),
        2: records(
            data["summary"],
            {"insider_count": "{:,}", "customer_count": "{:,}", "insider_share": "{:.1%}"},
        ),
        3: records(
            data["vs_rest"],
            {
                "feature": "{}",
                "insiders_median": "number",
                "rest_median": "number",
                "median_uplift": "{:+.0%}",
                "insiders_mean": "number",
                "rest_mean": "number",
            },
        ),
        4: records(
            data["summary"],
            {
                "insider_revenue": "{:,.0f}",
                "customer_revenue": "{:,.0f}",
                "insider_revenue_share": "{:.1%}",
                "all_revenue": "{:,.0f}",
                "insider_share_of_all_revenue": "{:.1%}",
            },
        ),
        5: records(
            data["backtest"],
            {
                "forecast_method": "{}",
                "period_start_date": "{:%Y-%m-%d}",
                "customers": "{:,}",
                "predicted_revenue": "{:,.0f}",
                "actual_revenue": "{:,.0f}",
                "revenue_error": "{:+.1%}",
                "spearman": "{:.2f}",
                "top_decile_revenue_share": "{:.1%}",
            },
        ),
        6: records(
            data["criteria"][data["criteria"]["criterion"] == "join"],
            {"rule_text": "{}", "threshold": "{:,.1f}", "customers_meeting": "{:,}"},
        ),
        7: records(
            data["criteria"][data["criteria"]["criterion"] == "leave"],
            {"rule_text": "{}", "threshold": "{:,.1f}", "customers_meeting": "{:,}"},
        ),
        8: records(
            data["control"],
            {
                "programme_group": "{}",
                "customers": "{:,}",
                "mean_gross_revenue": "{:,.0f}",
                "mean_period_revenue": "{:,.0f}",
                "standardised_difference": "{:+.2f}",
                "minimum_detectable_uplift": "{:.0%}",
            },
        ),
        9: records(
            data["actions"],
            {"segment": "{}", "rationale": "{}", "recommended_action": "{}"},
        ),
    }


def value_tier_table(tiers: pd.DataFrame) -> dict[str, object]:
    """Customers per segment (rows, in cluster order) and value tier (columns, highest first)."""
    counts = tiers.pivot_table(
        index=["cluster_id", "segment"], columns="value_tier", values="customers", aggfunc="sum"
    )
    columns = [tier for tier in VALUE_TIERS if tier in counts.columns]
    counts = counts.reindex(columns=columns).fillna(0).astype(int)
    return {
        "tiers": columns,
        "rows": [
            (segment, [f"{count:,}" for count in row])
            for (_, segment), row in zip(counts.index, counts.to_numpy().tolist(), strict=True)
        ],
    }


def render_report(data: ReportData, study: pd.DataFrame) -> str:
    """The report's HTML, from the tables and the study's silhouettes."""
    profiles = data["profiles"]
    colours = segment_colours(profiles["segment"])
    summary = data["summary"].iloc[0]
    environment = Environment(
        loader=PackageLoader("insiders", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    template = environment.get_template("report.html.j2")
    return template.render(
        reference_date=f"{pd.Timestamp(summary['reference_date']):%Y-%m-%d}",
        customer_count=f"{int(summary['customer_count']):,}",
        insider_count=f"{int(summary['insider_count']):,}",
        has_study=not study.empty,
        selection_chart=selection_chart(data["selection"], study),
        silhouette_tables=silhouette_table(data["selection"]),
        profile_table=profile_table(profiles),
        profile_chart=profile_chart(data["segments"], colours),
        customer_map=customer_map(data["segments"], colours),
        revenue_share_chart=revenue_share_chart(profiles, colours),
        value_tier_table=value_tier_table(data["value_tiers"]),
        answers=data["answers"].to_dict("records"),
        figures=question_figures(data),
    )


def write_report(
    database: Path, output: Path = DEFAULT_OUTPUT, study_silhouettes: Path | None = None
) -> Path:
    """Write the HTML report of the database to ``output``; returns the path written."""
    data = load_tables(database)
    study = (
        data["study"] if study_silhouettes is None else load_study_silhouettes(study_silhouettes)
    )
    html = render_report(data, study)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(html, encoding="utf-8")
    return output


def run(args: argparse.Namespace) -> int:
    database = Path(args.database)
    if not database.exists():
        print(f"insiders report: no database at {database}; run `make run` first")
        return 1
    written = write_report(database, Path(args.output), args.study_silhouettes)
    print(f"wrote {written}")
    return 0


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", default=str(default_database()), help="the DuckDB file")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="the HTML file to write")
    parser.add_argument(
        "--study-silhouettes",
        type=Path,
        default=None,
        help="CSV of silhouettes (algorithm, k, silhouette) to compare with, instead of the "
        "study's published ones (the seed study_silhouette_scores)",
    )
    parser.set_defaults(func=run)

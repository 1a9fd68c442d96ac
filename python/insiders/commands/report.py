"""`insiders report`: one self-contained HTML report from the tables of the built database.

The report reads what dbt built (the model selection, the labelled customers, the segment
profiles and the ``rpt_`` models that answer marketing's nine questions, each table shown as the
models' YAML says: ``insiders.commands.report_answers``) and writes a single HTML file with its
pictures embedded as base64 PNG (``insiders.commands.report_charts``). Nothing in it depends on
the clock or the machine: the same database gives the same bytes.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from insiders import paths
from insiders.commands.readonly import read_only
from insiders.commands.report_answers import (
    answer_figures,
    answer_tables,
    format_value,
    profile_rows,
)
from insiders.commands.report_charts import (
    ALGORITHM_LABELS,
    customer_map,
    profile_chart,
    revenue_share_chart,
    segment_colours,
    selection_chart,
)

DEFAULT_OUTPUT = Path("reports") / "insiders_report.html"
ENVIRONMENT = {
    "INSIDERS_DUCKDB_PATH": "the database, unless --database is given (default: insiders.duckdb)",
}

# The study's published silhouette scores by algorithm and k, drawn beside ours for comparison:
# the seed reference.study_silhouette_scores, or a CSV given with --study-silhouettes.
STUDY_COLUMNS = ("algorithm", "k", "silhouette")

# customer_value's tiers, highest first.
VALUE_TIERS = ("top 1%", "top 5%", "top 10%", "top 25%", "top 50%", "rest")

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
    "value_tiers": """
        select segments.cluster_id, segments.segment, segments.value_tier, count(*) as customers
        from main.customers as segments
        group by all
        order by segments.cluster_id, segments.value_tier
    """,
    "study": "select algorithm, k, silhouette from reference.study_silhouette_scores "
    "order by algorithm, k",
}


@dataclass(frozen=True)
class ReportData:
    """The tables the report is drawn from, one frame per query of ``QUERIES``, and the table
    under each answer (``insiders.commands.report_answers``)."""

    tables: dict[str, pd.DataFrame]
    figures: dict[int, dict[str, object]] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def load_tables(database: Path) -> ReportData:
    """Every table the report needs, read once from the database (read-only)."""
    with read_only(database, "report") as con:
        tables = {name: con.execute(sql).df() for name, sql in QUERIES.items()}
        return ReportData(tables, answer_figures(con, answer_tables()))


def load_study_silhouettes(path: Path) -> pd.DataFrame:
    """The study's published silhouettes (algorithm, k, silhouette) from a CSV file."""
    study = pd.read_csv(path)
    missing = [column for column in STUDY_COLUMNS if column not in study.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}; expected {list(STUDY_COLUMNS)}")
    return study[list(STUDY_COLUMNS)].sort_values(["algorithm", "k"], ignore_index=True)


def profile_table(profiles: pd.DataFrame) -> dict[str, object]:
    """segment_profiles turned sideways: one column per segment, one row per measure."""
    rows = [
        (label, [format_value(value, pattern) for value in profiles[column]])
        for column, label, pattern in profile_rows()
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
        figures=data.figures,
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
    parser.add_argument(
        "--database",
        default=str(paths.database_path()),
        help="the DuckDB file, read-only (default: $INSIDERS_DUCKDB_PATH, else insiders.duckdb)",
    )
    parser.add_argument(
        "--output",
        default=str(DEFAULT_OUTPUT),
        help=f"the HTML file to write (default: {DEFAULT_OUTPUT})",
    )
    parser.add_argument(
        "--study-silhouettes",
        type=Path,
        default=None,
        help="CSV of silhouettes (algorithm, k, silhouette) to compare with (default: the "
        "study's published ones, the seed study_silhouette_scores)",
    )
    parser.set_defaults(func=run)

"""The report's pictures, drawn with matplotlib's Agg canvas (no pyplot, no global state) and
embedded as base64 PNG without metadata, so the same tables give the same bytes."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

ALGORITHM_LABELS: Mapping[str, str] = {
    "kmeans": "k-means",
    "gmm": "Gaussian mixture",
    "hierarchical": "hierarchical (Ward)",
}

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

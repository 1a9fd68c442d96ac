"""The original study's notebook, re-implemented faithfully in pandas: the baseline to beat.

The study ("Insiders" customer clustering on the UCI Online Retail data) ran in a Jupyter
notebook. This module does what that notebook did, the way it did it, so the benchmark can
compare the dbt pipeline with it honestly:

- read the whole raw file into one pandas frame and rename the columns to snake case;
- give each invoice without a CustomerID one surrogate customer, numbered from 19000 in the
  order the invoices first appear in the raw file (before any cleaning, as the notebook did);
- clean: keep lines priced at 0.04 or more, drop the 12 stock codes, the countries
  'European Community' and 'Unspecified' and customer 16446; no de-duplication;
- split purchases (quantity >= 0) from returns (quantity < 0) and build one frame per feature
  with ``groupby``, merged one by one onto the customer list, the row-wise ``apply`` lambdas
  for the average gap between visits and the frequency included; then ``dropna()``, which
  drops every customer seen on a single day (their average gap is undefined) and every
  customer who only returned goods;
- model selection: min-max scale the study's five features and, for k = 2..11, fit k-means,
  a Gaussian mixture and Ward hierarchical clustering on every customer and score each with
  the silhouette on every customer. Ward is refitted for every k and the silhouette is exact:
  both are quadratic in the number of customers, which is why the notebook cannot scale.

Dates: the study's file (``Ecommerce.csv``) had day-only dates (``29-Nov-16``), so day-based
figures were calendar-day figures; a file with times of day is truncated to the day here.
``avg_recency_days`` keeps the notebook's sign: it is negative (the notebook sorted dates
newest first and subtracted the later date from the earlier one).

Nothing here is borrowed from the pipeline (no DuckDB, no sampling, no tree reuse). Run it
as ``python -m benchmarks.notebook RAW_PATH``; it prints one JSON line per stage (with the
peak memory so far) so a benchmark that stops it knows how far it got.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn import cluster as c
from sklearn import metrics as m
from sklearn import mixture as mx
from sklearn import preprocessing as pp

from benchmarks.notebook_features import build_features
from benchmarks.study import (
    EXCLUDED_COUNTRIES,
    EXCLUDED_CUSTOMERS,
    EXCLUDED_STOCK_CODES,
    MIN_UNIT_PRICE,
    SURROGATE_START,
)

FEATURE_COLUMNS = (
    "gross_revenue",
    "recency_days",
    "qtde_invoices",
    "qtde_items",
    "qtde_products",
    "avg_ticket",
    "avg_recency_days",
    "frequency",
    "qtde_returns",
    "avg_basket_size",
    "avg_unique_basket_size",
)
# The five features the study clustered on.
SELECTED_FEATURES = ("gross_revenue", "recency_days", "qtde_products", "frequency", "qtde_returns")
K_VALUES = tuple(range(2, 12))
N_INIT = 10
RANDOM_STATE = 42
_RAW_COLUMNS = {
    "InvoiceNo": "invoice_no",
    "StockCode": "stock_code",
    "Description": "description",
    "Quantity": "quantity",
    "InvoiceDate": "invoice_date",
    "UnitPrice": "unit_price",
    "CustomerID": "customer_id",
    "Country": "country",
}

Reporter = Callable[..., None]


def _silent(**_event: object) -> None:
    return None


def read_raw(path: str | Path) -> pd.DataFrame:
    """The raw file as one frame with the notebook's snake-case column names."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        raw = pd.read_csv(path, encoding="latin-1")
        raw = raw.drop(columns=[col for col in raw.columns if col.startswith("Unnamed")])
        raw["InvoiceDate"] = pd.to_datetime(raw["InvoiceDate"], format="mixed")
    else:
        raw = pd.read_parquet(path)
    raw = raw.rename(columns=_RAW_COLUMNS)
    raw["invoice_no"] = raw["invoice_no"].astype(str)
    return raw


def replace_missing_customers(df1: pd.DataFrame) -> pd.DataFrame:
    """One surrogate customer per invoice without a CustomerID, numbered from 19000."""
    df_missing = df1.loc[df1["customer_id"].isna(), :]
    df_backup = pd.DataFrame(df_missing["invoice_no"].drop_duplicates())
    df_backup["customer_id"] = np.arange(SURROGATE_START, SURROGATE_START + len(df_backup), 1)
    df1 = df1.merge(df_backup, on="invoice_no", how="left")
    df1["customer_id"] = df1["customer_id_x"].combine_first(df1["customer_id_y"])
    df1 = df1.drop(columns=["customer_id_x", "customer_id_y"])
    # The study's file had day-only dates: day-based figures are calendar-day figures.
    df1["invoice_date"] = pd.to_datetime(df1["invoice_date"]).dt.normalize()
    df1["customer_id"] = df1["customer_id"].astype(int)
    return df1


def filter_lines(df1: pd.DataFrame) -> pd.DataFrame:
    """The study's business assumptions, as the notebook's filters."""
    df2 = df1.copy()
    df2 = df2.loc[df2["unit_price"] >= MIN_UNIT_PRICE, :]
    df2 = df2[~df2["stock_code"].isin(EXCLUDED_STOCK_CODES)]
    df2 = df2.drop(columns="description")
    df2 = df2[~df2["country"].isin(EXCLUDED_COUNTRIES)]
    df2 = df2[~df2["customer_id"].isin(EXCLUDED_CUSTOMERS)]
    return df2


def clean(raw: pd.DataFrame) -> pd.DataFrame:
    """Surrogate customers, then the filters: the notebook's sections 1 and 2."""
    return filter_lines(replace_missing_customers(raw))


def prepare_space(features: pd.DataFrame) -> np.ndarray:
    """The study's five features, each min-max scaled (the notebook's data preparation)."""
    df5 = features.loc[:, list(SELECTED_FEATURES)].copy()
    for column in SELECTED_FEATURES:
        df5[column] = pp.MinMaxScaler().fit_transform(df5[[column]])
    return df5.to_numpy()


def model_selection(
    x: np.ndarray,
    k_values: Iterable[int] = K_VALUES,
    *,
    report: Reporter = _silent,
) -> pd.DataFrame:
    """Silhouette of k-means, GMM and Ward for every k, each fitted and scored on all of ``x``.

    As in the notebook: every model is refitted for every k (Ward's tree included) and the
    silhouette uses all pairwise distances. One row per (algorithm, k).
    """
    models: dict[str, Callable[[int], object]] = {
        "kmeans": lambda k: c.KMeans(n_clusters=k, n_init=N_INIT, random_state=RANDOM_STATE),
        "gmm": lambda k: mx.GaussianMixture(
            n_components=k, n_init=N_INIT, random_state=RANDOM_STATE
        ),
        "hierarchical": lambda k: c.AgglomerativeClustering(n_clusters=k, linkage="ward"),
    }
    rows = []
    for algorithm, make in models.items():
        for k in k_values:
            started = time.perf_counter()
            labels = make(k).fit_predict(x)
            fitted = time.perf_counter()
            silhouette = m.silhouette_score(x, labels, metric="euclidean")
            scored = time.perf_counter()
            row = {
                "algorithm": algorithm,
                "k": k,
                "silhouette": float(silhouette),
                "fit_seconds": fitted - started,
                "score_seconds": scored - fitted,
            }
            rows.append(row)
            report(stage="model_selection", event="fit", **row)
    return pd.DataFrame(rows)


def _peak_rss_mb() -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _json_reporter(stream) -> Reporter:
    started = time.perf_counter()

    def report(**event: object) -> None:
        event.update(seconds=round(time.perf_counter() - started, 3), peak_rss_mb=_peak_rss_mb())
        stream.write(json.dumps(event) + "\n")
        stream.flush()

    return report


def run(
    raw_path: str | Path,
    *,
    stages: str = "all",
    k_values: Iterable[int] = K_VALUES,
    report: Reporter = _silent,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The notebook top to bottom: the features and, with ``stages='all'``, the selection."""
    report(stage="read", event="start")
    raw = read_raw(raw_path)
    report(stage="read", event="end", lines=len(raw))
    report(stage="cleaning", event="start")
    cleaned = clean(raw)
    del raw
    report(stage="cleaning", event="end", lines=len(cleaned))
    report(stage="features", event="start")
    features = build_features(cleaned)
    del cleaned
    report(stage="features", event="end", customers=len(features))
    if stages == "features":
        return features, None
    report(stage="model_selection", event="start", customers=len(features))
    selection = model_selection(prepare_space(features), k_values, report=report)
    best = selection.loc[selection["silhouette"].idxmax()]
    report(
        stage="model_selection",
        event="end",
        best_algorithm=str(best["algorithm"]),
        best_k=int(best["k"]),
        best_silhouette=float(best["silhouette"]),
    )
    return features, selection


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.notebook", description=__doc__.splitlines()[0]
    )
    parser.add_argument("raw_path", type=Path, help="the raw invoice lines (parquet or csv)")
    parser.add_argument("--stages", choices=("features", "all"), default="all")
    parser.add_argument("--features-out", type=Path, help="write the features here (parquet)")
    parser.add_argument("--selection-out", type=Path, help="write the selection table here")
    args = parser.parse_args(argv)
    report = _json_reporter(sys.stdout)
    try:
        features, selection = run(args.raw_path, stages=args.stages, report=report)
    except MemoryError:
        report(stage="error", event="memory_error", detail="MemoryError raised by an allocation")
        return 3
    if args.features_out:
        features.to_parquet(args.features_out)
    if args.selection_out and selection is not None:
        selection.to_parquet(args.selection_out)
    report(stage="done", event="end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Model selection: every (feature space, algorithm, k) fitted, scored and checked for stability.

Scale. Ward's tree and the silhouette are quadratic in the number of customers, so:

- every algorithm is fitted on one seeded sample of at most ``fit_sample_cap`` customers (the same
  sample for all, so they compete on equal terms) and every customer is then assigned: k-means and
  Gaussian mixtures ``predict``; a Ward cut assigns each customer to the nearest cluster centroid;
- the silhouette is computed on a seeded sample of at most ``score_sample_cap`` customers, from
  one distance matrix per feature space that every model's silhouette shares, all of a space's
  models in one matrix product (``insiders.segmentation.silhouette``);
- Davies-Bouldin, Calinski-Harabasz, the smallest cluster's share and the revenue separation are
  linear and use everyone;
- ONE Ward tree serves every k (``ward`` once, ``fcluster`` per k);
- the fits run on threads, one per core (``fitted_models``): each depends only on its sample
  and seed, so the table is the same on any number of threads.

Stability. Each of ``n_stability_fits`` extra fits uses another seed and another seeded sample of
80 % of the fit sample's size, drawn from all customers; its labels on the score sample are
compared with the main fit's by the adjusted Rand index, and ``stability_ari`` is the mean. For
Ward that is one extra tree per resample, again cut at every k.

Memory: Ward's tree is built from the points (fastcluster's ``linkage_vector``), in memory
linear in ``fit_sample_cap``; the silhouette's distance matrix takes ``8 * score_sample_cap**2``
bytes (800 MB at 10,000).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, calinski_harabasz_score, davies_bouldin_score

from insiders.segmentation.features import (
    REVENUE_COLUMN,
    STREAM_FIT,
    STREAM_SCORE,
    STREAM_STABILITY,
    prepare_features,
    sample_index,
    signed_log1p,
    sort_customers,
)
from insiders.segmentation.fitting import (
    ALGORITHMS,
    FittedPartition,
    available_cores,
    fit_partitions,
    one_thread,
)
from insiders.segmentation.silhouette import distance_matrix, silhouettes_from_distances

STABILITY_SAMPLE_FRACTION = 0.8

SELECTION_DTYPES: dict[str, str] = {
    "model_key": "str",
    "feature_space": "str",
    "algorithm": "str",
    "k": "int64",
    "silhouette": "float64",
    "davies_bouldin": "float64",
    "calinski_harabasz": "float64",
    "smallest_cluster_share": "float64",
    "insiders_share": "float64",
    "revenue_separation": "float64",
    "stability_ari": "float64",
    "converged": "bool",
    "fit_seconds": "float64",
    "n_customers": "int64",
    "fit_sample_size": "int64",
    "score_sample_size": "int64",
    "seed": "int64",
}


def model_key(space: str, algorithm: str, k: int) -> str:
    """One readable key per selection row, e.g. ``scaled/kmeans/k=05``."""
    return f"{space}/{algorithm}/k={k:02d}"


def revenue_separation(labels: np.ndarray, log_revenue: np.ndarray) -> float:
    """Share of the variance of log gross revenue between clusters (eta squared, 0 to 1).

    Whatever the space, the Insiders are picked by revenue, so a partition that does not
    separate revenue cannot separate them.
    """
    total = ((log_revenue - log_revenue.mean()) ** 2).sum()
    if total == 0:
        return np.nan
    counts = np.bincount(labels)
    means = np.bincount(labels, weights=log_revenue)[labels] / counts[labels]
    return float(1 - ((log_revenue - means) ** 2).sum() / total)


def top_cluster_share(labels: np.ndarray, revenue: np.ndarray) -> float:
    """Share of customers in the cluster of highest mean gross revenue: the would-be Insiders."""
    counts = np.bincount(labels)
    means = np.divide(
        np.bincount(labels, weights=revenue),
        counts,
        out=np.full(len(counts), -np.inf),
        where=counts > 0,
    )
    return float(counts[int(np.argmax(means))] / len(labels))


def partition_scores(points: np.ndarray, labels: np.ndarray, k: int) -> dict[str, float]:
    """The linear scores, on everyone (the silhouette is scored per space, on its sample)."""
    n_labels = len(np.unique(labels))
    shares = np.bincount(labels, minlength=k) / len(labels)
    return {
        "davies_bouldin": float(davies_bouldin_score(points, labels))
        if 1 < n_labels < len(labels)
        else np.nan,
        "calinski_harabasz": float(calinski_harabasz_score(points, labels))
        if 1 < n_labels < len(labels)
        else np.nan,
        "smallest_cluster_share": float(shares[:k].min()) if len(shares) >= k else 0.0,
    }


def empty_selection() -> pd.DataFrame:
    """The selection table with no rows, typed (what ``dbt build --empty`` gets)."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in SELECTION_DTYPES.items()})


@dataclass(frozen=True)
class Samples:
    """The rows every model of a selection is fitted on and scored on, and the resample of
    each stability refit: drawn once, shared by every space, algorithm and k."""

    fit_rows: np.ndarray
    score_rows: np.ndarray
    resample_rows: tuple[np.ndarray, ...]

    @property
    def n_stability_fits(self) -> int:
        return len(self.resample_rows)

    def draw_rows(self, draw: int) -> np.ndarray:
        """The rows of draw 0 (the main fit) or of the ``draw``-th stability refit."""
        return self.fit_rows if draw == 0 else self.resample_rows[draw - 1]


@dataclass(frozen=True)
class Fit:
    """One unit of fitting work: ``algorithm`` at ``k_values`` on one sample.

    ``draw`` 0 is the main fit, on the fit sample with the selection's seed; draw ``i`` > 0 is
    the i-th stability refit, on another seeded resample with seed + i.
    """

    algorithm: str
    draw: int
    k_values: tuple[int, ...]

    def run(self, points: np.ndarray, samples: Samples, seed: int) -> dict[int, FittedPartition]:
        rows = samples.draw_rows(self.draw)
        return fit_partitions(self.algorithm, points[rows], self.k_values, seed + self.draw)


def fit_plan(algorithms: Sequence[str], k_values: Sequence[int], n_draws: int) -> list[Fit]:
    """Every fit of a space, the costliest first so that the threads finish together: one
    per k for k-means and mixtures (their cost grows with k), one per draw for Ward (one
    tree serves every k)."""
    plan = []
    for algorithm in algorithms:
        for draw in range(n_draws):
            if algorithm == "hierarchical":
                plan.append(Fit(algorithm, draw, tuple(k_values)))
            else:
                plan += [Fit(algorithm, draw, (k,)) for k in k_values]
    cost = {"gmm": 3.0, "hierarchical": 2.0, "kmeans": 1.0}
    return sorted(plan, key=lambda fit: -cost.get(fit.algorithm, 1.0) * max(fit.k_values))


def fitted_models(
    points: np.ndarray,
    algorithms: Sequence[str],
    k_values: Sequence[int],
    samples: Samples,
    seed: int,
    n_threads: int = 1,
) -> list[tuple[str, int, FittedPartition, np.ndarray, list[float]]]:
    """Each (algorithm, k) of one space: its fit, everyone's labels, and its agreements (ARI on
    the score sample) with the stability refits.

    The fits run on ``n_threads`` threads (k-means' loop, Ward's tree and NumPy's array work
    release the GIL). Each fit depends only on its sample and seed, so the result is the same,
    bit for bit, on any number of threads; only ``fit_seconds`` (wall time) changes.
    """
    plan = fit_plan(algorithms, k_values, 1 + samples.n_stability_fits)
    with ThreadPoolExecutor(max_workers=max(1, n_threads)) as pool:
        done = pool.map(lambda fit: fit.run(points, samples, seed), plan)
        fitted: dict[tuple[str, int, int], FittedPartition] = {}
        for fit, partitions in zip(plan, done, strict=True):
            fitted.update({(fit.algorithm, fit.draw, k): p for k, p in partitions.items()})
    score_rows, models = samples.score_rows, []
    for algorithm in algorithms:
        for k in k_values:
            main = fitted[(algorithm, 0, k)]
            labels = main.assign(points)
            agreements = [
                adjusted_rand_score(
                    labels[score_rows], fitted[(algorithm, draw, k)].assign(points[score_rows])
                )
                for draw in range(1, 1 + samples.n_stability_fits)
            ]
            models.append((algorithm, k, main, labels, agreements))
    return models


def space_rows(
    points: np.ndarray, space: str, models: list, samples: Samples, revenue: np.ndarray
) -> list[dict]:
    """The selection rows of one space's models; their silhouettes share one distance matrix
    of the score sample and one matrix product (``insiders.segmentation.silhouette``)."""
    score_rows = samples.score_rows
    silhouettes = silhouettes_from_distances(
        distance_matrix(points[score_rows]), [labels[score_rows] for *_, labels, _ in models]
    )
    log_revenue = signed_log1p(revenue)
    return [
        {
            "model_key": model_key(space, algorithm, k),
            "feature_space": space,
            "algorithm": algorithm,
            "k": k,
            "silhouette": silhouette,
            **partition_scores(points, labels, k),
            "insiders_share": top_cluster_share(labels, revenue),
            "revenue_separation": revenue_separation(labels, log_revenue),
            "stability_ari": float(np.mean(agreements)) if agreements else np.nan,
            "converged": fitted.converged,
            "fit_seconds": fitted.fit_seconds,
            "n_customers": len(points),
            "fit_sample_size": len(samples.fit_rows),
            "score_sample_size": len(score_rows),
        }
        for (algorithm, k, fitted, labels, agreements), silhouette in zip(
            models, silhouettes, strict=True
        )
    ]


def select_models(
    features: pd.DataFrame,
    *,
    feature_columns: Sequence[str],
    spaces: Sequence[str],
    algorithms: Sequence[str] = ALGORITHMS,
    k_values: Iterable[int],
    seed: int,
    fit_sample_cap: int,
    score_sample_cap: int,
    n_stability_fits: int,
    n_threads: int | None = None,
) -> pd.DataFrame:
    """One row per (feature space, algorithm, k) with its scores (see the module docstring);
    k values that are not below the number of fitted customers are skipped.

    The fits run on ``n_threads`` threads (default: the cores this process may use); the table
    is the same on any number, apart from ``fit_seconds``."""
    n_customers = len(features)
    k_values = [k for k in k_values if 2 <= k < min(n_customers, fit_sample_cap)]
    if n_customers == 0 or not k_values:
        return empty_selection()
    fit_rows = sample_index(n_customers, fit_sample_cap, seed, STREAM_FIT)
    resample_size = max(max(k_values) + 1, round(STABILITY_SAMPLE_FRACTION * len(fit_rows)))
    samples = Samples(
        fit_rows=fit_rows,
        score_rows=sample_index(n_customers, score_sample_cap, seed, STREAM_SCORE),
        resample_rows=tuple(
            sample_index(n_customers, resample_size, seed + draw, STREAM_STABILITY)
            for draw in range(1, 1 + n_stability_fits)
        ),
    )
    revenue = sort_customers(features)[REVENUE_COLUMN].astype("float64").to_numpy()
    rows = []
    with one_thread():
        for space in spaces:
            points = prepare_features(
                features, feature_columns, space, seed, fit_sample_cap=fit_sample_cap
            )
            models = fitted_models(
                points, algorithms, k_values, samples, seed, n_threads or available_cores()
            )
            rows += space_rows(points, space, models, samples, revenue)
    return pd.DataFrame([{**row, "seed": seed} for row in rows]).astype(SELECTION_DTYPES)


def choose_model(
    selection: pd.DataFrame,
    *,
    algorithm: str | None = None,
    k: int | None = None,
    space: str | None = None,
    min_cluster_share: float,
    min_stability: float,
    max_insiders_share: float,
    min_segments: int,
) -> tuple[str, str, int]:
    """The (feature space, algorithm, k) to label customers with.

    Pinned values win: with all three pinned, they are returned as they are. Otherwise, among the
    selection rows that match the pinned values, the rule is: highest silhouette among models
    whose smallest cluster holds at least ``min_cluster_share`` of the customers, whose top
    cluster (the would-be Insiders) holds at most ``max_insiders_share`` of them — a loyalty
    programme is for a minority — and whose ``stability_ari`` is at least ``min_stability`` (a
    missing stability passes); if no model passes all three, the highest silhouette among all
    matching rows. Only models with at least ``min_segments`` clusters are considered, unless
    none has that many: a marketer acts on segments, and two or three clusters lump the
    archetypes together (see the README). Ties go to the smaller k, then to the space and
    algorithm names in alphabetical order.
    """
    if algorithm is not None and k is not None and space is not None:
        return space, algorithm, int(k)
    candidates = selection.dropna(subset=["silhouette"])
    for column, pinned in (("algorithm", algorithm), ("k", k), ("feature_space", space)):
        if pinned is not None:
            candidates = candidates[candidates[column] == pinned]
    if candidates.empty:
        raise ValueError(
            f"no scored model matches algorithm={algorithm!r}, k={k!r}, space={space!r}"
        )
    if (candidates["k"] >= min_segments).any():
        candidates = candidates[candidates["k"] >= min_segments]
    eligible = candidates[
        (candidates["smallest_cluster_share"] >= min_cluster_share)
        & (candidates["insiders_share"] <= max_insiders_share)
        & ~(candidates["stability_ari"] < min_stability)
    ]
    pool = eligible if not eligible.empty else candidates
    best = pool.sort_values(
        ["silhouette", "k", "feature_space", "algorithm"],
        ascending=[False, True, True, True],
        kind="mergesort",
    ).iloc[0]
    return str(best["feature_space"]), str(best["algorithm"]), int(best["k"])

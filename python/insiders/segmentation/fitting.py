"""Fitting one clustering algorithm at several k: k-means, Gaussian mixtures and Ward's tree.

Each fit returns a ``FittedPartition``: how to assign any customer, whether the fit converged,
and how long it took. ``insiders.segmentation.selection`` fits every (algorithm, k) of a feature
space with these and scores them; ``insiders.segmentation.labels`` refits the chosen one.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import fastcluster
import numpy as np
from scipy.cluster.hierarchy import fcluster
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import pairwise_distances_argmin
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from insiders.segmentation.features import STREAM_FIT, sample_index

ALGORITHMS: tuple[str, ...] = ("kmeans", "gmm", "hierarchical")
KMEANS_INITS = 4
GMM_MAX_ITER = 300

Assign = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class FittedPartition:
    """A fitted clustering: how to assign any customer, and how the fit went."""

    assign: Assign
    converged: bool
    fit_seconds: float


def nearest_centroid(centroids: np.ndarray) -> Assign:
    """Assign each point to its nearest centroid (ties to the lowest index)."""
    return lambda points: pairwise_distances_argmin(points, centroids)


def fit_kmeans(points: np.ndarray, k: int, seed: int) -> FittedPartition:
    start = time.perf_counter()
    model = KMeans(n_clusters=k, n_init=KMEANS_INITS, random_state=seed).fit(points)
    return FittedPartition(model.predict, True, time.perf_counter() - start)


def fit_gmm(points: np.ndarray, k: int, seed: int) -> FittedPartition:
    """A Gaussian mixture; one not converged in GMM_MAX_ITER steps is flagged, not warned about."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = GaussianMixture(
            n_components=k, covariance_type="full", max_iter=GMM_MAX_ITER, random_state=seed
        ).fit(points)
    return FittedPartition(model.predict, bool(model.converged_), time.perf_counter() - start)


def ward(points: np.ndarray) -> np.ndarray:
    """Ward's tree of ``points`` as a scipy linkage matrix.

    fastcluster's ``linkage_vector`` runs the nearest-neighbour chain on the points themselves:
    the tree ``scipy.cluster.hierarchy.ward`` builds, without its condensed distance matrix
    (``4 * n**2`` bytes: 1.6 GB at 20,000 customers). On 4,366 customers (5 features, one core)
    it took 0.15 s of CPU against scipy's 1.9 s; on 20,000, 3.3 s.
    """
    return fastcluster.linkage_vector(np.ascontiguousarray(points, dtype=np.float64), method="ward")


def ward_partitions(points: np.ndarray, k_values: Iterable[int]) -> dict[int, FittedPartition]:
    """One Ward tree, cut at every k; each cut assigns by nearest cluster centroid.

    ``fit_seconds`` of each k is the shared tree's build time plus that k's cut.
    """
    start = time.perf_counter()
    tree = ward(points)
    tree_seconds = time.perf_counter() - start
    partitions = {}
    for k in k_values:
        start = time.perf_counter()
        labels = fcluster(tree, t=k, criterion="maxclust")
        centroids = np.stack([points[labels == c].mean(axis=0) for c in np.unique(labels)])
        partitions[k] = FittedPartition(
            nearest_centroid(centroids), True, tree_seconds + time.perf_counter() - start
        )
    return partitions


def fit_partitions(
    algorithm: str, points: np.ndarray, k_values: Sequence[int], seed: int
) -> dict[int, FittedPartition]:
    """Every k of one algorithm fitted on ``points``."""
    if algorithm == "kmeans":
        return {k: fit_kmeans(points, k, seed) for k in k_values}
    if algorithm == "gmm":
        return {k: fit_gmm(points, k, seed) for k in k_values}
    if algorithm == "hierarchical":
        return ward_partitions(points, k_values)
    raise ValueError(f"unknown algorithm {algorithm!r}; expected one of {ALGORITHMS}")


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, not the machine's count)."""
    return len(os.sched_getaffinity(0))


def one_thread() -> threadpool_limits:
    """A context in which BLAS and OpenMP (k-means' Lloyd loop) run on one thread.

    The fits do many small operations. Extra threads pay to wake and join on each, and on a
    busy machine they spin waiting for cores: at scale 1 on 2 loaded cores the mixtures took
    14-21 s with BLAS's default threads and 2-4 s with one; the whole selection 40.6 s of CPU
    with OpenMP's default threads and 11 s with one; one keeps k-means' sums in one order.
    """
    return threadpool_limits(limits=1)


def fit_labels(
    points: np.ndarray, *, algorithm: str, k: int, seed: int, fit_sample_cap: int
) -> np.ndarray:
    """Labels of every customer from the same fit that ``select_models`` scores."""
    fit_rows = sample_index(len(points), fit_sample_cap, seed, STREAM_FIT)
    with one_thread():
        return fit_partitions(algorithm, points[fit_rows], [k], seed)[k].assign(points)

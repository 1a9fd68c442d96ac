"""Fitting one algorithm at several k (insiders.segmentation.fitting)."""

from __future__ import annotations

import numpy as np
import pytest

from insiders.segmentation import fitting


def three_blobs(n_per_blob: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    return np.concatenate([centre + rng.normal(size=(n_per_blob, 2)) for centre in centres])


@pytest.mark.parametrize("algorithm", fitting.ALGORITHMS)
def test_each_algorithm_finds_three_clear_blobs_and_assigns_new_points(algorithm):
    points = three_blobs(100, seed=1)
    partition = fitting.fit_partitions(algorithm, points, [3], seed=0)[3]
    labels = partition.assign(points)
    # every blob is one cluster, whatever the cluster numbers
    assert sorted(len(set(labels[i : i + 100])) for i in (0, 100, 200)) == [1, 1, 1]
    assert len(set(labels)) == 3
    assert partition.converged
    assert partition.fit_seconds >= 0
    # a point far beyond a blob's centre is assigned to that blob's cluster
    far = partition.assign(np.array([[0.0, 13.0], [13.0, 0.0]]))
    assert far[0] == labels[200] and far[1] == labels[100]


def test_a_mixture_stopped_before_converging_is_flagged_not_warned(monkeypatch):
    monkeypatch.setattr(fitting, "GMM_MAX_ITER", 1)
    partition = fitting.fit_gmm(three_blobs(100, seed=2), k=6, seed=0)
    assert not partition.converged

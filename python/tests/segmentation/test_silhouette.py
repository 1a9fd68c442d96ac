"""The shared-distance silhouette is scikit-learn's silhouette, computed once per sample."""

import numpy as np
import pytest
from sklearn.metrics import silhouette_score

from insiders.segmentation.silhouette import (
    canonical_labels,
    distance_matrix,
    silhouette_from_distances,
    silhouettes_from_distances,
)


@pytest.mark.parametrize("n_clusters", [2, 3, 7])
def test_equals_scikit_learn_silhouette(n_clusters):
    rng = np.random.default_rng(n_clusters)
    points = rng.normal(size=(400, 5)) + rng.integers(0, 3, size=(400, 1))
    labels = rng.integers(0, n_clusters, size=400) * 10 + 3  # ids need not be 0..k-1
    labels[0] = 999  # a singleton cluster scores 0, as in scikit-learn
    distances = distance_matrix(points)
    expected = silhouette_score(points, labels)
    assert silhouette_from_distances(distances, labels) == pytest.approx(expected, abs=1e-12)


def test_same_partition_under_other_numbers_scores_bit_for_bit_the_same():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(300, 4))
    labels = rng.integers(0, 5, size=300)
    renamed = np.array([4, 0, 3, 1, 2])[labels]
    distances = distance_matrix(points)
    assert silhouette_from_distances(distances, labels) == silhouette_from_distances(
        distances, renamed
    )


def test_one_cluster_or_all_singletons_have_no_silhouette():
    distances = distance_matrix(np.arange(12.0).reshape(6, 2))
    assert np.isnan(silhouette_from_distances(distances, np.zeros(6, dtype=int)))
    assert np.isnan(silhouette_from_distances(distances, np.arange(6)))


def test_canonical_labels_number_clusters_by_first_appearance():
    codes, n_clusters = canonical_labels(np.array([7, 7, 2, 9, 2, 7]))
    assert codes.tolist() == [0, 0, 1, 2, 1, 0]
    assert n_clusters == 3


def test_many_partitions_from_one_product_equal_scikit_learns_silhouettes():
    rng = np.random.default_rng(1)
    points = rng.normal(size=(500, 4)) + rng.integers(0, 4, size=(500, 1))
    partitions = [rng.integers(0, k, size=500) for k in (2, 3, 5, 8, 11)]
    partitions.append(np.array([9, 4, 7, 0, 1])[partitions[2]])  # partition 2 renumbered
    scores = silhouettes_from_distances(distance_matrix(points), partitions)
    for labels, score in zip(partitions, scores, strict=True):
        assert score == pytest.approx(silhouette_score(points, labels), abs=1e-12)
    assert scores[5] == scores[2]
    # One product or one per partition: the same sums, added in an order BLAS chooses.
    alone = [silhouette_from_distances(distance_matrix(points), p) for p in partitions]
    assert scores == pytest.approx(alone, abs=1e-12)

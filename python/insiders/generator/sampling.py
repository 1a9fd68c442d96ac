"""Integer draws that hit published totals exactly while keeping the shape of a random draw."""

from __future__ import annotations

import numpy as np


def fit_total(
    weights: np.ndarray, total: int, minimum: np.ndarray | int, maximum: np.ndarray | int
) -> np.ndarray:
    """Integers proportional to ``weights``, each in [minimum, maximum], summing to ``total``.

    Used wherever the plan must hit a published count exactly while keeping the shape of a
    random draw: scale the draw, floor it, then hand out the remainder by largest fraction.
    """
    weights = np.asarray(weights, dtype=np.float64)
    minimum = np.broadcast_to(np.asarray(minimum, dtype=np.int64), weights.shape)
    maximum = np.broadcast_to(np.asarray(maximum, dtype=np.int64), weights.shape)
    if not minimum.sum() <= total <= maximum.sum():
        raise ValueError(f"cannot spread {total} over {weights.size} slots within bounds")
    low, high = 0.0, 1.0
    while np.clip(np.floor(weights * high), minimum, maximum).sum() < total:
        high *= 2.0
    for _ in range(64):
        middle = (low + high) / 2
        if np.clip(np.floor(weights * middle), minimum, maximum).sum() <= total:
            low = middle
        else:
            high = middle
    counts = np.clip(np.floor(weights * low), minimum, maximum).astype(np.int64)
    fraction = weights * low - np.floor(weights * low)
    while (missing := total - int(counts.sum())) > 0:
        room = np.flatnonzero(counts < maximum)
        chosen = room[np.argsort(-fraction[room], kind="stable")[:missing]]
        counts[chosen] += 1
    return counts


def weighted_sample(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """``k`` distinct indices drawn with probability ∝ weight (Efraimidis-Spirakis), sorted."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    eligible = weights > 0
    if k > int(eligible.sum()):
        raise ValueError(f"cannot draw {k} from {int(eligible.sum())} candidates")
    keys = np.full(weights.shape, -np.inf)
    keys[eligible] = np.log(rng.random(int(eligible.sum()))) / weights[eligible]
    chosen = np.argpartition(-keys, k - 1)[:k]
    return np.sort(chosen)


def allocate(shares: np.ndarray, total: int) -> np.ndarray:
    """Split ``total`` by ``shares`` with largest remainders, so counts are exact."""
    raw = shares / shares.sum() * total
    counts = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts


def binomial_with_total(rng: np.random.Generator, n_lines: np.ndarray, total: int) -> np.ndarray:
    """Per invoice, how many of its ``n_lines`` are picked (e.g. duplicated): a binomial draw
    at the overall rate, nudged to exactly ``total``."""
    rate = total / max(int(n_lines.sum()), 1)
    counts = rng.binomial(n_lines, rate)
    while (surplus := int(counts.sum()) - total) != 0:
        if surplus > 0:
            weights = counts.astype(np.float64)
        else:
            weights = (counts < n_lines) * n_lines.astype(np.float64)
        step = min(abs(surplus), int(np.count_nonzero(weights)))
        counts[weighted_sample(rng, weights, step)] -= np.sign(surplus)
    return counts

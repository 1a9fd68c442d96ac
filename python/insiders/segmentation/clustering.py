"""Customer segmentation: the public API the dbt Python models call.

- ``prepare_features``: customers as points of the ``scaled`` or ``embedding`` feature space
  (``insiders.segmentation.features``);
- ``select_models`` and ``choose_model``: every (space, algorithm, k) scored, and the rule that
  picks one (``insiders.segmentation.selection``);
- ``label_customers`` and ``score_against_truth``: the labelled customers and their quality
  against planted archetypes (``insiders.segmentation.labels``);
- ``selection_settings`` and ``segment_settings``: dbt config values (which arrive as text when
  YAML renders a project var) turned into typed arguments.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Any

import pandas as pd

from insiders.segmentation.features import (
    DEFAULT_FEATURE_COLUMNS,
    DEFAULT_FIT_SAMPLE_CAP,
    FEATURE_SPACES,
    prepare_features,
)
from insiders.segmentation.labels import (
    INSIDERS,
    SEGMENT_NAMES,
    empty_segments,
    label_customers,
    score_against_truth,
)
from insiders.segmentation.matching import carry_segment_names, keep_previous_k, with_as_of_date
from insiders.segmentation.selection import (
    ALGORITHMS,
    DEFAULT_FEATURE_SPACES,
    DEFAULT_K_VALUES,
    DEFAULT_SCORE_SAMPLE_CAP,
    DEFAULT_STABILITY_FITS,
    SELECTION_DTYPES,
    choose_model,
    empty_selection,
    select_models,
)

__all__ = [
    "ALGORITHMS",
    "DEFAULT_FEATURE_COLUMNS",
    "FEATURE_SPACES",
    "INSIDERS",
    "SEGMENT_NAMES",
    "SELECTION_DTYPES",
    "choose_model",
    "empty_segments",
    "empty_selection",
    "label_customers",
    "prepare_features",
    "score_against_truth",
    "segment_customers",
    "segment_settings",
    "select_models",
    "selection_settings",
    "with_as_of_date",
]

# Silhouettes of different spaces are not comparable (the 2-D embedding scores higher while
# matching planted segments far worse, see the README), so the dbt models always pin a space.
DEFAULT_FEATURE_SPACE = "scaled"
DEFAULT_MIN_CLUSTER_SHARE = 0.02
DEFAULT_MIN_STABILITY = 0.7
DEFAULT_KEEP_K_TOLERANCE = 0.05
DEFAULT_MAX_INSIDERS_SHARE = 0.25
_UNSET = {"", "none", "null", "auto"}


def _optional_text(value: Any) -> str | None:
    if value is None or str(value).strip().lower() in _UNSET:
        return None
    return str(value).strip()


def _names(value: Any, default: Sequence[str]) -> tuple[str, ...]:
    """A list setting: a list, ``"['a', 'b']"`` (a rendered YAML list) or ``"a, b"``."""
    text = _optional_text(value) if isinstance(value, str) or value is None else value
    if text is None:
        return tuple(default)
    if isinstance(text, str):
        text = ast.literal_eval(text) if text.startswith(("[", "(")) else text.split(",")
    names = tuple(str(name).strip() for name in text if str(name).strip())
    return names or tuple(default)


def _integer(value: Any, default: int | None) -> int | None:
    text = _optional_text(value)
    return default if text is None else int(float(text))


def _number(value: Any, default: float) -> float:
    text = _optional_text(value)
    return default if text is None else float(text)


def selection_settings(
    *,
    feature_columns: Any = None,
    feature_spaces: Any = None,
    algorithms: Any = None,
    k_min: Any = None,
    k_max: Any = None,
    seed: Any = None,
    fit_sample_cap: Any = None,
    score_sample_cap: Any = None,
    stability_fits: Any = None,
) -> dict[str, Any]:
    """Keyword arguments for ``select_models`` from dbt config values (None: the default)."""
    k_min_value = _integer(k_min, min(DEFAULT_K_VALUES))
    k_max_value = _integer(k_max, max(DEFAULT_K_VALUES))
    return {
        "feature_columns": _names(feature_columns, DEFAULT_FEATURE_COLUMNS),
        "spaces": _names(feature_spaces, DEFAULT_FEATURE_SPACES),
        "algorithms": _names(algorithms, ALGORITHMS),
        "k_values": range(k_min_value, k_max_value + 1),
        "seed": _integer(seed, 0),
        "fit_sample_cap": _integer(fit_sample_cap, DEFAULT_FIT_SAMPLE_CAP),
        "score_sample_cap": _integer(score_sample_cap, DEFAULT_SCORE_SAMPLE_CAP),
        "n_stability_fits": _integer(stability_fits, DEFAULT_STABILITY_FITS),
    }


def segment_settings(
    *,
    feature_columns: Any = None,
    feature_space: Any = None,
    algorithm: Any = None,
    k: Any = None,
    seed: Any = None,
    fit_sample_cap: Any = None,
    min_cluster_share: Any = None,
    min_stability: Any = None,
    max_insiders_share: Any = None,
) -> dict[str, Any]:
    """Keyword arguments for ``segment_customers`` from dbt config values (None: the default)."""
    return {
        "feature_columns": _names(feature_columns, DEFAULT_FEATURE_COLUMNS),
        "space": _optional_text(feature_space) or DEFAULT_FEATURE_SPACE,
        "algorithm": _optional_text(algorithm),
        "k": _integer(k, None),
        "seed": _integer(seed, 0),
        "fit_sample_cap": _integer(fit_sample_cap, DEFAULT_FIT_SAMPLE_CAP),
        "min_cluster_share": _number(min_cluster_share, DEFAULT_MIN_CLUSTER_SHARE),
        "min_stability": _number(min_stability, DEFAULT_MIN_STABILITY),
        "max_insiders_share": _number(max_insiders_share, DEFAULT_MAX_INSIDERS_SHARE),
    }


def segment_customers(
    features: pd.DataFrame,
    selection: pd.DataFrame,
    *,
    feature_columns: Sequence[str] = DEFAULT_FEATURE_COLUMNS,
    space: str | None = None,
    algorithm: str | None = None,
    k: int | None = None,
    seed: int = 0,
    fit_sample_cap: int = DEFAULT_FIT_SAMPLE_CAP,
    min_cluster_share: float = DEFAULT_MIN_CLUSTER_SHARE,
    min_stability: float = DEFAULT_MIN_STABILITY,
    max_insiders_share: float = DEFAULT_MAX_INSIDERS_SHARE,
    previous: pd.DataFrame | None = None,
    keep_k_tolerance: float = DEFAULT_KEEP_K_TOLERANCE,
) -> pd.DataFrame:
    """``choose_model`` on the selection (or the pinned values), then ``label_customers``.

    With ``previous`` (the previous run's ``customer_id``, ``cluster_id`` and ``segment``), the
    segment names are carried over by ``insiders.segmentation.matching.carry_segment_names``,
    and, unless k is pinned, the previous run's k is kept while its silhouette is within
    ``keep_k_tolerance`` of the rule's choice (``keep_previous_k``).
    With no customers, or nothing scored and nothing pinned, the typed empty table.
    """
    pinned = space is not None and algorithm is not None and k is not None
    if features.empty or (selection.empty and not pinned):
        return empty_segments(features, feature_columns)
    rule = {
        "min_cluster_share": min_cluster_share,
        "min_stability": min_stability,
        "max_insiders_share": max_insiders_share,
    }
    k_is_pinned, pinned_algorithm = k is not None, algorithm
    space, algorithm, k = choose_model(selection, algorithm=algorithm, k=k, space=space, **rule)
    if previous is not None and not previous.empty and not k_is_pinned:
        space, algorithm, k = keep_previous_k(
            selection,
            (space, algorithm, k),
            int(previous["cluster_id"].nunique()),
            tolerance=keep_k_tolerance,
            algorithm=pinned_algorithm,
            **rule,
        )
    labelled = label_customers(
        features,
        feature_columns=feature_columns,
        space=space,
        algorithm=algorithm,
        k=k,
        seed=seed,
        fit_sample_cap=fit_sample_cap,
    )
    return carry_segment_names(labelled, previous)[0]

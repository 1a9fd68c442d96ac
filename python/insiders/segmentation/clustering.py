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

from insiders.segmentation.features import FEATURE_SPACES, prepare_features
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
    SELECTION_DTYPES,
    choose_model,
    empty_selection,
    select_models,
)
from insiders.settings import setting

__all__ = [
    "ALGORITHMS",
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

_UNSET = {"", "none", "null", "auto"}


def _optional_text(value: Any) -> str | None:
    if value is None or str(value).strip().lower() in _UNSET:
        return None
    return str(value).strip()


def _names(value: Any, var: str) -> tuple[str, ...]:
    """A list setting: a list, ``"['a', 'b']"`` (a rendered YAML list) or ``"a, b"``; unset or
    empty, the var's default in dbt_project.yml."""
    text = _optional_text(value) if isinstance(value, str) or value is None else value
    if text is None:
        text = setting(var)
    if isinstance(text, str):
        text = ast.literal_eval(text) if text.startswith(("[", "(")) else text.split(",")
    names = tuple(str(name).strip() for name in text if str(name).strip())
    return names or tuple(setting(var))


def _integer(value: Any, var: str | None) -> int | None:
    """An integer setting; unset, the var's default (None when no var stands behind it)."""
    text = _optional_text(value)
    if text is None:
        default = None if var is None else setting(var)
        return None if default is None else int(default)
    return int(float(text))


def _number(value: Any, var: str) -> float:
    text = _optional_text(value)
    return float(setting(var) if text is None else text)


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
    """Keyword arguments for ``select_models`` from dbt config values, which arrive as text when
    YAML renders a project var. An unset value (None) is the var's default in dbt_project.yml."""
    k_min_value = _integer(k_min, "cluster_k_min")
    k_max_value = _integer(k_max, "cluster_k_max")
    algorithm_names = _optional_text(algorithms) if isinstance(algorithms, str) else algorithms
    return {
        "feature_columns": _names(feature_columns, "cluster_features"),
        "spaces": _names(feature_spaces, "cluster_feature_spaces"),
        "algorithms": tuple(algorithm_names or ALGORITHMS),
        "k_values": range(k_min_value, k_max_value + 1),
        "seed": _integer(seed, "cluster_seed"),
        "fit_sample_cap": _integer(fit_sample_cap, "cluster_fit_sample_cap"),
        "score_sample_cap": _integer(score_sample_cap, "cluster_score_sample_cap"),
        "n_stability_fits": _integer(stability_fits, "cluster_stability_fits"),
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
    min_segments: Any = None,
) -> dict[str, Any]:
    """Keyword arguments for ``segment_customers`` from dbt config values (None: the var's
    default in dbt_project.yml; an unset algorithm or k is left to the rule)."""
    return {
        "feature_columns": _names(feature_columns, "cluster_features"),
        # Silhouettes of different spaces are not comparable (the 2-D embedding scores higher
        # while matching planted segments far worse, see the README), so a space is pinned.
        "space": _optional_text(feature_space) or setting("cluster_feature_space"),
        "algorithm": _optional_text(algorithm),
        "k": _integer(k, None),
        "seed": _integer(seed, "cluster_seed"),
        "fit_sample_cap": _integer(fit_sample_cap, "cluster_fit_sample_cap"),
        "min_cluster_share": _number(min_cluster_share, "cluster_min_share"),
        "min_stability": _number(min_stability, "cluster_min_stability"),
        "max_insiders_share": _number(max_insiders_share, "cluster_max_insiders_share"),
        "min_segments": _integer(min_segments, "cluster_min_segments"),
    }


def segment_customers(
    features: pd.DataFrame,
    selection: pd.DataFrame,
    *,
    feature_columns: Sequence[str],
    space: str | None,
    algorithm: str | None,
    k: int | None,
    seed: int,
    fit_sample_cap: int,
    min_cluster_share: float,
    min_stability: float,
    max_insiders_share: float,
    min_segments: int,
    previous: pd.DataFrame | None = None,
    keep_k_tolerance: float,
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
        "min_segments": min_segments,
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

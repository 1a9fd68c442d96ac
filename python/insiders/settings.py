"""The project's settings: the vars of ``dbt_project.yml``, where each default is written once.

Inside dbt a model reads a setting as ``{{ var('name') }}`` (the dbt Python models through their
YAML config and ``dbt.config.get``), so ``dbt build --vars`` overrides it. Python that runs
outside dbt (the commands, the tests, the benchmarks) reads the same vars here, and a function
of the package takes its settings as arguments: no module holds a second copy of a default.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from insiders import paths


class UnknownSettingError(KeyError):
    """A name that is not a var of ``dbt_project.yml``."""


@functools.cache
def _read_vars(project_file: Path, modified: float) -> dict[str, Any]:
    del modified  # part of the cache key: an edited file is read again
    project = yaml.safe_load(project_file.read_text(encoding="utf-8")) or {}
    found = project.get("vars") or {}
    if not isinstance(found, dict):
        raise ValueError(f"{project_file}: 'vars' must be a mapping")
    return found


def project_vars(project_dir: Path | None = None) -> dict[str, Any]:
    """Every var of ``dbt_project.yml`` with its default value (a copy: change it freely)."""
    folder = paths.project_dir() if project_dir is None else Path(project_dir)
    project_file = (folder / paths.PROJECT_FILE).resolve()
    return copy.deepcopy(_read_vars(project_file, project_file.stat().st_mtime))


def resolved_vars(
    overrides: Mapping[str, Any] | None = None, project_dir: Path | None = None
) -> dict[str, Any]:
    """The vars a ``dbt build --vars overrides`` runs with: the defaults, then the overrides.

    An override of a name that is not a var is refused, as a misspelt var would otherwise be
    ignored silently.
    """
    values = project_vars(project_dir)
    unknown = sorted(set(overrides or {}) - set(values))
    if unknown:
        raise UnknownSettingError(
            f"not vars of {paths.PROJECT_FILE}: {', '.join(unknown)}; "
            f"known: {', '.join(sorted(values))}"
        )
    values.update(overrides or {})
    return values


def setting(name: str, overrides: Mapping[str, Any] | None = None) -> Any:
    """One var's value: its override if given, else its default in ``dbt_project.yml``."""
    values = project_vars()
    if name not in values:
        raise UnknownSettingError(f"{name!r} is not a var of {paths.PROJECT_FILE}")
    return resolved_vars({k: v for k, v in (overrides or {}).items() if k == name})[name]

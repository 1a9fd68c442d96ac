"""The settings reader: the vars of dbt_project.yml, the one place each default is written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from insiders.settings import UnknownSettingError, project_vars, resolved_vars, setting

REPO = Path(__file__).resolve().parents[2]
VAR_CALL = re.compile(r"""var\(\s*['"]([a-z_]+)['"]""")


def test_the_vars_are_those_of_dbt_project_yml():
    declared = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]
    assert project_vars() == declared
    assert setting("min_unit_price") == declared["min_unit_price"]


def test_overrides_win_and_a_misspelt_var_is_refused():
    assert resolved_vars({"cluster_k_max": 6})["cluster_k_max"] == 6
    assert setting("cluster_k_max", {"cluster_k_max": 6, "cluster_k_min": 3}) == 6
    with pytest.raises(UnknownSettingError, match="cluster_kmax"):
        resolved_vars({"cluster_kmax": 6})
    with pytest.raises(UnknownSettingError, match="no_such_var"):
        setting("no_such_var")


def test_a_copy_is_returned():
    project_vars()["min_unit_price"] = -1
    assert setting("min_unit_price") != -1


def test_every_var_the_project_reads_is_declared_once_with_its_default():
    """A var read in SQL or YAML with no entry in dbt_project.yml would need a default at the
    call (a second copy); each call names a declared var and states no default of its own."""
    declared = project_vars()
    files = [
        path
        for folder in ("models", "macros", "tests", "analyses", "snapshots")
        for path in (REPO / folder).rglob("*")
        if path.suffix in {".sql", ".yml"}
    ]
    for path in files:
        text = path.read_text()
        for name in VAR_CALL.findall(text):
            assert name in declared, f"{path.relative_to(REPO)}: var {name!r} is not declared"
        assert not re.search(r"""\bvar\(\s*['"][a-z_]+['"]\s*,""", text), (
            f"{path.relative_to(REPO)}: a var with a default of its own"
        )

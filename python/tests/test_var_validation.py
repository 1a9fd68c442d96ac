"""Every var is checked before anything runs (macros/validate_vars.sql, the on-run-start hook).

The project is parsed once; each case then runs the check with other vars through dbt's
programmatic runner on that manifest, which takes about a second.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import yaml
from conftest import REPO

BAD_VARS = [
    (
        {"cluster_k": 50},
        "var cluster_k = 50 is not allowed: it must be a whole number from 2 to 11",
    ),
    ({"cluster_k": 1}, "var cluster_k = 1 is not allowed: it must be a whole number from 2 to 11"),
    (
        {"cluster_k": 3, "cluster_k_min": 4, "cluster_k_max": 6},
        "var cluster_k = 3 is not allowed: it must be a whole number from 4 to 6",
    ),
    (
        {"cluster_k_max": 1},
        "var cluster_k_max = 1 is not allowed: it must be a whole number at least 2",
    ),
    (
        {"cluster_algorithm": "bogus"},
        "var cluster_algorithm = 'bogus' is not allowed: it must be one of"
        " [null, 'kmeans', 'gmm', 'hierarchical']",
    ),
    (
        {"cluster_feature_spaces": ["scaled", "umap"]},
        "var cluster_feature_spaces = ['scaled', 'umap'] is not allowed: it must be a non-empty"
        " list of distinct names from ['scaled', 'embedding']",
    ),
    (
        {"cluster_feature_spaces": ["scaled"], "cluster_feature_space": "embedding"},
        "var cluster_feature_space = 'embedding' is not allowed: it must be one of"
        " cluster_feature_spaces: one of ['scaled']",
    ),
    ({"cluster_features": ["gross_revenue", "shoe_size"]}, "var cluster_features = "),
    ({"cluster_features": []}, "var cluster_features = [] is not allowed"),
    (
        {"as_of_date": "2011-13-45"},
        "var as_of_date = '2011-13-45' is not allowed: it must be null (the last invoice date)"
        " or a calendar date written YYYY-MM-DD",
    ),
    ({"as_of_date": "2011-02-29"}, "var as_of_date = '2011-02-29' is not allowed"),
    ({"as_of_date": "last month"}, "var as_of_date = 'last month' is not allowed"),
    (
        {"min_unit_price": "0.04; drop table x"},
        "var min_unit_price = '0.04; drop table x' is not allowed: it must be a number at least 0",
    ),
    ({"min_unit_price": -1}, "var min_unit_price = -1 is not allowed"),
    (
        {"cluster_min_share": 1.5},
        "var cluster_min_share = 1.5 is not allowed: it must be a number from 0 to 1",
    ),
    ({"insiders_control_share": -0.1}, "var insiders_control_share = -0.1 is not allowed"),
    ({"insiders_min_p_alive": 2}, "var insiders_min_p_alive = 2 is not allowed"),
    ({"cluster_max_insiders_share": True}, "var cluster_max_insiders_share = true is not allowed"),
    (
        {"cluster_min_segments": 1},
        "var cluster_min_segments = 1 is not allowed: it must be a whole number at least 2",
    ),
    (
        {"cluster_match_previous": "yes"},
        "var cluster_match_previous = 'yes' is not allowed: it must be true or false",
    ),
    (
        {"insiders_grace_runs": 1.5},
        "var insiders_grace_runs = 1.5 is not allowed: it must be a whole number at least 0",
    ),
    (
        {"duplicate_line_policy": "keep_last"},
        "var duplicate_line_policy = 'keep_last' is not allowed",
    ),
    ({"cluster_fit_sample_cap": "big"}, "var cluster_fit_sample_cap = 'big' is not allowed"),
]

GOOD_VARS = [
    {},
    {"as_of_date": "2012-02-29"},
    {"as_of_date": dt.date(2011, 6, 30)},  # an unquoted YAML date
    {"cluster_k": 3, "cluster_algorithm": "gmm"},
    {"cluster_features": ["gross_revenue", "frequency", "avg_days_between_purchases"]},
    {"cluster_feature_spaces": ["embedding"], "cluster_feature_space": "embedding"},
    {"min_unit_price": 0, "cluster_min_share": 1, "insiders_grace_runs": 0},
]


class Dbt:
    """dbt's programmatic runner on a manifest parsed once; collects the error lines it logs."""

    def __init__(self, manifest) -> None:
        from dbt.cli.main import dbtRunner

        self.errors: list[str] = []
        self.started: list[str] = []  # the nodes dbt started (models, seeds, tests)
        self.runner = dbtRunner(manifest=manifest, callbacks=[self._collect])

    def _collect(self, event) -> None:
        if event.info.name == "NodeStart":
            self.started.append(event.data.node_info.unique_id)
        if event.info.level == "error":
            self.errors.append(event.info.msg)

    def invoke(self, *args: str, settings: dict | None = None):
        self.errors.clear()
        self.started.clear()
        vars_text = yaml.safe_dump(settings or {}, default_flow_style=True).strip()
        return self.runner.invoke([*args, "--project-dir", str(REPO), "--vars", vars_text])


@pytest.fixture(scope="module")
def dbt(tmp_path_factory) -> Iterator[Dbt]:
    from dbt.cli.main import dbtRunner

    root = tmp_path_factory.mktemp("validation")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_PROFILES_DIR", str(REPO))
        patch.setenv("DBT_TARGET_PATH", str(root / "target"))
        patch.setenv("DBT_LOG_PATH", str(root / "logs"))
        patch.setenv("DBT_LOG_LEVEL_FILE", "none")  # no log file left open by the runner
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        patch.setenv("INSIDERS_RAW_PATH", str(root / "absent.parquet"))
        patch.setenv("INSIDERS_DUCKDB_PATH", str(root / "insiders.duckdb"))
        parsed = dbtRunner().invoke(["parse", "--project-dir", str(REPO), "--quiet"])
        assert parsed.success, parsed.exception
        yield Dbt(parsed.result)


def one_line_naming_the_var(dbt: Dbt, expected: str) -> str:
    lines = [line.strip() for message in dbt.errors for line in message.splitlines()]
    assert not any("Traceback" in line for line in lines), lines
    found = [line for line in lines if line.startswith(expected)]
    assert found, lines
    return found[0]


@pytest.mark.slow
@pytest.mark.parametrize(("settings", "expected"), BAD_VARS, ids=[str(c[0]) for c in BAD_VARS])
def test_a_bad_var_is_refused_in_one_line(dbt, settings, expected):
    result = dbt.invoke("run-operation", "validate_vars", settings=settings)
    assert not result.success
    one_line_naming_the_var(dbt, expected)


@pytest.mark.slow
@pytest.mark.parametrize("settings", GOOD_VARS, ids=[str(c) for c in GOOD_VARS])
def test_a_var_within_its_range_passes(dbt, settings):
    result = dbt.invoke("run-operation", "validate_vars", settings=settings)
    assert result.success, dbt.errors


@pytest.mark.slow
def test_a_build_with_a_bad_var_stops_before_any_model(dbt):
    """The check is dbt's on-run-start hook: it runs before the seeds, models and unit tests,
    so a bad cluster_k no longer fails after model selection has run and been saved."""
    result = dbt.invoke("build", settings={"cluster_k": 50, "cluster_algorithm": "kmeans"})
    assert not result.success
    one_line_naming_the_var(dbt, "var cluster_k = 50 is not allowed")
    assert dbt.started == []


@pytest.mark.slow
def test_a_two_step_build_from_a_folder_without_spark_tables_stops_naming_it(dbt, tmp_path):
    """spark_warehouse must be the warehouse a Spark build wrote (README, "Bigger than one
    machine"): a folder without its customer_features stops the build before any model."""
    result = dbt.invoke(
        "build", "--selector", "after_spark", settings={"spark_warehouse": str(tmp_path)}
    )
    assert not result.success
    one_line_naming_the_var(
        dbt, f"spark_warehouse: {tmp_path} holds no parquet folder main.db/customer_features"
    )
    assert dbt.started == []

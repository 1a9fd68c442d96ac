"""Monthly runs that cannot break: reruns keyed by as_of_date, and every var set off its default.

One tiny generated data set and one database go through a sequence of `dbt build`s, each with
the tests on, as a scheduled job and the people fixing it would run them: a month, a later
month, that month again with other settings, again with a fixed file, an earlier month after
the later one, then the original inputs again. Each build sets a group of documented vars (and
the environment settings) to a value other than the default, so the sequence is also the var
matrix: every var of dbt_project.yml is set off its default by at least one build, each build
dated before the data's end. Groups do not interact: cleaning and programme vars in one build,
selection and membership vars in another, a pinned model in a third.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import REPO, BuiltPipeline, dbt_env, run_dbt

SCALE = 0.02  # about 90 customers over the 13 months
SEED = 11
EARLIER = dt.date(2011, 6, 30)
LATER = dt.date(2011, 9, 30)

CLEANING_AND_PROGRAMME = {
    "min_unit_price": 0.1,
    "missing_customer_policy": "surrogate",
    "surrogate_customer_id_start": 50000,
    "duplicate_line_policy": "keep_all",
    "forecast_period_days": 30,
    "insiders_control_share": 0.5,
    "insiders_control_seed": 7,
    "cluster_feature_spaces": ["scaled"],
    "cluster_stability_fits": 0,
    "cluster_k_max": 6,
    "invoice_date_order": "mdy",
    "rejected_share_error": 0.5,
    "rejected_share_warn": 0.3,
    "customer_value_draws": 50,
    "customer_value_seed": 3,
}
SELECTION_AND_MEMBERSHIP = {
    "cluster_features": ["gross_revenue", "recency_days", "invoice_count", "avg_order_value"],
    "cluster_feature_spaces": ["scaled"],
    "cluster_k_min": 3,
    "cluster_k_max": 5,
    "cluster_seed": 1,
    "cluster_fit_sample_cap": 60,
    "cluster_score_sample_cap": 50,
    "cluster_stability_fits": 1,
    "cluster_min_share": 0.05,
    "cluster_min_stability": 0.3,
    "cluster_max_insiders_share": 0.4,
    "cluster_min_segments": 4,
    "cluster_keep_k_tolerance": 0,
    "insiders_max_recency_days": 30,
    "insiders_grace_runs": 2,
    "insiders_min_p_alive": 0.8,
}
PINNED_EMBEDDING = {
    "cluster_feature_spaces": ["embedding"],
    "cluster_feature_space": "embedding",
    "cluster_algorithm": "hierarchical",
    "cluster_k": 4,
    "cluster_stability_fits": 0,
    "cluster_match_previous": False,
    "insiders_grace_runs": 0,
}
PINNED_GMM = {
    "cluster_feature_spaces": ["scaled"],
    "cluster_algorithm": "gmm",
    "cluster_k_max": 4,
    "cluster_stability_fits": 0,
}
# The models a date changes (from the lines up to the date on); the first build and a changed
# file need everything.
FROM_AS_OF = ("--select", "int_invoice_lines_as_of+")


@dataclass(frozen=True)
class Build:
    """One `dbt build` of the sequence and the run dates the database must hold after it."""

    what: str
    as_of_date: dt.date
    settings: dict
    runs_after: tuple[dt.date, ...]
    select: tuple[str, ...] = ()
    fixed_file: bool = False
    env: dict[str, str] = field(default_factory=dict)


SEQUENCE = [
    Build("a month", EARLIER, CLEANING_AND_PROGRAMME, (EARLIER,)),
    Build("a later month", LATER, SELECTION_AND_MEMBERSHIP, (EARLIER, LATER), FROM_AS_OF),
    Build(
        "the same month again, another model",
        LATER,
        PINNED_EMBEDDING,
        (EARLIER, LATER),
        FROM_AS_OF,
        env={"INSIDERS_DUCKDB_MEMORY_LIMIT": "2GB"},
    ),
    Build(
        "the same month again, a fixed file",
        LATER,
        PINNED_GMM,
        (EARLIER, LATER),
        fixed_file=True,
        env={"INSIDERS_RAW_ENCODING": "latin-1"},
    ),
    Build("an earlier month after the later one", EARLIER, CLEANING_AND_PROGRAMME, (EARLIER,)),
    Build(
        "the original inputs again",
        LATER,
        SELECTION_AND_MEMBERSHIP,
        (EARLIER, LATER),
        FROM_AS_OF,
    ),
]


# Vars that are not a monthly run's setting, and the test that sets them.
SET_ELSEWHERE = {
    "spark_warehouse": "test_spark_target.py (the README's two-step command sets it)",
}


def test_the_sequence_sets_every_var_off_its_default():
    defaults = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]
    assert set(SET_ELSEWHERE) <= set(defaults)
    defaults = {name: value for name, value in defaults.items() if name not in SET_ELSEWHERE}
    changed = {
        name
        for build in SEQUENCE
        for name, value in {**build.settings, "as_of_date": build.as_of_date}.items()
        if value != defaults[name]
    }
    assert changed == set(defaults)


def fixed_file(raw_path: Path, out: Path) -> Path:
    """The same data as a latin-1 csv (the Kaggle shape) without three customers' lines and
    with one price corrected: the kind of file a shop re-exports after a fix."""
    from insiders.generator.generate import generate

    csv = generate(out, scale=SCALE, seed=SEED, fmt="csv").data_path
    lines = pd.read_csv(csv, dtype=str, keep_default_na=False, encoding="latin-1")
    customers = sorted(c for c in lines["CustomerID"].unique() if c)[:3]
    lines = lines[~lines["CustomerID"].isin(customers)]
    lines.loc[lines.index[0], "UnitPrice"] = "2.5"
    lines.to_csv(csv, index=False, encoding="latin-1")
    return Path(csv)


def run_record(pipeline: BuiltPipeline, as_of_date: dt.date) -> pd.DataFrame:
    return pipeline.frame(
        "select customer_id, segment, is_insider from insiders_membership_runs"
        f" where as_of_date = date '{as_of_date}' order by customer_id"
    )


@pytest.fixture(scope="module")
def sequence(tmp_path_factory) -> list[dict]:
    """Runs the builds in order; what each left behind, for the tests to read."""
    from insiders.generator.generate import generate

    root = tmp_path_factory.mktemp("monthly")
    raw = Path(generate(root / "online_retail.parquet", scale=SCALE, seed=SEED).data_path)
    fixed = fixed_file(raw, root / "fixed" / "data.csv")
    database = root / "insiders.duckdb"
    results = []
    for build in SEQUENCE:
        env = {**dbt_env(root, fixed if build.fixed_file else raw, database), **build.env}
        settings = {**build.settings, "as_of_date": build.as_of_date.isoformat()}
        run_dbt(env, "build", *build.select, "--vars", yaml.safe_dump(settings).strip())
        pipeline = BuiltPipeline(root, raw, raw, database, env)
        results.append(
            {
                "runs": tuple(
                    row[0]
                    for row in pipeline.query(
                        "select distinct as_of_date from insiders_membership_runs order by 1"
                    )
                ),
                "record": {date: run_record(pipeline, date) for date in build.runs_after},
                "segments": pipeline.frame(
                    "select customer_id, segment, is_insider, as_of_date from customer_segments"
                    " order by customer_id"
                ),
                "empty_periods": pipeline.scalar(
                    "select count(*) from insiders_membership_history where valid_to <= valid_from"
                ),
                "periods_after_the_run": pipeline.scalar(
                    "select count(*) from insiders_membership_history"
                    f" where valid_from > date '{build.as_of_date}'"
                    f" or valid_to > date '{build.as_of_date}'"
                ),
            }
        )
    return results


@pytest.mark.slow
@pytest.mark.parametrize("step", range(len(SEQUENCE)), ids=[b.what for b in SEQUENCE])
def test_each_build_passes_and_leaves_one_record_per_run(sequence, step):
    """Every build of the sequence passed with its tests (the history tests among them); after
    it the database holds one record per run date, the run just built is exactly
    customer_segments, no period is empty and none starts or ends after the run."""
    build, after = SEQUENCE[step], sequence[step]
    assert after["runs"] == build.runs_after
    segments = after["segments"]
    assert set(segments["as_of_date"].astype(str)) == {build.as_of_date.isoformat()}
    record = after["record"][build.as_of_date]
    pd.testing.assert_frame_equal(
        record.reset_index(drop=True),
        segments[["customer_id", "segment", "is_insider"]].reset_index(drop=True),
        check_dtype=False,
    )
    assert after["empty_periods"] == 0
    assert after["periods_after_the_run"] == 0


@pytest.mark.slow
def test_a_changed_rerun_replaced_the_month_and_kept_the_one_before(sequence):
    """The reruns of the later month left the earlier month's record as it was."""
    first = sequence[1]["record"][EARLIER]
    for step in (2, 3):
        pd.testing.assert_frame_equal(sequence[step]["record"][EARLIER], first)
    assert not sequence[2]["record"][LATER].equals(sequence[1]["record"][LATER])


@pytest.mark.slow
def test_rewinding_to_an_earlier_month_then_forward_gives_the_original_runs(sequence):
    """An earlier month after a later one rewrites the history from that month on; running the
    later month again with its original inputs gives back its original record, bit for bit."""
    pd.testing.assert_frame_equal(sequence[4]["record"][EARLIER], sequence[0]["record"][EARLIER])
    pd.testing.assert_frame_equal(sequence[5]["record"][LATER], sequence[1]["record"][LATER])

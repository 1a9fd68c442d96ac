"""The monthly replay on generated data: who leaves, who stays, and the membership marts."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import PIPELINE_SEED, BuiltPipeline, dbt_env, run_dbt

from insiders.commands.replay import month_ends, replay

# Few runs and a small selection grid keep the replay affordable (about 20 s a run at 0.1).
REPLAY_SCALE = 0.1
REPLAY_START = dt.date(2011, 3, 31)
REPLAY_END = dt.date(2011, 9, 30)
REPLAY_VARS = {
    "cluster_feature_spaces": ["scaled"],
    "cluster_k_min": 2,
    "cluster_k_max": 6,
    "cluster_stability_fits": 0,
}


def test_month_ends_cover_the_period_and_end_on_the_last_day():
    ends = month_ends(dt.date(2010, 12, 1), dt.date(2011, 12, 9))
    assert ends[0] == dt.date(2010, 12, 31)
    assert ends[-2:] == [dt.date(2011, 11, 30), dt.date(2011, 12, 9)]
    assert len(ends) == 13
    window = month_ends(
        dt.date(2010, 12, 1), dt.date(2011, 12, 9), dt.date(2011, 2, 1), dt.date(2011, 4, 30)
    )
    assert window == [dt.date(2011, 2, 28), dt.date(2011, 3, 31), dt.date(2011, 4, 30)]


@pytest.fixture(scope="module")
def replayed(tmp_path_factory) -> BuiltPipeline:
    from insiders.generator.generate import generate

    root = tmp_path_factory.mktemp("replay")
    files = generate(root / "online_retail.parquet", scale=REPLAY_SCALE, seed=PIPELINE_SEED)
    database = root / "insiders.duckdb"
    env = dbt_env(root, files.data_path, database)
    summaries = replay(
        database,
        start=REPLAY_START,
        end=REPLAY_END,
        extra_vars=REPLAY_VARS,
        full_build=False,
        env=env,
        echo=False,
    )
    assert [s.as_of_date for s in summaries] == month_ends(REPLAY_START, REPLAY_END)
    # The membership tests (rule tests included) on the replayed history.
    run_dbt(env, "test", "--select", "path:models/marts/membership", "path:tests/membership")
    return BuiltPipeline(root, files.data_path, files.truth_path, database, env)


@pytest.mark.slow
def test_a_lapsed_insider_leaves_once_inactive_for_longer_than_the_limit(replayed):
    """Rule: a planted lapsed customer who was an Insider at a run before they stopped buying is
    out of the programme at every run dated more than insiders_max_recency_days (90) after
    their last purchase, and its leaving is recorded in insiders_membership_changes."""
    runs = replayed.frame("select * from insiders_membership_runs order by as_of_date")
    runs["as_of_date"] = pd.to_datetime(runs["as_of_date"]).dt.date
    changes = replayed.frame("select * from insiders_membership_changes")
    truth = pd.read_parquet(replayed.truth_path)
    lapsed = truth[truth["archetype"] == "lapsed"].assign(
        stops_buying_on=lambda t: pd.to_datetime(t["stops_buying_on"]).dt.date
    )
    checked = 0
    for customer in lapsed.itertuples():
        mine = runs[runs["customer_id"] == customer.customer_id].set_index("as_of_date")
        was_insider = mine[(mine.index <= customer.stops_buying_on) & mine["is_insider"]]
        inactive = mine[mine.index > customer.stops_buying_on + dt.timedelta(days=90)]
        if was_insider.empty or inactive.empty:
            continue
        assert not inactive["is_insider"].any(), customer.customer_id
        left = changes[
            (changes["customer_id"] == customer.customer_id) & (changes["change_type"] == "left")
        ]
        assert not left.empty
        assert pd.to_datetime(left["as_of_date"]).dt.date.max() <= inactive.index[0]
        checked += 1
    assert checked >= 1, "no planted lapsed Insider went inactive within the replay"


@pytest.mark.slow
def test_a_member_who_keeps_buying_is_not_dropped_by_one_refit(replayed):
    """Rule: a member still active at the next run stays a member unless they have been
    outside the Insiders segment for more than one run in a row (insiders_grace_runs)."""
    runs = replayed.frame(
        "select as_of_date, customer_id, is_insider, cluster_id, recency_days "
        "from insiders_membership_runs order by customer_id, as_of_date"
    )
    previous = runs.groupby("customer_id").shift(1)
    before = runs.groupby("customer_id").shift(2)
    kept_by_grace = (
        previous["is_insider"].eq(True)
        & runs["recency_days"].le(90)
        & runs["cluster_id"].ne(1)
        & previous["cluster_id"].eq(1)
    )
    assert runs.loc[kept_by_grace, "is_insider"].all()
    dropped = (
        previous["is_insider"].eq(True)
        & runs["recency_days"].le(90)
        & runs["cluster_id"].ne(1)
        & previous["cluster_id"].ne(1)
        & before["is_insider"].eq(True)
    )
    assert not runs.loc[dropped, "is_insider"].any()


@pytest.mark.slow
def test_repeating_a_run_keeps_every_segment(replayed):
    """An unchanged customer keeps the segment: a run repeated on the same data and date (the
    run before it as its memory, as the first time) changes nobody's segment."""
    before = replayed.frame("select customer_id, segment from customer_segments")
    last = REPLAY_END.isoformat()
    vars_text = str({**REPLAY_VARS, "as_of_date": last})
    run_dbt(
        replayed.env,
        "build",
        "--select",
        "customer_segments+",
        "--exclude",
        "resource_type:test",
        "--vars",
        vars_text,
    )
    after = replayed.frame("select customer_id, segment from customer_segments")
    joined = before.merge(after, on="customer_id", suffixes=("_before", "_after"))
    assert len(joined) == len(before) == len(after)
    assert (joined["segment_before"] == joined["segment_after"]).all()
    open_periods = replayed.scalar(
        f"select count(*) from insiders_membership_history where valid_from > date '{last}'"
    )
    assert open_periods == 0


def test_vars_that_yaml_cannot_read_are_refused_in_one_line(tmp_path, capsys):
    """An impossible unquoted date fails in YAML before any var check: one line, no traceback,
    and nothing is built."""
    from insiders.cli import main

    database = tmp_path / "replay.duckdb"
    code = main(["replay", "--database", str(database), "--vars", "{as_of_date: 2011-02-30}"])
    assert code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [
        "insiders replay: --vars {as_of_date: 2011-02-30} cannot be read:"
        " day is out of range for month"
    ]
    assert not database.exists()

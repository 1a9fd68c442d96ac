"""`make replay` as the README writes it, with its tests on, on a fresh database and again over
its own; the second replay's history is also what the replay's rules are checked on: who
leaves, who stays, and a repeated run. Small data; the first replay stops at the first month end
(where it used to fail: the fewest customers), the second runs the months the planted lapsed
customers stop buying in (INSIDERS_REPLAY_START/END); the whole period is timed by hand at
scale 1 (README). One replay serves both, so they share this module (one test worker).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pandas as pd
import pytest
from conftest import PIPELINE_SEED, BuiltPipeline, dbt_env, run_dbt
from readme_commands import clean_env, readme_command, run_dates, shell

from insiders.commands.replay import month_ends
from insiders.generator.generate import generate

pytestmark = pytest.mark.slow

REPLAY = "make replay"
# At 0.05 the second replay checks 4 planted lapsed Insiders and 21 members kept by grace, for
# about the CPU time of 0.02 (where no lapsed customer is an Insider before they stop).
SCALE = 0.05
FIRST_END = dt.date(2010, 12, 31)
# The second replay, over the first one's database: planted lapsed customers stop buying
# between March and September 2011 (insiders.generator.customers); five runs see Insiders of
# May go quiet for more than 90 days.
START = dt.date(2011, 5, 31)
END = dt.date(2011, 9, 30)


@dataclass(frozen=True)
class Replays:
    """What the two `make replay`s printed and left: run dates, the first one's test results."""

    first_output: str
    first_runs: list[str]
    first_tests: list[str]
    second_output: str
    second_runs: list[str]
    history: BuiltPipeline


@pytest.fixture(scope="module")
def replays(tmp_path_factory) -> Replays:
    root = tmp_path_factory.mktemp("readme_replay")
    files = generate(root / "export.parquet", scale=SCALE, seed=PIPELINE_SEED)
    reports = root / "reports"
    env = clean_env(root, INSIDERS_RAW_PATH=str(files.data_path), INSIDERS_REPORTS_DIR=str(reports))
    replay = readme_command(REPLAY)
    assert replay == REPLAY
    database = reports / "replay.duckdb"

    first = shell(replay, {**env, "INSIDERS_REPLAY_END": FIRST_END.isoformat()})
    first_runs = run_dates(database)
    results = json.loads((root / "target" / "run_results.json").read_text())["results"]
    tests = [r["status"] for r in results if r["unique_id"].startswith(("test.", "unit_test."))]
    window = {"INSIDERS_REPLAY_START": START.isoformat(), "INSIDERS_REPLAY_END": END.isoformat()}
    second = shell(replay, {**env, **window})  # over the used database
    history = BuiltPipeline(
        root,
        files.data_path,
        files.truth_path,
        database,
        dbt_env(root, files.data_path, database),
    )
    return Replays(first.stdout, first_runs, tests, second.stdout, run_dates(database), history)


def test_make_replay_with_its_tests_on_a_fresh_database_and_its_own(replays):
    assert replays.first_runs == [FIRST_END.isoformat()]
    assert f"{FIRST_END.isoformat()}  members" in replays.first_output
    # Its tests ran, and passed: the month's dbt results hold them.
    assert len(replays.first_tests) > 100
    assert set(replays.first_tests) == {"pass"}
    # Over the used database: its own run dates, one line each.
    ends = [day.isoformat() for day in month_ends(START, END)]
    assert replays.second_runs == ends
    for day in ends:
        assert f"{day}  members" in replays.second_output


def test_a_lapsed_insider_leaves_once_inactive_for_longer_than_the_limit(replays):
    """Rule: a planted lapsed customer who was an Insider at a run before they stopped buying is
    out of the programme at every run dated more than insiders_max_recency_days (90) after
    their last purchase, and its leaving is recorded in insiders_membership_changes."""
    replayed = replays.history
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


def test_a_member_who_keeps_buying_is_not_dropped_by_one_refit(replays):
    """Rule: a member still active at the next run stays a member unless they have been
    outside the Insiders segment for more than one run in a row (insiders_grace_runs)."""
    runs = replays.history.frame(
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


def test_repeating_a_run_keeps_every_segment(replays):
    """An unchanged customer keeps the segment: a run repeated on the same data and date (the
    run before it as its memory, as the first time) changes nobody's segment."""
    replayed = replays.history
    before = replayed.frame("select customer_id, segment from customer_segments")
    last = END.isoformat()
    run_dbt(
        replayed.env,
        "build",
        "--select",
        "customer_segments+",
        "--exclude",
        "resource_type:test",
        "--vars",
        str({"as_of_date": last}),
    )
    after = replayed.frame("select customer_id, segment from customer_segments")
    joined = before.merge(after, on="customer_id", suffixes=("_before", "_after"))
    assert len(joined) == len(before) == len(after)
    assert (joined["segment_before"] == joined["segment_after"]).all()
    open_periods = replayed.scalar(
        f"select count(*) from insiders_membership_history where valid_from > date '{last}'"
    )
    assert open_periods == 0

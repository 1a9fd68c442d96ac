"""`insiders replay`: its run dates, and what it hands each month's `dbt build`. The replay's
rules (who leaves, who stays, a repeated run) are checked on `make replay`'s own history, tests
on (test_readme_replay.py)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from insiders.commands import replay as replay_command
from insiders.commands.replay import month_ends


def test_month_ends_cover_the_period_and_end_on_the_last_day():
    ends = month_ends(dt.date(2010, 12, 1), dt.date(2011, 12, 9))
    assert ends[0] == dt.date(2010, 12, 31)
    assert ends[-2:] == [dt.date(2011, 11, 30), dt.date(2011, 12, 9)]
    assert len(ends) == 13
    window = month_ends(
        dt.date(2010, 12, 1), dt.date(2011, 12, 9), dt.date(2011, 2, 1), dt.date(2011, 4, 30)
    )
    assert window == [dt.date(2011, 2, 28), dt.date(2011, 3, 31), dt.date(2011, 4, 30)]


@pytest.mark.parametrize("no_tests", [True, False], ids=["--no-tests", "tests on"])
def test_vars_reach_every_build_and_no_tests_leaves_the_tests_out(monkeypatch, tmp_path, no_tests):
    """`--vars` goes to every dbt build of the replay, with each month's date; the first build
    (the period's lines) never runs tests, a month's build runs them unless `--no-tests`."""
    from insiders.cli import main

    calls = []
    first, last = dt.date(2011, 1, 5), dt.date(2011, 3, 31)
    monkeypatch.setattr(replay_command, "run_dbt_in_child", lambda args, **_: calls.append(args))
    monkeypatch.setattr(replay_command, "data_period", lambda database: (first, last))
    monkeypatch.setattr(
        replay_command, "run_summary", lambda database, day: replay_command.RunSummary(day, 1, 0, 0)
    )
    options = ["--no-tests"] if no_tests else []
    database = tmp_path / "replay.duckdb"
    code = main(["replay", "--database", str(database), *options, "--vars", "{cluster_k_max: 6}"])
    assert code == 0
    vars_given = [json.loads(args[args.index("--vars") + 1]) for args in calls]
    assert vars_given == [
        {"cluster_k_max": 6},
        *({"cluster_k_max": 6, "as_of_date": day.isoformat()} for day in month_ends(first, last)),
    ]
    assert all(args[0] == "build" for args in calls)
    tests_out = ["--exclude", "resource_type:test", "resource_type:unit_test"]
    assert calls[0][calls[0].index("--exclude") :][:3] == tests_out
    for args in calls[1:]:
        excluded = args[args.index("--exclude") :][:3] if "--exclude" in args else []
        assert excluded == (tests_out if no_tests else [])


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

"""Measuring a command: its outcome, its output lines, and the limits that stop it."""

from __future__ import annotations

import sys

from benchmarks.measure import measure, parse_stat, tree_rss_kb


def test_stat_fields_are_counted_from_the_end_of_the_command_name():
    fields = " ".join(str(n) for n in range(3, 30))
    stat = f"123 (a b) c) R 77 {fields}".encode()
    assert parse_stat(stat) == (77, 22)


def test_tree_memory_sums_a_process_and_its_descendants():
    table = {1: (0, 10), 2: (1, 20), 3: (2, 30), 4: (0, 40)}
    assert tree_rss_kb(1, table) == 60
    assert tree_rss_kb(4, table) == 40


def test_a_command_is_measured_to_its_end(tmp_path):
    run = measure(
        [sys.executable, "-c", "print('one'); print('two')"],
        cwd=tmp_path,
        env={},
        log_stem=tmp_path / "ok",
        time_limit=60,
        memory_limit_mb=float("inf"),
    )
    assert (run.status, run.returncode) == ("ok", 0)
    assert [line for _arrival, line in run.lines] == ["one", "two"]
    assert run.peak_rss_mb > 0 and run.stdout_path == "ok.stdout"


def test_a_command_over_its_time_limit_is_stopped(tmp_path):
    run = measure(
        [sys.executable, "-c", "import time; time.sleep(30)"],
        cwd=tmp_path,
        env={},
        log_stem=tmp_path / "slow",
        time_limit=0.5,
        memory_limit_mb=float("inf"),
    )
    assert run.status == "time_limit"
    assert run.seconds < 10

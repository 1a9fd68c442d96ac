"""Long steps show a progress bar (what, share done, time left) on a terminal, and stay quiet
when their output is a pipe or a log."""

from __future__ import annotations

import datetime as dt
import fcntl
import io
import os
import pty
import shutil
import struct
import subprocess
import termios

import benchmarks.run as bench
import pytest
from conftest import BIN

from insiders.commands import replay as replay_command
from insiders.progress import progress


def in_terminal(command: list[str], cwd) -> tuple[int, str]:
    """Run ``command`` with a pseudo-terminal as its stdout and stderr; its exit code and output."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # 24 x 120
    process = subprocess.Popen(command, cwd=cwd, stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    output = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        output += chunk
    os.close(master)
    return process.wait(), output.decode(errors="replace")


def test_a_bar_shows_what_share_and_time_left_when_drawn():
    stream = io.StringIO()
    with progress(desc="landing lines", total=4, unit="chunks", file=stream, enabled=True) as bar:
        bar.update(2)
    text = stream.getvalue()
    assert "landing lines" in text and "50%" in text and "left" in text


def test_a_bar_is_quiet_when_its_stream_is_not_a_terminal():
    stream = io.StringIO()
    for _ in progress(range(3), desc="quiet", file=stream):
        pass
    assert stream.getvalue() == ""


def test_generate_shows_progress_on_a_terminal_and_none_in_a_pipe(tmp_path):
    command = [str(BIN / "insiders"), "generate", "--scale", "0.02", "--out", "a.parquet"]
    code, shown = in_terminal(command, tmp_path)
    assert code == 0
    assert "generating a.parquet" in shown and "100%" in shown and "left" in shown

    piped = subprocess.run(
        [*command[:-1], "b.parquet"], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert "generating" not in piped.stdout + piped.stderr
    assert "wrote" in piped.stdout


def test_the_replay_steps_its_bar_once_per_run(monkeypatch, tmp_path):
    seen = []

    def recording(iterable, **kwargs):
        seen.append(kwargs["desc"])
        for item in iterable:
            seen.append(item)
            yield item

    first, last = dt.date(2011, 1, 5), dt.date(2011, 3, 31)
    monkeypatch.setattr(replay_command, "progress", recording)
    monkeypatch.setattr(replay_command, "run_dbt_in_child", lambda *args, **kwargs: None)
    monkeypatch.setattr(replay_command, "data_period", lambda database: (first, last))
    monkeypatch.setattr(
        replay_command,
        "run_summary",
        lambda database, day: replay_command.RunSummary(day, 1, 0, 0),
    )
    replay_command.replay(tmp_path / "r.duckdb", echo=False)
    assert seen == ["replaying month ends", *replay_command.month_ends(first, last)]


def test_the_benchmark_steps_its_bar_once_per_contender_and_scale(monkeypatch, tmp_path):
    steps = []

    def fake_scale(scale, args, bar=None):
        for contender in args.contenders:
            bar.set_description(f"scale {scale}: {contender}")
            bar.update()
            steps.append((scale, contender, bar.n, bar.total))
        return {}

    stream = io.StringIO()
    monkeypatch.setattr(
        bench, "progress", lambda **kwargs: progress(**kwargs, file=stream, enabled=True)
    )
    monkeypatch.setattr(bench, "run_scale", fake_scale)
    monkeypatch.setattr(bench, "render", lambda *args: "")
    out = bench.REPO / "target" / f"bench_test_{os.getpid()}"  # main names them from the repo
    out.mkdir(parents=True, exist_ok=True)
    monkeypatch.setattr(bench, "DATA_DIR", out)
    try:
        files = ["--results", str(out / "r.json"), "--out", str(out / "b.md")]
        bench.main(["--scales", "0.1", "1", "--contenders", "pipeline", "notebook", *files])
    finally:
        shutil.rmtree(out)
    assert [step[2:] for step in steps] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert "scale 1.0: notebook" in stream.getvalue() and "100%" in stream.getvalue()


@pytest.mark.parametrize("enabled", [True, False])
def test_enabled_overrides_the_terminal_check(enabled):
    stream = io.StringIO()
    with progress(desc="x", total=1, file=stream, enabled=enabled) as bar:
        bar.update()
    assert bool(stream.getvalue()) is enabled

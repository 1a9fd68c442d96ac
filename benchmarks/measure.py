"""Run a command to its end or to a limit, and measure its wall time and peak memory.

Peak memory is the peak resident set of the command's process tree: ``wait4``'s ``ru_maxrss``
(the largest single process, exact) and the sum over the tree read from ``/proc`` every
``POLL_SECONDS`` (used for the memory limit).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

POLL_SECONDS = 0.2
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass
class Measured:
    """One contender's run: how it ended, its wall time and peak memory."""

    status: str  # ok, failed, time_limit, memory_limit
    seconds: float
    peak_rss_mb: float
    peak_tree_rss_mb: float
    returncode: int | None
    stdout_path: str
    stderr_path: str
    lines: list[tuple[float, str]] = field(default_factory=list)  # (arrival s, stdout line)
    detail: dict = field(default_factory=dict)
    cpu_seconds: float = 0.0  # user + system time of the process (its threads included)


def parse_stat(text: bytes) -> tuple[int, int]:
    """(parent pid, resident pages) from the text of ``/proc/<pid>/stat``.

    The command name (field 2) may hold spaces and parentheses, so the fields are counted from
    its closing parenthesis: state, ppid, ... and rss, the 22nd field after it.
    """
    fields = text.rsplit(b")", 1)[1].split()
    return int(fields[1]), int(fields[21])


def process_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, resident kB) for every process we can read."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                parent, pages = parse_stat(stat.read())
        except OSError:
            continue
        table[int(entry.name)] = (parent, pages * PAGE_KB)
    return table


def tree_rss_kb(root: int, table: dict[int, tuple[int, int]] | None = None) -> int:
    """Resident memory of ``root`` and all its descendants, in kB."""
    table = process_table() if table is None else table
    children = defaultdict(list)
    for pid, (ppid, _rss) in table.items():
        children[ppid].append(pid)
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        if pid in table:
            total += table[pid][1]
        stack.extend(children.get(pid, ()))
    return total


@dataclass
class _Watch:
    """The state of one watched process while it runs."""

    started: float
    lines: list[tuple[float, str]] = field(default_factory=list)
    peak_tree_kb: int = 0
    status: str | None = None


def _watch(proc: subprocess.Popen, reader, watch: _Watch, time_limit: float, limit_mb: float):
    """Poll until the process ends or passes a limit (then kill its group); wait4's answer."""
    while True:
        pid, wait_status, usage = os.wait4(proc.pid, os.WNOHANG)
        elapsed = time.perf_counter() - watch.started
        watch.lines.extend((elapsed, line.rstrip("\n")) for line in reader.readlines())
        if pid:
            return elapsed, wait_status, usage
        watch.peak_tree_kb = max(watch.peak_tree_kb, tree_rss_kb(proc.pid))
        if elapsed > time_limit:
            watch.status = "time_limit"
        elif watch.peak_tree_kb / 1024 > limit_mb:
            watch.status = "memory_limit"
        if watch.status:
            os.killpg(proc.pid, signal.SIGKILL)
            _pid, wait_status, usage = os.wait4(proc.pid, 0)
            return time.perf_counter() - watch.started, wait_status, usage
        time.sleep(POLL_SECONDS)


def measure(
    cmd: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    log_stem: Path,
    time_limit: float,
    memory_limit_mb: float,
) -> Measured:
    """Run ``cmd`` in ``cwd`` to the end or to a limit; its wall time and peak memory.

    Its output goes to ``log_stem``.stdout and .stderr; the paths are kept relative to ``cwd``
    (with ``..`` when the logs are elsewhere).
    """
    stdout_path = log_stem.with_suffix(".stdout")
    stderr_path = log_stem.with_suffix(".stderr")
    with open(stdout_path, "w") as out, open(stderr_path, "w") as err:
        watch = _Watch(started=time.perf_counter())
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True
        )
        with open(stdout_path) as reader:
            elapsed, wait_status, usage = _watch(proc, reader, watch, time_limit, memory_limit_mb)
            watch.lines.extend((elapsed, line.rstrip("\n")) for line in reader.readlines())
    # Reaped by wait4 above: tell the Popen object, which would otherwise wait for it again.
    returncode = proc.returncode = os.waitstatus_to_exitcode(wait_status)
    status = watch.status or ("ok" if returncode == 0 else "failed")
    peak_rss_mb = usage.ru_maxrss / 1024
    return Measured(
        status=status,
        seconds=round(elapsed, 2),
        peak_rss_mb=round(peak_rss_mb, 1),
        peak_tree_rss_mb=round(max(watch.peak_tree_kb / 1024, peak_rss_mb), 1),
        returncode=returncode,
        stdout_path=os.path.relpath(stdout_path, cwd),
        stderr_path=os.path.relpath(stderr_path, cwd),
        lines=watch.lines,
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 2),
    )

"""`insiders build`: the production build, published only when every model and test passed.

The database at ``INSIDERS_DUCKDB_PATH`` (the *published* file) is never written in place:

1. it is copied into a work folder beside it (``.<name>.build-<pid>/<name>``: the same
   filesystem, so the rename below is atomic, and the same file name, so the catalog keeps its
   name); the snapshot and the membership history carry over from it;
2. ``dbt build`` runs on the copy (``--vars``, ``--select`` and ``--exclude`` passed through);
3. only if dbt exits 0 (every model built, every test passed or only warned) the run is recorded
   in ``audit.published_runs`` of the copy, and the copy replaces the published file by
   ``os.replace``.

Readers never take a lock the build needs: an analyst's open connection keeps reading the file it
opened (the previous run) and the next connection opens the new one. A failed, stopped (SIGINT,
SIGTERM, SIGHUP) or killed build leaves the published file as it was; a stop removes the work
folder, and the folder of a build that was killed outright is removed by the next build.

dbt runs in a child process so that a stop can end it at once, wherever it is, and clean up.
Plain ``dbt build`` still writes in place, for development.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import glob
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from insiders import paths
from insiders.commands import run_record
from insiders.dbt_runner import child_command
from insiders.paths import DEFAULT_DATABASE, DEFAULT_RAW_PATH

REPO = paths.project_dir()
ENVIRONMENT = {
    "INSIDERS_DUCKDB_PATH": "the published database, unless --database is given "
    "(default: insiders.duckdb)",
    "INSIDERS_RAW_PATH": "the raw file (default: data/raw/online_retail.parquet)",
    "INSIDERS_MAPPING": "the raw file's column mapping: a shipped name or a .yml path "
    "(default: online_retail)",
    "DBT_PROFILES_DIR": "where profiles.yml is (default: the project folder)",
    "DBT_TARGET_PATH": "dbt's target folder (default: target)",
}
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# How long a stopped dbt gets to end before it is killed.
CHILD_GRACE_SECONDS = 20


class BuildStopped(Exception):
    """A stop signal arrived; the build ends without publishing."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass
class _Child:
    """The running dbt process, so a signal handler can stop it."""

    process: subprocess.Popen | None = None
    stopped_by: int | None = None
    history: list[int] = field(default_factory=list)


def work_dir(published: Path, pid: int | None = None) -> Path:
    """The folder a build of ``published`` works in (beside it: same filesystem)."""
    return published.parent / f".{published.name}.build-{os.getpid() if pid is None else pid}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_work_dirs(published: Path) -> list[Path]:
    """Remove the work folders of builds of ``published`` whose process is gone (killed)."""
    removed = []
    pattern = f".{glob.escape(published.name)}.build-*"
    for folder in published.parent.glob(pattern):
        suffix = folder.name.rsplit("-", 1)[-1]
        if suffix.isdigit() and not _pid_alive(int(suffix)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


@contextlib.contextmanager
def publish_lock(published: Path) -> Iterator[None]:
    """One build per published file at a time (a lock file beside it)."""
    lock_path = published.parent / f".{published.name}.lock"
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SystemExit(
                f"insiders build: another build is publishing {published} (lock {lock_path})"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def copy_database(published: Path, work: Path) -> float:
    """Copy the published file (and its write-ahead log, if any) to ``work``; seconds taken."""
    started = time.perf_counter()
    if published.exists():
        shutil.copyfile(published, work)
        wal = Path(f"{published}.wal")
        if wal.exists():
            shutil.copyfile(wal, Path(f"{work}.wal"))
    return time.perf_counter() - started


def publish(work: Path, published: Path) -> None:
    """Atomically put ``work`` in place of ``published`` (both on one filesystem)."""
    with duckdb.connect(str(work)) as con:
        con.execute("checkpoint")
    # A log of the old file must not be replayed onto the new one (it was copied and applied).
    Path(f"{published}.wal").unlink(missing_ok=True)
    os.replace(work, published)


def dbt_arguments(args: argparse.Namespace) -> list[str]:
    command = ["build"]
    if args.vars:
        command += ["--vars", args.vars]
    if args.select:
        command += ["--select", *args.select]
    if args.exclude:
        command += ["--exclude", *args.exclude]
    if args.full_refresh:
        command += ["--full-refresh"]
    return command


def _absolute(value: str) -> str:
    """A path given relative to where the user stands, as dbt (run in the project) must see it."""
    path = Path(value)
    if path.is_absolute() or Path.cwd().resolve() == REPO:
        return value
    return str(path.resolve())


def run_dbt(arguments: Sequence[str], env: dict[str, str], child: _Child) -> int:
    """dbt in a child process of its own group; its output goes to ours. Its exit code."""
    command = child_command(arguments)
    child.process = subprocess.Popen(command, cwd=REPO, env=env, start_new_session=True)
    try:
        return child.process.wait()
    finally:
        if child.process.poll() is None:
            _end_child(child.process)
        child.process = None


def _end_child(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=CHILD_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextlib.contextmanager
def stop_signals(child: _Child) -> Iterator[None]:
    """While building, a stop signal ends dbt (if running) and raises BuildStopped."""

    def handler(signum, _frame):
        child.stopped_by = signum
        child.history.append(signum)
        if child.process is not None and child.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.process.pid, signal.SIGTERM)
            return  # run_dbt's wait returns; the build then raises BuildStopped
        raise BuildStopped(signum)

    previous = {signum: signal.signal(signum, handler) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def build(
    published: Path, arguments: Sequence[str], env: dict[str, str], cli_vars: str | None
) -> int:
    """Build into a work copy and publish it if dbt passed; dbt's exit code (or 128 + signal)."""
    published.parent.mkdir(parents=True, exist_ok=True)
    child = _Child()
    with publish_lock(published), stop_signals(child):
        remove_stale_work_dirs(published)
        folder = work_dir(published)
        work = folder / published.name
        started = run_record.now()
        try:
            folder.mkdir()
            seconds = copy_database(published, work)
            print(
                f"insiders build: working on a copy ({seconds:.1f} s to copy): {work}", flush=True
            )
            code = run_dbt(arguments, {**env, "INSIDERS_DUCKDB_PATH": str(work)}, child)
            if child.stopped_by is not None:
                raise BuildStopped(child.stopped_by)
            if code != 0:
                report_failure(work, env, published, code)
                return code
            record = run_record.collect(work, env, cli_vars, arguments, started, seconds)
            run_record.write(work, record)
            publish(work, published)
            print(f"insiders build: published {published} (run {record['run_id']})", flush=True)
            return 0
        except BuildStopped as stop:
            print(f"insiders build: stopped by {stop}; {published} left as it was", file=sys.stderr)
            return 128 + stop.signum
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def report_failure(work: Path, env: dict[str, str], published: Path, code: int) -> None:
    """Say what failed and that nothing was published; the rejections per reason if too many."""
    failed = run_record.failed_nodes(Path(env.get("DBT_TARGET_PATH", REPO / "target")))
    print(
        f"insiders build: dbt build failed (exit {code}); {published} left as it was",
        file=sys.stderr,
    )
    for name, status in failed:
        print(f"  {status:<6} {name}", file=sys.stderr)
    if any("rejected_share" in name for name, _ in failed):
        for line in run_record.rejections_per_reason(work):
            print(f"  {line}", file=sys.stderr)


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        default=os.environ.get("INSIDERS_DUCKDB_PATH", DEFAULT_DATABASE),
        help="the published DuckDB file (default: INSIDERS_DUCKDB_PATH or insiders.duckdb)",
    )
    parser.add_argument(
        "--vars", help="dbt vars, as YAML or JSON, passed to dbt build (default: none)"
    )
    parser.add_argument("--select", nargs="+", help="passed to dbt build (default: every node)")
    parser.add_argument("--exclude", nargs="+", help="passed to dbt build (default: none)")
    parser.add_argument(
        "--full-refresh",
        action="store_true",
        help="build the incremental lines whole again, passed to dbt build (default: a run"
        " screens only the days it has not screened, or all when the history changed)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    published = Path(args.database).absolute()
    env = dict(os.environ)
    env["INSIDERS_RAW_PATH"] = _absolute(env.get("INSIDERS_RAW_PATH", DEFAULT_RAW_PATH))
    env.setdefault("DBT_PROFILES_DIR", str(REPO))
    env.setdefault("DBT_PROJECT_DIR", str(REPO))
    return build(published, dbt_arguments(args), env, args.vars)

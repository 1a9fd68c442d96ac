"""The one way the project runs dbt: dbt's programmatic runner (``dbtRunner``), in this process.

dbt reads its settings (``DBT_*``) and the profile's ``env_var()`` values from ``os.environ``
when an invocation starts, and resolves relative paths (the database, ``target/``) from the
working directory. So each call runs dbt with the environment it is given, in the project
folder, and puts both back afterwards: nothing of one invocation's environment or folder
reaches the next, nor the caller.

dbt keeps some things open between invocations (dbt-duckdb the database, in a class
attribute; dbt its log file; its worker threads their asyncio loops): each call closes them, so
that the caller, or another process, can open the database afterwards, and nothing is left to
warn later.

``python -m insiders.dbt_runner build ...`` runs dbt the same way from a shell, and
``run_dbt_in_child`` runs it so from Python: a process of its own for each invocation, whose
memory and open files end with it. The replay runs each month so (a year of builds in one
process left dbt's state to the next), the build so that a stop signal can end dbt, and the
benchmarks to measure a build's time and memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from insiders import paths

# Lines of dbt's log kept for the error message of a failed invocation.
ERROR_TAIL_LINES = 60


class DbtError(RuntimeError):
    """A dbt invocation that failed; the message ends with the tail of dbt's log."""


@dataclass
class DbtRun:
    """What one invocation returned: success, dbt's result object and its log lines."""

    args: tuple[str, ...]
    success: bool
    result: object
    exception: BaseException | None
    log: list[str] = field(default_factory=list)

    def log_tail(self, lines: int = ERROR_TAIL_LINES) -> str:
        return "\n".join(self.log[-lines:])


def dbt_environment(
    *,
    raw_path: Path | str | None = None,
    database: Path | str | None = None,
    target_path: Path | str | None = None,
    log_path: Path | str | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment for a dbt run: ``base`` (default: this process's) with the project's
    folders, anonymous statistics off, and the given raw file, database and dbt folders."""
    environment = dict(os.environ if base is None else base)
    project = str(paths.project_dir(environment))
    environment.setdefault("DBT_PROJECT_DIR", project)
    environment.setdefault("DBT_PROFILES_DIR", project)
    environment["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    given = {
        paths.RAW_PATH_VARIABLE: raw_path,
        paths.DATABASE_VARIABLE: database,
        "DBT_TARGET_PATH": target_path,
        "DBT_LOG_PATH": log_path,
    }
    environment.update({name: str(value) for name, value in given.items() if value is not None})
    return environment


@contextlib.contextmanager
def _process_state(environment: Mapping[str, str], folder: Path) -> Iterator[None]:
    """``os.environ`` and the working directory set for one invocation, then restored."""
    saved_environment = dict(os.environ)
    saved_folder = Path.cwd()
    os.environ.clear()
    os.environ.update(environment)
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(saved_folder)
        os.environ.clear()
        os.environ.update(saved_environment)


def _event_loops() -> dict[int, asyncio.AbstractEventLoop]:
    return {id(obj): obj for obj in gc.get_objects() if isinstance(obj, asyncio.AbstractEventLoop)}


def _close_new_event_loops(before: set[int]) -> None:
    """Close the asyncio loops an invocation left open (dbt's worker threads make them and do
    not close them; collected later, each would warn of an unclosed loop and its sockets)."""
    for key, loop in _event_loops().items():
        if key not in before and not loop.is_running() and not loop.is_closed():
            with contextlib.suppress(ValueError, OSError):  # its self-pipe already gone
                loop.close()
    gc.collect()


def _release_dbt_state() -> None:
    """Close what dbt keeps open after an invocation: the database dbt-duckdb holds in a class
    attribute, and the log file (the next invocation's set-up drops its handler unclosed)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt_common.events.event_manager_client import cleanup_event_logger, get_event_manager

    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
    if environment is not None:
        environment.close()
    for logger in get_event_manager().loggers:
        python_logger = getattr(logger, "_python_logger", None)
        for handler in list(getattr(python_logger, "handlers", ())):
            handler.close()
            python_logger.removeHandler(handler)
    cleanup_event_logger()


def run_dbt(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    echo: bool = False,
) -> DbtRun:
    """Run ``dbt <args>`` in the project folder with ``env`` (default: ``dbt_environment()``).

    dbt's log lines are kept in the returned run; with ``echo`` dbt also prints them, as its
    command line does. With ``check``, a failed run raises ``DbtError`` with the log's tail.
    """
    from dbt.cli.main import dbtRunner

    environment = dbt_environment(base=env)
    log: list[str] = []

    def keep(event) -> None:
        message = event.info.msg
        if message and event.info.level != "debug":
            log.append(message)

    arguments = tuple(str(arg) for arg in args)
    loops_before = set(_event_loops())
    with _process_state(environment, Path(environment["DBT_PROJECT_DIR"])):
        try:
            quiet = () if echo else ("--quiet",)
            outcome = dbtRunner(callbacks=[keep]).invoke([*arguments, *quiet])
        finally:
            _release_dbt_state()
            _close_new_event_loops(loops_before)
    run = DbtRun(arguments, bool(outcome.success), outcome.result, outcome.exception, log)
    if check and not run.success:
        reason = f": {run.exception}" if run.exception else ""
        raise DbtError(f"dbt {' '.join(arguments)} failed{reason}\n{run.log_tail()}")
    return run


def child_command(args: Sequence[str]) -> list[str]:
    """The command line that runs ``dbt <args>`` through this runner in a process of its own."""
    return [sys.executable, "-m", "insiders.dbt_runner", *(str(arg) for arg in args)]


def run_dbt_in_child(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    echo: bool = False,
) -> DbtRun:
    """``run_dbt`` in a child process; with ``echo`` dbt's lines go to this process's output,
    otherwise they are kept in the returned run (and a failure's message ends with them)."""
    environment = dbt_environment(base=env)
    completed = subprocess.run(
        child_command(args),
        env=environment,
        cwd=environment["DBT_PROJECT_DIR"],
        stdout=None if echo else subprocess.PIPE,
        stderr=None if echo else subprocess.STDOUT,
        text=True,
        check=False,
    )
    log = [] if echo else completed.stdout.splitlines()
    arguments = tuple(str(arg) for arg in args)
    run = DbtRun(arguments, completed.returncode == 0, completed.returncode, None, log)
    if check and not run.success:
        raise DbtError(
            f"dbt {' '.join(arguments)} failed (exit {completed.returncode})\n{run.log_tail()}"
        )
    return run


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m insiders.dbt_runner ARGS``: ``dbt ARGS`` through the runner, log printed."""
    run = run_dbt(sys.argv[1:] if argv is None else argv, check=False, echo=True)
    return 0 if run.success else 1


if __name__ == "__main__":
    raise SystemExit(main())

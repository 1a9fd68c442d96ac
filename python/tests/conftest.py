"""Shared fixtures: a whole pipeline built once per test session on small generated data."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from insiders.dbt_runner import DbtError, DbtRun, dbt_environment, run_dbt_in_child

REPO = Path(__file__).resolve().parents[2]
# The venv's scripts (insiders, dbt), for tests that run a command as a user would.
BIN = Path(sys.executable).parent
# Small enough to build in well under a minute, large enough (about 440 customers) for k = 2..11.
PIPELINE_SCALE = float(os.environ.get("INSIDERS_TEST_SCALE", "0.1"))
PIPELINE_SEED = 7
# The CDNOW data ships in this wheel on PyPI (MIT licence).
CDNOW_WHEEL = "lifetimes==0.11.3"


# The longest modules, longest first (pytest --durations, 2026-11-29, after make replay's test
# took over the replay's rules): they start first, so that the test workers (pytest-xdist, one
# module to a worker at a time, the next module to the first worker almost done) finish close
# together instead of one of them starting a long module last. The Spark module builds the
# session's pipeline as it starts, so the modules that use it later find it built.
LONGEST_MODULES = (
    "test_readme_mappings.py",
    "test_spark_target.py",
    "test_monthly_runs.py",
    "test_readme_replay.py",
    "test_other_retailers.py",
    "commands/test_build.py",
    "test_make_run.py",
    "test_input_traps.py",
    "test_readme_monthly.py",
    "commands/test_report.py",
    "test_dbt_runner.py",
    "landing/test_dbt_plugin.py",
    "commands/test_docs_site.py",
    "benchmarks/test_notebook.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the longest modules first, each module's tests in their written order."""
    rank = {name: position for position, name in enumerate(LONGEST_MODULES)}

    def module_rank(item: pytest.Item) -> int:
        name = Path(item.path).relative_to(Path(__file__).parent).as_posix()
        return rank.get(name, len(rank))

    items.sort(key=module_rank)


@dataclass(frozen=True)
class BuiltPipeline:
    """A dbt build of the project on generated data, in a folder of its own."""

    root: Path
    raw_path: Path
    truth_path: Path
    database: Path
    env: dict[str, str]

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.database), read_only=True) as con:
            return con.execute(sql).fetchall()

    def scalar(self, sql: str):
        return self.query(sql)[0][0]

    def frame(self, sql: str):
        with duckdb.connect(str(self.database), read_only=True) as con:
            return con.execute(sql).df()


def dbt_env(root: Path, raw_path: Path, database: Path) -> dict[str, str]:
    """The environment of a build in ``root``: its raw file, database and dbt folders."""
    return dbt_environment(
        raw_path=raw_path,
        database=database,
        target_path=root / "target",
        log_path=root / "logs",
    )


def run_dbt(env: dict[str, str], *args: str) -> DbtRun:
    """Run dbt through the project's runner, in a process of its own (a session of builds in
    one process met dbt's leftovers: event loops whose sockets were gone); fail the test with
    dbt's own log when it fails."""
    try:
        return run_dbt_in_child(args, env=env)
    except DbtError as error:
        pytest.fail(str(error))


def build_pipeline(root: Path, *, scale: float, seed: int, extra: tuple[str, ...] = ()):
    from insiders.generator.generate import generate

    root.mkdir(parents=True, exist_ok=True)
    files = generate(root / "online_retail.parquet", scale=scale, seed=seed)
    database = root / "insiders.duckdb"
    env = dbt_env(root, Path(files.data_path), database)
    run_dbt(env, "build", *extra)
    return BuiltPipeline(root, Path(files.data_path), Path(files.truth_path), database, env)


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory) -> BuiltPipeline:
    """The project built with `dbt build` on generated data (default settings).

    Built once per test run: the first test worker (pytest-xdist) to ask builds it in the run's
    shared folder while the others wait on a lock; each worker then reads and writes a copy of
    the database of its own (a worker's dbt run must not meet another's reader)."""
    if "PYTEST_XDIST_WORKER" not in os.environ:  # no workers
        return build_pipeline(
            tmp_path_factory.mktemp("pipeline"), scale=PIPELINE_SCALE, seed=PIPELINE_SEED
        )
    shared = tmp_path_factory.getbasetemp().parent / "pipeline"
    with (shared.parent / "pipeline.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = shared / "built"
        if not built.exists():
            shutil.rmtree(shared, ignore_errors=True)  # a worker's failed attempt
            build_pipeline(shared, scale=PIPELINE_SCALE, seed=PIPELINE_SEED)
            built.touch()
    root = tmp_path_factory.mktemp("pipeline")
    database = root / "insiders.duckdb"
    shutil.copyfile(shared / "insiders.duckdb", database)
    raw_path = shared / "online_retail.parquet"
    truth_path = shared / "online_retail_truth.parquet"
    return BuiltPipeline(root, raw_path, truth_path, database, dbt_env(root, raw_path, database))


@pytest.fixture(scope="session")
def cdnow_dir(request, tmp_path_factory) -> Path:
    """The CDNOW files of the lifetimes wheel, downloaded from PyPI once per checkout.

    Test workers (pytest-xdist) may ask at the same time: each downloads into a folder of its
    own and renames the files into the shared cache, so none is ever seen half written."""
    folder = Path(request.config.cache.mkdir("cdnow"))
    names = ("CDNOW_sample.txt", "CDNOW_master.txt")
    if all((folder / name).exists() for name in names):
        return folder
    download = tmp_path_factory.mktemp("cdnow_download")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", CDNOW_WHEEL, "--no-deps", "-d", str(download)],
        capture_output=True,
        text=True,
        check=False,
    )
    wheels = [w for w in download.glob("*.whl") if w.name.lower().startswith("lifetimes-0.11.3")]
    if not wheels:
        pytest.fail(f"could not download {CDNOW_WHEEL} from PyPI:\n{result.stderr[-2000:]}")
    with zipfile.ZipFile(wheels[0]) as wheel:
        for name in names:
            partial = folder / f"{name}.{os.getpid()}.partial"
            partial.write_bytes(wheel.read(f"lifetimes/datasets/{name}"))
            os.replace(partial, folder / name)
    return folder

"""The static docs site: `dbt docs generate --static`, copied to one self-contained HTML file.

``dbt docs generate --static`` writes ``static_index.html`` into dbt's target folder: the docs
app with the manifest and catalog inlined, so it opens from disk with no server. The catalog
reads the built database, so run this after ``dbt build``; ``insiders docs`` runs it.
"""

from __future__ import annotations

import argparse
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from insiders import paths
from insiders.dbt_runner import DbtError, dbt_environment, run_dbt

DEFAULT_OUTPUT = Path("reports") / "docs.html"
ENVIRONMENT = {
    "INSIDERS_DUCKDB_PATH": "the database the catalog is read from (default: insiders.duckdb)",
    "INSIDERS_RAW_PATH": "the raw file (default: data/raw/online_retail.parquet)",
    "DBT_PROFILES_DIR": "where profiles.yml is (default: the project folder)",
    "DBT_TARGET_PATH": "dbt's target folder, where the site is generated (default: target)",
}
STATIC_INDEX = "static_index.html"


def target_path(project_dir: Path, env: Mapping[str, str]) -> Path:
    """dbt's target folder: DBT_TARGET_PATH when set (relative to the project), else target/."""
    target = Path(env.get("DBT_TARGET_PATH", "target"))
    return target if target.is_absolute() else project_dir / target


def write_docs_site(
    project_dir: Path | None = None,
    output: Path = DEFAULT_OUTPUT,
    env: Mapping[str, str] | None = None,
) -> Path:
    """Run ``dbt docs generate --static`` in ``project_dir`` (default: this project) and copy
    the single-file site to ``output`` (relative paths are taken from ``project_dir``). Returns
    the path written; raises ``insiders.dbt_runner.DbtError`` with dbt's log when dbt fails."""
    project_dir = (paths.project_dir(env) if project_dir is None else Path(project_dir)).resolve()
    base = dict(os.environ if env is None else env)
    base["DBT_PROJECT_DIR"] = str(project_dir)
    environment = dbt_environment(base=base)
    run_dbt(["docs", "generate", "--static"], env=environment)
    site = target_path(project_dir, environment) / STATIC_INDEX
    destination = output if output.is_absolute() else project_dir / output
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(site, destination)
    return destination


def run(args: argparse.Namespace) -> int:
    try:
        written = write_docs_site(args.project_dir, Path(args.output))
    except DbtError as error:
        print(f"insiders docs: dbt docs generate failed:\n{error}")
        return 1
    print(f"wrote {written}")
    return 0


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--project-dir", type=Path, default=None, help="the dbt project (default: this one)"
    )
    parser.add_argument(
        "--output",
        default=str(DEFAULT_OUTPUT),
        help=f"the HTML file to write, relative to the project (default: {DEFAULT_OUTPUT})",
    )
    parser.set_defaults(func=run)

"""The static docs site: `dbt docs generate --static`, copied to one self-contained HTML file.

``dbt docs generate --static`` writes ``static_index.html`` into dbt's target folder: the docs
app with the manifest and catalog inlined, so it opens from disk with no server. The catalog
reads the built database, so run this after ``dbt build``; ``insiders docs`` runs it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

DEFAULT_OUTPUT = Path("reports") / "docs.html"
ENVIRONMENT = {
    "INSIDERS_DUCKDB_PATH": "the database the catalog is read from (default: insiders.duckdb)",
    "INSIDERS_RAW_PATH": "the raw file (default: data/raw/online_retail.parquet)",
    "DBT_PROFILES_DIR": "where profiles.yml is (default: the project folder)",
    "DBT_TARGET_PATH": "dbt's target folder, where the site is generated (default: target)",
}
STATIC_INDEX = "static_index.html"


def dbt_executable() -> str:
    """The dbt beside this Python (the project's venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    if beside.exists():
        return str(beside)
    found = shutil.which("dbt")
    if found is None:
        raise FileNotFoundError("dbt is not installed beside this Python nor on PATH")
    return found


def target_path(project_dir: Path, env: Mapping[str, str]) -> Path:
    """dbt's target folder: DBT_TARGET_PATH when set (relative to the project), else target/."""
    target = Path(env.get("DBT_TARGET_PATH", "target"))
    return target if target.is_absolute() else project_dir / target


def write_docs_site(
    project_dir: Path = Path(),
    output: Path = DEFAULT_OUTPUT,
    env: Mapping[str, str] | None = None,
) -> Path:
    """Run ``dbt docs generate --static`` in ``project_dir`` and copy the single-file site to
    ``output`` (relative paths are taken from ``project_dir``). Returns the path written;
    raises ``subprocess.CalledProcessError`` with dbt's output when dbt fails."""
    project_dir = Path(project_dir).resolve()
    environment = dict(os.environ if env is None else env)
    environment.setdefault("DBT_PROFILES_DIR", str(project_dir))
    subprocess.run(
        [dbt_executable(), "docs", "generate", "--static"],
        cwd=project_dir,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )
    site = target_path(project_dir, environment) / STATIC_INDEX
    destination = output if output.is_absolute() else project_dir / output
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(site, destination)
    return destination


def run(args: argparse.Namespace) -> int:
    try:
        written = write_docs_site(Path(args.project_dir), Path(args.output))
    except subprocess.CalledProcessError as error:
        print(f"insiders docs: dbt docs generate failed:\n{error.stdout}\n{error.stderr}")
        return 1
    print(f"wrote {written}")
    return 0


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project-dir", default=".", help="the dbt project (default: here)")
    parser.add_argument(
        "--output",
        default=str(DEFAULT_OUTPUT),
        help=f"the HTML file to write, relative to the project (default: {DEFAULT_OUTPUT})",
    )
    parser.set_defaults(func=run)

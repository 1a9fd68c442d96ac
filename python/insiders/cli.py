"""The `insiders` console command.

Each sub-command lives in its own module, which exposes ``register(subparsers)``;
the module is imported only when its command runs, so ``insiders --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from types import ModuleType

COMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("insiders.generator.generate", "write Online-Retail-shaped invoice lines"),
    "inspect": (
        "insiders.commands.inspect",
        "detect a raw file's shape and check it can be loaded; suggest a mapping if it cannot",
    ),
    "build": (
        "insiders.commands.build",
        "dbt build into a work copy; publish it over INSIDERS_DUCKDB_PATH only if all passed",
    ),
    "export": (
        "insiders.commands.export",
        "write the members, or a segment, to CSV or Parquet for marketing tools",
    ),
    "report": ("insiders.commands.report", "write the HTML report from the built database"),
    "replay": (
        "insiders.commands.replay",
        "replay the pipeline month by month, as a scheduled run would",
    ),
    "summary": ("insiders.commands.summary", "print what the last build produced and where"),
    "sql": ("insiders.commands.sql", "run SQL on the built database (read-only)"),
    "docs": (
        "insiders.commands.docs_site",
        "write the static docs site (dbt docs generate --static)",
    ),
}


def command_description(module: ModuleType, summary: str) -> str:
    """What a sub-command does: the first paragraph of its module's docstring."""
    doc = (module.__doc__ or "").strip()
    return doc.split("\n\n")[0] if doc else summary


def environment_epilog(variables: dict[str, str]) -> str | None:
    """The environment variables a sub-command reads, one a line, for the end of its --help."""
    if not variables:
        return None
    width = max(len(name) for name in variables)
    lines = [f"  {name:<{width}}  {meaning}" for name, meaning in variables.items()]
    return "environment variables:\n" + "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="insiders", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (_module, help_text) in COMMANDS.items():
        subparsers.add_parser(name, help=help_text, add_help=False)
    if not argv or argv[0] not in COMMANDS:
        parser.parse_args(argv)
        return 2
    name = argv[0]
    module = importlib.import_module(COMMANDS[name][0])
    sub = argparse.ArgumentParser(
        prog=f"insiders {name}",
        description=command_description(module, COMMANDS[name][1]),
        epilog=environment_epilog(getattr(module, "ENVIRONMENT", {})),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    module.register(sub)
    args = sub.parse_args(argv[1:])
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())

"""`insiders build` passes its dbt options on to dbt build, --full-refresh included."""

from __future__ import annotations

import argparse

from insiders.commands import build


def parsed(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    build.register(parser)
    return parser.parse_args(argv)


def test_full_refresh_is_passed_on_only_when_asked():
    assert build.dbt_arguments(parsed("--select", "+x", "--full-refresh")) == [
        "build",
        "--select",
        "+x",
        "--full-refresh",
    ]
    assert build.dbt_arguments(parsed()) == ["build"]

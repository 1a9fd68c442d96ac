"""The CLI helps: each sub-command's --help says what it does, its defaults and the environment
it reads; a command that reads the database while a build holds it says so in one line."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from insiders.cli import COMMANDS, main

BIN = Path(sys.executable).parent
READERS = ["sql", "summary", "report"]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_help_says_what_the_command_does_and_the_environment_it_reads(name, capsys):
    with pytest.raises(SystemExit) as stopped:
        main([name, "--help"])
    assert stopped.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    module = importlib.import_module(COMMANDS[name][0])
    first_paragraph = " ".join(module.__doc__.strip().split("\n\n")[0].split())
    assert first_paragraph in text
    for variable in module.ENVIRONMENT:
        assert variable in text
    if "--database" in text:
        assert "INSIDERS_DUCKDB_PATH" in text or "INSIDERS_REPLAY_DUCKDB_PATH" in text


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_option_states_its_default(name):
    parser = argparse.ArgumentParser()
    importlib.import_module(COMMANDS[name][0]).register(parser)
    options = [
        a for a in parser._actions if a.option_strings and not isinstance(a, argparse._HelpAction)
    ]
    assert options
    for option in options:
        assert "default" in (option.help or ""), (name, option.dest)


@pytest.fixture
def held_database(tmp_path):
    """A database another process holds open for writing, as dbt build does."""
    database = tmp_path / "insiders.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create table t as select 1 as x")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
                import sys, duckdb
                con = duckdb.connect({str(database)!r})
                print("holding", flush=True)
                sys.stdin.read()
            """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "holding"
    yield database
    holder.communicate("")


@pytest.mark.parametrize("name", READERS)
def test_a_command_says_in_one_line_that_a_build_holds_the_database(name, held_database):
    args = [str(BIN / "insiders"), name, "--database", str(held_database)]
    if name == "sql":
        args.append("select 1")
    if name == "report":
        args += ["--output", str(held_database.parent / "report.html")]
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"insiders {name}: {held_database} is being written by another")

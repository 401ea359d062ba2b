"""The README's command table and the CLI agree (the sqlite-utils test_docs habit), and every --help has an example."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from trellosync.cli.commands import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def documented_commands() -> set[str]:
    """First words of the backticked commands in the first column of the README's command table."""
    text = README.read_text(encoding="utf-8")
    table = text[text.index("| command | what it does |") :]
    table = table[: table.index("\n\n")]
    names: set[str] = set()
    for row in table.splitlines()[2:]:
        first_cell = re.split(r"(?<!\\)\|", row)[1]  # a cell may hold escaped pipes: {goals\|dossier}
        names |= {m.split()[0] for m in re.findall(r"`([^`]+)`", first_cell)}
    return names


def test_every_command_is_documented_and_every_documented_command_exists() -> None:
    assert documented_commands() == set(cli.commands)


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_help_has_an_example(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert re.search(r"^\s+Examples?:\n\s+trellosync " + name, result.output, re.M) or re.search(
        r"^\s+Examples?:\n\s+\S+=\S+ .*trellosync " + name, result.output, re.M
    ), result.output


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_accepts_config_and_database(name: str) -> None:
    command: click.Command = cli.commands[name]
    options = {opt for param in command.params for opt in param.opts}
    assert {"-c", "--database", "-v"} <= options, name


def test_shell_completion_is_documented() -> None:
    assert "_TRELLOSYNC_COMPLETE=bash_source" in README.read_text(encoding="utf-8")

"""The README documents every command option, setting and schema column."""

import re
from pathlib import Path

import click

from litref.db.migrations import CHILD_TABLES, CITATION_COLUMNS
from litref.cli import main

PROJECT = Path(__file__).resolve().parents[1]
README = (PROJECT / "README.md").read_text()


def test_every_command_and_option_is_in_the_readme():
    for name, command in main.commands.items():
        assert f"litref {name}" in README, name
        for param in command.params:
            if isinstance(param, click.Option):
                for option in param.opts:
                    assert option in README, f"litref {name} {option}"


def test_every_environment_variable_is_in_the_readme():
    sources = "".join(p.read_text() for p in PROJECT.glob("*/*.py"))
    for variable in set(re.findall(r'"((?:NCBI|LITREF)_[A-Z_]+)"', sources)):
        assert f"`{variable}`" in README, variable


def test_every_column_is_in_the_readme_schema():
    for column in CITATION_COLUMNS:
        assert f"`{column}`" in README, column
    for table, columns in CHILD_TABLES.items():
        row = next(line for line in README.splitlines() if line.startswith(f"| `{table}` |"))
        for column in columns:
            assert f"`{column}`" in row, f"{table}.{column}"

"""docs/register.md keeps up with the code: every input column and every method parameter is
documented, with its default, and the documented commands run."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from typer.testing import CliRunner

from boligsocial.register.cli import register_app
from boligsocial.register.method import Method
from boligsocial.register.schema import COLUMNS

DOCS = (Path(__file__).resolve().parents[1] / "docs" / "register.md").read_text(encoding="utf-8")


def _table_rows(heading: str) -> dict[str, list[str]]:
    section = DOCS.split(heading, 1)[1].split("\n## ", 1)[0]
    rows: dict[str, list[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_every_input_column_is_documented_with_its_type() -> None:
    documented = _table_rows("## Input schema")
    assert list(documented) == [c.name for c in COLUMNS]
    for c in COLUMNS:
        assert documented[c.name][0] == c.sql_type, c.name


def test_every_method_parameter_is_documented_with_its_default() -> None:
    documented = _table_rows("## Method parameters")
    fields = [f.name for f in dataclasses.fields(Method)]
    assert list(documented) == fields
    defaults = Method().as_dict()
    for name in fields:
        shown = documented[name][0].strip("`")
        value = defaults[name]
        if name == "income_lags":
            expected = ",".join(f"{a}:{b}" for a, b in value)
        elif name == "grundskole_codes":
            expected = f"{value[0]}-{value[1]}"
        elif name == "uoplyst_codes":
            expected = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            expected = str(value).lower()
        else:
            expected = str(value)
        assert shown == expected, name


def test_the_documented_commands_run(tmp_path: Path) -> None:
    block = DOCS.split("```", 2)[1]
    commands = [line.split() for line in block.splitlines() if line.startswith("boligsocial register")]
    assert [c[2] for c in commands] == ["synth", "compute"]
    runner = CliRunner()
    for command in commands:
        args = [str(tmp_path / a) if a in ("persondata", "noegletal.csv") else a for a in command[2:]]
        result = runner.invoke(register_app, args)
        assert result.exit_code == 0, result.stderr
    printed = re.search(r"--convicted-national-avg (\S+)", result.stderr)
    assert printed and printed.group(1) in DOCS  # the example's national average is the one printed

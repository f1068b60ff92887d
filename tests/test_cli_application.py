"""`boligsocial application` and `boligsocial lint` from the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from boligsocial.cli import app

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter"
runner = CliRunner()


def test_application_writes_the_whole_package(tmp_path: Path) -> None:
    out = tmp_path / "ansoegning"
    result = runner.invoke(app, ["application", str(EXAMPLE), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "bilag-noegletal.xlsx",
        "lint.json",
        "lint.txt",
        "projektbeskrivelse.docx",
        "projektbeskrivelse.pdf",
    ]
    assert "A4-sider" in result.stdout and "0 fejl" in result.stdout
    assert json.loads((out / "lint.json").read_text(encoding="utf-8"))["summary"]["fejl"] == 0


def test_lint_exits_non_zero_on_a_planted_error(tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    shutil.copytree(EXAMPLE, plan)
    toml = plan / "helhedsplan.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("boliger = 973", "boliger = 937"), encoding="utf-8")
    result = runner.invoke(app, ["lint", str(plan), "--format", "json"])
    assert result.exit_code == 1
    codes = {f["code"] for f in json.loads(result.stdout)["findings"]}
    assert "BS706" in codes  # dwellings in the plan differ from the key figures


def test_application_on_a_missing_folder_is_a_danish_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["application", str(tmp_path / "findes-ikke"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "Fejl:" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()

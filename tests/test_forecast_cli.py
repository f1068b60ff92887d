"""`boligsocial forecast`: a key-figure file or folder of several list years in, Danish out."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from boligsocial.cli import app
from boligsocial.law.figures import Measure
from boligsocial.plan.keyfigures import write_key_figures
from test_forecast import CALM, PARALLEL, unit

runner = CliRunner()


def _files(folder: Path) -> Path:
    for year in (2021, 2022, 2023):
        # non-western 20 -> 25 -> 30 (forebyggelse needs > 30), two other forebyggelse criteria met
        rising = CALM | {
            Measure.IKKE_VESTLIGE: 20.0 + 5 * (year - 2021),
            Measure.UDEN_FOR_ARBEJDSMARKED: 35.0,
            Measure.INDKOMST: 60.0,
        }
        write_key_figures(
            [unit(year, PARALLEL), unit(year, rising, name="Stigparken")], folder / f"noegletal-{year}.csv"
        )
    return folder


def test_forecast_of_a_folder_of_yearly_files(tmp_path: Path) -> None:
    folder = _files(tmp_path)
    result = runner.invoke(app, ["forecast", str(folder), "--convicted-national-avg", "2023:0,7"])
    assert result.exit_code == 0, result.output
    assert "Prognose for listeår 2024, fremskrevet fra listeår 2023" in result.output
    line = next(x for x in result.output.splitlines() if x.startswith("Testparken"))
    assert "ja → 100 %" in line
    data = json.loads(runner.invoke(app, ["forecast", str(folder), "--format", "json"]).output)
    assert data["listeaar"] == 2024
    found = {u["navn"]: u for u in data["enheder"]}
    rising = found["Stigparken"]["lister"]["forebyggelsesomraade"]
    assert (
        rising["i_dag"] is False and rising["sandsynlighed_paa_listen"] > 0.8
    )  # 30 today, 35 by the line (measured 0,89)
    assert found["Stigparken"]["tendenser"]["ikke_vestlige"]["haeldning_pr_aar"] == 5.0
    csv_text = runner.invoke(app, ["forecast", str(folder), "--format", "csv"]).output
    assert csv_text.splitlines()[0].startswith("listeaar,enhed,type,boligorganisation,udsat_boligomraade_i_dag")


def test_backtest_of_a_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["forecast", str(_files(tmp_path)), "--backtest"])
    assert result.exit_code == 0, result.output
    assert "Tilbagetest: hvert listeår (2022, 2023) forudsagt fra årene før" in result.output
    assert "Pålidelighed" in result.output


def test_errors_are_danish(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["forecast", str(tmp_path / "findes-ikke.csv")])
    assert missing.exit_code == 2 and "findes ikke" in missing.output
    empty = runner.invoke(app, ["forecast", str(tmp_path)])
    assert empty.exit_code == 2 and "ingen nøgletalsfiler" in empty.output
    one = tmp_path / "et-aar"
    one.mkdir()
    write_key_figures([unit(2023, PARALLEL)], one / "noegletal.csv")
    too_early = runner.invoke(app, ["forecast", str(one), "--year", "2023"])
    assert too_early.exit_code == 2 and "intet listeår før 2023" in too_early.output

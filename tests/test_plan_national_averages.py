"""A plan folder's `landsgennemsnit.csv`: the national conviction averages entered for the plan,
read with the same checks as the web form (plan/national_averages.py), written back to the same,
and used by every command that reads the folder."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from boligsocial.cli import app
from boligsocial.plan.assessment import load_assessment
from boligsocial.plan.inputs import InputError, load_key_figure_input
from boligsocial.plan.national_averages import (
    AVERAGES_FILE,
    AveragesFileError,
    EnteredAverage,
    averages_csv,
    read_averages_file,
    year_status,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter"
HEADER = "listeaar;doemte_pct;kilde;kilde_dato\n"
AREA = "Sjælør Boulevard"


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / AVERAGES_FILE
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def problems(path: Path) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(AveragesFileError) as caught:
        read_averages_file(path, today=date(2026, 12, 3))
    assert str(caught.value).startswith(f"{AVERAGES_FILE} kan ikke indlæses:")
    return [(i.row, i.column, i.message) for i in caught.value.issues]


def test_the_file_reads_back_what_was_written(tmp_path: Path) -> None:
    entries = [
        EnteredAverage(2025, Decimal("0.6900"), 'Ministeriet, "lister"; 1. december', date(2025, 12, 1)),
        EnteredAverage(2024, Decimal("0.73"), "Social- og Boligministeriet", date(2024, 12, 2)),
    ]
    text = averages_csv(entries)
    assert text.splitlines()[:2] == [HEADER.strip(), "2024;0,73;Social- og Boligministeriet;2024-12-02"]
    read = read_averages_file(write(tmp_path, text))
    assert read == sorted(entries, key=lambda e: e.list_year)
    assert str(read[1].doemte_pct) == "0.6900"  # the written decimals survive


def test_every_problem_is_named_by_row_and_column(tmp_path: Path) -> None:
    text = HEADER + (
        "2024;73;Ministeriet;01.12.2024\n"  # a typing error for 0,73
        "2022;0,70;Ministeriet;01.12.2022\n"  # the law publishes 2022
        "2025;0,7;;2027-01-01\n"  # no source, a date in the future
        "2024;0,73;Ministeriet;01.12.2024\n"  # the year again
        "tyve;0,7;Ministeriet;01.12.2024\n"
        "2026;0,7;Ministeriet\n"
    )
    found = problems(write(tmp_path, text))
    assert [(row, column) for row, column, _ in found] == [
        (2, "doemte_pct"),
        (3, "listeaar"),
        (4, "kilde"),
        (4, "kilde_dato"),
        (5, "listeaar"),
        (6, "listeaar"),
        (7, None),
    ]
    messages = dict(((row, column), message) for row, column, message in found)
    assert "ikke et muligt landsgennemsnit" in messages[(2, "doemte_pct")]
    assert messages[(3, "listeaar")] == year_status(2022).refusal(2022)
    assert "offentliggjorte tal" in messages[(3, "listeaar")]
    assert messages[(5, "listeaar")] == "listeår 2024 står også i række 2"
    assert "ligger i fremtiden" in messages[(4, "kilde_dato")]
    assert messages[(7, None)] == "rækken har 3 felter, overskriften 4"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "filen er tom"),
        ("listeaar;doemte_pct;kilde;kilde_dato\n2024;0,73;Ministeriet – ø;01.12.2024\n".encode("cp1252"), "UTF-8"),
        (b"listeaar,doemte_pct,kilde,kilde_dato\n", "mangler kolonnen"),
        (b"listeaar;doemte_pct;kilde;kilde_dato;note\n", "ukendt kolonne 'note'"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(tmp_path: Path, content: bytes, expected: str) -> None:
    ((row, _, message),) = problems(write(tmp_path, content))
    assert expected in message
    assert row in (None, 1)


def test_a_header_alone_and_a_byte_order_mark_are_fine(tmp_path: Path) -> None:
    assert read_averages_file(write(tmp_path, "\ufeff" + HEADER + "\n")) == []


def plan_of_2024(tmp_path: Path, average: str | None) -> Path:
    """The example plan with its key figures as list year 2024, whose average the law lacks."""
    folder = tmp_path / "plan"
    shutil.copytree(EXAMPLE, folder)
    toml = folder / "helhedsplan.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("liste_aar = 2022", "liste_aar = 2024"), "utf-8")
    figures = folder / "noegletal.csv"
    lines = figures.read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith(";listeaar")
    figures.write_text("\n".join([lines[0], *(line.rsplit(";", 1)[0] + ";2024" for line in lines[1:])]) + "\n")
    if average is not None:
        (folder / AVERAGES_FILE).write_text(HEADER + f"2024;{average};Ministeriet;01.12.2024\n", "utf-8")
    return folder


def test_the_folders_average_decides_what_waited_for_it(tmp_path: Path) -> None:
    without = load_assessment(plan_of_2024(tmp_path / "a", None))
    area = without.area_verdict(AREA)
    assert area is not None and area.lists["forebyggelsesomraade"].status is None  # it waits for the average
    given = load_assessment(plan_of_2024(tmp_path / "b", "0,73"))
    area = given.area_verdict(AREA)
    assert area is not None and area.lists["forebyggelsesomraade"].status is True  # ~1,90-2,29 % >= 2 x 0,73
    high = load_assessment(plan_of_2024(tmp_path / "c", "5"))
    area = high.area_verdict(AREA)
    assert area is not None and area.lists["forebyggelsesomraade"].status is False
    loaded = load_key_figure_input(plan_of_2024(tmp_path / "d", "0,73"))
    assert loaded.conviction_averages == {2024: Fraction(73, 100)}


def test_a_bad_file_stops_the_folder_with_its_row_and_column(tmp_path: Path) -> None:
    folder = plan_of_2024(tmp_path, "0,7,3")
    with pytest.raises(InputError, match=r'landsgennemsnit.csv, række 2, kolonne "doemte_pct"'):
        load_assessment(folder)


def test_check_on_the_folder_uses_its_averages_and_a_given_year_overrides_them(tmp_path: Path) -> None:
    folder = plan_of_2024(tmp_path, "0,73")

    def area_lists(*options: str) -> dict[str, object]:
        result = CliRunner().invoke(app, ["check", str(folder), "--format", "json", *options])
        assert result.exit_code == 0, result.output
        units = json.loads(result.stdout)["units"]
        found: dict[str, object] = next(u for u in units if u["kind"] == "omraade" and u["name"] == AREA)["lists"]
        return found

    assert area_lists()["forebyggelsesomraade"] is True
    assert area_lists("--convicted-national-avg", "2024:5")["forebyggelsesomraade"] is False


def test_the_forecast_on_the_folder_carries_its_entered_average(tmp_path: Path) -> None:
    folder = plan_of_2024(tmp_path, "0,81")
    result = CliRunner().invoke(app, ["forecast", str(folder)])
    assert result.exit_code == 0, result.output
    assert "prognosen bruger listeår 2024s (0,810 pct.)" in result.stdout

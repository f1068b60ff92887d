"""The key-figure annex (bilag-noegletal.xlsx), checked by opening the written file with openpyxl."""

# ruff: noqa: F811 - pytest fixtures imported from annex_helpers are used as arguments
from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest

from annex_helpers import EXAMPLE, annex, ctx, wb  # noqa: F401 - fixtures used as arguments
from boligsocial.law.closeness import near_text_da
from boligsocial.plan.assessment import PlanAssessment, load_assessment
from boligsocial.reports.annex import ANNEX_FILENAME, SHEET_NAMES, write_annex
from boligsocial.reports.annex.cells import SUPPRESSED


@pytest.fixture(scope="module")
def values(annex: Path) -> Iterator[Any]:
    """The workbook as a reader that does not recalculate sees it (cached formula values)."""
    workbook = openpyxl.load_workbook(annex, data_only=True)
    yield workbook
    workbook.close()


def header(ws: Any, row: int = 1) -> list[Any]:
    return [cell.value for cell in ws[row]]


def column(ws: Any, title: str, header_row: int = 1) -> int:
    """1-based index of the column whose header starts with `title`."""
    for index, value in enumerate(header(ws, header_row), start=1):
        if isinstance(value, str) and value.startswith(title):
            return index
    raise AssertionError(f"no column {title!r} in {ws.title}: {header(ws, header_row)}")


def find_row(ws: Any, name: str, header_row: int = 1) -> int:
    """The row of a unit by its name as shown: an område's with " (område)" after it."""
    for row in range(header_row + 1, ws.max_row + 1):
        if ws.cell(row=row, column=1).value == name:
            return row
    raise AssertionError(f"no row {name!r} in {ws.title}")


def test_sheet_names(wb: Any) -> None:
    assert wb.sheetnames == [
        "Stamdata",
        "Nøgletal",
        "Listestatus",
        "Afstand til grænser",
        "Grænseværdier",
        "Kilder og noter",
    ]
    assert tuple(wb.sheetnames) == SHEET_NAMES


def test_stamdata_lists_the_28_afdelinger_with_status(wb: Any) -> None:
    ws = wb["Stamdata"]
    assert header(ws)[:7] == [
        "Boligorganisation",
        "Afdeling",
        "Afd.nr.",
        "Boliger",
        "Boligområde",
        "Status i planen",
        "Betingelse",
    ]
    status_col = column(ws, "Status i planen")
    rows = [r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=status_col).value]
    assert len(rows) == 28
    statuses = [ws.cell(row=r, column=status_col).value for r in rows]
    assert statuses.count("I helhedsplanen") == 13
    assert statuses.count("Betinget deltagelse") == 15
    grønnegården = next(r for r in rows if ws.cell(row=r, column=2).value == "Grønnegården")
    # The condition is marked in its rows and written once under the table.
    assert ws.cell(row=grønnegården, column=column(ws, "Betingelse")).value == "*"
    notes = [c.value for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("* Betinget deltagelse:")]
    assert len(notes) == 1 and "betinget af" in notes[0]
    folehaven = next(r for r in rows if ws.cell(row=r, column=2).value == "Folehaven")
    assert ws.cell(row=folehaven, column=1).value == "Boligforeningen 3B"
    assert ws.cell(row=folehaven, column=column(ws, "Betingelse")).value is None
    afd50 = next(r for r in rows if ws.cell(row=r, column=2).value == "Afd. 50")
    assert ws.cell(row=afd50, column=3).value == "50"
    assert ws.cell(row=afd50, column=column(ws, "Boligområde")).value == "Sjælør Boulevard"
    boliger = column(ws, "Boliger")
    assert all(isinstance(ws.cell(row=r, column=boliger).value, int) for r in rows)
    assert ws.cell(row=rows[0], column=boliger).number_format == "#,##0"


def test_stamdata_total_is_a_formula_with_its_value(wb: Any, values: Any) -> None:
    ws, cached = wb["Stamdata"], values["Stamdata"]
    boliger = column(ws, "Boliger")
    total = next(r for r in range(2, ws.max_row + 1) if str(ws.cell(row=r, column=2).value).startswith("I alt"))
    assert ws.cell(row=total, column=2).value == "I alt (28 afdelinger)"
    assert ws.cell(row=total, column=boliger).value == "=SUM(D2:D29)"
    assert ws.cell(row=total, column=boliger).number_format == "#,##0"
    assert cached.cell(row=total, column=boliger).value == 5980
    i_plan, betinget = (
        cached.cell(row=total + 1, column=boliger).value,
        cached.cell(row=total + 2, column=boliger).value,
    )
    assert ws.cell(row=total + 1, column=boliger).value.startswith("=SUMIF(")
    assert i_plan + betinget == 5980
    assert (i_plan, betinget) == (3121, 2859)


def test_noegletal_folehaven_values_and_formats(wb: Any) -> None:
    ws = wb["Nøgletal"]
    assert header(ws)[3] == "Beboere 1/1-2022"
    row = find_row(ws, "Folehaven")
    cells = [ws.cell(row=row, column=c) for c in range(4, 10)]
    assert [c.value for c in cells] == [1964, 30.9, 47.5, 1.79, 57.3, 59.3]
    assert [c.number_format for c in cells] == ["#,##0", "0.0", "0.0", "0.00", "0.0", "0.0"]
    assert all(c.data_type == "n" for c in cells)  # numbers, not text
    assert ws.cell(row=row, column=column(ws, "Tilnærmet")).value is None  # exact: no flag


def test_noegletal_suppressed_values_are_dashes(wb: Any) -> None:
    ws = wb["Nøgletal"]
    row = find_row(ws, "Stubmøllevej")
    cells = [ws.cell(row=row, column=c) for c in range(4, 10)]
    assert [c.value for c in cells] == [SUPPRESSED] * 6
    assert all(c.data_type == "s" and c.alignment.horizontal == "right" for c in cells)
    # What "-" means is said once under the table, not in the note of every such row.
    assert ws.cell(row=row, column=column(ws, "Note")).value is None
    assert any(str(c.value).startswith("- = tallet er ikke oplyst") for c in ws["A"])
    hammel = find_row(ws, "Hammelstruphus")
    assert ws.cell(row=hammel, column=column(ws, "Dømte")).value == SUPPRESSED
    assert ws.cell(row=hammel, column=column(ws, "Kun grundskole")).value == 42.6


def test_noegletal_area_row_is_marked_approximate(wb: Any) -> None:
    ws = wb["Nøgletal"]
    row = find_row(ws, "Sjælør Boulevard (område)")
    assert ws.cell(row=row, column=4).value == 1227  # a sum of residents: exact
    assert ws.cell(row=row, column=4).number_format == "#,##0"
    flag = ws.cell(row=row, column=column(ws, "Tilnærmet"))
    assert flag.value == "ja"
    assert flag.comment is not None and "beboervægtede" in flag.comment.text
    for c in range(5, 10):
        cell = ws.cell(row=row, column=c)
        assert isinstance(cell.value, float)
        assert cell.number_format.startswith('"~"')
        assert cell.font.italic
    assert ws.cell(row=row, column=5).value == pytest.approx((612 * 24.3 + 615 * 28.2) / 1227)
    assert "Afd. 50 og Sjælør Boulevard" in ws.cell(row=row, column=column(ws, "Note")).value
    # The afdeling of the same name is a separate, exact row.
    afdeling = find_row(ws, "Sjælør Boulevard")
    assert ws.cell(row=afdeling, column=column(ws, "Tilnærmet")).value is None
    assert ws.cell(row=afdeling, column=5).number_format == "0.0"


def test_listestatus(wb: Any) -> None:
    ws = wb["Listestatus"]
    assert ws.freeze_panes == "B3"
    assert ws.cell(row=1, column=5).value == "Status, listeår 2022"
    forebyggelse = column(ws, "Forebyggelses-\nområde", header_row=2)  # broken where its parts meet
    row = find_row(ws, "Folehaven", header_row=2)
    assert ws.cell(row=row, column=forebyggelse).value == "ja"
    # "nej" is an empty cell (the sheet's note says so): the few "ja" stand out.
    assert ws.cell(row=row, column=column(ws, "Udsat boligområde", header_row=2)).value is None
    assert ws.cell(row=row, column=column(ws, "Mindst 1.000 beboere", header_row=2)).value == "ja"
    assert any("Et tomt statusfelt betyder nej" in str(c.value) for c in ws["B"])
    # Small afdelinger: not on a list, but as an area they would be.
    headers = header(ws, 2)
    as_area_forebyggelse = len(headers) - headers[::-1].index("Forebyggelses-\nområde")
    assert as_area_forebyggelse != forebyggelse
    damagervej = find_row(ws, "Damagervej", header_row=2)
    assert ws.cell(row=damagervej, column=forebyggelse).value is None
    assert ws.cell(row=damagervej, column=as_area_forebyggelse).value == "ja"
    stub = find_row(ws, "Stubmøllevej", header_row=2)
    assert ws.cell(row=stub, column=forebyggelse).value == "ubestemt"
    assert find_row(ws, "Sjælør Boulevard (område)", header_row=2) > stub


def test_margins_have_a_sheet_of_their_own(wb: Any) -> None:
    ws = wb["Afstand til grænser"]
    assert ws.freeze_panes == "C3"
    row = find_row(ws, "Folehaven", header_row=2)
    stub = find_row(ws, "Stubmøllevej", header_row=2)
    # Margins in percentage points, signed, from the result.
    doemte_2x = column(ws, "Dømte ≥ 1,45", header_row=2)
    assert ws.cell(row=row, column=doemte_2x).value == pytest.approx(0.34)
    assert ws.cell(row=row, column=doemte_2x).number_format == "+0.00;-0.00;0.00"
    indkomst = column(ws, "Indkomst < 65", header_row=2)
    assert ws.cell(row=row, column=indkomst).value == pytest.approx(5.7)
    assert ws.cell(row=stub, column=doemte_2x).value == SUPPRESSED
    # Conditional fills: met criteria and near misses.
    rules = {str(cf.sqref): [r.formula[0] for r in cf.rules] for cf in ws.conditional_formatting}
    letter = openpyxl.utils.get_column_letter(doemte_2x)
    assert rules[f"{letter}3:{letter}{ws.max_row - 4}"] == [
        f"AND(ISNUMBER({letter}3),{letter}3>=0)",
        f"AND(ISNUMBER({letter}3),{letter}3>=-0.1)",  # the convicted share's closeness width
    ]
    # Near means what it means on the web (law/closeness.py), in the measure's own points.
    income = openpyxl.utils.get_column_letter(indkomst)
    assert rules[f"{income}3:{income}{ws.max_row - 4}"][1] == f"AND(ISNUMBER({income}3),{income}3>=-0.5)"
    legend = [str(c.value) for r in ws.iter_rows(min_row=ws.max_row - 3) for c in r if c.value]
    assert any(f"Tæt på: ikke opfyldt, men {near_text_da()}." == text for text in legend), legend


def test_graensevaerdier_come_from_the_result(wb: Any, ctx: PlanAssessment) -> None:
    ws = wb["Grænseværdier"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    expected = {
        (r.label, c.label, c.operator.symbol, float(c.threshold))
        for u in ctx.result.units
        for r in u.lists.values()
        for c in r.criteria
    }
    assert {(r[0], r[1], r[2], r[3]) for r in rows if r[0] and r[1]} == expected  # the table, not its notes
    doemte = next(r for r in rows if r[0] == "Forebyggelsesområde" and r[1] == "Dømte")
    assert doemte[3] == 1.45
    assert doemte[7] == "§ 61 b, nr. 2"
    # The source by its mark; the mark's title once under the table.
    notes = [str(r[0]) for r in rows if r[0] and str(r[0]).startswith(doemte[8])]
    assert len(notes) == 1 and "almenboligloven" in notes[0]


def test_kilder_og_noter(wb: Any) -> None:
    ws = wb["Kilder og noter"]
    entries = {row[0]: row[1] for row in ws.iter_rows(min_row=2, values_only=True) if row[0]}
    assert entries["Listeår"] == 2022
    assert entries["Regelsæt"].startswith("Udsatte boligområder, parallelsamfund")
    assert entries["Dømte, 2 × landsgennemsnittet"].startswith("1,45 pct.")
    assert entries["Dømte, 3 × landsgennemsnittet"].startswith("2,18 pct.")
    assert "beboervægtede" in entries["Tilnærmede tal"]
    assert "Sjælør Boulevard" in entries["Tilnærmede tal"]
    assert entries["Dannet"] == datetime(2025, 3, 14)


def test_print_setup_and_frozen_headers(wb: Any) -> None:
    for ws in wb:
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.freeze_panes is not None
        assert ws.column_dimensions["A"].width > 8
    assert wb["Nøgletal"].print_title_rows == "$1:$1"
    assert wb["Listestatus"].print_title_rows == "$1:$2"


def test_write_is_atomic(ctx: PlanAssessment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / ANNEX_FILENAME
    path.write_bytes(b"old")

    def broken(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("boligsocial.files.os.replace", broken)
    with pytest.raises(OSError):
        write_annex(ctx, path)
    assert path.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [path]  # the temporary file is gone


def test_write_replaces_an_existing_file(ctx: PlanAssessment, tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    shutil.copytree(EXAMPLE, folder)
    path = tmp_path / "ud" / ANNEX_FILENAME
    write_annex(load_assessment(folder), path)
    write_annex(ctx, path)
    assert openpyxl.load_workbook(path).sheetnames[0] == "Stamdata"
    assert [p.name for p in path.parent.iterdir()] == [ANNEX_FILENAME]


def test_area_organisations_are_joined_unambiguously(wb: Any) -> None:
    ws = wb["Nøgletal"]
    row = find_row(ws, "Sjælør Boulevard (område)")
    assert ws.cell(row=row, column=column(ws, "Boligorganisation")).value == "AAB og AKB, København"

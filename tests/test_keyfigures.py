"""Key-figure import and export (plan/keyfigures/)."""

from __future__ import annotations

import dataclasses
import re
import tempfile
import zipfile
from datetime import datetime
from fractions import Fraction
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boligsocial.law.figures import Measure, Measurement, SourceRef, UnitFigures
from boligsocial.plan.keyfigures import (
    COLUMNS,
    ImportIssue,
    KeyFigureError,
    read_key_figures,
    write_key_figures,
)
from boligsocial.plan.keyfigures.columns import column_for
from boligsocial.plan.keyfigures.errors import MAX_ISSUES_SHOWN

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter" / "noegletal.csv"
HEADER = (
    "afdeling;beboere;uden_for_arbejdsmarked_pct;ikke_vestlige_pct;doemte_pct;kun_grundskole_pct;indkomst_pct_af_region"
)
SEED_HEADER = (
    "Boligorganisation;Afdelingsnavn;Beboere 1/1- 2022;Udenfor arbejds- marked;IE ikke vestlige;"
    "Dømte;Kun grund- skole;Gns. Ind- komst"
)


def write(tmp_path: Path, text: str, name: str = "noegletal.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read_error(path: Path) -> KeyFigureError:
    with pytest.raises(KeyFigureError) as caught:
        read_key_figures(path)
    return caught.value


def only_issue(path: Path) -> ImportIssue:
    error = read_error(path)
    assert len(error.issues) == 1, str(error)
    return error.issues[0]


def by_name(units: list[UnitFigures]) -> dict[str, UnitFigures]:
    return {unit.name: unit for unit in units}


def values(unit: UnitFigures) -> dict[Measure, Fraction | None]:
    return {measure: unit.measurement(measure).value for measure in Measure}


# ---------------------------------------------------------------------------------------------
# The bundled example


def test_example_reads_to_28_afdelinger() -> None:
    units = read_key_figures(EXAMPLE)
    assert len(units) == 28
    assert all(unit.kind == "afdeling" and unit.list_year == 2022 for unit in units)
    assert all(set(unit.measures) == set(Measure) for unit in units)
    assert units[0].source == SourceRef("noegletal.csv", 2)


def test_example_values_are_exact() -> None:
    units = by_name(read_key_figures(EXAMPLE))
    folehaven = units["Folehaven"]
    assert folehaven.residents == 1964
    assert folehaven.dwellings == 973
    assert folehaven.boligorganisation == "3B"
    assert folehaven.kommune == "København"
    assert folehaven.omraade is None
    assert folehaven.measurement(Measure.DOEMTE).value == Fraction("1.79")
    assert folehaven.measurement(Measure.DOEMTE).numerator is None
    assert folehaven.source == SourceRef("noegletal.csv", 6)

    assert units["Afd. 50"].omraade == "Sjælør Boulevard"
    assert units["Sjælør Boulevard"].boligorganisation == "AKB, København"
    assert units["Hammelstruphus"].measurement(Measure.DOEMTE).value is None

    stubmoellevej = units["Stubmøllevej"]
    assert stubmoellevej.residents is None
    assert stubmoellevej.dwellings == 56
    assert all(value is None for value in values(stubmoellevej).values())

    assert units["Grønnegården"].residents == 455
    assert units["Grønnegården"].measurement(Measure.KUN_GRUNDSKOLE).value == Fraction("39.3")
    karre18 = units["Frederiksholm karre 18"]
    assert karre18.measurement(Measure.IKKE_VESTLIGE).value == 19
    assert karre18.measurement(Measure.KUN_GRUNDSKOLE).value == 44
    assert karre18.measurement(Measure.INDKOMST).value == 61


# ---------------------------------------------------------------------------------------------
# Header labels


SEED_ROWS = [
    "AAB;50;612;24,3;51,0;2,64;49,4;59,2",
    'PAB;"18, Hornemanns Vænge";579;33,9;47,3;2,97;61,9;54,2',
    "3B;Folehaven;1.964;30,9;47,5;1,79;57,3;59,3",
    "3B;Stubmøllevej;-;-;-;-;-;-",
    "AKB, Kbh;Grønnegården;455,00;37,50;24,40;3,59;39,30;57,40",
]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_published_table_headers(tmp_path: Path, delimiter: str) -> None:
    lines = [SEED_HEADER, *SEED_ROWS]
    if delimiter == "\t":  # as copied from the application's table: tabs, no quotes
        lines = [line.replace(";", "\t").replace('"', "") for line in lines]
    units = by_name(read_key_figures(write(tmp_path, "\n".join(lines) + "\n")))
    assert list(units) == ["50", "18, Hornemanns Vænge", "Folehaven", "Stubmøllevej", "Grønnegården"]
    assert units["50"].boligorganisation == "AAB"
    assert values(units["50"]) == {
        Measure.UDEN_FOR_ARBEJDSMARKED: Fraction("24.3"),
        Measure.IKKE_VESTLIGE: Fraction(51),
        Measure.DOEMTE: Fraction("2.64"),
        Measure.KUN_GRUNDSKOLE: Fraction("49.4"),
        Measure.INDKOMST: Fraction("59.2"),
    }
    assert units["Folehaven"].residents == 1964
    assert units["Grønnegården"].residents == 455
    assert units["Stubmøllevej"].residents is None
    assert all(unit.list_year is None for unit in units.values())


@pytest.mark.parametrize(
    ("label", "column"),
    [
        ("Afdelingsnavn", "afdeling"),
        ("AFDELING", "afdeling"),
        ("Afdeling ", "afdeling"),
        ("Boligorganisation", "boligorganisation"),
        ("Boliger", "boliger"),
        ("Lejeboliger", "boliger"),
        ("Beboere", "beboere"),
        ("Beboere 1/1- 2022", "beboere"),
        ("Beboere 1/1-2023", "beboere"),
        ("Beboere pr. 1.1.2024", "beboere"),
        ("Udenfor arbejdsmarked", "uden_for_arbejdsmarked_pct"),
        ("Uden for arbejdsmarkedet", "uden_for_arbejdsmarked_pct"),
        ("Udenfor arbejds- marked", "uden_for_arbejdsmarked_pct"),
        ("Udenfor arbejds-\nmarked", "uden_for_arbejdsmarked_pct"),
        ("uden for arbejdsmarked (%)", "uden_for_arbejdsmarked_pct"),
        ("IE ikke vestlige", "ikke_vestlige_pct"),
        ("Ikke-vestlige", "ikke_vestlige_pct"),
        ("Ikke vestlige pct.", "ikke_vestlige_pct"),
        ("Dømte", "doemte_pct"),
        ("DØMTE", "doemte_pct"),
        ("doemte_pct", "doemte_pct"),
        ("Dømte %", "doemte_pct"),
        ("Kun grundskole", "kun_grundskole_pct"),
        ("Kun grund- skole", "kun_grundskole_pct"),
        ("Gns. indkomst", "indkomst_pct_af_region"),
        ("Gns. Ind- komst", "indkomst_pct_af_region"),
        ("indkomst_pct_af_region", "indkomst_pct_af_region"),
        ("Område", "omraade"),
        ("Boligområde", "omraade"),
        ("Kommune", "kommune"),
        ("Listeår", "listeaar"),
        ("listeaar", "listeaar"),
        ("Dømte tæller", "doemte_taeller"),
        ("indkomst_region_gns", "indkomst_region_gns"),
        ("Afdelingsnummer", "afdelingsnummer"),
        ("Foo", None),
        ("Beboere i alt", None),
        ("Afd.", None),
    ],
)
def test_header_labels(label: str, column: str | None) -> None:
    assert column_for(label) == column


def test_every_label_maps_to_its_own_column() -> None:
    for column in COLUMNS:
        for label in (column.name, *column.labels):
            assert column_for(label) == column.name, label


# ---------------------------------------------------------------------------------------------
# XLSX


def test_xlsx_with_numeric_and_text_cells(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = "Forside"
    cover.append(["Mit Kvarter, nøgletal"])
    sheet = workbook.create_sheet("Nøgletal")
    sheet.append([])  # an empty first row: the header is the first non-empty row
    sheet.append([*SEED_HEADER.split(";"), None, None])
    sheet.append(["AAB", 50, 612, 24.3, 51, 2.64, 49.4, 59.2])
    sheet.append(["3B", "Folehaven", "1.964", "30,9", "47,5", "1,79", 57.3, "59,3"])
    sheet.append(["3B", "Stubmøllevej", "-", None, "-", "x", "..", "–"])
    sheet.append(["AKB", "Grønnegården", 455.0, 37.5, 24.4, 3.59, 39.3, 57.4])
    row = ["VIBO", "Havekildegård", 465, 0.322, 62.6, 1.73, 66.7, 56.5]
    sheet.append(row)
    sheet.cell(row=7, column=4).number_format = "0.0%"  # Excel shows 32,2 %
    sheet.append([None] * 8)  # trailing empty rows, as Excel leaves them
    sheet.append([None, None, "  "])
    path = tmp_path / "noegletal.xlsx"
    workbook.save(path)

    units = by_name(read_key_figures(path))
    assert list(units) == ["50", "Folehaven", "Stubmøllevej", "Grønnegården", "Havekildegård"]
    assert units["50"].measurement(Measure.DOEMTE).value == Fraction("2.64")
    assert units["50"].measurement(Measure.UDEN_FOR_ARBEJDSMARKED).value == Fraction("24.3")
    assert units["50"].source == SourceRef("noegletal.xlsx", 3)
    assert units["Folehaven"].residents == 1964
    assert units["Folehaven"].measurement(Measure.KUN_GRUNDSKOLE).value == Fraction("57.3")
    assert all(value is None for value in values(units["Stubmøllevej"]).values())
    assert units["Grønnegården"].residents == 455
    assert units["Havekildegård"].measurement(Measure.UDEN_FOR_ARBEJDSMARKED).value == Fraction("32.2")


def test_xlsx_with_a_wrong_dimension_is_read_completely(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    for index in range(5):
        sheet.append([f"A{index}", 100, 1, 2, 3, 4, 5])
    path = tmp_path / "tal.xlsx"
    workbook.save(path)
    # Some generators write a dimension that covers only the first cell.
    broken = tmp_path / "forkert.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', data)
                assert count == 1
            target.writestr(item, data)
    assert len(read_key_figures(broken)) == 5


def test_xlsx_errors_use_sheet_row_numbers(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([])
    sheet.append([])
    sheet.append(HEADER.split(";"))
    sheet.append(["A", 100, 1, 2, 3, 4, 5])
    sheet.append(["B", 12.5, "abc", 2, True, 4, 5])
    path = tmp_path / "tal.xlsx"
    workbook.save(path)
    error = read_error(path)
    messages = [str(issue) for issue in error.issues]
    assert messages == [
        'tal.xlsx, række 5, kolonne "beboere": "12,5" er ikke et helt tal',
        'tal.xlsx, række 5, kolonne "uden_for_arbejdsmarked_pct": "abc" er ikke et tal',
        'tal.xlsx, række 5, kolonne "doemte_pct": "SAND" er en sandhedsværdi, ikke et tal',
    ]


def test_xlsx_excel_error_values_and_dates(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    sheet.append(["A", 100, "#DIV/0!", 2, 3, 4, 5])
    sheet.append(["B", 100, 1, 2, 3, 4, 5])
    sheet.cell(row=3, column=3).value = datetime(2022, 1, 1)
    path = tmp_path / "tal.xlsx"
    workbook.save(path)
    error = read_error(path)
    assert [(issue.row, issue.column) for issue in error.issues] == [
        (2, "uden_for_arbejdsmarked_pct"),
        (3, "uden_for_arbejdsmarked_pct"),
    ]
    assert "fejlværdi fra Excel" in error.issues[0].message
    assert "dato" in error.issues[1].message


def test_xlsx_formula_text_in_names_survives_writing(tmp_path: Path) -> None:
    unit = _unit("=SUM(A1)", residents=10)
    path = tmp_path / "ud.xlsx"
    write_key_figures([unit], path)
    assert _strip(read_key_figures(path)) == [unit]


# ---------------------------------------------------------------------------------------------
# Writing and round trips


def _unit(name: str, **changes: object) -> UnitFigures:
    unit = UnitFigures(
        name=name,
        kind="afdeling",
        list_year=None,
        residents=None,
        measures={measure: Measurement.unknown() for measure in Measure},
    )
    return dataclasses.replace(unit, **changes)  # type: ignore[arg-type]


def _strip(units: list[UnitFigures]) -> list[UnitFigures]:
    return [dataclasses.replace(unit, source=None) for unit in units]


def _rich_units() -> list[UnitFigures]:
    return [
        _unit(
            "Folehaven",
            boligorganisation="3B",
            kommune="København",
            omraade="Folehaven",
            list_year=2022,
            residents=1964,
            dwellings=973,
            extra={"afdelingsnummer": "0012", "indkomst_region_gns": "350000"},
            measures={
                Measure.UDEN_FOR_ARBEJDSMARKED: Measurement.from_counts(Fraction("301.25"), 975),
                Measure.IKKE_VESTLIGE: Measurement(Fraction("47.5")),
                Measure.DOEMTE: Measurement.from_counts(27, 1508),
                Measure.KUN_GRUNDSKOLE: Measurement.unknown(),
                Measure.INDKOMST: Measurement.from_counts(Fraction(212_345_678, 350_000), 1021),
            },
        ),
        _unit(
            "Afd. 50; Sjælør",
            boligorganisation='AAB "Arbejdernes"',
            list_year=2023,
            residents=612,
            measures={
                Measure.UDEN_FOR_ARBEJDSMARKED: Measurement(Fraction("24.3")),
                Measure.IKKE_VESTLIGE: Measurement(Fraction(51)),
                Measure.DOEMTE: Measurement(Fraction("2.6417")),
                Measure.KUN_GRUNDSKOLE: Measurement(Fraction(0)),
                Measure.INDKOMST: Measurement(Fraction("123.4")),
            },
        ),
        _unit(
            "Stubmøllevej",
            extra={"afdelingsnummer": "7"},
            measures={
                **{measure: Measurement.unknown() for measure in Measure},
                Measure.DOEMTE: Measurement.from_counts(0, 0),
            },
        ),
    ]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".tsv"])
def test_write_then_read_round_trip(tmp_path: Path, suffix: str) -> None:
    units = _rich_units()
    path = tmp_path / f"noegletal{suffix}"
    write_key_figures(units, path)
    back = read_key_figures(path)
    assert _strip(back) == units
    assert back[0].source == SourceRef(path.name, 2)
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_written_csv_is_danish(tmp_path: Path) -> None:
    path = tmp_path / "noegletal.csv"
    write_key_figures(_rich_units(), path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM, so Excel shows æøå
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[:5] == ["boligorganisation", "afdeling", "afdelingsnummer", "boliger", "beboere"]
    assert "doemte_taeller" in lines[0] and "ikke_vestlige_taeller" not in lines[0]
    folehaven = dict(zip(lines[0].split(";"), lines[1].split(";"), strict=True))
    assert folehaven["beboere"] == "1.964"
    assert folehaven["listeaar"] == "2022"
    assert folehaven["afdelingsnummer"] == "0012"
    assert folehaven["doemte_pct"] == "1,79"  # rounded display next to the exact counts
    assert folehaven["doemte_taeller"] == "27"
    assert folehaven["uden_for_arbejdsmarked_taeller"] == "301,25"
    assert folehaven["indkomst_region_gns"] == "350.000"
    assert folehaven["kun_grundskole_pct"] == "-"
    assert '"Afd. 50; Sjælør"' in lines[2]


def test_example_round_trip(tmp_path: Path) -> None:
    units = read_key_figures(EXAMPLE)
    for suffix in (".csv", ".xlsx"):
        path = tmp_path / f"kopi{suffix}"
        write_key_figures(units, path)
        assert _strip(read_key_figures(path)) == _strip(units)


def test_write_replaces_existing_file_atomically(tmp_path: Path) -> None:
    path = tmp_path / "noegletal.csv"
    path.write_text("gammelt indhold", encoding="utf-8")
    bad = _unit("A", measures={Measure.DOEMTE: Measurement(Fraction(1, 3))})
    with pytest.raises(KeyFigureError) as caught:
        write_key_figures([_rich_units()[1], bad], path)
    assert "blev ikke gemt i noegletal.csv" in str(caught.value)
    assert "endelig decimalbrøk" in str(caught.value)
    assert path.read_text(encoding="utf-8") == "gammelt indhold"
    assert list(tmp_path.iterdir()) == [path]

    write_key_figures(_rich_units(), path)
    assert len(read_key_figures(path)) == 3


def test_write_refuses_what_would_not_read_back(tmp_path: Path) -> None:
    path = tmp_path / "noegletal.csv"
    cases = [
        (_unit("A", measures={Measure.DOEMTE: Measurement(Fraction(1, 3))}), "endelig decimalbrøk"),
        (_unit("A", measures={Measure.DOEMTE: Measurement(Fraction(2), approximate=True)}), "tilnærmet"),
        (_unit(" A", residents=5), "uændret"),
        (_unit("A", residents=-5), "negativt"),
        (_unit("", residents=5), "navn mangler"),
    ]
    for unit, expected in cases:
        with pytest.raises(KeyFigureError) as caught:
            write_key_figures([unit], path)
        assert expected in str(caught.value)
        assert not path.exists()
    with pytest.raises(KeyFigureError, match="to gange"):
        write_key_figures([_unit("A"), _unit("a")], path)
    with pytest.raises(KeyFigureError, match="ingen afdelinger"):
        write_key_figures([], path)
    with pytest.raises(KeyFigureError, match=r"\.xlsx"):
        write_key_figures([_unit("A")], tmp_path / "noegletal.pdf")
    with pytest.raises(KeyFigureError, match="kan ikke gemmes"):
        write_key_figures([_unit("A")], tmp_path / "findes-ikke" / "noegletal.csv")
    assert list(tmp_path.iterdir()) == []


def test_income_counts_without_known_region_average_are_written_exactly(tmp_path: Path) -> None:
    unit = _unit("A", measures={Measure.INDKOMST: Measurement.from_counts(Fraction(1700, 7), 400)})
    path = tmp_path / "noegletal.csv"
    write_key_figures([unit], path)
    (back,) = read_key_figures(path)
    assert back.measurement(Measure.INDKOMST) == unit.measurement(Measure.INDKOMST)


_names = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), min_size=1, max_size=20).map(
    lambda text: " ".join(text.split())
)
_percent = st.none() | st.decimals(min_value=0, max_value=100, places=2).map(Fraction)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(_names, st.none() | st.integers(0, 50_000), st.lists(_percent, min_size=5, max_size=5)),
        min_size=1,
        max_size=5,
        unique_by=lambda row: row[0].casefold(),
    ).filter(lambda rows: all(row[0] for row in rows))
)
def test_round_trip_property(rows: list[tuple[str, int | None, list[Fraction | None]]]) -> None:
    units = [
        _unit(
            name,
            residents=residents,
            measures={measure: Measurement(value) for measure, value in zip(Measure, shares, strict=True)},
        )
        for name, residents, shares in rows
    ]
    with tempfile.TemporaryDirectory() as folder:
        for suffix in (".csv", ".xlsx"):
            path = Path(folder) / f"noegletal{suffix}"
            write_key_figures(units, path)
            assert _strip(read_key_figures(path)) == units


# ---------------------------------------------------------------------------------------------
# Counts


COUNT_HEADER = (
    "afdeling;beboere;uden_for_arbejdsmarked_taeller;uden_for_arbejdsmarked_naevner;"
    "ikke_vestlige_pct;doemte_pct;doemte_taeller;doemte_naevner;kun_grundskole_pct;"
    "indkomst_taeller;indkomst_naevner;indkomst_region_gns;indkomst_pct_af_region"
)


def test_counts_give_exact_values(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"{COUNT_HEADER}\n"
        "A;1.000;301,25;975;40;2,33;7;300;50;85.000.000;400;350.000;60,7\n"
        "B;500;-;-;40;2,5;-;-;50;-;-;-;-\n",
    )
    a, b = read_key_figures(path)
    outside = a.measurement(Measure.UDEN_FOR_ARBEJDSMARKED)
    assert outside == Measurement(
        value=Fraction("301.25") * 100 / 975, numerator=Fraction("301.25"), denominator=Fraction(975)
    )
    doemte = a.measurement(Measure.DOEMTE)
    assert doemte.value == Fraction(7, 3)
    assert (doemte.numerator, doemte.denominator) == (7, 300)
    income = a.measurement(Measure.INDKOMST)
    assert income.value == Fraction(85_000_000, 350_000) / 400 * 100
    assert income.numerator == Fraction(85_000_000, 350_000)
    assert income.denominator == 400
    assert a.extra["indkomst_region_gns"] == "350000"
    # Counts left empty: the percentage is used.
    assert b.measurement(Measure.DOEMTE) == Measurement(Fraction("2.5"))
    assert b.measurement(Measure.UDEN_FOR_ARBEJDSMARKED) == Measurement.unknown()
    assert "indkomst_region_gns" not in b.extra


def test_repeated_cells_read_alike_and_report_every_row(tmp_path: Path) -> None:
    # A measure's cells are read once per distinct text (Parser.measurement): rows repeating them
    # must get the same values and region average, and each row with bad cells its own issue.
    good = "A;1.000;301,25;975;40;2,33;7;300;50;85.000.000;400;350.000;60,7"
    rows = [good, good.replace("A;", "B;", 1), "C;500;-;-;40;2,5;-;-;50;-;-;-;-"]
    a, b, c = read_key_figures(write(tmp_path, "\n".join([COUNT_HEADER, *rows])))
    assert {m: b.measurement(m) for m in Measure} == {m: a.measurement(m) for m in Measure}
    assert a.extra["indkomst_region_gns"] == b.extra["indkomst_region_gns"] == "350000"
    assert "indkomst_region_gns" not in c.extra
    bad = "1.000;301,25;975;40;2,33;8;7;50;85.000.000;400;350.000;60,7"  # 8 convicted of 7
    lines = [COUNT_HEADER, f"A;{bad}", good.replace("A;", "B;", 1), f"C;{bad}", f"D;{bad}"]
    error = read_error(write(tmp_path, "\n".join(lines)))
    assert [(issue.row, issue.column) for issue in error.issues] == [
        (2, "doemte_taeller"),
        (4, "doemte_taeller"),
        (5, "doemte_taeller"),
    ]
    assert all("større end nævneren" in issue.message for issue in error.issues)


def test_percentage_must_agree_with_counts(tmp_path: Path) -> None:
    # 7/300 = 2,333 %: "2,3" and "2,33" agree; "2,4" and "2,34" do not. 2,35 is within ±0,05 of 2,3.
    rows = ["A;2,3", "B;2,33", "C;2,4", "D;2,34", "E;2"]
    header = "afdeling;beboere;doemte_taeller;doemte_naevner;doemte_pct;uden_for_arbejdsmarked_pct;"
    header += "ikke_vestlige_pct;kun_grundskole_pct;indkomst_pct_af_region"
    lines = [header] + [f"{name};1000;7;300;{pct};1;1;1;1" for name, pct in (row.split(";") for row in rows)]
    error = read_error(write(tmp_path, "\n".join(lines)))
    assert [(issue.row, issue.column) for issue in error.issues] == [(4, "doemte_pct"), (5, "doemte_pct")]
    assert "passer ikke med tæller og nævner, som giver 2,333" in error.issues[0].message
    assert "0,05" in error.issues[0].message
    assert "0,005" in error.issues[1].message


def test_count_errors(tmp_path: Path) -> None:
    header = (
        "afdeling;beboere;uden_for_arbejdsmarked_pct;ikke_vestlige_pct;doemte_taeller;doemte_naevner;"
        "doemte_pct;kun_grundskole_pct;indkomst_taeller;indkomst_naevner;indkomst_region_gns"
    )
    lines = [
        header,
        "A;100;1;1;5;-;-;1;1000;2;100",  # numerator without denominator
        "B;100;1;1;-4;10;-;1;1000;2;100",  # negative count
        "C;100;1;1;11;10;-;1;1000;2;100",  # numerator above denominator
        "D;100;1;1;0;0;2,5;1;1000;2;100",  # percentage given, denominator 0
        "E;100;1;1;0;0;-;1;1000;2;0",  # region average 0
        "F;100;1;1;0;0;-;1;1000;0;500",  # fine: unknown shares
    ]
    error = read_error(write(tmp_path, "\n".join(lines)))
    found = [(issue.row, issue.column) for issue in error.issues]
    assert found == [
        (2, "doemte_naevner"),
        (3, "doemte_taeller"),
        (4, "doemte_taeller"),
        (5, "doemte_pct"),
        (6, "indkomst_region_gns"),
    ]
    assert 'mangler, når "doemte_taeller" er udfyldt' in error.issues[0].message
    assert "negativt" in error.issues[1].message
    assert "større end nævneren" in error.issues[2].message
    assert "nævneren er 0" in error.issues[3].message
    assert "kan ikke være 0" in error.issues[4].message


def test_count_columns_only_without_percentages(tmp_path: Path) -> None:
    header = "afdeling;beboere;" + ";".join(
        f"{m}_taeller;{m}_naevner" for m in ("uden_for_arbejdsmarked", "ikke_vestlige", "doemte", "kun_grundskole")
    )
    header += ";indkomst_taeller;indkomst_naevner;indkomst_region_gns"
    (unit,) = read_key_figures(write(tmp_path, f"{header}\nA;10;1;4;1;2;0;8;3;6;1.000;2;500\n"))
    assert values(unit) == {
        Measure.UDEN_FOR_ARBEJDSMARKED: 25,
        Measure.IKKE_VESTLIGE: 50,
        Measure.DOEMTE: 0,
        Measure.KUN_GRUNDSKOLE: 50,
        Measure.INDKOMST: 100,
    }


# ---------------------------------------------------------------------------------------------
# Errors: the file


def test_missing_file(tmp_path: Path) -> None:
    issue = only_issue(tmp_path / "findes.csv")
    assert str(issue) == "findes.csv: filen findes ikke"


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "plan.csv"
    folder.mkdir()
    assert "er en mappe" in str(only_issue(folder))


@pytest.mark.parametrize(("name", "expected"), [("tal.pdf", '".pdf"'), ("tal", "uden endelse"), ("tal.xls", ".xlsx")])
def test_unsupported_suffix(tmp_path: Path, name: str, expected: str) -> None:
    issue = only_issue(write(tmp_path, HEADER, name))
    assert expected in issue.message
    assert issue.file == name


def test_csv_is_accepted_in_any_case_and_as_txt(tmp_path: Path) -> None:
    for name in ("TAL.CSV", "tal.txt"):
        assert len(read_key_figures(write(tmp_path, f"{HEADER}\nA;1;1;1;1;1;1\n", name))) == 1


def test_invalid_workbook(tmp_path: Path) -> None:
    issue = only_issue(write(tmp_path, f"{HEADER}\nA;1;1;1;1;1;1\n", "tal.xlsx"))
    assert "ikke en gyldig Excel-projektmappe" in issue.message
    assert ".csv" in issue.message  # it looks like text: rename it
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    assert "ikke en gyldig Excel-projektmappe" in only_issue(broken).message


def test_workbook_with_csv_suffix(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER.split(";"))
    path = tmp_path / "tal.csv"
    workbook.save(path)
    assert "endelsen .xlsx" in only_issue(path).message


@pytest.mark.parametrize("content", [b"", b"\n\n", b"  ;  ;\r\n;;\r\n", b"\xef\xbb\xbf"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "tom.csv"
    path.write_bytes(content)
    assert str(only_issue(path)) == "tom.csv: filen er tom"


def test_empty_workbook(tmp_path: Path) -> None:
    path = tmp_path / "tom.xlsx"
    openpyxl.Workbook().save(path)
    assert only_issue(path).message == "filen er tom"


def test_header_only(tmp_path: Path) -> None:
    issue = only_issue(write(tmp_path, f"{HEADER}\n;;;;;;\n"))
    assert "kun en overskrift (række 1)" in issue.message


# ---------------------------------------------------------------------------------------------
# Errors: the header


def test_missing_required_columns(tmp_path: Path) -> None:
    error = read_error(write(tmp_path, "Afdelingsnavn;Dømte;Kun grundskole\nA;1;1\n"))
    text = str(error)
    assert 'kolonnen "beboere" mangler' in text
    assert '"Beboere"' in text  # says what else is accepted
    assert '"Uden for arbejdsmarked og uddannelse"' in text
    assert '"Udenfor arbejdsmarked"' in text
    assert '"uden_for_arbejdsmarked_taeller"' in text
    assert '"Ikke-vestlige indvandrere og efterkommere"' in text
    assert '"Gns. bruttoindkomst i pct. af regionen"' in text
    assert 'kolonnen "afdeling"' not in text
    assert all(issue.row is None for issue in error.issues)
    assert len(error.issues) == 4


def test_unknown_columns_are_named_with_a_suggestion(tmp_path: Path) -> None:
    error = read_error(write(tmp_path, f"{HEADER};Dømt;Bemærkning\nA;1;1;1;1;1;1;;\n"))
    assert [(issue.row, issue.column) for issue in error.issues] == [(1, "Dømt"), (1, "Bemærkning")]
    assert 'mente du "doemte_pct"?' in error.issues[0].message
    assert "mente du" not in error.issues[1].message
    assert "Kendte kolonner: boligorganisation, afdeling" in error.issues[1].message


def test_same_column_twice(tmp_path: Path) -> None:
    error = read_error(write(tmp_path, f"{HEADER};Dømte\nA;1;1;1;1;1;1;1\n"))
    (issue,) = error.issues
    assert (issue.row, issue.column) == (1, "Dømte")
    assert '"doemte_pct"' in issue.message


def test_no_known_header_at_all(tmp_path: Path) -> None:
    issue = only_issue(write(tmp_path, f"Nøgletal for Mit Kvarter\n{HEADER}\nA;1;1;1;1;1;1\n"))
    assert issue.row == 1
    assert '"Nøgletal for Mit Kvarter"' in issue.message
    assert "overskriften" in issue.message


def test_column_without_header_but_with_data(tmp_path: Path) -> None:
    text = "afdeling;;beboere;uden_for_arbejdsmarked_pct;ikke_vestlige_pct;doemte_pct;kun_grundskole_pct;"
    text += "indkomst_pct_af_region\nA;;1;1;1;1;1;1\nB;noget;1;1;1;1;1;1\n"
    issue = only_issue(write(tmp_path, text))
    assert issue.row == 1
    assert "kolonne nr. 2 (B)" in issue.message
    assert "række 3" in issue.message


def test_trailing_empty_columns_and_rows_are_ignored(tmp_path: Path) -> None:
    text = f"{HEADER};;;\r\nA;1;1;1;1;1;1;;;\r\n\r\n;;;;;;;;;\r\nB;2;1;1;1;1;1;;;\r\n;;;;;;;;;\r\n"
    units = read_key_figures(write(tmp_path, text))
    assert [(unit.name, unit.source) for unit in units] == [
        ("A", SourceRef("noegletal.csv", 2)),
        ("B", SourceRef("noegletal.csv", 5)),
    ]


# ---------------------------------------------------------------------------------------------
# Errors: values


def _file(tmp_path: Path, *rows: str, extra_header: str = "") -> Path:
    return write(tmp_path, "\n".join([HEADER + extra_header, *rows]) + "\n")


def test_issue_text_names_file_row_and_column(tmp_path: Path) -> None:
    issue = only_issue(_file(tmp_path, "A;100;1;1;1;1;1", "B;100;1;1;abc;1;1"))
    assert issue == ImportIssue("noegletal.csv", 3, "doemte_pct", '"abc" er ikke et tal')
    assert str(issue) == 'noegletal.csv, række 3, kolonne "doemte_pct": "abc" er ikke et tal'


def test_all_value_errors_are_collected(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "A;12,5;1;1;1;1;1",  # residents not whole
        "B;-3;1;1;1;1;1",  # negative residents
        "C;100;100,1;1;1;1;1",  # percentage above 100
        "D;100;1;-0,5;1;1;1",  # negative percentage
        "E;100;1;1;1;1;-1",  # negative income
        "F;100;1;1;1;1;250.000",  # income in kroner
        "G;100;1;1;1;1;150",  # fine: income may exceed the region's average
        ";100;1;1;1;1;1",  # no name
        "H;100;1;1;1;1;abc",  # not a number
        "I;100;1,5,5;1;1;1;1",  # not a number
    )
    error = read_error(path)
    found = [(issue.row, issue.column) for issue in error.issues]
    assert found == [
        (2, "beboere"),
        (3, "beboere"),
        (4, "uden_for_arbejdsmarked_pct"),
        (5, "ikke_vestlige_pct"),
        (6, "indkomst_pct_af_region"),
        (7, "indkomst_pct_af_region"),
        (9, "afdeling"),
        (10, "indkomst_pct_af_region"),
        (11, "uden_for_arbejdsmarked_pct"),
    ]
    messages = [issue.message for issue in error.issues]
    assert messages[0] == '"12,5" er ikke et helt tal'
    assert "negativt" in messages[1]
    assert "mellem 0 og 100" in messages[2] and '"100,1"' in messages[2]
    assert "mellem 0 og 100" in messages[3]
    assert "negativ" in messages[4]
    assert "kroner" in messages[5]
    assert messages[6] == "afdelingens navn mangler"
    assert messages[7] == '"abc" er ikke et tal'
    text = str(error)
    assert text.startswith("noegletal.csv kan ikke indlæses (9 fejl):")
    assert all(str(issue) in text for issue in error.issues)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        ("1999", "mellem 2000 og 2100"),
        ("2101", "mellem 2000 og 2100"),
        ("2022,5", "mellem 2000 og 2100"),
        ("2o22", "ikke et tal"),
    ],
)
def test_bad_list_year(tmp_path: Path, year: str, expected: str) -> None:
    issue = only_issue(_file(tmp_path, f"A;1;1;1;1;1;1;{year}", extra_header=";Listeår"))
    assert (issue.row, issue.column) == (2, "Listeår")
    assert expected in issue.message


def test_list_year_and_non_integer_dwellings(tmp_path: Path) -> None:
    path = _file(tmp_path, "A;1;1;1;1;1;1;2022;10", "B;1;1;1;1;1;1;-;10,5", extra_header=";listeaar;boliger")
    error = read_error(path)
    assert [(issue.row, issue.column, issue.message) for issue in error.issues] == [
        (3, "boliger", '"10,5" er ikke et helt tal')
    ]


def test_duplicated_units_name_both_rows(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "3B;Folehaven;1;1;1;1;1;1;2022",
        "3B;Folehaven;1;1;1;1;1;1;2023",  # other year: fine
        "FSB;Folehaven;1;1;1;1;1;1;2022",  # other organisation: fine
        "3B;folehaven ;1;1;1;1;1;1;2022",  # the same
    )
    path.write_text(
        path.read_text(encoding="utf-8").replace(HEADER, "boligorganisation;" + HEADER + ";listeaar", 1),
        encoding="utf-8",
    )
    issue = only_issue(path)
    assert (issue.row, issue.column) == (5, "afdeling")
    assert "række 2 og i række 5" in issue.message
    assert '"folehaven" (3B, listeår 2022)' in issue.message


def test_wrong_number_of_fields(tmp_path: Path) -> None:
    error = read_error(_file(tmp_path, "A;1;1;1;1;1", "B;1;1;1;1;1;1;1", "C;1;1;1;1;1;1;"))
    assert [(issue.row, issue.column) for issue in error.issues] == [(2, None), (3, None)]
    assert "6 felter, men overskriften har 7" in error.issues[0].message
    assert "8 felter" in error.issues[1].message


def test_comma_delimited_file(tmp_path: Path) -> None:
    text = HEADER.replace(";", ",") + '\nA,"1.964","24,3",51,"2,64","49,4","59,2"\n'
    (unit,) = read_key_figures(write(tmp_path, text))
    assert unit.residents == 1964
    assert unit.measurement(Measure.DOEMTE).value == Fraction("2.64")
    # Unquoted decimal commas in a comma-separated file: the message says what is wrong.
    error = read_error(write(tmp_path, HEADER.replace(";", ",") + "\nA,1964,24,3,51,2,64,49,4,59,2\n"))
    assert "semikolon" in str(error)


def test_too_many_issues_are_summarised(tmp_path: Path) -> None:
    rows = [f"A{i};abc;1;1;1;1;1" for i in range(MAX_ISSUES_SHOWN + 10)]
    error = read_error(_file(tmp_path, *rows))
    assert len(error.issues) == MAX_ISSUES_SHOWN + 10
    assert "… og 10 fejl mere" in str(error)
    assert str(error).count("er ikke et tal") == MAX_ISSUES_SHOWN


# ---------------------------------------------------------------------------------------------
# Encodings


DANISH = (
    "Boligorganisation;Afdelingsnavn;Beboere;Udenfor arbejdsmarked;IE ikke vestlige;Dømte;Kun grundskole;"
    "Gns. indkomst\n"
)
DANISH += "ÆØÅ Bolig;Grønnegården Øst;455;37,5;24,4;3,59;39,3;57,4\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    text = DANISH.replace("\n", "\r\n") if encoding == "cp1252" else DANISH
    if encoding == "utf-16":  # Excel's "Unicode-tekst": UTF-16 with BOM, tab-separated
        text = text.replace(";", "\t")
    (unit,) = read_key_figures(write(tmp_path, text, encoding=encoding))
    assert unit.name == "Grønnegården Øst"
    assert unit.boligorganisation == "ÆØÅ Bolig"
    assert unit.measurement(Measure.DOEMTE).value == Fraction("3.59")


def test_windows_1252_dash_and_quotes(tmp_path: Path) -> None:
    text = DANISH + "Bo’s Bolig;Søbyen;–;–;–;–;–;–\r\n"
    units = read_key_figures(write(tmp_path, text, encoding="cp1252"))
    assert units[1].boligorganisation == "Bo’s Bolig"
    assert units[1].residents is None
    assert all(value is None for value in values(units[1]).values())


def test_mixed_encodings_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "blandet.csv"
    path.write_bytes(DANISH.encode("utf-8") + "Ærø;Søby;1;1;1;1;1;1\n".encode("cp1252"))
    assert "tegnsæt" in only_issue(path).message


# ---------------------------------------------------------------------------------------------
# Size


def test_large_file(tmp_path: Path) -> None:
    rows = [f"Afdeling {i};{1000 + i % 900};{i % 100},{i % 10};40;2,5;50;{55 + i % 50}" for i in range(50_000)]
    units = read_key_figures(_file(tmp_path, *rows))
    assert len(units) == 50_000
    assert units[-1].name == "Afdeling 49999"
    assert units[-1].source == SourceRef("noegletal.csv", 50_001)
    assert units[12_345].measurement(Measure.UDEN_FOR_ARBEJDSMARKED).value == Fraction("45.5")


# ---------------------------------------------------------------------------------------------
# Documentation


def test_docs_list_every_column_and_label() -> None:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "key-figures.md").read_text(encoding="utf-8")
    for column in COLUMNS:
        for label in (column.name, *column.labels):
            assert f"`{label}`" in docs, label


def test_area_rows_round_trip_with_enhedstype(tmp_path: Path) -> None:
    path = tmp_path / "noegletal.csv"
    area = _unit("Sjælør Boulevard", kind="omraade", residents=1227)
    department = _unit("Sjælør Boulevard", residents=615)
    write_key_figures([department, area], path)
    assert "enhedstype" in path.read_text(encoding="utf-8-sig").splitlines()[0]
    back = read_key_figures(path)
    assert [(u.kind, u.name, u.residents) for u in back] == [
        ("afdeling", "Sjælør Boulevard", 615),
        ("omraade", "Sjælør Boulevard", 1227),
    ]


def test_unknown_enhedstype_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "noegletal.csv"
    path.write_text(
        "afdeling;enhedstype;beboere;uden_for_arbejdsmarked_pct;ikke_vestlige_pct;doemte_pct;"
        "kun_grundskole_pct;indkomst_pct_af_region\nA;kvarter;100;1;1;1;1;1\n",
        encoding="utf-8",
    )
    with pytest.raises(KeyFigureError) as caught:
        read_key_figures(path)
    assert 'række 2, kolonne "enhedstype": "kvarter" er ikke en enhedstype' in str(caught.value)

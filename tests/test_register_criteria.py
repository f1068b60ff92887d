"""Each criterion's definition, on hand-made persons whose figures are known by heart: age bands,
unknown and foreign education before and after 2018, students and tax liability in the income
criterion, the region's average over the whole region, and the years each measure uses."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from boligsocial.law.figures import Measure
from boligsocial.law.parameters import load_law
from boligsocial.register.lists import run
from boligsocial.register.measures import age_band, plan_year
from boligsocial.register.method import Method, Students, parse_method_overrides
from boligsocial.register.schema import RegisterError
from boligsocial.register.tally import YearFigures
from register_helpers import in_years, person, write_parquet

AREA = {"afdeling": "A", "omraade": "O"}


def figures(tmp_path: Path, rows: list[dict[str, Any]], year: int = 2024, method: Method | None = None) -> YearFigures:
    write_parquet(tmp_path / "personer.parquet", rows)
    return run([tmp_path], [year], method or Method(), min_cell=1).year(year)


def counts(year: YearFigures, measure: Measure, kind: str = "omraade", name: str = "O") -> tuple[Fraction, Fraction]:
    unit = next(u for u in year.units() if u.kind == kind and u.name == name)
    m = unit.cells[measure].measurement
    assert m.numerator is not None and m.denominator is not None
    return m.numerator, m.denominator


def test_age_bands_come_from_the_law() -> None:
    assert age_band("18-64 år").label == "18-64"
    assert age_band("18 år og derover").label == "18+"
    assert age_band("15-64 år, skattepligtige, ekskl. uddannelsessøgende").label == "15-64"
    assert age_band("alle beboere").label == "0+"
    with pytest.raises(RegisterError, match="kan ikke aflæses"):
        age_band("voksne")
    plan = plan_year(load_law(), 2024, Method())
    assert {m.value: s.band.label for m, s in plan.measures.items()} == {
        "uden_for_arbejdsmarked": "18-64",
        "ikke_vestlige": "0+",
        "doemte": "18+",
        "kun_grundskole": "30-59",
        "indkomst": "15-64",
    }
    assert plan.measures[Measure.DOEMTE].years == (2022, 2023)
    assert plan.measures[Measure.INDKOMST].years == (2023,)
    assert plan_year(load_law(), 2017, Method()).measures[Measure.INDKOMST].years == (2015,)  # lag 2 until 2017
    assert plan_year(load_law(), 2012, Method()).measures[Measure.UDEN_FOR_ARBEJDSMARKED].years == (
        2008, 2009, 2010, 2011,
    )  # fmt: skip


def test_age_band_edges(tmp_path: Path) -> None:
    rows: list[dict[str, Any]] = []
    for age in (14, 15, 17, 18, 29, 30, 59, 60, 64, 65):
        rows += in_years(person(alder=age, uden_for_promille=1000, doemt=True, hfaudd=1005, **AREA), (2022, 2023))
    year = figures(tmp_path, rows)
    assert counts(year, Measure.UDEN_FOR_ARBEJDSMARKED) == (12, 12)  # 18, 29, 30, 59, 60, 64 in two years
    assert counts(year, Measure.DOEMTE) == (14, 14)  # 18 and over: 7 persons in two years
    assert counts(year, Measure.KUN_GRUNDSKOLE) == (2, 2)  # 30 and 59, in 2023 only
    assert counts(year, Measure.INDKOMST)[1] == 8  # 15-64 in 2023
    assert counts(year, Measure.IKKE_VESTLIGE) == (0, 10)  # everyone, 2023
    unit = next(u for u in year.omraader if u.name == "O")
    assert unit.residents == 10


def _education_rows(years: tuple[int, ...]) -> list[dict[str, Any]]:
    kinds = [
        {"hfaudd": 1005},  # grundskole
        {"hfaudd": 3510},  # above
        {"hfaudd": None},  # unknown
        {"hfaudd": 1001},  # unknown
        {"hfaudd": 3510, "hfaudd_kilde_udenlandsk": True, "herkomst": "indvandrer", "vestlig": False},
    ]
    rows: list[dict[str, Any]] = []
    for kind in kinds:
        rows += in_years(person(alder=40, **AREA, **kind), years)
    return rows


def test_unknown_and_foreign_education_from_2018(tmp_path: Path) -> None:
    year = figures(tmp_path, _education_rows((2022, 2023)))
    # cleaned: the foreign record is disregarded and counts with the unknown, as grundskole
    assert counts(year, Measure.KUN_GRUNDSKOLE) == (4, 5)
    leave_out = figures(tmp_path, _education_rows((2022, 2023)), method=Method(uoplyst_as_grundskole=False))
    assert counts(leave_out, Measure.KUN_GRUNDSKOLE) == (1, 2)


def test_unknown_education_counted_as_grundskole_before_2018(tmp_path: Path) -> None:
    year = figures(tmp_path, _education_rows((2015, 2016)), year=2017)
    # 2014-2017: unknown counts as grundskole; the foreign record counts as what it says (above)
    assert counts(year, Measure.KUN_GRUNDSKOLE) == (3, 5)


def test_income_leaves_out_students_and_the_not_tax_liable(tmp_path: Path) -> None:
    area = [
        person(alder=25, bruttoindkomst=100_000, under_uddannelse=True, **AREA),
        person(alder=40, bruttoindkomst=300_000, **AREA),
        person(alder=50, bruttoindkomst=500_000, **AREA),
        person(alder=45, bruttoindkomst=None, skattepligtig=False, **AREA),
    ]
    others = [
        person(alder=40, bruttoindkomst=800_000),
        person(alder=40, bruttoindkomst=800_000, region=1081, kommune=851),
    ]
    rows = [r for p in area + others for r in in_years(p, (2022, 2023))]
    year = figures(tmp_path, rows)
    # region 1084: the area's 300k and 500k plus the 800k outside social housing; region 1081 is not in it
    region = Fraction("533333.33")  # (300000 + 500000 + 800000) / 3, rounded to øre
    assert year.region_income[1084][2] == region
    numerator, denominator = counts(year, Measure.INDKOMST)
    assert denominator == 2
    assert 100 * numerator / denominator == 100 * Fraction(800_000, 2) / region
    with_students = figures(tmp_path, rows, method=Method(students=Students.NONE))
    numerator, denominator = counts(with_students, Measure.INDKOMST)
    assert denominator == 3
    assert numerator * with_students.region_income[1084][2] == 900_000


def test_region_average_is_rounded_to_oere_by_default(tmp_path: Path) -> None:
    rows = [r for i in range(3) for r in in_years(person(alder=40, bruttoindkomst=100_000 + i, **AREA), (2022, 2023))]
    assert figures(tmp_path, rows).region_income[1084][2] == Fraction("100001")
    rows[3]["bruttoindkomst"] = 100_002  # 2023: 100000, 100002, 100002
    assert figures(tmp_path, rows).region_income[1084][2] == Fraction("100001.33")
    exact = figures(tmp_path, rows, method=Method(region_income_decimals=None))
    assert exact.region_income[1084][2] == Fraction(300_004, 3)


def test_outside_work_is_counted_in_thousandths_and_pooled(tmp_path: Path) -> None:
    a = person(alder=30, **AREA)
    b = person(alder=30, **AREA)
    rows = [
        {**a, "aar": 2022, "uden_for_promille": 1000},
        {**a, "aar": 2023, "uden_for_promille": 250},
        {**b, "aar": 2023, "uden_for_promille": 0},
    ]
    year = figures(tmp_path, rows)
    assert counts(year, Measure.UDEN_FOR_ARBEJDSMARKED) == (Fraction(1250, 1000), 3)  # pooled: 1.25 of 3
    mean = figures(tmp_path, rows, method=parse_method_overrides(["averaging=mean"]))
    numerator, denominator = counts(mean, Measure.UDEN_FOR_ARBEJDSMARKED)
    assert numerator / denominator == (Fraction(1) + Fraction(125, 1000)) / 2  # mean of 100 % and 12.5 %


def test_current_population_base_follows_the_residents_back(tmp_path: Path) -> None:
    mover = person(alder=30, doemt=True)
    rows = [
        {**mover, "aar": 2022},  # convicted in 2022, living elsewhere
        {**mover, "aar": 2023, **AREA, "doemt": False},  # lives in the area on 1 January 2024
        *in_years(person(alder=30, **AREA), (2022, 2023)),
    ]
    each_year = figures(tmp_path, rows)
    assert counts(each_year, Measure.DOEMTE) == (0, 3)
    current = figures(tmp_path, rows, method=parse_method_overrides(["population_base=current"]))
    assert counts(current, Measure.DOEMTE) == (1, 4)


def test_national_average_over_everyone_18_and_over(tmp_path: Path) -> None:
    rows = [
        *in_years(person(alder=30, doemt=True, **AREA), (2022, 2023)),
        *in_years(person(alder=30), (2022, 2023)),
        *in_years(person(alder=16, doemt=True), (2022, 2023)),  # under 18: not in the average
        *in_years(person(alder=70, region=1081, kommune=851), (2022, 2023)),
    ]
    year = figures(tmp_path, rows)
    assert year.national is not None
    assert year.national.average == Fraction("33.333333")  # 6 decimals by default
    assert year.national.exact == Fraction(100, 3)


def test_an_afdeling_in_two_kommuner_names_both(tmp_path: Path) -> None:
    rows = [
        *in_years(person(kommune=157, afdeling="B", omraade="O"), (2022, 2023)),  # Gentofte
        *in_years(person(kommune=101, afdeling="B", omraade="O"), (2022, 2023)),  # København
        *in_years(person(kommune=147, **AREA), (2022, 2023)),  # Frederiksberg
    ]
    year = figures(tmp_path, rows)
    kommune = {(u.kind, u.name): u.kommune for u in year.units()}
    assert kommune[("afdeling", "B")] == "Gentofte, København"
    assert kommune[("afdeling", "A")] == "Frederiksberg"
    assert kommune[("omraade", "O")] == "Frederiksberg, Gentofte, København"

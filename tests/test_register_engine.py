"""The DuckDB engine gives exactly what the plain-Python reference gives: every numerator,
denominator, resident count and verdict, on small synthetic countries, under every method choice."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

import pytest

import register_reference as reference
from boligsocial.law.classify import Options, classify
from boligsocial.law.figures import Measure, Measurement, UnitFigures
from boligsocial.register.lists import RegisterRun, run, unit_figures
from boligsocial.register.method import Averaging, Method, PopulationBase, Students
from boligsocial.register.synth import SynthSpec, synth

PERSONS = 20_000


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("country")
    synth(SynthSpec(persons=PERSONS, years=6, seed=7, last_year=2023), folder)
    return folder


@pytest.fixture(scope="module")
def rows(country: Path) -> list[dict[str, object]]:
    return reference.read_rows(country)


def _compare(result: RegisterRun, ref: reference.Reference) -> int:
    """Assert equality unit by unit and measure by measure; returns how many figures matched."""
    year = result.year(ref.list_year)
    engine_units = {(u.kind, u.name): u for u in year.units()}
    ref_units = {k: v for k, v in ref.units.items() if k[0] in ("afdeling", "omraade")}
    assert set(engine_units) == set(ref_units)
    compared = 0
    for key, unit in engine_units.items():
        expected = ref_units[key]
        assert unit.residents == expected.residents, key
        assert set(unit.cells) == set(expected.figures), key
        for measure, cell in unit.cells.items():
            m = cell.measurement
            assert (m.numerator, m.denominator) == expected.figures[measure], (key, measure)
            compared += 1
    if year.national is None:
        assert ref.national_average is None
    else:
        assert year.national.average == ref.national_average
    assert {r: avg for r, (_, _, avg) in year.region_income.items()} == ref.region_average
    return compared


def _reference_units(ref: reference.Reference) -> list[UnitFigures]:
    return [
        UnitFigures(
            name=str(name),
            kind="omraade",
            list_year=ref.list_year,
            residents=unit.residents,
            measures={m: Measurement.from_counts(num, den) for m, (num, den) in unit.figures.items()},
        )
        for (kind, name), unit in ref.units.items()
        if kind == "omraade"
    ]


def _verdicts(units: list[UnitFigures], year: int, average: Fraction | None) -> dict[str, object]:
    options = Options(conviction_averages={year: average} if average is not None else {})
    listed = classify(units, year, options)
    return {
        u.name: (
            u.eligible,
            {name: r.status for name, r in u.lists.items()},
            sorted((c.key, c.verdict.value) for r in u.lists.values() for c in r.criteria),
        )
        for u in listed.units
    }


CASES = [
    pytest.param(2024, Method(), id="2024-default"),
    pytest.param(2024, Method(averaging=Averaging.MEAN), id="2024-mean"),
    pytest.param(2024, Method(population_base=PopulationBase.CURRENT), id="2024-current"),
    pytest.param(2024, Method(students=Students.NONE, uoplyst_as_grundskole=False), id="2024-students-uoplyst"),
    pytest.param(
        2023,
        Method(region_income_decimals=None, national_average_decimals=None, income_lags=((0, 2),)),
        id="2023-exact",
    ),
    pytest.param(2020, Method(), id="2020-transition"),
]

OLD_CASES = [
    pytest.param(2017, Method(), id="2017-five-criteria"),
    pytest.param(2016, Method(education_cleaning_from=2014, averaging=Averaging.MEAN), id="2016-cleaned-mean"),
]


@pytest.mark.parametrize(("year", "method"), CASES)
def test_engine_equals_reference(country: Path, rows: list[dict[str, object]], year: int, method: Method) -> None:
    result = run([country], [year], method, min_cell=1)
    ref = reference.compute(rows, year, method)
    assert _compare(result, ref) > 100
    national = result.year(year).national
    engine_areas = [unit_figures(u) for u in result.year(year).omraader]
    assert _verdicts(engine_areas, year, national.average if national else None) == _verdicts(
        _reference_units(ref), year, ref.national_average
    )


@pytest.fixture(scope="module")
def old_country(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("old_country")
    synth(SynthSpec(persons=PERSONS, years=4, seed=5, last_year=2016), folder)
    return folder


@pytest.mark.parametrize(("year", "method"), OLD_CASES)
def test_engine_equals_reference_2014_rules(old_country: Path, year: int, method: Method) -> None:
    result = run([old_country], [year], method, min_cell=1)
    ref = reference.compute(reference.read_rows(old_country), year, method)
    assert _compare(result, ref) > 100
    national = result.year(year).national
    engine_areas = [unit_figures(u) for u in result.year(year).omraader]
    assert _verdicts(engine_areas, year, national.average if national else None) == _verdicts(
        _reference_units(ref), year, ref.national_average
    )


def test_four_year_averages_before_2014(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    synth(SynthSpec(persons=PERSONS, years=4, seed=3, last_year=2012), folder)
    rows = reference.read_rows(folder)
    result = run([folder], [2013], min_cell=1)
    ref = reference.compute(rows, 2013)
    assert _compare(result, ref) > 90  # 3 measures in 2010-2013
    spec = result.year(2013).plan.measures[Measure.DOEMTE]
    assert spec.years == (2009, 2010, 2011, 2012)
    assert Measure.KUN_GRUNDSKOLE not in result.year(2013).plan.measures


def test_several_list_years_in_one_pass(country: Path, rows: list[dict[str, object]]) -> None:
    result = run([country], range(2020, 2025), min_cell=1)
    assert [y.list_year for y in result.years] == [2020, 2021, 2022, 2023, 2024]
    for year in (2020, 2022, 2024):
        _compare(result, reference.compute(rows, year))


def test_csv_input_gives_the_same_figures(tmp_path: Path) -> None:
    parquet, csv_folder = tmp_path / "p", tmp_path / "c"
    synth(SynthSpec(persons=5_000, years=2, seed=11), parquet)
    synth(SynthSpec(persons=5_000, years=2, seed=11, format="csv"), csv_folder)
    a = run([parquet], [2024], min_cell=1).year(2024)
    b = run([csv_folder], [2024], min_cell=1).year(2024)
    assert [dataclasses.astuple(u) for u in a.units()] == [dataclasses.astuple(u) for u in b.units()]
    _compare(run([csv_folder], [2024], min_cell=1), reference.compute(reference.read_rows(csv_folder), 2024))

"""Concise, exact builders of `UnitFigures` for the law tests.

Values are given as Danish or English decimal strings ("41,0", "2.18"), ints, Decimals or
Fractions, never floats: a float would bring binary rounding into tests whose whole point is
the exact behaviour at a threshold. `None` or "-" means unknown (suppressed). A pair
`(numerator, denominator)` gives a measurement from counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from boligsocial.law.classify import Options, classify
from boligsocial.law.figures import Measure, Measurement, UnitFigures, UnitKind
from boligsocial.law.verdicts import CriterionResult, ListYearResult, UnitResult

Value = str | int | Decimal | Fraction | tuple[Any, Any] | Measurement | None

# Keyword names of the builder, mapped to the measures.
FIELDS: dict[str, Measure] = {
    "outside": Measure.UDEN_FOR_ARBEJDSMARKED,
    "nonwest": Measure.IKKE_VESTLIGE,
    "convicted": Measure.DOEMTE,
    "basic": Measure.KUN_GRUNDSKOLE,
    "income": Measure.INDKOMST,
}

# Years whose national conviction average is not published: tests supply this one.
TEST_AVERAGE = Fraction("0.7")
YEARS_WITHOUT_AVERAGE = (2020, 2021, 2023, 2024, 2025)


def frac(value: str | int | Decimal | Fraction | None) -> Fraction | None:
    """An exact Fraction from a decimal string (comma or point), int, Decimal or Fraction."""
    if value is None:
        return None
    if isinstance(value, bool | float):
        raise TypeError(f"brug en tekst eller en Fraction, ikke {value!r}")
    if isinstance(value, Fraction | int):
        return Fraction(value)
    if isinstance(value, Decimal):
        return Fraction(value)
    text = str(value).strip()
    if text in ("-", ""):
        return None
    return Fraction(Decimal(text.replace(".", "").replace(",", ".") if "," in text else text))


def measurement(value: Value) -> Measurement:
    if isinstance(value, Measurement):
        return value
    if isinstance(value, tuple):
        numerator, denominator = value
        num, den = frac(numerator), frac(denominator)
        assert num is not None and den is not None
        return Measurement.from_counts(num, den)
    return Measurement(value=frac(value))


def residents_of(value: str | int | None) -> int | None:
    if value is None or value == "-":
        return None
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int):
        return value
    return int(str(value).replace(".", ""))


def unit(
    name: str = "Afd. 1",
    residents: str | int | None = 1200,
    outside: Value = "41,0",
    nonwest: Value = "51",
    convicted: Value = "2,20",
    basic: Value = "61",
    income: Value = "54",
    year: int | None = 2022,
    kind: UnitKind = "afdeling",
    omraade: str | None = None,
    boligorganisation: str | None = None,
) -> UnitFigures:
    """One unit. The defaults meet every criterion of every era (a 'worst case' unit)."""
    values = {"outside": outside, "nonwest": nonwest, "convicted": convicted, "basic": basic, "income": income}
    return UnitFigures(
        name=name,
        kind=kind,
        list_year=year,
        residents=residents_of(residents),
        measures={FIELDS[key]: measurement(v) for key, v in values.items()},
        boligorganisation=boligorganisation,
        omraade=omraade,
    )


# Values that meet no criterion of any era.
CALM: dict[str, Value] = {"outside": "10", "nonwest": "10", "convicted": "0,10", "basic": "10", "income": "100"}


def calm(name: str = "Afd. 1", **overrides: Any) -> UnitFigures:
    """A unit on no list, with the given figures changed."""
    kwargs: dict[str, Any] = {**CALM, **overrides}
    return unit(name, **kwargs)


def options(
    year: int | None = None,
    ignore_min_residents: bool = False,
    averages: Mapping[int, Fraction] | None = None,
) -> Options:
    """Options; with `year` among the years without a published average, the test average is supplied."""
    given = dict(averages or {})
    if year is not None and year in YEARS_WITHOUT_AVERAGE and year not in given:
        given[year] = TEST_AVERAGE
    return Options(ignore_min_residents=ignore_min_residents, conviction_averages=given)


def run(
    units: UnitFigures | Sequence[UnitFigures],
    year: int,
    ignore_min_residents: bool = False,
    averages: Mapping[int, Fraction] | None = None,
    supply_average: bool = True,
) -> ListYearResult:
    """Classify units for a list year; the test average is supplied where none is published."""
    collection = [units] if isinstance(units, UnitFigures) else list(units)
    opts = (
        options(year, ignore_min_residents, averages)
        if supply_average
        else Options(ignore_min_residents=ignore_min_residents, conviction_averages=dict(averages or {}))
    )
    return classify(collection, year, opts)


def one(
    figures: UnitFigures,
    year: int | None = None,
    ignore_min_residents: bool = False,
    averages: Mapping[int, Fraction] | None = None,
) -> UnitResult:
    """The result for a single unit in its own list year, or moved to `year` when given."""
    if year is not None:
        figures = replace(figures, list_year=year)
    assert figures.list_year is not None
    return run(figures, figures.list_year, ignore_min_residents, averages).unit(figures.name, figures.kind)


def statuses(result: UnitResult) -> dict[str, bool | None]:
    return {name: r.status for name, r in result.lists.items()}


def criteria(result: UnitResult) -> dict[str, CriterionResult]:
    """Every criterion shown for the unit, by key."""
    found: dict[str, CriterionResult] = {}
    for lst in result.lists.values():
        for c in lst.criteria:
            found.setdefault(c.key, c)
    return found

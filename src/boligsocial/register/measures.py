"""What each measure counts for a list year: its age band (from the law) and its data years.

The age bands are read from the law's population descriptions (`population` in the parameter
files, e.g. "18-64 år", "18 år og derover", "alle beboere"), so that the law stays in one place;
a description this module cannot read is an error, never a silent default. The data years come
from the law's `averaging_years` and the method's lags (`method.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from boligsocial.law.errors import LawError
from boligsocial.law.figures import Measure
from boligsocial.law.parameters import Law, RuleSet
from boligsocial.register.method import Method
from boligsocial.register.schema import MAX_AGE, RegisterError

__all__ = ["AgeBand", "MeasureSpec", "YearPlan", "age_band", "plan_year"]


@dataclass(frozen=True)
class AgeBand:
    low: int
    high: int  # inclusive; MAX_AGE for "and over"

    def sql(self, column: str = "alder") -> str:
        if self.low <= 0 and self.high >= MAX_AGE:
            return "TRUE"
        if self.high >= MAX_AGE:
            return f"{column} >= {self.low}"
        return f"{column} BETWEEN {self.low} AND {self.high}"

    def contains(self, age: int) -> bool:
        return self.low <= age <= self.high

    @property
    def label(self) -> str:
        return f"{self.low}-{self.high}" if self.high < MAX_AGE else f"{self.low}+"


_RANGE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*år\b")
_AND_OVER = re.compile(r"^\s*(\d+)\s*år og derover\b")
_EVERYONE = re.compile(r"^\s*alle beboere\b")


def age_band(population: str) -> AgeBand:
    """The age band at the start of a population description: "18-64 år, ..." -> 18..64."""
    if match := _RANGE.match(population):
        return AgeBand(int(match.group(1)), int(match.group(2)))
    if match := _AND_OVER.match(population):
        return AgeBand(int(match.group(1)), MAX_AGE)
    if _EVERYONE.match(population):
        return AgeBand(0, MAX_AGE)
    raise RegisterError(
        f"aldersgruppen i lovparameteren {population!r} kan ikke aflæses "
        "(forventet fx '18-64 år', '18 år og derover' eller 'alle beboere')"
    )


@dataclass(frozen=True)
class MeasureSpec:
    """One measure for one list year: who is counted and which data years are used."""

    measure: Measure
    band: AgeBand
    years: tuple[int, ...]  # data years, oldest first; several when the law averages


@dataclass(frozen=True)
class YearPlan:
    """Everything one list year needs from the data."""

    list_year: int
    rule_set: RuleSet
    residents_year: int  # address on 1 January of the list year
    measures: dict[Measure, MeasureSpec]  # only the measures the year's rules use
    clean_foreign_education: bool
    income_lag: int

    @property
    def data_years(self) -> tuple[int, ...]:
        years = {self.residents_year}
        for spec in self.measures.values():
            years.update(spec.years)
        return tuple(sorted(years))

    def averaged(self) -> list[MeasureSpec]:
        return [spec for spec in self.measures.values() if len(spec.years) > 1]


def _lag(measure: Measure, list_year: int, method: Method) -> int:
    if measure in (Measure.UDEN_FOR_ARBEJDSMARKED, Measure.DOEMTE):
        return method.last_data_year_lag
    if measure is Measure.IKKE_VESTLIGE:
        return method.residents_lag
    if measure is Measure.KUN_GRUNDSKOLE:
        return method.education_lag
    return method.income_lag(list_year)


def plan_year(law: Law, list_year: int, method: Method) -> YearPlan:
    """The measures of a list year (as far as its rules use them), with bands and data years."""
    try:
        rule_set = law.rule_set(list_year)
    except LawError as error:
        raise RegisterError(str(error)) from None
    measures: dict[Measure, MeasureSpec] = {}
    for measure in Measure:
        criteria = [c for c in rule_set.criteria.values() if c.measure is measure]
        if not criteria:
            continue
        bands = {age_band(c.population) for c in criteria}
        if len(bands) > 1:
            raise RegisterError(
                f"listeår {list_year}: kriterierne for {measure.value} har forskellige aldersgrupper "
                f"({', '.join(sorted(b.label for b in bands))}); det understøttes ikke"
            )
        averaging = max(c.averaging_years or 1 for c in criteria)
        last = list_year - _lag(measure, list_year, method)
        measures[measure] = MeasureSpec(measure, bands.pop(), tuple(range(last - averaging + 1, last + 1)))
    return YearPlan(
        list_year=list_year,
        rule_set=rule_set,
        residents_year=list_year - method.residents_lag,
        measures=measures,
        clean_foreign_education=method.cleans_foreign_education(list_year),
        income_lag=method.income_lag(list_year),
    )

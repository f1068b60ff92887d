"""From the engine's integer sums to exact figures per afdeling and boligomraade and list year.

The sums arrive as int64 arrays (unit x data year x field). For every measure of the list year
this module forms, per unit and data year, the numerator, the persons with the attribute and the
population (`parts`), vectorised over all units, plus the person counts that discretion protects.
Exact `Fraction` shares are formed only when a figure is shown or written (`Cell.measurement`),
so nothing is rounded except where a method parameter says so (`method.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

import numpy as np

from boligsocial.danish import to_decimal
from boligsocial.law.figures import Measure, Measurement, UnitKind
from boligsocial.register.compute import Aggregates, SumTable, UnitInfo
from boligsocial.register.measures import YearPlan
from boligsocial.register.method import Averaging, Method, Students
from boligsocial.register.schema import KOMMUNER

__all__ = ["Cell", "KindFigures", "NationalConviction", "UnitTally", "YearFigures", "tally"]

#: Digits the published lists show (criteria.md §3.6), used by `compare_rounded`.
PUBLISHED_DIGITS = {
    Measure.UDEN_FOR_ARBEJDSMARKED: 1,
    Measure.IKKE_VESTLIGE: 1,
    Measure.DOEMTE: 2,
    Measure.KUN_GRUNDSKOLE: 1,
    Measure.INDKOMST: 1,
}

Part = tuple[int, int, int]  # one data year: (numerator in 1/scale units, persons with the attribute, population)


@dataclass(frozen=True)
class Cell:
    """One measure of one unit in one list year, as integers.

    For a share, `parts` holds one (numerator, persons with the attribute, population) per data
    year; the numerator is in units of 1/`scale` (thousandths of a year for time outside work).
    For income, one part (income sum in kr, persons, persons) and the region's average income.
    `protected` are the person counts the published figure rests on (see `KindFigures`).
    """

    measure: Measure
    parts: tuple[Part, ...]
    protected: tuple[int, ...]
    scale: int = 1
    averaging: Averaging = Averaging.POOLED
    rounded: bool = False
    region_income: Fraction | None = None

    @property
    def size(self) -> int:
        """Persons (person-years) in the population."""
        return sum(p[2] for p in self.parts)

    @property
    def measurement(self) -> Measurement:
        """The exact figure (or, with `compare_rounded`, the value rounded as published)."""
        measurement = self._exact()
        if not self.rounded or measurement.value is None:
            return measurement
        digits = PUBLISHED_DIGITS[self.measure]
        return Measurement.published(Fraction(to_decimal(measurement.value, digits)), digits)

    def _exact(self) -> Measurement:
        if self.measure is Measure.INDKOMST:
            total, persons = sum(p[0] for p in self.parts), self.size
            if persons == 0:
                return Measurement.from_counts(0, 0)
            if self.region_income is None or self.region_income <= 0:
                return Measurement.unknown()
            return Measurement.from_counts(Fraction(total) / self.region_income, persons)
        if len(self.parts) == 1 or self.averaging is Averaging.POOLED:
            numerator, size = sum(p[0] for p in self.parts), self.size
            if size == 0:
                return Measurement.from_counts(0, 0)
            # the same as Measurement.from_counts, with one normalisation instead of three
            return Measurement(
                value=Fraction(100 * numerator, self.scale * size),
                numerator=Fraction(numerator, self.scale),
                denominator=Fraction(size),
            )
        shares = [Fraction(p[0], self.scale * p[2]) for p in self.parts if p[2] > 0]
        if not shares:
            return Measurement.from_counts(0, 0)
        mean = sum(shares, Fraction(0)) / len(shares)
        return Measurement.from_counts(mean.numerator, mean.denominator)


@dataclass(frozen=True)
class UnitTally:
    kind: UnitKind
    name: str
    list_year: int
    residents: int
    region: int
    kommune: str | None
    boligorganisation: str | None
    omraade: str | None
    cells: dict[Measure, Cell]
    members: tuple[str, ...] = ()

    @property
    def region_income(self) -> Fraction | None:
        cell = self.cells.get(Measure.INDKOMST)
        return cell.region_income if cell is not None else None


@dataclass(frozen=True)
class NationalConviction:
    """The national share of convicted residents (the population and years of the criterion)."""

    list_year: int
    average: Fraction  # percent, as used (rounded per `national_average_decimals`)
    exact: Fraction  # percent, before rounding
    numerator: int  # convicted person-years (pooled)
    denominator: int  # person-years in the population (pooled)
    protected: tuple[int, ...]
    years: tuple[int, ...]


@dataclass
class KindFigures:
    """All afdelinger (or all areas) of a list year, as arrays over the units.

    `parts[measure]` has shape (units, data years, 3): numerator, persons with the attribute,
    population. `protected[measure]` has shape (units, k): the person counts a published figure
    rests on: for a share the persons with and without the attribute (summed over pooled years,
    per year for a mean of yearly shares), for income the persons.
    """

    kind: UnitKind
    names: list[str]
    info: list[UnitInfo]
    residents: np.ndarray
    parts: dict[Measure, np.ndarray]
    protected: dict[Measure, np.ndarray]
    region_income: list[Fraction | None]  # per unit, the region's average income used (kr)
    members: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def index(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.names)}


@dataclass
class YearFigures:
    """Everything computed for one list year, before discretion."""

    plan: YearPlan
    method: Method
    afdeling: KindFigures
    omraade: KindFigures
    national: NationalConviction | None
    region_income: dict[int, tuple[int, int, Fraction]]  # region -> (income sum, persons, average used)

    @property
    def list_year(self) -> int:
        return self.plan.list_year

    def kind(self, kind: str) -> KindFigures:
        return self.afdeling if kind == "afdeling" else self.omraade

    @cached_property
    def afdelinger(self) -> list[UnitTally]:
        return self._units(self.afdeling)

    @cached_property
    def omraader(self) -> list[UnitTally]:
        return self._units(self.omraade)

    def units(self) -> list[UnitTally]:
        return self.afdelinger + self.omraader

    def _units(self, figures: KindFigures) -> list[UnitTally]:
        parts = {m: a.tolist() for m, a in figures.parts.items()}
        protected = {m: a.tolist() for m, a in figures.protected.items()}
        residents = figures.residents.tolist()
        method = self.method
        out: list[UnitTally] = []
        for i, name in enumerate(figures.names):
            info = figures.info[i]
            cells = {
                m: Cell(
                    measure=m,
                    parts=tuple(tuple(p) for p in parts[m][i]),
                    protected=tuple(protected[m][i]),
                    scale=1000 if m is Measure.UDEN_FOR_ARBEJDSMARKED else 1,
                    averaging=method.averaging,
                    rounded=method.compare_rounded,
                    region_income=figures.region_income[i] if m is Measure.INDKOMST else None,
                )
                for m in figures.parts
            }
            out.append(
                UnitTally(
                    kind=figures.kind,
                    name=name,
                    list_year=self.list_year,
                    residents=residents[i],
                    region=info.region,
                    kommune=", ".join(sorted(KOMMUNER[c][0] if c in KOMMUNER else str(c) for c in info.kommuner))
                    or None,
                    boligorganisation=info.boligorganisation if figures.kind == "afdeling" else None,
                    omraade=info.omraade if figures.kind == "afdeling" else name,
                    cells=cells,
                    members=figures.members.get(name, ()),
                )
            )
        return out


# --------------------------------------------------------------------------------------------


def _education(table: SumTable, aar: int, plan: YearPlan, method: Method) -> tuple[np.ndarray, np.ndarray]:
    """(numerator, denominator) of the grundskole criterion from the five education counts."""
    n = table.column("udd_n", aar)
    grund_dk, uoplyst = table.column("udd_grund", aar), table.column("udd_uoplyst", aar)
    grund_udl, hoej_udl = table.column("udd_grund_udl", aar), table.column("udd_hoej_udl", aar)
    if plan.clean_foreign_education:
        grund, unknown = grund_dk, uoplyst + grund_udl + hoej_udl
    else:
        grund, unknown = grund_dk + grund_udl, uoplyst
    if method.uoplyst_as_grundskole:
        return grund + unknown, n
    return grund, n - unknown


def _income(table: SumTable, aar: int, method: Method) -> tuple[np.ndarray, np.ndarray]:
    """(income sum, persons) of the income criterion's population."""
    total, persons = table.column("ind_sum", aar), table.column("ind_n", aar)
    if method.students is Students.NONE:
        total = total + table.column("ind_stud_sum", aar)
        persons = persons + table.column("ind_stud_n", aar)
    return total, persons


def _part(measure: Measure, table: SumTable, aar: int, plan: YearPlan, method: Method) -> np.ndarray:
    """(units, 3): numerator, persons with the attribute, population, for one data year."""
    if measure is Measure.IKKE_VESTLIGE:
        num, persons, population = table.column("iv", aar), table.column("iv", aar), table.column("iv_n", aar)
    elif measure is Measure.UDEN_FOR_ARBEJDSMARKED:
        num, persons = table.column("uf_promille", aar), table.column("uf_personer", aar)
        population = table.column("uf_n", aar)
    elif measure is Measure.DOEMTE:
        num, persons, population = (
            table.column("doemte", aar),
            table.column("doemte", aar),
            table.column("doemte_n", aar),
        )
    elif measure is Measure.KUN_GRUNDSKOLE:
        num, population = _education(table, aar, plan, method)
        persons = num
    else:
        num, persons = _income(table, aar, method)
        population = persons
    return np.stack([num, persons, population], axis=1)


def _protected(measure: Measure, parts: np.ndarray, averaging: Averaging) -> np.ndarray:
    persons, population = parts[:, :, 1], parts[:, :, 2]
    if measure is Measure.INDKOMST:
        total: np.ndarray = population.sum(axis=1, keepdims=True)
        return total
    if parts.shape[1] == 1 or averaging is Averaging.POOLED:
        with_attribute = persons.sum(axis=1)
        return np.stack([with_attribute, population.sum(axis=1) - with_attribute], axis=1)
    return np.concatenate([persons, population - persons], axis=1)


def _round_fraction(value: Fraction, decimals: int | None) -> Fraction:
    return value if decimals is None else Fraction(to_decimal(value, decimals))


class _Year:
    """Builds the figures of one list year from the sums."""

    def __init__(self, aggregates: Aggregates, plan: YearPlan, method: Method) -> None:
        self.aggregates = aggregates
        self.plan = plan
        self.method = method
        self.current = aggregates.current.get(plan.list_year)
        self.regions: dict[int, tuple[int, int, Fraction]] = {}
        income = plan.measures.get(Measure.INDKOMST)
        if income is not None:
            table = aggregates.tables["region"]
            totals, persons = _income(table, income.years[-1], method)
            for name, total, count in zip(table.names, totals.tolist(), persons.tolist(), strict=True):
                if count:
                    average = _round_fraction(Fraction(total, count), method.region_income_decimals)
                    self.regions[int(name)] = (total, count, average)

    def table(self, kind: str, averaged: bool) -> SumTable:
        if averaged and self.current is not None:
            return self.current[kind]
        return self.aggregates.tables[kind]

    def kind(self, kind: UnitKind, infos: dict[str, UnitInfo]) -> KindFigures:
        table = self.aggregates.tables[kind]
        residents_all = table.column("beboere", self.plan.residents_year)
        chosen = np.flatnonzero(residents_all > 0)
        names = [table.names[i] for i in chosen]
        parts: dict[Measure, np.ndarray] = {}
        protected: dict[Measure, np.ndarray] = {}
        for measure, spec in self.plan.measures.items():
            source = self.table(kind, len(spec.years) > 1)
            if source.names:
                rows = _rows(source, names)
                stacked = np.stack([_part(measure, source, y, self.plan, self.method)[rows] for y in spec.years], 1)
                if source is not table:
                    stacked[_missing(source, names)] = 0
            else:
                stacked = np.zeros((len(names), len(spec.years), 3), dtype=np.int64)
            parts[measure] = stacked
            protected[measure] = _protected(measure, stacked, self.method.averaging)
        info = [infos[n] for n in names]
        region_income = [self.regions[i.region][2] if i.region in self.regions else None for i in info]
        return KindFigures(
            kind=kind,
            names=names,
            info=info,
            residents=residents_all[chosen],
            parts=parts,
            protected=protected,
            region_income=region_income,
        )

    def national(self) -> NationalConviction | None:
        spec = self.plan.measures.get(Measure.DOEMTE)
        if spec is None:
            return None
        source = self.table("land", len(spec.years) > 1)
        if not source.names:
            return None
        parts = np.stack([_part(Measure.DOEMTE, source, y, self.plan, self.method)[0] for y in spec.years])
        cell = Cell(
            Measure.DOEMTE,
            tuple((int(a), int(b), int(c)) for a, b, c in parts.tolist()),
            tuple(_protected(Measure.DOEMTE, parts[None, :, :], self.method.averaging)[0].tolist()),
            averaging=self.method.averaging,
        )
        exact = cell.measurement.value
        if exact is None:
            return None
        return NationalConviction(
            list_year=self.plan.list_year,
            average=_round_fraction(exact, self.method.national_average_decimals),
            exact=exact,
            numerator=int(parts[:, 1].sum()),
            denominator=cell.size,
            protected=cell.protected,
            years=spec.years,
        )

    def figures(self) -> YearFigures:
        afdeling = self.kind("afdeling", self.aggregates.afdelinger)
        omraade = self.kind("omraade", self.aggregates.omraader)
        members: dict[str, list[str]] = {}
        for name, info in zip(afdeling.names, afdeling.info, strict=True):
            if info.omraade is not None:
                members.setdefault(info.omraade, []).append(name)
        omraade.members = {area: tuple(names) for area, names in members.items()}
        return YearFigures(
            plan=self.plan,
            method=self.method,
            afdeling=afdeling,
            omraade=omraade,
            national=self.national(),
            region_income=self.regions,
        )


def _rows(table: SumTable, names: list[str]) -> np.ndarray:
    """Row numbers of `names` in `table` (0 where absent; see `_missing`)."""
    index = {name: i for i, name in enumerate(table.names)}
    return np.array([index.get(name, 0) for name in names], dtype=np.int64)


def _missing(table: SumTable, names: list[str]) -> np.ndarray:
    present = set(table.names)
    return np.array([name not in present for name in names], dtype=bool)


def tally(aggregates: Aggregates, plans: Sequence[YearPlan], method: Method) -> list[YearFigures]:
    """Exact figures for every list year in `plans` (all afdelinger and boligomraader that have
    residents on 1 January of the list year)."""
    return [_Year(aggregates, plan, method).figures() for plan in plans]

"""A plain-Python reference implementation of the register computation, for the tests only.

It reads person rows one by one (dicts) and follows the method as documented in docs/register.md,
with integers and Fractions, sharing nothing with the DuckDB engine but the law (thresholds, age
bands, averaging years) and the `Method` parameter object. The tests check that the engine gives
exactly the same numerators, denominators and verdicts.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from boligsocial.law.figures import Measure
from boligsocial.law.parameters import load_law
from boligsocial.register.method import Averaging, Method, PopulationBase, Students

Row = dict[str, Any]
Key = tuple[str, str | None]  # ("afdeling", name), ("omraade", name), ("region", "1084"), ("land", None)


def read_rows(folder: Path) -> list[Row]:
    rows: list[Row] = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".parquet":
            rows.extend(pq.read_table(path).to_pylist())
        elif path.suffix == ".csv":
            rows.extend(_csv_rows(path))
    return rows


def _csv_rows(path: Path) -> Iterator[Row]:
    ints = {"person_id", "aar", "region", "kommune", "alder", "uden_for_promille", "hfaudd", "bruttoindkomst"}
    bools = {"vestlig", "doemt", "hfaudd_kilde_udenlandsk", "skattepligtig", "under_uddannelse"}
    with path.open(encoding="utf-8", newline="") as stream:
        for raw in csv.DictReader(stream):
            row: Row = {}
            for name, text in raw.items():
                if text == "":
                    row[name] = None
                elif name in ints:
                    row[name] = int(text)
                elif name in bools:
                    row[name] = text.strip().lower() in ("true", "1", "t")
                else:
                    row[name] = text
            yield row


def band(population: str) -> tuple[int, int]:
    if m := re.match(r"(\d+)-(\d+) år", population):
        return int(m.group(1)), int(m.group(2))
    if m := re.match(r"(\d+) år og derover", population):
        return int(m.group(1)), 10**6
    assert population.startswith("alle beboere"), population
    return 0, 10**6


@dataclass
class Spec:
    low: int
    high: int
    years: list[int]


@dataclass
class UnitResult:
    residents: int = 0
    # measure -> (numerator, denominator) as the key-figure file stores them
    figures: dict[Measure, tuple[Fraction, Fraction]] = field(default_factory=dict)


@dataclass
class Reference:
    list_year: int
    units: dict[Key, UnitResult]
    national_average: Fraction | None  # percent, rounded as the method says
    region_average: dict[int, Fraction]


def _lag(measure: Measure, year: int, method: Method) -> int:
    if measure in (Measure.UDEN_FOR_ARBEJDSMARKED, Measure.DOEMTE):
        return method.last_data_year_lag
    if measure is Measure.IKKE_VESTLIGE:
        return method.residents_lag
    if measure is Measure.KUN_GRUNDSKOLE:
        return method.education_lag
    lag = 0
    for first, value in sorted(method.income_lags):
        if year >= first:
            lag = value
    return lag


def specs(year: int, method: Method) -> dict[Measure, Spec]:
    rule_set = load_law().rule_set(year)
    out: dict[Measure, Spec] = {}
    for measure in Measure:
        criteria = [c for c in rule_set.criteria.values() if c.measure is measure]
        if not criteria:
            continue
        low, high = band(criteria[0].population)
        k = max(c.averaging_years or 1 for c in criteria)
        last = year - _lag(measure, year, method)
        out[measure] = Spec(low, high, list(range(last - k + 1, last + 1)))
    return out


def _round(value: Fraction, digits: int | None) -> Fraction:
    if digits is None:
        return value
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return Fraction(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def _keys(row: Row) -> list[Key]:
    keys: list[Key] = [("land", None), ("region", str(row["region"]))]
    if row["afdeling"] is not None:
        keys.append(("afdeling", row["afdeling"]))
    if row["omraade"] is not None:
        keys.append(("omraade", row["omraade"]))
    return keys


def _education(row: Row, method: Method, cleaned: bool) -> str:
    """'grund', 'hoej' or 'uoplyst' for one person."""
    code = row["hfaudd"]
    foreign = bool(row.get("hfaudd_kilde_udenlandsk"))
    if code is None or code in method.uoplyst_codes:
        return "uoplyst"
    if cleaned and foreign:
        return "uoplyst"
    low, high = method.grundskole_codes
    return "grund" if low <= code <= high else "hoej"


def compute(rows: Iterable[Row], year: int, method: Method | None = None) -> Reference:
    """Every unit's figures for list year `year`, person by person."""
    method = method or Method()
    rows = list(rows)
    by_year: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        by_year[row["aar"]].append(row)
    measures = specs(year, method)
    residents_year = year - method.residents_lag
    address: dict[int, Row] = {r["person_id"]: r for r in by_year[residents_year]}

    def placed(row: Row, averaged: bool) -> list[Key]:
        if averaged and method.population_base is PopulationBase.CURRENT:
            home = address.get(row["person_id"])
            return [] if home is None else _keys(home)
        return _keys(row)

    units: dict[Key, UnitResult] = defaultdict(UnitResult)
    for row in by_year[residents_year]:
        for key in _keys(row):
            units[key].residents += 1

    # per (unit, measure, data year): [numerator, population] as Fractions / ints
    parts: dict[tuple[Key, Measure, int], list[Fraction]] = defaultdict(lambda: [Fraction(0), Fraction(0)])
    cleaned = year >= method.education_cleaning_from
    for measure, spec in measures.items():
        averaged = len(spec.years) > 1
        for data_year in spec.years:
            for row in by_year[data_year]:
                if not spec.low <= row["alder"] <= spec.high:
                    continue
                if measure is Measure.IKKE_VESTLIGE:
                    num, den = Fraction(row["herkomst"] != "dansk" and row["vestlig"] is False), Fraction(1)
                elif measure is Measure.UDEN_FOR_ARBEJDSMARKED:
                    num, den = Fraction(row["uden_for_promille"], 1000), Fraction(1)
                elif measure is Measure.DOEMTE:
                    num, den = Fraction(bool(row["doemt"])), Fraction(1)
                elif measure is Measure.KUN_GRUNDSKOLE:
                    category = _education(row, method, cleaned)
                    if category == "uoplyst" and not method.uoplyst_as_grundskole:
                        continue
                    num, den = Fraction(category != "hoej"), Fraction(1)
                else:
                    if not row["skattepligtig"]:
                        continue
                    if row["under_uddannelse"] and method.students is Students.FLAG:
                        continue
                    num, den = Fraction(row["bruttoindkomst"]), Fraction(1)
                for key in placed(row, averaged):
                    entry = parts[(key, measure, data_year)]
                    entry[0] += num
                    entry[1] += den

    def share(key: Key, measure: Measure) -> tuple[Fraction, Fraction]:
        years = measures[measure].years
        pairs = [parts.get((key, measure, y), [Fraction(0), Fraction(0)]) for y in years]
        if len(years) == 1 or method.averaging is Averaging.POOLED:
            return sum((p[0] for p in pairs), Fraction(0)), sum((p[1] for p in pairs), Fraction(0))
        shares = [p[0] / p[1] for p in pairs if p[1]]
        if not shares:
            return Fraction(0), Fraction(0)
        mean = sum(shares, Fraction(0)) / len(shares)
        return Fraction(mean.numerator), Fraction(mean.denominator)

    region_average: dict[int, Fraction] = {}
    if Measure.INDKOMST in measures:
        for key in list(units):
            if key[0] == "region":
                total, persons = share(key, Measure.INDKOMST)
                if persons:
                    region_average[int(str(key[1]))] = _round(total / persons, method.region_income_decimals)

    region_of: dict[Key, int] = {}
    for row in rows:
        for key in _keys(row):
            region_of[key] = row["region"]
    for key, unit in units.items():
        for measure in measures:
            numerator, denominator = share(key, measure)
            if measure is Measure.INDKOMST and denominator:
                numerator = numerator / region_average[region_of[key]]
            unit.figures[measure] = (numerator, denominator)

    national = None
    if Measure.DOEMTE in measures:
        numerator, denominator = share(("land", None), Measure.DOEMTE)
        if denominator:
            national = _round(100 * numerator / denominator, method.national_average_decimals)
    return Reference(year, dict(units), national, region_average)

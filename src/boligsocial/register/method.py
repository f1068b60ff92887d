"""Method parameters: every choice the official method leaves open, named, with a default and why.

The ministry's SAS programme (BPST, "Ghettokriterier opgørelsesmetode", 2021) is not public in
full, so several operational details are unknown (criteria.md §6). Each is a field of `Method`
below, documented where it is defined; `docs/register.md` lists them with their reasoning, and
every output records the values used. Nothing here is a threshold or an age band: those are law
and live in `law/parameters/`.

List year Y is the year the list is published (1 December Y). "Data year" is the `aar` column:
a row of data year t gives the address and age on 1 January t+1 and the outcomes of year t.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from boligsocial.register.schema import RegisterError

__all__ = ["Averaging", "Method", "PopulationBase", "Students", "parse_method_overrides"]


class Averaging(StrEnum):
    """How a criterion measured "as an average of the last 2 (4) years" combines the years."""

    POOLED = "pooled"  # sum of numerators over the years / sum of denominators
    MEAN = "mean"  # plain mean of the yearly shares


class PopulationBase(StrEnum):
    """Whose years enter a multi-year average."""

    EACH_YEAR = "each_year"  # each data year's own residents (address at the end of that year)
    CURRENT = "current"  # the residents on 1 January Y, followed back into the earlier years


class Students(StrEnum):
    """Who counts as "uddannelsessøgende" and is left out of the income criterion."""

    FLAG = "flag"  # rows with under_uddannelse = true are left out
    NONE = "none"  # nobody is left out (a sensitivity check)


@dataclass(frozen=True)
class Method:
    """The method parameters. Defaults and reasons (criteria.md section in brackets):

    averaging [§3.2, §3.3, §6.1]: `pooled`. The BPST note computes everything from one person
    table summed per area, so the natural 2-year figure is (persons-years outside + ...) over
    (person-years in the population), i.e. the pooled share. `mean` gives the mean of the yearly
    shares instead. The same rule averages the national conviction share.

    population_base [§3.2, §6.1]: `each_year`. Each data year's residents count in that year, as
    a table per year summed over two years would give. `current` takes the residents on
    1 January Y and their outcomes in the earlier years (persons absent in a year contribute
    nothing to it).

    last_data_year_lag [§3.2, §3.3]: 1. The most recent data year for list year Y is Y-1
    ("beboere udenfor arbejdsmarkedet 2023" on the 2024 list; convictions "2020-2021" on the
    2022 list). The averaged years are the `averaging_years` (from the law) ending there.

    residents_lag [§3.0]: 1. Residents, the non-western share and the 1,000-resident test use
    data year Y-1, i.e. the address on 1 January Y.

    education_lag [§3.4, §6.4]: 1. Highest education as of data year Y-1 (DST's status of
    30 September Y-1 is the latest available before the list); the reference date is unknown.

    income_lags [§3.5, §6.3]: list years up to 2017 use income of Y-2 (SOLID, ft.dk L 38
    spm. 42), from 2018 Y-1 (2020 list used 2019 income; 2018-2019 unknown, assumed Y-1).
    Stored as (first list year, lag) pairs.

    students [§3.5, §6.3]: `flag`: the `under_uddannelse` column as delivered (its construction,
    e.g. SU recipients or enrolled on a date, is the data provider's). `none` leaves nobody out.

    uoplyst_as_grundskole [§3.4]: true. 2014-2017 the ministry counted unknown education as
    grundskole (SOLID). From 2018 only Danish or approved education counts, so a person with no
    such record has, in practice, only grundskole (REPORTED/INFERRED). False leaves persons with
    unknown education out of both numerator and denominator.

    education_cleaning_from [§3.4]: 2018. From this list year, education records from
    self-reported or imputed foreign education (`hfaudd_kilde_udenlandsk`) are disregarded,
    i.e. treated as unknown.

    grundskole_codes / uoplyst_codes [§3.4]: DST's grouping of the 4-digit HFAUDD codes:
    0 and 1001 (and NULL) are unknown, 1002-1008 grundskole; everything else is above.

    compare_rounded [§3.6, §6.5]: false. The law compares the share with the threshold; the
    lists publish 1 decimal (2 for convictions). True compares the values rounded as published
    (half up); the key-figure file then holds the rounded values without counts.

    region_income_decimals [§3.5]: 2. The region's average income is rounded to øre before the
    ratio is taken. The key-figure format stores the region's average as a decimal number, and
    rounding it here means `boligsocial check` on the written file gives exactly the verdicts
    `register compute` gave. The effect on the ratio is below 1e-8 (relative). None keeps it
    exact (the file then carries a technical region figure that keeps the ratio exact).

    national_average_decimals [§3.3, §6.6]: 6. The national average share of convicted
    residents (percent) is rounded to 6 decimals before the thresholds (3x, 2x) are formed, so
    that `boligsocial check --convicted-national-avg` can be given exactly the number used. The
    lists publish the threshold with 2 decimals; whether the ministry rounds before comparing is
    unknown (see `compare_rounded`). None keeps the exact fraction.
    """

    averaging: Averaging = Averaging.POOLED
    population_base: PopulationBase = PopulationBase.EACH_YEAR
    last_data_year_lag: int = 1
    residents_lag: int = 1
    education_lag: int = 1
    income_lags: tuple[tuple[int, int], ...] = ((0, 2), (2018, 1))
    students: Students = Students.FLAG
    uoplyst_as_grundskole: bool = True
    education_cleaning_from: int = 2018
    grundskole_codes: tuple[int, int] = (1002, 1008)
    uoplyst_codes: tuple[int, ...] = (0, 1001)
    compare_rounded: bool = False
    region_income_decimals: int | None = 2
    national_average_decimals: int | None = 6

    def income_lag(self, list_year: int) -> int:
        lag = self.income_lags[0][1]
        for first, value in sorted(self.income_lags):
            if list_year >= first:
                lag = value
        return lag

    def cleans_foreign_education(self, list_year: int) -> bool:
        return list_year >= self.education_cleaning_from

    def as_dict(self) -> dict[str, Any]:
        """The values as plain JSON types, for outputs that record the method used."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, StrEnum):
                value = value.value
            elif isinstance(value, tuple):
                value = [list(v) if isinstance(v, tuple) else v for v in value]
            out[f.name] = value
        return out


def _field_names() -> list[str]:
    return [f.name for f in dataclasses.fields(Method)]


def _parse_bool(text: str) -> bool:
    lowered = text.strip().casefold()
    if lowered in ("true", "ja", "1", "sand"):
        return True
    if lowered in ("false", "nej", "0", "falsk"):
        return False
    raise ValueError("skriv true eller false")


def _parse_value(name: str, text: str) -> Any:
    default = getattr(Method(), name)
    if isinstance(default, StrEnum):
        enum_type = type(default)
        try:
            return enum_type(text.strip())
        except ValueError:
            raise ValueError("mulige værdier: " + ", ".join(m.value for m in enum_type)) from None
    if isinstance(default, bool):
        return _parse_bool(text)
    if name in ("region_income_decimals", "national_average_decimals"):
        return None if text.strip().casefold() in ("none", "exact", "eksakt") else int(text)
    if isinstance(default, int):
        return int(text)
    if name == "income_lags":
        # "2010:2,2018:1" or a single lag for every list year: "1"
        if ":" not in text:
            return ((0, int(text)),)
        pairs = [part.split(":") for part in text.split(",") if part.strip()]
        return tuple(sorted((int(first), int(lag)) for first, lag in pairs))
    if name == "grundskole_codes":
        low, high = text.split("-")
        return (int(low), int(high))
    if name == "uoplyst_codes":
        return tuple(int(part) for part in text.split(",") if part.strip())
    raise ValueError("ukendt type")  # pragma: no cover - every field is handled above


def parse_method_overrides(values: Sequence[str], base: Method | None = None) -> Method:
    """`["averaging=mean", "income_lags=1"]` -> a Method; errors name the parameter (Danish)."""
    changes: dict[str, Any] = {}
    names = _field_names()
    for raw in values:
        name, sep, text = raw.partition("=")
        name = name.strip()
        if not sep or name not in names:
            raise RegisterError(
                f"--method {raw!r}: skriv NAVN=VÆRDI, hvor NAVN er en af: {', '.join(names)} (se docs/register.md)"
            )
        try:
            changes[name] = _parse_value(name, text)
        except ValueError as error:
            raise RegisterError(f"--method {raw!r}: ugyldig værdi ({error})") from None
    method = dataclasses.replace(base or Method(), **changes)
    _check(method)
    return method


def _check(method: Method) -> None:
    for name in ("last_data_year_lag", "residents_lag", "education_lag"):
        if not 0 <= getattr(method, name) <= 10:
            raise RegisterError(f"metodeparameteren {name} skal være mellem 0 og 10")
    if any(not 0 <= lag <= 10 for _, lag in method.income_lags):
        raise RegisterError("metodeparameteren income_lags: forsinkelsen skal være mellem 0 og 10 år")
    low, high = method.grundskole_codes
    if low > high:
        raise RegisterError("metodeparameteren grundskole_codes: skriv FRA-TIL, fx 1002-1008")

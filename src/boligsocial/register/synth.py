"""A deterministic synthetic country of person-level register data (the input schema).

Five regions, the 98 municipalities, housing organisations with about 9,000 afdelinger at full
size (6 million persons), of which about 200 boligomraader of at least 1,000 residents; most
people live outside social housing. Persons keep their id across data years; each year some die
and are replaced by newborns, some emigrate and are replaced by newcomers, and some move (swap
addresses with a person in the same kind of housing, so that the areas keep their profile).

Some areas are planted so that the list year after the last data year (`last_year + 1`) has
areas on each list, and some sit exactly at a threshold, in every data year (so that any
average of them is exact too):

- `G60`: exactly 60.0 % of the 30-59-year-olds have only grundskole (not met: "overstiger");
  `G60+`: one person more (met).
- `O40`: exactly 40.0 % of the 18-64-year-olds outside work and education; `O40+`: one
  full-time person more.
- `NW50`: exactly 50.0 % non-western residents; `NW50+`: one person more.
- `R1000`: exactly 1,000 residents in the last data year (assessed); `R999`: 999 (not assessed).

The plants hold under the default method (see `method.py`); other method choices move them.
Everything is vectorised numpy with one seeded generator, written one Parquet (or CSV) file per
data year, so 6 million persons x 2 years needs well under 2 GB of memory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from boligsocial.register.schema import KOMMUNER, REGIONER, RegisterError

__all__ = ["ROLES", "SynthResult", "SynthSpec", "synth"]

FULL_SIZE = 6_000_000
FULL_AREAS = 200
FULL_AFDELINGER = 9_000
SOCIAL_SHARE = 0.17  # share of the population in almene boliger (about 1 million of 6)
MANIFEST = "synth.json"

#: Approximate populations (thousands) used as weights for the municipalities.
_KOMMUNE_WEIGHT: dict[int, float] = {
    101: 650, 147: 104, 151: 49, 153: 35, 155: 14, 157: 75, 159: 70, 161: 23, 163: 29, 165: 28, 167: 54,
    169: 52, 173: 57, 175: 40, 183: 24, 185: 43, 187: 17, 190: 41, 201: 26, 210: 41, 217: 63, 219: 52,
    223: 25, 230: 57, 240: 44, 250: 46, 260: 31, 270: 41, 400: 39, 253: 50, 259: 61, 265: 90, 269: 23,
    306: 33, 316: 72, 320: 37, 326: 49, 329: 35, 330: 79, 336: 23, 340: 30, 350: 28, 360: 40, 370: 83,
    376: 60, 390: 46, 410: 39, 420: 41, 430: 51, 440: 24, 450: 32, 461: 207, 479: 59, 480: 29, 482: 12,
    492: 6, 510: 56, 530: 27, 540: 74, 550: 37, 561: 115, 563: 3, 573: 50, 575: 43, 580: 59, 607: 52,
    621: 94, 630: 120, 615: 93, 657: 89, 661: 59, 665: 20, 671: 21, 706: 43, 707: 37, 710: 49, 727: 23,
    730: 98, 740: 96, 741: 4, 746: 63, 751: 365, 756: 41, 760: 56, 766: 47, 779: 46, 791: 98, 773: 20,
    787: 43, 810: 36, 813: 59, 820: 36, 825: 2, 840: 30, 846: 42, 849: 38, 851: 222, 860: 64,
}  # fmt: skip

_REGION_INCOME = {1081: 0.93, 1082: 0.98, 1083: 0.96, 1084: 1.12, 1085: 0.98}
_REGION_FACTOR = np.array([_REGION_INCOME[code] for code in sorted(_REGION_INCOME)])

# Unit profiles: (non-western share, western-immigrant share, outside propensity,
# conviction multiple, grundskole propensity, wage multiple).
_Profile = tuple[float, float, float, float, float, float]
_PROFILES: dict[str, _Profile] = {
    "plain": (0.07, 0.05, 0.15, 0.85, 0.15, 1.05),
    "afd": (0.17, 0.05, 0.26, 1.3, 0.25, 0.82),
    "N": (0.22, 0.05, 0.27, 1.4, 0.28, 0.80),
    "P": (0.62, 0.03, 0.52, 4.0, 0.55, 0.33),
    "U": (0.26, 0.04, 0.48, 1.1, 0.30, 0.36),
    "F": (0.40, 0.04, 0.37, 1.2, 0.28, 0.44),
    "G60": (0.40, 0.04, 0.50, 1.0, 0.60, 0.90),
    "O40": (0.40, 0.04, 0.40, 1.0, 0.70, 0.90),
    "NW50": (0.50, 0.04, 0.50, 1.0, 0.70, 0.50),
}

#: Area roles, in the order they are given out; "N" (no list) for the rest.
ROLES: tuple[str, ...] = (
    "P", "U", "F", "G60", "G60+", "R1000", "O40", "O40+", "NW50", "NW50+", "R999", "P", "U", "F",
)  # fmt: skip
_EXTRA_LISTED = {"P": 8, "U": 8, "F": 40}  # more of each at full size

_HIGHER_CODES = np.array([2010, 3510, 4010, 5010, 6510, 7510], dtype=np.int32)
_HIGHER_WEIGHTS = np.array([0.20, 0.36, 0.08, 0.20, 0.14, 0.02])


@dataclass(frozen=True)
class SynthSpec:
    persons: int
    years: int
    seed: int = 1
    last_year: int = 2023
    format: Literal["parquet", "csv"] = "parquet"

    def data_years(self) -> list[int]:
        return list(range(self.last_year - self.years + 1, self.last_year + 1))


@dataclass
class SynthResult:
    spec: SynthSpec
    files: list[Path]
    areas: dict[str, str]  # area key -> role
    afdelinger: int
    rows: int
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Units:
    """All addresses: plain housing per kommune, afdelinger, and area parcels outside afdelinger."""

    kind: np.ndarray  # 0 plain, 1 afdeling, 2 area residual
    kommune: np.ndarray
    region: np.ndarray
    afdeling: list[str | None]
    omraade: list[str | None]
    organisation: list[str | None]
    role: list[str]  # profile key ("plain", "afd", or the area's role)
    capacity: np.ndarray
    area_of: np.ndarray  # index into areas, -1 if none
    areas: list[tuple[str, str, int]]  # (key, role, kommune)
    plain_of_kommune: dict[int, int]


def _apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers summing to `total`, proportional to `weights` (largest remainders)."""
    raw = weights / weights.sum() * total
    base: np.ndarray = np.floor(raw).astype(np.int64)
    rest = total - int(base.sum())
    if rest > 0:
        order = np.argsort(-(raw - base), kind="stable")
        base[order[:rest]] += 1
    return base


def _area_roles_and_sizes(n: int, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """Areas: about 200 at full size; at small sizes as many as fit in 40 % of the population."""
    scale = n / FULL_SIZE
    roles = list(ROLES)
    for role, extra in _EXTRA_LISTED.items():
        roles += [role] * round(extra * min(1.0, scale))
    wanted = max(len(ROLES), round(FULL_AREAS * scale))
    roles += ["N"] * max(0, wanted - len(roles))
    sizes = np.clip(np.round(rng.lognormal(np.log(1900), 0.55, len(roles))), 1150, 9000).astype(np.int64)
    if scale < 0.05:
        sizes = rng.integers(1120, 1500, len(roles))
    for i, role in enumerate(roles):
        if role in ("R1000", "R999"):
            sizes[i] = 1100
    budget = int(0.40 * n)
    keep = int(np.searchsorted(np.cumsum(sizes), budget, side="right"))
    return roles[:keep], sizes[:keep]


def _place_areas(
    n: int, weights: np.ndarray, kommune_pop: np.ndarray, sizes: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Each area's municipality (an index), and the municipalities' populations made room for.

    Areas go to large municipalities (weight pop^1.5). At small sizes a municipality may be too
    small for its areas; it then takes people from the others (the total stays n)."""
    pick_weights = weights**1.5
    area_kommune = rng.choice(len(weights), size=len(sizes), p=pick_weights / pick_weights.sum())
    needed = np.ceil(np.bincount(area_kommune, weights=sizes, minlength=len(weights)) / 0.6).astype(np.int64)
    short = np.maximum(needed - kommune_pop, 0)
    if short.any():
        spare = np.where(needed > 0, 0, kommune_pop).astype(np.float64)
        if spare.sum() < short.sum():
            raise RegisterError(f"for få personer ({n}) til de syntetiske boligområder; brug flere personer")
        kommune_pop = kommune_pop + short - _apportion(int(short.sum()), spare)
    return area_kommune, kommune_pop


_UnitRow = tuple[int, int, str | None, str | None, str | None, str, int, int]
"""(kind, kommune, afdeling, omraade, organisation, role, capacity, area index), as in `_Units`."""


class _UnitRows:
    """The addresses as they are made, with the numbering of organisations and afdelinger."""

    def __init__(self, codes: np.ndarray) -> None:
        self.codes = codes
        self.rows: list[_UnitRow] = []
        self._next_org: dict[int, int] = {}
        self._afd_counter: dict[str, int] = {}

    def add(
        self, kind: int, kommune: int, afd: str | None, area: str | None, org: str | None, role: str, cap: int, of: int
    ) -> None:
        self.rows.append((kind, kommune, afd, area, org, role, cap, of))

    def new_afdeling(self, k: int) -> tuple[str, str]:
        code = int(self.codes[k])
        # each kommune has a few housing organisations; new ones are opened as departments grow
        count = self._next_org.get(code, 0)
        org_no = code * 10 + (count // 40) % 10
        self._next_org[code] = count + 1
        org = f"{org_no:05d}"
        number = self._afd_counter.get(org, 0) + 1
        self._afd_counter[org] = number
        return f"{org}-{number:03d}", f"Boligorganisation {org}"

    def add_area(self, i: int, role: str, size: int, k: int, rng: np.random.Generator) -> tuple[str, str, int]:
        """An area's afdelinger and its residents outside them; returns (key, role, kommune)."""
        code = int(self.codes[k])
        key = f"Område {i + 1:03d} {KOMMUNER[code][0]}"
        residual = round(size * 0.03)
        n_afd = max(1, round(size / 450))
        parts = _apportion(int(size) - residual, rng.uniform(0.5, 1.5, n_afd))
        profile = role.rstrip("+").replace("R1000", "P").replace("R999", "P")
        for part in parts:
            afd, org = self.new_afdeling(k)
            self.add(1, code, afd, key, org, profile, int(part), i)
        if residual:
            self.add(2, code, None, key, None, profile, residual, i)
        return key, role, code


def _build_units(spec: SynthSpec, rng: np.random.Generator) -> _Units:
    n = spec.persons
    codes = np.array(sorted(KOMMUNER), dtype=np.int64)
    weights = np.array([_KOMMUNE_WEIGHT[int(c)] for c in codes], dtype=np.float64)
    roles, sizes = _area_roles_and_sizes(n, rng)
    area_kommune, kommune_pop = _place_areas(n, weights, _apportion(n, weights), sizes, rng)

    made = _UnitRows(codes)
    areas = [
        made.add_area(i, role, int(size), int(area_kommune[i]), rng)
        for i, (role, size) in enumerate(zip(roles, sizes, strict=True))
    ]

    # Afdelinger outside the areas: many and small (some below any discretion threshold).
    in_areas = int(sum(sizes))
    other_people = max(int(0.05 * n), int(SOCIAL_SHARE * n) - in_areas)
    n_other = max(10, round(FULL_AFDELINGER * (n / FULL_SIZE)) - len(made.rows))
    other_sizes = np.clip(rng.lognormal(np.log(55), 0.9, n_other), 2, 900)
    other_sizes = np.maximum(1, _apportion(other_people, other_sizes))
    room = (kommune_pop - np.bincount(area_kommune, weights=sizes, minlength=len(codes))).astype(np.float64)
    placed = rng.choice(len(codes), size=n_other, p=np.maximum(room, 0) / np.maximum(room, 0).sum())
    for k, size in zip(placed, other_sizes, strict=True):
        afd, org = made.new_afdeling(int(k))
        made.add(1, int(codes[k]), afd, None, org, "afd", int(size), -1)

    plain_of_kommune = _add_plain_units(made, kommune_pop)
    return _units_from_rows(made.rows, areas, plain_of_kommune)


def _add_plain_units(made: _UnitRows, kommune_pop: np.ndarray) -> dict[int, int]:
    """Everyone else lives outside social housing, in one plain unit per municipality; returns
    each municipality's plain unit (a row index)."""
    codes = made.codes
    used = np.zeros(len(codes), dtype=np.int64)
    index_of = {int(c): i for i, c in enumerate(codes)}
    for row in made.rows:
        used[index_of[row[1]]] += row[6]
    plain = kommune_pop - used
    if (plain < 0).any():
        # tiny municipalities can be overfilled by their afdelinger; move the excess to the largest
        excess = int(-plain[plain < 0].sum())
        plain[plain < 0] = 0
        plain[int(np.argmax(plain))] -= excess
    plain_of_kommune: dict[int, int] = {}
    for k, code in enumerate(codes):
        plain_of_kommune[int(code)] = len(made.rows)
        made.add(0, int(code), None, None, None, "plain", int(plain[k]), -1)
    return plain_of_kommune


def _units_from_rows(
    rows: list[_UnitRow], areas: list[tuple[str, str, int]], plain_of_kommune: dict[int, int]
) -> _Units:
    kommune = [row[1] for row in rows]
    return _Units(
        kind=np.array([row[0] for row in rows], dtype=np.int8),
        kommune=np.array(kommune, dtype=np.int16),
        region=np.array([KOMMUNER[c][1] for c in kommune], dtype=np.int16),
        afdeling=[row[2] for row in rows],
        omraade=[row[3] for row in rows],
        organisation=[row[4] for row in rows],
        role=[row[5] for row in rows],
        capacity=np.array([row[6] for row in rows], dtype=np.int64),
        area_of=np.array([row[7] for row in rows], dtype=np.int32),
        areas=areas,
        plain_of_kommune=plain_of_kommune,
    )


def _age_weights() -> np.ndarray:
    ages = np.arange(100)
    w = np.where(ages < 20, 1.15, 1.25)
    w = np.where(ages >= 60, np.maximum(0.2, 1.2 - (ages - 60) / 30), w)
    w = np.where(ages >= 90, 0.05, w)
    weights: np.ndarray = w / w.sum()
    return weights


class _People:
    """Persistent person attributes, one entry per person alive in the current year."""

    def __init__(self, units: _Units, rng: np.random.Generator) -> None:
        self.units = units
        self.rng = rng
        self.profile = np.array([_PROFILES[r] for r in units.role], dtype=np.float64)
        self.age_p = _age_weights()
        self.next_id = 1_000_001
        n = int(units.capacity.sum())
        self.unit = np.repeat(np.arange(len(units.capacity), dtype=np.int32), units.capacity)
        self.pid = np.empty(n, dtype=np.int64)
        self.age = np.empty(n, dtype=np.int16)
        self.origin = np.empty(n, dtype=np.int8)  # 0 dansk, 1 indvandrer, 2 efterkommer
        self.western = np.empty(n, dtype=np.int8)  # -1 null, 0 no, 1 yes
        self.edu = np.empty(n, dtype=np.int32)  # -1 null
        self.edu_foreign = np.empty(n, dtype=bool)
        self.outside_q = np.empty(n, dtype=np.float32)
        self.crime = np.empty(n, dtype=np.float32)
        self.wage = np.empty(n, dtype=np.float32)
        self.taxed = np.empty(n, dtype=bool)
        self.student_q = np.empty(n, dtype=np.float32)
        self.draw(np.arange(n), self.rng.choice(100, size=n, p=self.age_p).astype(np.int16))

    def draw(self, idx: np.ndarray, ages: np.ndarray) -> None:
        """New persons at `idx` (in their current units) with the given ages."""
        rng = self.rng
        m = len(idx)
        prof = self.profile[self.unit[idx]]
        self.pid[idx] = np.arange(self.next_id, self.next_id + m, dtype=np.int64)
        self.next_id += m
        self.age[idx] = ages
        u = rng.random(m)
        nonwest = u < prof[:, 0]
        west = ~nonwest & (u < prof[:, 0] + prof[:, 1])
        foreign = nonwest | west
        descendant = foreign & (rng.random(m) < 0.3) & (ages < 40)
        self.origin[idx] = np.where(foreign, np.where(descendant, 2, 1), 0)
        self.western[idx] = np.where(nonwest, 0, np.where(west, 1, -1))
        # education: grundskole / unknown / higher; immigrants more often unknown or foreign-sourced
        grund_p = np.where(nonwest, np.minimum(0.95, prof[:, 4] + 0.12), prof[:, 4])
        unknown_p = np.where(self.origin[idx] == 1, 0.10, 0.01)
        v = rng.random(m)
        grund = v < grund_p
        unknown = ~grund & (v < grund_p + unknown_p)
        codes = np.where(grund, rng.integers(1002, 1009, m), rng.choice(_HIGHER_CODES, m, p=_HIGHER_WEIGHTS))
        null_or_code = rng.choice(np.array([-1, 0, 1001], dtype=np.int32), m)
        self.edu[idx] = np.where(unknown, null_or_code, codes).astype(np.int32)
        self.edu_foreign[idx] = (self.origin[idx] == 1) & ~unknown & (rng.random(m) < 0.45)
        # persistent propensities: outside is polarised (Beta with small parameters) so it persists
        # about 70 % of the propensity shows as time outside (part years, students), hence / 0.7
        mean = np.minimum(prof[:, 2] / 0.7, 0.95)
        self.outside_q[idx] = rng.beta(np.maximum(mean * 0.6, 0.01), np.maximum((1 - mean) * 0.6, 0.01))
        self.crime[idx] = 0.006 * prof[:, 3] * rng.gamma(2.0, 0.5, m)
        region_factor = _REGION_FACTOR[self.units.region[self.unit[idx]] - 1081]
        self.wage[idx] = 390_000 * prof[:, 5] * region_factor * rng.lognormal(-0.08, 0.4, m)
        self.taxed[idx] = rng.random(m) < 0.993
        self.student_q[idx] = rng.random(m)

    def advance(self) -> None:
        """One year on: ageing, deaths replaced by births, emigrants by newcomers, moves."""
        rng = self.rng
        self.age += 1
        n = len(self.age)
        death_p = np.where(self.age >= 70, (self.age - 65) * 0.005, 0.0002)
        dead = np.flatnonzero((rng.random(n) < death_p) | (self.age > 104))
        self.draw(dead, np.zeros(len(dead), dtype=np.int16))
        moved_abroad = np.flatnonzero(rng.random(n) < 0.008)
        self.draw(moved_abroad, rng.integers(18, 46, len(moved_abroad)).astype(np.int16))
        # moves: swap addresses among 6 % of persons within the same kind of housing
        movers = np.flatnonzero(rng.random(n) < 0.06)
        classes = np.array([hash_role(r) for r in self.units.role], dtype=np.int64)[self.unit[movers]]
        for c in np.unique(classes):
            group = movers[classes == c]
            self.unit[group] = self.unit[rng.permutation(group)]


def hash_role(role: str) -> int:
    return {"plain": 0, "afd": 1}.get(role, 2 + sorted(_PROFILES).index(role.rstrip("+")))


@dataclass
class _Year:
    """One data year's values, before they are written."""

    unit: np.ndarray
    age: np.ndarray
    origin: np.ndarray
    western: np.ndarray
    edu: np.ndarray
    edu_foreign: np.ndarray
    promille: np.ndarray
    convicted: np.ndarray
    income: np.ndarray
    taxed: np.ndarray
    student: np.ndarray


def _year_values(people: _People, rng: np.random.Generator) -> _Year:
    n = len(people.age)
    age = people.age
    adult = (age >= 18) & (age <= 64)
    student_p = np.select([age < 15, age < 18, age < 30, age < 65], [0.0, 0.9, 0.42, 0.03], 0.0)
    student = people.student_q < student_p
    outside = adult & ~student & (rng.random(n) < people.outside_q)
    full = rng.random(n) < 0.6
    promille = np.where(outside, np.where(full, 1000, rng.integers(1, 1000, n)), 0)
    promille = np.where(age >= 65, 1000, promille).astype(np.int16)
    age_crime = np.select([age < 15, age < 30, age < 50, age < 65], [0.0, 2.0, 1.0, 0.5], 0.15)
    convicted = rng.random(n) < people.crime * age_crime
    taxed = people.taxed & (age >= 15)
    share_out = promille.astype(np.float64) / 1000
    income = np.select(
        [age < 18, student, age >= 65],
        [rng.uniform(0, 40_000, n), rng.uniform(40_000, 140_000, n), rng.uniform(160_000, 320_000, n)],
        (1 - share_out) * people.wage * (0.6 + 0.02 * np.minimum(age - 18, 20)) + share_out * 130_000,
    )
    return _Year(
        unit=people.unit.copy(),
        age=age.copy(),
        origin=people.origin.copy(),
        western=people.western.copy(),
        edu=people.edu.copy(),
        edu_foreign=people.edu_foreign.copy(),
        promille=promille,
        convicted=convicted,
        income=np.round(income).astype(np.int64),
        taxed=taxed,
        student=student,
    )


def _plant(units: _Units, year: _Year, last: bool, rng: np.random.Generator) -> None:
    """Make the planted areas sit exactly at (or one person over) their threshold this year."""
    area_idx = units.area_of[year.unit]
    plain_of = units.plain_of_kommune
    for a, (_, role, kommune) in enumerate(units.areas):
        base, plus = role.rstrip("+"), role.endswith("+")
        if base not in ("G60", "O40", "NW50", "R1000", "R999"):
            continue
        rows = rng.permutation(np.flatnonzero(area_idx == a))

        def relocate(chosen: np.ndarray, kommune: int = kommune) -> None:
            year.unit[chosen] = plain_of[kommune]

        if base == "G60":
            band = rows[(year.age[rows] >= 30) & (year.age[rows] <= 59)]
            surplus = len(band) % 5
            relocate(band[:surplus])
            band = band[surplus:]
            k = len(band) * 3 // 5 + (1 if plus else 0)
            year.edu[band[:k]] = 1005
            year.edu[band[k:]] = 3510
            year.edu_foreign[band] = False
        elif base == "O40":
            band = rows[(year.age[rows] >= 18) & (year.age[rows] <= 64)]
            target = 400 * len(band) + (1000 if plus else 0)
            full, rest = divmod(target, 1000)
            year.promille[band] = 0
            year.promille[band[:full]] = 1000
            if rest:
                year.promille[band[full]] = rest
        elif base == "NW50":
            if len(rows) % 2:
                relocate(rows[:1])
                rows = rows[1:]
            k = len(rows) // 2 + (1 if plus else 0)
            year.origin[rows[:k]], year.western[rows[:k]] = 1, 0
            year.origin[rows[k:]], year.western[rows[k:]] = 0, -1
        elif last:
            relocate(rows[: max(0, len(rows) - (1000 if base == "R1000" else 999))])


def _table(units: _Units, year: _Year, aar: int, pid: np.ndarray) -> pa.Table:
    def strings(values: list[str | None]) -> pa.Array:
        names = sorted({v for v in values if v is not None})
        position = {name: i for i, name in enumerate(names)}
        codes = np.array([position.get(v, -1) if v is not None else -1 for v in values], dtype=np.int32)
        per_row = codes[year.unit]
        indices = pa.array(per_row, mask=per_row < 0)
        return pa.DictionaryArray.from_arrays(indices, pa.array(names, pa.string())).cast(pa.string())

    herkomst = np.array(["dansk", "indvandrer", "efterkommer"])[year.origin]
    edu_null = year.edu < 0
    return pa.table(
        {
            "person_id": pa.array(pid, pa.int64()),
            "aar": pa.array(np.full(len(pid), aar, dtype=np.int16)),
            "region": pa.array(units.region[year.unit]),
            "kommune": pa.array(units.kommune[year.unit]),
            "afdeling": strings(units.afdeling),
            "omraade": strings(units.omraade),
            "boligorganisation": strings(units.organisation),
            "alder": pa.array(year.age),
            "herkomst": pa.array(herkomst, pa.string()),
            "vestlig": pa.array(year.western == 1, mask=year.western < 0),
            "uden_for_promille": pa.array(year.promille),
            "doemt": pa.array(year.convicted),
            "hfaudd": pa.array(np.maximum(year.edu, 0), mask=edu_null),
            "hfaudd_kilde_udenlandsk": pa.array(year.edu_foreign),
            "bruttoindkomst": pa.array(year.income, mask=~year.taxed),
            "skattepligtig": pa.array(year.taxed),
            "under_uddannelse": pa.array(year.student),
        }
    )


def synth(
    spec: SynthSpec,
    out_dir: Path,
    progress: Callable[[int, int], None] | None = None,
) -> SynthResult:
    """Generate the synthetic country into `out_dir` (one file per data year and `synth.json`).

    Files are written under temporary names and renamed when complete.
    """
    if spec.persons < 1_000:
        raise RegisterError("--persons skal være mindst 1.000")
    if not 1 <= spec.years <= 100:
        raise RegisterError("--years skal være mellem 1 og 100")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(spec.seed)
    units = _build_units(spec, rng)
    people = _People(units, rng)
    files: list[Path] = []
    rows = 0
    years = spec.data_years()
    temporaries: list[Path] = []
    try:
        for i, aar in enumerate(years):
            if i:
                people.advance()
            year = _year_values(people, rng)
            _plant(units, year, aar == spec.last_year, rng)
            table = _table(units, year, aar, people.pid)
            suffix = ".parquet" if spec.format == "parquet" else ".csv"
            target = out_dir / f"personer_{aar}{suffix}"
            temporary = out_dir / f".{target.name}.tmp"
            temporaries.append(temporary)
            if spec.format == "parquet":
                pq.write_table(table, temporary, row_group_size=1_000_000)
            else:
                pacsv.write_csv(table, temporary)
            os.replace(temporary, target)
            files.append(target)
            rows += table.num_rows
            if progress is not None:
                progress(i + 1, len(years))
    finally:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
    result = SynthResult(
        spec=spec,
        files=files,
        areas={key: role for key, role, _ in units.areas},
        afdelinger=sum(1 for a in units.afdeling if a is not None),
        rows=rows,
    )
    manifest = {
        "spec": asdict(spec),
        "files": [f.name for f in files],
        "rows": rows,
        "afdelinger": result.afdelinger,
        "regions": sorted(REGIONER),
        "areas": result.areas,
    }
    temporary = out_dir / f".{MANIFEST}.tmp"
    temporary.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, out_dir / MANIFEST)
    return result

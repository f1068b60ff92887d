"""The atlas: every afdeling and boligomraade of the country in every list year of a range, with
the five criteria and the status on each list of that year.

Three ways in, one result (`Atlas`, a list of `AtlasEntry`, one per unit and list year):

* `atlas_from_persons`: person-level register data, every list year in ONE pass of the engine
  (`lists.run`), each year classified with the law and the national conviction average the same
  data give (`lists._with_computed_averages`);
* `atlas_from_key_figures`: a folder of yearly key-figure files (as `register compute --out` or a
  ministry's publication writes them);
* `atlas_from_official` (`atlas_official.py`): a CSV of the published list memberships by year,
  which carries statuses only, no criteria.

Each unit-year is classified with every list year of the range in the collection, so the look-back
of omdannelsesomraade / haardt ghettoomraade sees the earlier years (years before the range are
unknown, which leaves those lists undetermined where they could be true).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Final

from boligsocial.law.classify import Options, classify
from boligsocial.law.errors import LawError
from boligsocial.law.figures import Measure, Measurement, UnitFigures, UnitKind
from boligsocial.law.parameters import Law, load_law
from boligsocial.law.verdicts import Status, UnitResult
from boligsocial.law.vocabulary import REPORTED_LISTS
from boligsocial.plan.keyfigures import ACCEPTED_SUFFIXES, KeyFigureError, read_key_figures
from boligsocial.register.compute import EngineOptions
from boligsocial.register.discretion import DEFAULT_MIN_CELL
from boligsocial.register.lists import RegisterRun, _with_computed_averages, run
from boligsocial.register.method import Method
from boligsocial.register.schema import KOMMUNER, REGIONER, RegisterError

__all__ = [
    "PRINCIPAL_ORDER",
    "Atlas",
    "AtlasCriterion",
    "AtlasEntry",
    "AtlasThreshold",
    "atlas_from_key_figures",
    "atlas_from_persons",
    "atlas_from_run",
    "atlas_from_units",
    "kommune_region",
    "principal_list",
]

SOURCE_PERSONS: Final = "persondata"
SOURCE_KEY_FIGURES: Final = "noegletal"
SOURCE_OFFICIAL: Final = "officiel"

PRINCIPAL_ORDER: Final[tuple[str, ...]] = (
    "omdannelsesomraade",
    "parallelsamfund",
    "udsat_boligomraade",
    "forebyggelsesomraade",
)
"""The lists from the hardest to the mildest: the one a unit-year is shown by (`principal_list`).
An omdannelsesomraade is a parallelsamfund for years in a row, a parallelsamfund is an udsat
boligomraade with more, and forebyggelse is the lower tier."""

_REGION_OF_KOMMUNE: Final[dict[str, str]] = {name: REGIONER[region] for name, region in KOMMUNER.values()}


@dataclass(frozen=True)
class AtlasThreshold:
    """One criterion of one list on a measure: the threshold the value is held against."""

    list_name: str  # reported name
    key: str  # the criterion's key in the rule set
    operator: str  # ">", ">=", "<", "<="
    threshold: Fraction | None  # None: a multiple of a national average not known for the year
    verdict: str  # law.verdicts.Verdict value


@dataclass(frozen=True)
class AtlasCriterion:
    """One of the five measures of a unit in a list year: the value (a range where approximate)."""

    measure: Measure
    value: Fraction | None
    lower: Fraction | None = None
    upper: Fraction | None = None
    approximate: bool = False
    thresholds: tuple[AtlasThreshold, ...] = ()


@dataclass(frozen=True)
class AtlasEntry:
    """One unit in one list year."""

    kind: UnitKind
    name: str
    list_year: int
    lists: dict[str, Status]  # reported name -> status; lists that did not exist that year are absent
    boligorganisation: str | None = None
    omraade: str | None = None
    kommune: str | None = None
    region: str | None = None
    residents: int | None = None
    eligible: Status = None
    criteria: tuple[AtlasCriterion, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.name, self.boligorganisation or "")

    @property
    def principal(self) -> str:
        return principal_list(self.lists)

    def criterion(self, measure: Measure) -> AtlasCriterion | None:
        return next((c for c in self.criteria if c.measure is measure), None)

    def figures(self) -> UnitFigures:
        """The entry's figures as the law reads them (values, ranges and residents), so that the
        forecast can take an atlas history as it takes a plan's key figures."""
        measures = {
            c.measure: Measurement(value=c.value, approximate=c.approximate, lower=c.lower, upper=c.upper)
            for c in self.criteria
        }
        return UnitFigures(
            name=self.name,
            kind=self.kind,
            list_year=self.list_year,
            residents=self.residents,
            measures={m: measures.get(m, Measurement.unknown()) for m in Measure},
            boligorganisation=self.boligorganisation,
            omraade=self.omraade,
            kommune=self.kommune,
        )


@dataclass
class Atlas:
    """Every unit of a source in every list year it holds."""

    source: str  # SOURCE_PERSONS | SOURCE_KEY_FIGURES | SOURCE_OFFICIAL
    description: str  # where it came from, in Danish
    years: tuple[int, ...]
    entries: list[AtlasEntry]
    notes: list[str] = field(default_factory=list)

    def of_kind(self, kind: UnitKind) -> list[AtlasEntry]:
        return [e for e in self.entries if e.kind == kind]


def principal_list(lists: Mapping[str, Status]) -> str:
    """The list a unit-year is shown by: the hardest list it is on; "ubestemt" when it is on none
    for certain but may be on one; "ingen" when it is on none."""
    for name in PRINCIPAL_ORDER:
        if lists.get(name) is True:
            return name
    return "ubestemt" if any(status is None for status in lists.values()) else "ingen"


def kommune_region(kommune: str | None) -> str | None:
    """The region of a kommune named as Danmarks Statistik names it (the first of several)."""
    if not kommune:
        return None
    return _REGION_OF_KOMMUNE.get(kommune.split(",")[0].strip())


# --------------------------------------------------------------------------------------------------
# From classified units


def _criteria(unit: UnitResult) -> tuple[AtlasCriterion, ...]:
    """The unit's measures, each with every list's threshold on it, in the order of `Measure`."""
    found: dict[Measure, AtlasCriterion] = {}
    thresholds: dict[Measure, list[AtlasThreshold]] = {}
    for name, result in unit.lists.items():
        for c in result.criteria:
            if c.measure not in found:
                lower, upper = (c.lower, c.upper) if c.ranged else (c.value, c.value)
                found[c.measure] = AtlasCriterion(c.measure, c.value, lower, upper, c.approximate)
            thresholds.setdefault(c.measure, []).append(
                AtlasThreshold(name, c.key, c.operator.symbol, c.threshold, c.verdict.value)
            )
    return tuple(
        AtlasCriterion(m, found[m].value, found[m].lower, found[m].upper, found[m].approximate, tuple(thresholds[m]))
        for m in Measure
        if m in found
    )


def entry_of(unit: UnitResult, kommune: str | None, region: str | None) -> AtlasEntry:
    return AtlasEntry(
        kind=unit.kind,
        name=unit.name,
        list_year=unit.list_year,
        lists={name: unit.lists[name].status for name in REPORTED_LISTS if name in unit.lists},
        boligorganisation=unit.boligorganisation,
        omraade=unit.omraade,
        kommune=kommune,
        region=region,
        residents=unit.residents,
        eligible=unit.eligible,
        criteria=_criteria(unit),
    )


def atlas_from_units(
    units: Sequence[UnitFigures],
    years: Sequence[int],
    law: Law,
    *,
    source: str,
    description: str,
    options: Options | None = None,
    regions: Mapping[tuple[str, str, int], str] | None = None,
) -> Atlas:
    """Classify `units` (of every year) in each of `years`: the law's lists with their look-back
    over the years the collection holds. `regions` names a unit's region by (kind, name, year);
    otherwise it follows from the kommune."""
    options = options or Options()
    kommune = {(u.kind, u.name, u.boligorganisation or "", u.list_year): u.kommune for u in units}
    area_kommuner = _area_kommuner(units)
    entries: list[AtlasEntry] = []
    notes: list[str] = []
    for year in sorted(set(years)):
        try:
            listed = classify(units, year, options, law=law)
        except LawError as error:
            raise RegisterError(str(error)) from None
        if listed.needs_conviction_average:
            notes.append(
                f"Listeår {year}: landsgennemsnittet for dømte kendes ikke, så "
                f"{len(listed.needs_conviction_average)} enheder har en ubestemt status."
            )
        for unit in listed.units:
            where = kommune.get((unit.kind, unit.name, unit.boligorganisation or "", year))
            if where is None and unit.kind == "omraade":
                where = ", ".join(sorted(area_kommuner.get((unit.name, year), ()))) or None
            region = (regions or {}).get((unit.kind, unit.name, year)) or kommune_region(where)
            entries.append(entry_of(unit, where, region))
    return Atlas(source=source, description=description, years=tuple(sorted(set(years))), entries=entries, notes=notes)


def _area_kommuner(units: Sequence[UnitFigures]) -> dict[tuple[str, int | None], set[str]]:
    """An area built from its departments lies in their kommuner (by area and list year)."""
    found: dict[tuple[str, int | None], set[str]] = {}
    for u in units:
        if u.kind == "afdeling" and u.omraade and u.kommune:
            found.setdefault((u.omraade, u.list_year), set()).add(u.kommune)
    return found


# --------------------------------------------------------------------------------------------------
# From person data


def atlas_from_run(result: RegisterRun, law: Law | None = None) -> Atlas:
    """The atlas of every list year a register run computed, with its own conviction averages."""
    law = _with_computed_averages(law or load_law(), result)
    regions: dict[tuple[str, str, int], str] = {
        (u.kind, u.name, u.list_year): REGIONER.get(u.region, str(u.region)) for y in result.years for u in y.units()
    }
    years = [y.list_year for y in result.years]
    shown = ", ".join(f.name for f in result.files[:3]) + (" …" if len(result.files) > 3 else "")
    return atlas_from_units(
        result.units(),
        years,
        law,
        source=SOURCE_PERSONS,
        description=f"Beregnet fra persondata ({shown}), listeår {years[0]}-{years[-1]}",
        regions=regions,
    )


def atlas_from_persons(
    paths: Sequence[Path],
    first: int,
    last: int,
    method: Method | None = None,
    min_cell: int = DEFAULT_MIN_CELL,
    engine: EngineOptions | None = None,
    law: Law | None = None,
) -> Atlas:
    """Every list year from `first` to `last` from person data, in one pass over the data."""
    if first > last:
        raise RegisterError(f"--from ({first}) ligger efter --to ({last})")
    law = law or load_law()
    result = run(paths, range(first, last + 1), method, min_cell, engine, law)
    return atlas_from_run(result, law)


# --------------------------------------------------------------------------------------------------
# From key-figure files

_YEAR_IN_NAME: Final = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def key_figure_files(folder: Path) -> list[Path]:
    """The key-figure files of a folder (or the one file given), sorted by name."""
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        raise RegisterError(f"{folder}: findes ikke")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.casefold() in ACCEPTED_SUFFIXES)
    if not files:
        raise RegisterError(f"{folder}: mappen har ingen nøgletalsfiler ({', '.join(ACCEPTED_SUFFIXES)})")
    return files


def _read_yearly(path: Path) -> list[UnitFigures]:
    """A file's units, each with its list year: the `listeaar` column, else the year in the name."""
    try:
        units = read_key_figures(path)
    except KeyFigureError as error:
        raise RegisterError(str(error)) from None
    if all(u.list_year is not None for u in units):
        return units
    match = _YEAR_IN_NAME.search(path.stem)
    if match is None:
        raise RegisterError(
            f"{path.name}: rækker uden listeår; giv filen kolonnen listeaar, eller skriv listeåret i filnavnet "
            "(fx noegletal-2023.csv)"
        )
    year = int(match.group(1))
    return [u if u.list_year is not None else _with_year(u, year) for u in units]


def _with_year(unit: UnitFigures, year: int) -> UnitFigures:
    return replace(unit, list_year=year)


def atlas_from_key_figures(
    folder: Path,
    first: int | None = None,
    last: int | None = None,
    conviction_averages: Mapping[int, Fraction] | None = None,
    law: Law | None = None,
) -> Atlas:
    """Every list year the key-figure files hold (limited to `first`..`last` when given)."""
    units = [u for path in key_figure_files(folder) for u in _read_yearly(path)]
    held = sorted({u.list_year for u in units if u.list_year is not None})
    years = [y for y in held if (first is None or y >= first) and (last is None or y <= last)]
    if not years:
        shown = ", ".join(str(y) for y in held) or "ingen"
        raise RegisterError(f"{folder}: ingen listeår i det valgte interval (filerne har listeår: {shown})")
    _refuse_duplicates(units)
    return atlas_from_units(
        units,
        years,
        law or load_law(),
        source=SOURCE_KEY_FIGURES,
        description=f"Nøgletal fra {folder.name}, listeår {years[0]}-{years[-1]}",
        options=Options(conviction_averages=dict(conviction_averages or {})),
    )


def _refuse_duplicates(units: Sequence[UnitFigures]) -> None:
    seen: dict[tuple[str, str, str, int | None], str] = {}
    for u in units:
        key = (u.kind, u.name, u.boligorganisation or "", u.list_year)
        where = u.source.file if u.source else "?"
        if key in seen:
            raise RegisterError(
                f"{u.name} ({u.kind}) har tal for listeår {u.list_year} i både {seen[key]} og {where}; "
                "hvert listeår må kun stå én gang"
            )
        seen[key] = where

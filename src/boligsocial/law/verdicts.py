"""The evaluation result: produced once in `law/`, rendered by the CLI, documents and web alike.

Per unit, per list, per criterion: value, numerator/denominator where known, threshold, operator,
verdict, margin, citation, approximate flag; per list a three-valued status with its reasons and
the smallest single-measure change that would flip it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

from boligsocial.law.closeness import within_width
from boligsocial.law.figures import Measure, UnitKind
from boligsocial.law.parameters import Citation, Operator


class Verdict(StrEnum):
    MET = "opfyldt"
    NOT_MET = "ikke_opfyldt"
    UNKNOWN = "ukendt"


Status = bool | None  # True = on the list, False = not, None = undetermined


@dataclass(frozen=True)
class CriterionResult:
    key: str
    measure: Measure
    label: str
    wording: str
    population: str
    value: Fraction | None
    numerator: Fraction | None
    denominator: Fraction | None
    approximate: bool
    operator: Operator
    threshold: Fraction | None  # None: a multiple of a national average not known for the year
    threshold_note: str | None
    verdict: Verdict
    margin_pp: Fraction | None
    citation: Citation
    # For a value known only within a range (an area built from rounded or suppressed member
    # figures): the range, None meaning open on that side. `ranged` is False for an exact value.
    lower: Fraction | None = None
    upper: Fraction | None = None
    ranged: bool = False


def is_near(c: CriterionResult) -> bool:
    """Whether a criterion's value is near its threshold, on either side: within the measure's
    width in its own unit (`law.closeness.NEAR_WIDTH`: 0,5 points for shares, 0,1 for dømte)."""
    return c.margin_pp is not None and c.threshold is not None and within_width(c.measure, c.margin_pp) <= 1


def relative_margin(c: CriterionResult) -> Fraction | None:
    """The distance from the value to the threshold in the measure's near widths (1 = the edge
    of near), so that criteria of different units compare; None when the value or threshold is
    unknown."""
    if c.margin_pp is None or c.threshold is None:
        return None
    return within_width(c.measure, c.margin_pp)


@dataclass(frozen=True)
class Flip:
    """The smallest change of one measure, all else equal, that changes a list status."""

    measure: Measure
    label: str
    current: Fraction
    threshold: Fraction
    target: Fraction  # a value just across the threshold
    direction: str  # "falder" / "stiger"
    inclusive: bool  # True when the threshold itself is on the far side ("til 30 eller derunder")
    change_pp: Fraction  # distance from the current value to the threshold
    joins: bool  # True when the change puts the unit on the list
    text: str  # Danish sentence


@dataclass(frozen=True)
class HistoryYear:
    year: int
    status: Status
    known: bool  # False when the file holds no figures for that year


@dataclass(frozen=True)
class ListResult:
    list_id: str  # the era's own name, e.g. "ghettoomraade"
    reported_as: str  # today's name, e.g. "parallelsamfund"
    label: str  # Danish label of the era, e.g. "Ghettoområde"
    status: Status
    statutory_status: Status  # before rules of practice (forebyggelse excludes udsatte)
    reasons: tuple[str, ...]
    criteria: tuple[CriterionResult, ...]
    citation: Citation
    flip: Flip | None = None
    history: tuple[HistoryYear, ...] = ()
    practice_notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitResult:
    name: str
    kind: UnitKind
    list_year: int
    residents: int | None
    eligible: Status  # meets the resident minimum (True when ignored)
    approximate: bool
    boligorganisation: str | None
    omraade: str | None
    members: tuple[str, ...]
    lists: dict[str, ListResult]  # keyed by reported name; lists that did not exist are absent
    # On at least one list, decided over the resolutions of the unknowns like each list's status
    # (not derivable from them: an unknown can decide between udsat and forebyggelse).
    on_any_list: Status
    as_area: dict[str, Status] | None = None  # below the resident minimum: the statuses as an area
    notes: tuple[str, ...] = ()
    residents_lower: int | None = None  # residents unknown: at least this many (known members of an area)


@dataclass(frozen=True)
class ListYearResult:
    list_year: int
    rule_set: str
    rule_set_file: str
    min_residents: int
    min_residents_ignored: bool
    conviction_thresholds: dict[int, tuple[Fraction, Citation]]
    units: tuple[UnitResult, ...]
    notes: tuple[str, ...] = field(default=())
    # False when the rule set needs the national conviction average and it is not known; then
    # `conviction_thresholds` is empty and `needs_conviction_average` names the units (as the
    # check table labels them) whose list statuses are undetermined because of it.
    conviction_average_known: bool = True
    needs_conviction_average: tuple[str, ...] = ()
    # Earlier list years whose unknown average leaves a status of this year open (through the
    # lists that look back at earlier years), with the units it leaves open.
    history_needs_conviction_average: Mapping[int, tuple[str, ...]] = field(default_factory=dict)

    def unit(self, name: str, kind: UnitKind | None = None) -> UnitResult:
        for unit in self.units:
            if unit.name == name and (kind is None or unit.kind == kind):
                return unit
        raise KeyError(name)


def unit_label(unit: UnitResult) -> str:
    """How a unit is named to a reader: `Navn (område)`, `Afdeling (Boligorganisation)`."""
    if unit.kind == "omraade":
        return f"{unit.name} (område)"
    return f"{unit.name} ({unit.boligorganisation})" if unit.boligorganisation else unit.name


def _number(value: Fraction | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def _bound(value: Fraction | None, up: bool, digits: int = 4) -> float | None:
    """A bound rounded outwards (down for a lower, up for an upper bound), so that the rounded
    range still holds every value the exact one does; None (open) stays None."""
    if value is None:
        return None
    scaled = value * 10**digits
    whole = math.ceil(scaled) if up else math.floor(scaled)
    return float(Fraction(whole, 10**digits))


def citation_dict(c: Citation) -> dict[str, Any]:
    return {
        "source": c.title,
        "paragraph": c.paragraph,
        "url": c.url,
        "certainty": c.certainty,
        **({"value_certainty": c.value_certainty} if c.value_certainty else {}),
        **({"note": c.note} if c.note else {}),
    }


def criterion_dict(c: CriterionResult) -> dict[str, Any]:
    return {
        "key": c.key,
        "measure": c.measure.value,
        "label": c.label,
        "wording": c.wording,
        "population": c.population,
        "value": _number(c.value),
        "numerator": _number(c.numerator),
        "denominator": _number(c.denominator),
        "approximate": c.approximate,
        **({"lower": _bound(c.lower, up=False), "upper": _bound(c.upper, up=True)} if c.approximate else {}),
        "operator": c.operator.symbol,
        "threshold": _number(c.threshold),
        **({"threshold_note": c.threshold_note} if c.threshold_note else {}),
        "verdict": c.verdict.value,
        "margin_pp": _number(c.margin_pp),
        "citation": citation_dict(c.citation),
    }


def flip_dict(f: Flip) -> dict[str, Any]:
    return {
        "measure": f.measure.value,
        "current": _number(f.current),
        "threshold": _number(f.threshold),
        "direction": f.direction,
        "change_pp": _number(f.change_pp),
        "joins": f.joins,
        "text": f.text,
    }


def list_dict(r: ListResult) -> dict[str, Any]:
    return {
        "status": r.status,
        "statutory_status": r.statutory_status,
        "label": r.label,
        "list_id": r.list_id,
        "reasons": list(r.reasons),
        "flip": flip_dict(r.flip) if r.flip else None,
        "history": [{"year": h.year, "status": h.status, "known": h.known} for h in r.history],
        "practice_notes": list(r.practice_notes),
        "citation": citation_dict(r.citation),
        "criteria": [c.key for c in r.criteria],
    }


def unit_dict(u: UnitResult) -> dict[str, Any]:
    criteria: dict[str, CriterionResult] = {}
    for result in u.lists.values():
        for c in result.criteria:
            criteria.setdefault(c.key, c)
    return {
        "name": u.name,
        "kind": u.kind,
        "boligorganisation": u.boligorganisation,
        "omraade": u.omraade,
        "members": list(u.members),
        "residents": u.residents,
        **({"residents_at_least": u.residents_lower} if u.residents is None and u.residents_lower else {}),
        "eligible": u.eligible,
        "approximate": u.approximate,
        "lists": {name: r.status for name, r in u.lists.items()},
        "on_any_list": u.on_any_list,
        "as_area": u.as_area,
        "list_details": {name: list_dict(r) for name, r in u.lists.items()},
        "criteria": [criterion_dict(c) for c in criteria.values()],
        "notes": list(u.notes),
    }


def result_dict(r: ListYearResult) -> dict[str, Any]:
    """The JSON shape of `boligsocial check --format json` (DESIGN.md), with details added."""
    return {
        "list_year": r.list_year,
        "rule_set": r.rule_set,
        "min_residents": r.min_residents,
        "min_residents_ignored": r.min_residents_ignored,
        "conviction_thresholds": {
            str(k): {"threshold": _number(v), "citation": citation_dict(c)}
            for k, (v, c) in sorted(r.conviction_thresholds.items())
        },
        **(
            {"conviction_average_known": False, "needs_conviction_average": list(r.needs_conviction_average)}
            if not r.conviction_average_known
            else {}
        ),
        **(
            {
                "history_needs_conviction_average": {
                    str(y): list(units) for y, units in r.history_needs_conviction_average.items()
                }
            }
            if r.history_needs_conviction_average
            else {}
        ),
        "notes": list(r.notes),
        "units": [unit_dict(u) for u in r.units],
    }

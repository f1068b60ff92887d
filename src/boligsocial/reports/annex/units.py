"""The units the annex shows, one row each: afdelinger in the plan's order, then afdelinger of the
key-figure file that the plan does not name, then areas; with their verdicts, key figures, status
as an area, and the list year's lists and criteria as columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from boligsocial.law.areas import build_areas
from boligsocial.law.figures import Measure, Measurement, UnitFigures
from boligsocial.law.parameters import Operator
from boligsocial.law.verdicts import CriterionResult, ListYearResult, Status, UnitResult
from boligsocial.law.vocabulary import STATUS_WORD_DA
from boligsocial.plan.assessment import PlanAssessment
from boligsocial.plan.model import Afdeling, Helhedsplan
from boligsocial.reports.wording import join_da


def _unit_key(unit: UnitResult) -> tuple[str, str, str]:
    organisation = "" if unit.kind == "omraade" else unit.boligorganisation or ""
    return (unit.kind, organisation, unit.name)


@dataclass(frozen=True)
class AnnexRow:
    """One unit of the annex: its verdicts, its key figures and (for afdelinger) the plan's entry."""

    result: UnitResult
    figures: UnitFigures | None
    afdeling: Afdeling | None
    as_area: dict[str, Status] = field(default_factory=dict)
    organisation: str | None = None  # an area's: its members' organisations, joined with "og"

    @property
    def is_area(self) -> bool:
        return self.result.kind == "omraade"

    def measurement(self, measure: Measure) -> Measurement:
        if self.figures is not None:
            return self.figures.measurement(measure)
        criterion = next(
            (c for r in self.result.lists.values() for c in r.criteria if c.measure is measure),
            None,
        )
        if criterion is None:
            return Measurement.unknown()
        return Measurement(value=criterion.value, approximate=criterion.approximate)


def _figures_by_key(ctx: PlanAssessment) -> dict[tuple[str, str, str], UnitFigures]:
    """The key figures of the list year, with areas built from their afdelinger as the law does
    (an area row given in the file wins)."""
    units = [u for u in ctx.units if u.applies_to(ctx.list_year)]
    by_key = {u.key: u for u in units}
    for area in build_areas(units):
        by_key.setdefault(area.key, area)
    return by_key


def annex_rows(ctx: PlanAssessment) -> list[AnnexRow]:
    """Afdelinger in the plan's order, then afdelinger of the key-figure file that the plan does not
    name, then areas."""
    figures = _figures_by_key(ctx)
    as_areas = {_unit_key(u): u for u in ctx.as_areas.units}

    def row(result: UnitResult, afdeling: Afdeling | None) -> AnnexRow:
        as_area_unit = as_areas.get(_unit_key(result))
        if as_area_unit is not None:
            statuses = {name: r.status for name, r in as_area_unit.lists.items()}
        else:
            statuses = dict(result.as_area or {name: r.status for name, r in result.lists.items()})
        organisation = result.boligorganisation
        if result.kind == "omraade":
            # "AAB og AKB, København", not "AAB, AKB, København": organisation names hold commas.
            members = [
                u.boligorganisation
                for u in figures.values()
                if u.kind == "afdeling" and u.omraade == result.name and u.boligorganisation
            ]
            organisation = join_da(sorted(set(members))) or organisation
        return AnnexRow(result, figures.get(_unit_key(result)), afdeling, statuses, organisation)

    rows: list[AnnexRow] = []
    seen: set[int] = set()
    for afdeling in ctx.plan.afdelinger:
        result = ctx.verdict(afdeling)
        if result is not None and id(result) not in seen:
            seen.add(id(result))
            rows.append(row(result, afdeling))
    rows.extend(row(u, None) for u in ctx.require_result().units if u.kind == "afdeling" and id(u) not in seen)
    rows.extend(row(u, None) for u in ctx.require_result().units if u.kind == "omraade")
    return rows


def list_labels(result: ListYearResult) -> dict[str, str]:
    """Reported list name -> the list year's Danish label, in the order the result gives them."""
    labels: dict[str, str] = {}
    for unit in result.units:
        for name, list_result in unit.lists.items():
            labels.setdefault(name, list_result.label)
    return labels


@dataclass(frozen=True)
class CriterionColumn:
    key: str
    measure: Measure
    operator: Operator
    threshold: Fraction | None  # None: a multiple of a national average not known for the year
    lists: tuple[str, ...]  # reported names of the lists that use the criterion


def criterion_columns(result: ListYearResult) -> list[CriterionColumn]:
    """The distinct criteria of the list year, in the order the lists use them."""
    found: dict[str, tuple[CriterionResult, list[str]]] = {}
    for unit in result.units:
        for name, list_result in unit.lists.items():
            for c in list_result.criteria:
                entry = found.setdefault(c.key, (c, []))
                if name not in entry[1]:
                    entry[1].append(name)
    return [CriterionColumn(key, c.measure, c.operator, c.threshold, tuple(lists)) for key, (c, lists) in found.items()]


def criterion_for(unit: UnitResult, key: str) -> CriterionResult | None:
    return next((c for r in unit.lists.values() for c in r.criteria if c.key == key), None)


AREA_SUFFIX = " (område)"
"""Marks an område's row by its name: a type column would repeat "Afdeling" in almost every row."""


def unit_name(row: AnnexRow) -> str:
    return row.result.name + (AREA_SUFFIX if row.is_area else "")


def status_text(status: Status) -> str | None:
    """ "ja", "ubestemt", or nothing for "nej": an empty cell, as the sheet's note says, so that the
    few units on a list stand out instead of a column of "nej"."""
    return None if status is False else STATUS_WORD_DA[status]


def residents_header(plan: Helhedsplan) -> str:
    if plan.beboere_dato is None:
        return "Beboere"
    return f"Beboere {plan.beboere_dato.day}/{plan.beboere_dato.month}-{plan.beboere_dato.year}"

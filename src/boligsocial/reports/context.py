"""A plan folder loaded once for the reports: the plan, its key figures and their verdicts.

Documents, the annex and the lint all need the same three things; loading them here keeps the
classification in one place and lets every report agree on the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from boligsocial.law.classify import Options, classify
from boligsocial.law.figures import UnitFigures
from boligsocial.law.verdicts import ListYearResult, UnitResult
from boligsocial.plan.folder import PlanError, load_plan, noegletal_path
from boligsocial.plan.inputs import InputError
from boligsocial.plan.keyfigures import KeyFigureError, read_key_figures
from boligsocial.plan.model import Afdeling, Helhedsplan


@dataclass(frozen=True)
class PlanContext:
    folder: Path
    plan: Helhedsplan
    units: list[UnitFigures]  # the key figures of the plan's list year (afdelinger)
    result: ListYearResult  # the law applied as it stands (areas need 1,000 residents)
    as_areas: ListYearResult  # every unit evaluated as if it were an area (--ignore-min-residents)

    @property
    def list_year(self) -> int:
        return self.result.list_year

    def verdict(self, afdeling: Afdeling) -> UnitResult | None:
        """The result for a department of the plan, matched by organisation and name."""
        for unit in self.result.units:
            same_organisation = unit.boligorganisation in (afdeling.boligorganisation, None)
            if unit.kind == "afdeling" and unit.name == afdeling.navn and same_organisation:
                return unit
        return None

    def area_verdict(self, name: str) -> UnitResult | None:
        for unit in self.result.units:
            if unit.kind == "omraade" and unit.name == name:
                return unit
        return None


def load_context(folder: Path, year: int | None = None) -> PlanContext:
    """Load a plan folder and classify its key figures for `year` (default: the plan's list year).

    Raises `InputError` (Danish message) when the plan or its key figures cannot be read, and
    `LawError` when the law cannot be applied (e.g. a missing national average)."""
    try:
        plan = load_plan(folder)
        path = noegletal_path(plan, folder)
        if path is None:
            raise InputError(f"{folder}: planen angiver ingen nøgletalsfil (feltet 'noegletal')")
        units = read_key_figures(path)
    except (KeyFigureError, PlanError) as error:
        raise InputError(str(error)) from error
    list_year = year or plan.liste_aar
    if list_year is None:
        raise InputError(f"{folder}: planen angiver intet listeår (feltet 'liste_aar')")
    return PlanContext(
        folder=folder,
        plan=plan,
        units=units,
        result=classify(units, list_year, Options()),
        as_areas=classify(units, list_year, Options(ignore_min_residents=True)),
    )

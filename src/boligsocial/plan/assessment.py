"""A plan evaluated against the law: the one place that classifies a plan.

The reports, the lint, the store and the web app all ask the same questions of a plan in a list
year: what are a department's figures, its verdict, its verdict as if it were an area, the
verdict of an area, which område a department belongs to, which indicators follow it, and what
changed since another evaluation. `assess` answers them from one classification.

The classification is done once per assessment. The evaluation "as if every unit were an area"
(`--ignore-min-residents`) is a second full classification; only a few pages need its details,
so it is made the first time one asks (`as_areas`). The statuses as an area of a department
below the resident minimum are already in its `UnitResult.as_area`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Generic, TypeVar

from boligsocial.law.classify import Options, classify
from boligsocial.law.errors import LawError
from boligsocial.law.figures import UnitFigures
from boligsocial.law.verdicts import ListYearResult, Status, UnitResult
from boligsocial.law.vocabulary import REPORTED_LISTS
from boligsocial.plan.inputs import InputError, load_folder_averages, load_plan_and_figures
from boligsocial.plan.model import Afdeling, AfdelingRef, Helhedsplan, Indikator, Omraade
from boligsocial.plan.model.values import name_key

T = TypeVar("T")


def same_name(a: str, b: str) -> bool:
    """Names match ignoring case and runs of whitespace ("Afd.  50" is "afd. 50")."""
    return name_key(a) == name_key(b)


def _is_afdeling(unit: UnitFigures | UnitResult, afdeling: Afdeling) -> bool:
    # A key-figure row without an organisation matches a department of any organisation.
    return (
        unit.kind == "afdeling"
        and same_name(unit.name, afdeling.navn)
        and (unit.boligorganisation is None or same_name(unit.boligorganisation, afdeling.boligorganisation))
    )


class MadeOnce(Generic[T]):
    """A value made the first time one asks for it, once even when several threads ask at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: T | None = None

    def get(self, make: Callable[[], T]) -> T:
        with self._lock:
            if self._value is None:
                self._value = make()
            return self._value


@dataclass(frozen=True)
class StatusChange:
    """A department or area of the plan whose status on a list differs between two assessments."""

    unit: UnitResult  # the unit's result in the later assessment
    afdeling: Afdeling | None  # the plan's department; None for an area
    list_name: str
    before: Status  # None: undetermined
    after: Status


@dataclass(frozen=True)
class PlanAssessment:
    """A plan, its key figures and the law's verdicts for one list year.

    `units` are all key-figure rows (every list year: earlier years feed the look-back of
    omdannelsesomraade). `result` is None when the plan cannot be classified; `problem` then says
    why in Danish, and `law_error` holds the law's error when that was the reason."""

    plan: Helhedsplan
    units: list[UnitFigures]
    list_year: int | None
    result: ListYearResult | None
    problem: str | None = None
    law_error: LawError | None = None
    folder: Path | None = None  # the plan folder it was read from, if any
    options: Options = field(default_factory=Options)  # e.g. national averages given by the user
    # `as_areas`, made once and shared with the assessments `reused_for` makes from this one
    areas_made: MadeOnce[ListYearResult] = field(default_factory=lambda: MadeOnce(), compare=False, repr=False)

    def require_result(self) -> ListYearResult:
        """The verdicts, or the reason they are missing raised (LawError or InputError)."""
        if self.result is not None:
            return self.result
        if self.law_error is not None:
            raise self.law_error
        raise InputError(self.problem or "planen kan ikke vurderes")

    def require_folder(self) -> Path:
        """The plan folder the plan was read from; the documents read its prose there."""
        if self.folder is None:
            raise InputError(f"{self.plan.navn}: planen er ikke læst fra en planmappe")
        return self.folder

    @property
    def as_areas(self) -> ListYearResult:
        """Every unit evaluated as if it were an area (the resident minimum set aside), made the
        first time one asks. Raises like `require_result` when the plan has no verdicts."""
        result = self.require_result()
        options = replace(self.options, ignore_min_residents=True)
        return self.areas_made.get(lambda: classify(self.units, result.list_year, options))

    def reused_for(self, plan: Helhedsplan, units: Sequence[UnitFigures], year: int | None) -> PlanAssessment | None:
        """`assess(plan, units, year)` without classifying again, when this assessment had equal
        key figures, the same list year and the default options (the classification depends on
        nothing else, so an edit of the plan's texts or indicators keeps it); `as_areas` is shared
        (made once for both). None when anything it depends on differs."""
        if (year or plan.liste_aar) != self.list_year or self.options != Options():
            return None
        if list(units) != self.units:
            return None
        return replace(self, plan=plan, units=list(units), folder=None)  # shares `areas_made`: made once for both

    # ---- figures ---------------------------------------------------------------------------------

    def year_units(self) -> list[UnitFigures]:
        """The departments' key-figure rows that count in the list year (all rows if none is set)."""
        return [u for u in self.units if u.kind == "afdeling" and u.applies_to(self.list_year)]

    def figures(self, afdeling: Afdeling) -> UnitFigures | None:
        return next((u for u in self.year_units() if _is_afdeling(u, afdeling)), None)

    # ---- verdicts ----------------------------------------------------------------------------------

    def verdict(self, afdeling: Afdeling) -> UnitResult | None:
        """The law's result for a department of the plan, matched by organisation and name."""
        if self.result is None:
            return None
        return next((u for u in self.result.units if _is_afdeling(u, afdeling)), None)

    def as_area_verdict(self, afdeling: Afdeling) -> UnitResult | None:
        """The department's full result as if it were an area (see `as_areas`)."""
        if self.result is None:
            return None
        return next((u for u in self.as_areas.units if _is_afdeling(u, afdeling)), None)

    def area_verdict(self, name: str) -> UnitResult | None:
        if self.result is None:
            return None
        return next((u for u in self.result.units if u.kind == "omraade" and same_name(u.name, name)), None)

    # ---- the plan's structure ---------------------------------------------------------------------

    def omraade_of(self, afdeling: Afdeling) -> Omraade | None:
        """The plan's område that the department belongs to, if any."""
        return next((o for o in self.plan.omraader if self._names(o.afdelinger, afdeling)), None)

    def indicators_of(self, afdeling: Afdeling) -> list[Indikator]:
        """The plan's indicators that name the department among their afdelinger."""
        return [i for i in self.plan.indikatorer if self._names(i.afdelinger, afdeling)]

    def _names(self, refs: Sequence[AfdelingRef], afdeling: Afdeling) -> bool:
        """Whether one of the references resolves to the department (an unresolvable one does not)."""
        for ref in refs:
            try:
                if self.plan.resolve(ref) is afdeling:
                    return True
            except LookupError:
                continue
        return False

    # ---- change ------------------------------------------------------------------------------------

    def changes_since(self, earlier: PlanAssessment) -> list[StatusChange]:
        """The plan's departments, then its areas, whose status on a list differs from `earlier`
        (e.g. the previous list year), in plan order. A unit or list missing from either
        assessment has no change to report."""
        pairs: list[tuple[UnitResult | None, UnitResult | None, Afdeling | None]] = [
            (self.verdict(a), earlier.verdict(a), a) for a in self.plan.afdelinger
        ]
        pairs += [(self.area_verdict(o.navn), earlier.area_verdict(o.navn), None) for o in self.plan.omraader]
        changes: list[StatusChange] = []
        for now, then, afdeling in pairs:
            if now is None or then is None:
                continue
            for name in REPORTED_LISTS:
                if name in now.lists and name in then.lists and now.lists[name].status != then.lists[name].status:
                    changes.append(StatusChange(now, afdeling, name, then.lists[name].status, now.lists[name].status))
        return changes


def assess(
    plan: Helhedsplan,
    units: Sequence[UnitFigures],
    year: int | None = None,
    *,
    folder: Path | None = None,
    options: Options | None = None,
) -> PlanAssessment:
    """Classify a plan's key figures for `year` (default: the plan's `liste_aar`). Never raises
    for a law gap or missing data: the assessment then has no result and says why."""
    list_year = year or plan.liste_aar
    options = options or Options()
    problem: str | None = None
    law_error: LawError | None = None
    result: ListYearResult | None = None
    if not units:
        problem = "Planen har ingen nøgletal endnu; importér en nøgletalsfil."
    elif list_year is None:
        problem = "Planen angiver intet listeår (feltet 'liste_aar'), og nøgletallene har intet listeår."
    else:
        try:
            result = classify(units, list_year, options)
        except LawError as error:
            problem, law_error = str(error), error
    return PlanAssessment(
        plan=plan,
        units=list(units),
        list_year=list_year,
        result=result,
        problem=problem,
        law_error=law_error,
        folder=folder,
        options=options,
    )


def load_assessment(folder: Path, year: int | None = None) -> PlanAssessment:
    """Read a plan folder and its key-figure file and assess them for `year` (default: the plan's
    list year). Raises `InputError` (Danish message) when the plan or its key figures cannot be
    read, or when no list year is known; a law gap is kept in the assessment (`require_result`)."""
    plan, units = load_plan_and_figures(folder)
    if (year or plan.liste_aar) is None:
        raise InputError(f"{folder}: planen angiver intet listeår (feltet 'liste_aar')")
    options = Options(conviction_averages=load_folder_averages(folder))
    return assess(plan, units, year, folder=folder, options=options)

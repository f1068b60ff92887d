"""`OverviewService`: a stored plan with its key figures, classified for one list year."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Final, TypeGuard

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from boligsocial.law.classify import Options
from boligsocial.plan.assessment import PlanAssessment, assess
from boligsocial.store.mapping import indikator_from_row, plan_from_rows
from boligsocial.store.models import AuditEvent
from boligsocial.store.national_averages import stored_averages
from boligsocial.store.records import PlanOverview, PlanVersions
from boligsocial.store.unit_of_work import UnitOfWork, figure_rows, indikator_rows, plan_row, units_of

__all__ = ["VALUE_ENTITIES", "OverviewService"]

VALUE_ENTITIES: Final = ("maaling", "sammenligning")
"""The audit entities of an indicator's measured and comparison values (store/indicators.py)."""


class OverviewService(UnitOfWork):
    """The classification of stored plans, on behalf of one `Actor` (reads only)."""

    def versions(self, plan_id: int) -> PlanVersions:
        """The plan's data versions, in one read: how many audit events the plan has, and how many
        that are not about an indicator's values. Every stored write records an audit event in its
        own transaction and none is ever deleted, so a write always raises `every` once it is
        committed. A count, not the newest event's id: PostgreSQL numbers an event when it is
        written, so a slow write may commit an event below the newest, and the newest id would
        then not change with it (the pages would keep what they read before it for good)."""
        with self._reading(plan_id) as session:
            return _versions(session, plan_id)

    def plan_context(
        self, plan_id: int, list_year: int | None = None, earlier: Iterable[PlanAssessment] = ()
    ) -> PlanOverview:
        """The plan, its key figures and the verdicts for `list_year` (default: the plan's
        `liste_aar`, else the latest year with key figures). Classifies once per call, unless one
        of the `earlier` assessments (e.g. of the same plan before its last edit) had equal key
        figures and list year: its verdicts are then reused, as the classification depends on
        nothing else. When only indicator values were written since an earlier overview of the
        same year was read (`PlanVersions.without_values`), only the indicators are read again.
        The evaluation as areas is made only when a page asks for it."""
        with self._reading(plan_id) as session:
            versions = _versions(session, plan_id)
            for known in earlier:
                if _values_only_since(known, plan_id, versions, list_year):
                    indicators = [indikator_from_row(row) for row in indikator_rows(session, plan_id)]
                    plan = known.plan.model_copy(update={"indikatorer": indicators})
                    return replace(known, plan=plan, versions=versions)  # shares `areas_made` too
            row = plan_row(session, plan_id, full=True)
            plan = plan_from_rows(row)
            version = row.version
            ids = {(afd.organisation.kortnavn, afd.navn): afd.id for afd in row.afdelinger}
            units = units_of(figure_rows(session, plan_id))
            averages = stored_averages(session, plan_id)  # entered national averages (national_averages.py)
        # The plan's list year, else the latest year with key figures: a plan without one is
        # still shown with what it has.
        years = sorted({u.list_year for u in units if u.list_year is not None})
        year = list_year or plan.liste_aar or (years[-1] if years else None)
        # only verdicts made without entered averages are reused (`reused_for` compares no averages)
        candidates = () if averages else earlier
        reused = next((a for e in candidates if (a := e.reused_for(plan, units, year)) is not None), None)
        options = Options(conviction_averages=averages)
        made = reused or assess(plan, units, year, options=options)
        return PlanOverview.of(made, plan_id, version, ids, versions, list_year)


def _versions(session: Session, plan_id: int) -> PlanVersions:
    not_values = case((AuditEvent.entity.not_in(VALUE_ENTITIES), 1))
    query = select(func.count(), func.count(not_values)).where(AuditEvent.plan_id == plan_id)
    every, without_values = session.execute(query).one()
    return PlanVersions(every=every, without_values=without_values)


def _values_only_since(
    known: PlanAssessment, plan_id: int, versions: PlanVersions, list_year: int | None
) -> TypeGuard[PlanOverview]:
    """Whether `known` is an overview of this plan and list year read when the plan differed from
    now at most in its indicators' values: everything else in it is then as it would be read now."""
    return (
        isinstance(known, PlanOverview)
        and known.plan_id == plan_id
        and known.asked_year == list_year
        and known.versions is not None
        and known.versions.without_values == versions.without_values
    )

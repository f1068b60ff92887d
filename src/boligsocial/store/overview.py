"""`OverviewService`: a stored plan with its key figures, classified for one list year."""

from __future__ import annotations

from boligsocial.plan.assessment import assess
from boligsocial.store.mapping import plan_from_rows
from boligsocial.store.records import PlanOverview
from boligsocial.store.unit_of_work import UnitOfWork, figure_rows, plan_row, units_of

__all__ = ["OverviewService"]


class OverviewService(UnitOfWork):
    """The classification of stored plans, on behalf of one `Actor` (reads only)."""

    def plan_context(self, plan_id: int, list_year: int | None = None) -> PlanOverview:
        """The plan, its key figures and the verdicts for `list_year` (default: the plan's
        `liste_aar`, else the latest year with key figures). Classifies once per call; the
        evaluation as areas is made only when a page asks for it."""
        with self._reading(plan_id) as session:
            row = plan_row(session, plan_id, full=True)
            plan = plan_from_rows(row)
            version = row.version
            ids = {(afd.organisation.kortnavn, afd.navn): afd.id for afd in row.afdelinger}
            units = units_of(figure_rows(session, plan_id))
        # The plan's list year, else the latest year with key figures: a plan without one is
        # still shown with what it has.
        years = sorted({u.list_year for u in units if u.list_year is not None})
        year = list_year or plan.liste_aar or (years[-1] if years else None)
        return PlanOverview.of(assess(plan, units, year), plan_id, version, ids)

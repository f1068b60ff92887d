"""`OverviewService`: a stored plan with its key figures, classified for one list year."""

from __future__ import annotations

from boligsocial.law.classify import Options, classify
from boligsocial.law.errors import LawError
from boligsocial.store.mapping import plan_from_rows
from boligsocial.store.records import PlanOverview
from boligsocial.store.unit_of_work import UnitOfWork, figure_rows, plan_row, units_of

__all__ = ["OverviewService"]


class OverviewService(UnitOfWork):
    """The classification of stored plans, on behalf of one `Actor` (reads only)."""

    def plan_context(self, plan_id: int, list_year: int | None = None) -> PlanOverview:
        """The plan, its key figures and the verdicts for `list_year` (default: the plan's
        `liste_aar`, else the latest year with key figures). Classifies once per call."""
        with self._reading() as session:
            row = plan_row(session, plan_id, full=True)
            plan = plan_from_rows(row)
            version = row.version
            ids = {(afd.organisation.kortnavn, afd.navn): afd.id for afd in row.afdelinger}
            units = units_of(figure_rows(session, plan_id))
        years = sorted({u.list_year for u in units if u.list_year is not None})
        year = list_year or plan.liste_aar or (years[-1] if years else None)
        result = as_areas = None
        problem: str | None = None
        if not units:
            problem = "Planen har ingen nøgletal endnu; importér en nøgletalsfil."
        elif year is None:
            problem = "Planen angiver intet listeår (feltet 'liste_aar'), og nøgletallene har intet listeår."
        else:
            try:
                result = classify(units, year, Options())
                as_areas = classify(units, year, Options(ignore_min_residents=True))
            except LawError as error:
                problem = str(error)
        return PlanOverview(
            plan_id=plan_id,
            version=version,
            plan=plan,
            list_year=year,
            units=units,
            result=result,
            as_areas=as_areas,
            problem=problem,
            afdeling_ids=ids,
        )

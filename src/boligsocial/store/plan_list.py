"""`PlanListService`: the front page's list of plans, active and archived, each with its last
change, in one read transaction: it asked `list_plans` twice and the audit trail once per plan,
each a transaction of its own (seven queries in three transactions for one plan), for the page
every signed-in user opens first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from boligsocial.store.models import AfdelingRow, AuditEvent, KeyFigureRow, PlanRow
from boligsocial.store.plans import PlanService
from boligsocial.store.records import PlanSummary
from boligsocial.store.unit_of_work import aware

__all__ = ["ListedPlan", "PlanListService"]


@dataclass(frozen=True)
class ListedPlan:
    """A plan as the front page lists it: its summary and its newest audit event's time and
    actor (None when it has none)."""

    summary: PlanSummary
    last_changed_at: datetime | None
    last_changed_by: str | None


class PlanListService(PlanService):
    """The plans the actor holds a role on, as the front page lists them."""

    def listing(self) -> list[ListedPlan]:
        """Every plan the actor holds a role on, active and archived, by name (as `list_plans`
        orders each), with its newest audit event (as `AuditService.audit_events(plan, limit=1)`
        finds it)."""
        with self._reading() as session:
            query = select(PlanRow).order_by(PlanRow.navn, PlanRow.id)
            if not self.actor.sees_every_plan():
                query = query.where(PlanRow.id.in_(self.actor.plan_ids()))
            plans = list(session.scalars(query))
            ids = [row.id for row in plans]
            in_plans = AfdelingRow.plan_id.in_(ids)
            counted = select(AfdelingRow.plan_id, func.count()).where(in_plans).group_by(AfdelingRow.plan_id)
            counts: dict[int, int] = {plan_id: count for plan_id, count in session.execute(counted)}
            years: dict[int, set[int]] = {}
            figures = select(KeyFigureRow.plan_id, KeyFigureRow.listeaar).where(KeyFigureRow.plan_id.in_(ids))
            for plan_id, year in session.execute(figures.distinct()):
                if year is not None:
                    years.setdefault(plan_id, set()).add(year)
            newest = select(AuditEvent.at, AuditEvent.actor).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            listed = []
            for row in plans:
                last = session.execute(newest.where(AuditEvent.plan_id == row.id).limit(1)).first()
                listed.append(
                    ListedPlan(
                        summary=self._summary(row, counts.get(row.id, 0), years.get(row.id, set())),
                        last_changed_at=None if last is None else aware(last.at),
                        last_changed_by=None if last is None else last.actor,
                    )
                )
            return listed

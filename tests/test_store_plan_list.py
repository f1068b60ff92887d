"""The front page's list of plans in one read (`PlanService.listing`) gives what it was built
from before: `list_plans` active, then archived, each plan with its newest audit event, and only
the plans the actor holds a role on."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from boligsocial.store import Actor, Services

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter"


def as_before(svc: Services) -> list[tuple[object, ...]]:
    """The list as the front page read it before: two `list_plans` and one trail read per plan."""
    plans = [*svc.plans.list_plans(), *svc.plans.list_plans(archived=True)]
    found = []
    for plan in plans:
        last = svc.audit.audit_events(plan.id, limit=1)
        found.append((plan, last[0].at if last else None, last[0].actor if last else None))
    return found


def listed(svc: Services) -> list[tuple[object, ...]]:
    every = svc.plans.listing()
    ordered = [p for p in every if not p.summary.archived] + [p for p in every if p.summary.archived]
    return [(p.summary, p.last_changed_at, p.last_changed_by) for p in ordered]


def test_the_listing_is_what_list_plans_and_the_trail_give(example_sessions: sessionmaker[Session]) -> None:
    admin = Services(example_sessions, Actor("Mette", "administrator"))
    (example,) = admin.plans.list_plans()
    copy = admin.plans.import_plan_folder(EXAMPLE)  # a second plan, archived below
    other = admin.plans.import_plan_folder(EXAMPLE)
    admin.plans.archive_plan(copy, True, admin.plans.summary(copy).version)
    assert len(listed(admin)) == 3
    assert listed(admin) == as_before(admin)
    assert [s.summary.archived for s in admin.plans.listing()].count(True) == 1

    # A later write is the plan's last change at once.
    jens = Services(example_sessions, Actor("Jens", "administrator"))
    jens.plans.archive_plan(copy, False, jens.plans.summary(copy).version)
    (now,) = [p for p in jens.plans.listing() if p.summary.id == copy]
    assert now.last_changed_by == "Jens" and not now.summary.archived
    assert listed(jens) == as_before(jens)

    # A reader of one plan sees that plan only, with their role on it.
    reader = Services(example_sessions, Actor("Lis", None, plan_roles=((other, "laeser"),)))
    (only,) = reader.plans.listing()
    assert only.summary.id == other and only.summary.role == "laeser"
    assert listed(reader) == as_before(reader)
    assert example != other

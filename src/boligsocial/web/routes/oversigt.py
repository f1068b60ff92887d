"""A plan's overview: its size, how many departments and areas meet each list, the four
indsatsomraader, what is near a threshold and what changed. (The front page, the list of plans,
is in `planer`.)"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from boligsocial.store import PlanOverview, PlanSummary
from boligsocial.web import views
from boligsocial.web.pages import (
    actor_name,
    cached_page,
    overview_rows,
    overview_without_values,
    parse_year,
    plan_summary,
    respond,
    service,
    stored,
)

router = APIRouter()


def summary_dict(s: PlanSummary) -> dict[str, Any]:
    return {
        "id": s.id,
        "navn": s.navn,
        "kommune": s.kommune,
        "ansoeger": s.ansoeger,
        "periode": {"start": s.periode_start, "slut": s.periode_slut},
        "liste_aar": s.liste_aar,
        "afdelinger": s.afdelinger,
        "listeaar_med_noegletal": list(s.list_years),
        "version": s.version,
        "url": f"/plan/{s.id}",
    }


def plan_dict(view: PlanOverview, summary: PlanSummary) -> dict[str, Any]:
    plan = view.plan
    return {
        **summary_dict(summary),
        "listeaar": view.list_year,
        "opdateret": summary.updated_at,
        "opdateret_af": summary.updated_by,
        "problem": view.problem,
        "plan_navn": plan.navn,
    }


def status_changes(request: Request, plan_id: int, view: PlanOverview, years: tuple[int, ...]) -> list[dict[str, Any]]:
    """Departments whose status on a list differs from the previous list year with key figures."""
    if view.list_year is None:
        return []
    earlier = [y for y in years if y < view.list_year]
    if not earlier or view.result is None:
        return []
    before = overview_without_values(request, plan_id, earlier[-1])
    if before.result is None:
        return []
    return [
        {
            "afdeling": change.afdeling.navn,
            "boligorganisation": change.afdeling.boligorganisation,
            "url": f"/plan/{plan_id}/afdelinger/{view.afdeling_id(change.afdeling)}",
            "liste": change.list_name,
            "foer": change.before,
            "nu": change.after,
            "foer_aar": earlier[-1],
        }
        for change in view.changes_since(before)
        if change.afdeling is not None  # the overview lists departments; areas have their own page
    ]


@router.get("/plan/{plan_id}")
async def plan_oversigt(request: Request, plan_id: int, aar: str | None = None) -> Response:
    year = parse_year(aar)
    return await cached_page(request, plan_id, lambda: _oversigt(request, plan_id, year))


def _oversigt(request: Request, plan_id: int, year: int | None) -> Response:
    view, rows = overview_rows(request, plan_id, year)
    summary = plan_summary(request, plan_id)
    plan = view.plan
    counts = views.list_counts(view, rows)
    residents = [r.residents for r in rows]
    known_residents = [r for r in residents if r is not None]
    near_rows = [r for r in rows if r.near or r.flips]
    near_rows.sort(key=lambda r: r.nearest_relative or 0)
    events = stored(request, plan_id, ("latest events",), lambda: service(request).audit.audit_events(plan_id, limit=8))
    changes = status_changes(request, plan_id, view, summary.list_years)
    indsats = [
        {
            "navn": i.navn,
            "beskrivelse": i.beskrivelse,
            "fokusomraader": list(i.fokusomraader),
            "indikatorer": [
                {"id": ind.id, "navn": ind.navn, "url": f"/plan/{plan_id}/indikatorer/{ind.id}"}
                for ind in plan.indikatorer_for(i.navn)
            ],
        }
        for i in plan.indsatsomraader
    ]
    totals = {
        "boligorganisationer": len(plan.boligorganisationer),
        "afdelinger": len(plan.afdelinger),
        "afdelinger_i_plan": len(plan.afdelinger_i_plan),
        "afdelinger_betinget": len(plan.afdelinger_betinget),
        "omraader": len(plan.omraader),
        "boliger": plan.total_boliger,
        "beboere": sum(known_residents),
        "afdelinger_uden_beboertal": len(residents) - len(known_residents),
    }
    data = {
        "plan": plan_dict(view, summary),
        "noegletal": totals,
        "lister": [c.as_dict() for c in counts],
        "indsatsomraader": indsats,
        "naer_en_graense": [
            {
                "afdeling": r.afdeling.navn,
                "boligorganisation": r.afdeling.boligorganisation,
                "url": f"/plan/{plan_id}/afdelinger/{r.id}",
                "vendepunkter": r.flips,
            }
            for r in near_rows
        ],
        "statusskift": changes,
        "seneste_aendringer": [
            {"tidspunkt": e.at, "af": e.actor, "handling": e.action, "beskrivelse": e.summary} for e in events
        ],
    }
    context = {
        "plan_id": plan_id,
        "view": view,
        "summary": summary,
        "plan": plan,
        "totals": totals,
        "counts": counts,
        "indsats": indsats,
        "near_rows": near_rows[:12],
        "near_total": len(near_rows),
        "changes": changes,
        "events": events,
        "year_param": year,
        "page": "oversigt",
        "actor": actor_name(request),
    }
    return respond(request, "oversigt.html", context, data=data)

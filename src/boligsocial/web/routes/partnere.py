"""Partners and their contributions; the plan's organisation with its diagram."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from boligsocial.plan.model import Forum, Helhedsplan
from boligsocial.web import charts
from boligsocial.web.formats import csv_text
from boligsocial.web.pages import app_state, cached_page, overview, respond

router = APIRouter()


def forum_dict(f: Forum) -> dict[str, Any]:
    return {
        "navn": f.navn,
        "forkortelse": f.forkortelse,
        "niveau": f.niveau.value if f.niveau else None,
        "er_bestyrelse": f.er_bestyrelse,
        "deltagere": list(f.deltagere),
        "ansvar": f.ansvar,
        "moedefrekvens": f.moedefrekvens,
        "noter": list(f.noter),
    }


def organisation_dict(plan: Helhedsplan) -> dict[str, Any] | None:
    org = plan.organisation
    if org is None:
        return None
    team = org.team
    return {
        "beskrivelse": org.beskrivelse,
        "fora": [forum_dict(f) for f in org.fora],
        "team": None
        if team is None
        else {
            "baser": list(team.baser),
            "beskrivelse": team.beskrivelse,
            "stillinger": [{"titel": s.titel, "antal": s.antal, "opgaver": s.opgaver} for s in team.stillinger],
        },
    }


@router.get("/plan/{plan_id}/partnere")
async def partnere(request: Request, plan_id: int) -> Response:
    return await cached_page(request, plan_id, lambda: _partnere(request, plan_id))


def _partnere(request: Request, plan_id: int) -> Response:
    view = overview(request, plan_id)
    plan = view.plan
    shown = (plan.navn, plan.organisation.model_dump_json() if plan.organisation else "")
    svg = app_state(request).fragments.get(("organisation", *shown), lambda: str(charts.org_svg(plan)))
    data = {
        "plan_id": plan_id,
        "partnere": [
            {
                "navn": p.navn,
                "gruppe": p.gruppe,
                "medlemmer": list(p.medlemmer),
                "bidrag": p.bidrag,
                "noter": list(p.noter),
            }
            for p in plan.partnere
        ],
        "boligorganisationer": [
            {"kortnavn": o.kortnavn, "navn": o.navn, "administrator": o.administrator, "boliger": boliger}
            for o in plan.boligorganisationer
            for boliger in [plan.boliger_by_boligorganisation().get(o.kortnavn, 0)]
        ],
        "organisation": organisation_dict(plan),
        "forkortelser": dict(plan.forkortelser),
    }

    def csv() -> str:
        return csv_text(
            ["partner", "gruppe", "medlemmer", "bidrag"],
            [[p.navn, p.gruppe or "", ", ".join(p.medlemmer), p.bidrag or ""] for p in plan.partnere],
        )

    context = {
        "plan_id": plan_id,
        "plan": plan,
        "svg": svg,
        "boliger": plan.boliger_by_boligorganisation(),
        "page": "partnere",
    }
    return respond(request, "partnere.html", context, data=data, csv=csv, csv_name="partnere.csv")

"""Areas (boligomraader) made of departments: the list and each area's page, with the
approximation flag where the area's figures are weighted from its departments' percentages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from boligsocial.danish import natural_key
from boligsocial.law.figures import Measure
from boligsocial.law.verdicts import UnitResult, criterion_dict, unit_dict
from boligsocial.law.vocabulary import MEASURE_SHORT_DA, REPORTED_LISTS, STATUS_WORD_DA
from boligsocial.plan.model import Afdeling, Omraade
from boligsocial.store import PlanOverview
from boligsocial.web import views
from boligsocial.web.forecast_view import block_dict, forecast_block
from boligsocial.web.formats import csv_text
from boligsocial.web.pages import cached_page, overview_rows, overview_without_values, parse_year, respond
from boligsocial.web.routes.afdelinger import chart_svgs

router = APIRouter()


def _areas(view: PlanOverview) -> list[tuple[str, Omraade | None, UnitResult | None]]:
    """The plan's areas and any further area the key figures build (by the `omraade` column)."""
    out: list[tuple[str, Omraade | None, UnitResult | None]] = [
        (o.navn, o, view.area_verdict(o.navn)) for o in view.plan.omraader
    ]
    known = {name for name, _, _ in out}
    if view.result is not None:
        for unit in view.result.units:
            if unit.kind == "omraade" and unit.name not in known:
                out.append((unit.name, None, unit))
                known.add(unit.name)
    return sorted(out, key=lambda area: natural_key(area[0]))


def _members(
    view: PlanOverview, omraade: Omraade | None, unit: UnitResult | None
) -> list[tuple[int | None, Afdeling | None, str]]:
    members: list[tuple[int | None, Afdeling | None, str]] = []
    if omraade is not None:
        for ref in omraade.afdelinger:
            member = view.plan.resolve(ref)
            members.append((view.afdeling_id(member), member, member.navn))
    elif unit is not None:
        for name in unit.members:
            found = next((a for a in view.plan.afdelinger if a.navn == name), None)
            members.append((view.afdeling_id(found) if found else None, found, name))
    return sorted(members, key=lambda member: natural_key(member[2]))


def area_dict(plan_id: int, name: str, omraade: Omraade | None, unit: UnitResult | None) -> dict[str, Any]:
    return {
        "navn": name,
        "url": f"/plan/{plan_id}/omraader/{name}",
        "afgraensning": omraade.afgraensning if omraade else None,
        "i_planen": omraade is not None,
        "tilnaermet": unit.approximate if unit else None,
        "vurdering": unit_dict(unit) if unit else None,
    }


@router.get("/plan/{plan_id}/omraader")
async def omraader_liste(request: Request, plan_id: int, aar: str | None = None) -> Response:
    year = parse_year(aar)
    return await cached_page(request, plan_id, lambda: _liste(request, plan_id, year))


def _liste(request: Request, plan_id: int, year: int | None) -> Response:
    view = overview_without_values(request, plan_id, year)
    areas = _areas(view)
    rows = [(name, o, u, views.measure_cells(u)) for name, o, u in areas]

    def csv() -> str:
        header = ["listeaar", "omraade", "beboere", "tilnaermet"] + [f"{m.value}_pct" for m in Measure]
        header += list(REPORTED_LISTS)
        lines: list[list[object]] = []
        for name, _, u, cells in rows:
            line: list[object] = [
                view.list_year,
                name,
                u.residents if u else None,
                "ja" if u and u.approximate else "nej",
            ]
            line += [cells[m].text.replace("~", "") for m in Measure]
            line += [STATUS_WORD_DA[u.lists[n].status] if u and n in u.lists else "" for n in REPORTED_LISTS]
            lines.append(line)
        return csv_text(header, lines)

    context = {
        "plan_id": plan_id,
        "plan": view.plan,
        "view": view,
        "rows": rows,
        "measures": list(Measure),
        "measure_short": MEASURE_SHORT_DA,
        "year_param": year,
        "page": "omraader",
    }
    data = {
        "plan_id": plan_id,
        "listeaar": view.list_year,
        "omraader": [area_dict(plan_id, n, o, u) for n, o, u in areas],
    }
    return respond(request, "omraader.html", context, data=data, csv=csv, csv_name="omraader.csv")


@router.get("/plan/{plan_id}/omraader/{navn:path}")
async def omraade_side(request: Request, plan_id: int, navn: str, aar: str | None = None) -> Response:
    year = parse_year(aar)
    return await cached_page(request, plan_id, lambda: _side(request, plan_id, navn, year))


def _side(request: Request, plan_id: int, navn: str, year: int | None) -> Response:
    view, rows = overview_rows(request, plan_id, year)
    match = next(((n, o, u) for n, o, u in _areas(view) if n == navn), None)
    if match is None:
        raise HTTPException(404, f'Planen har intet område ved navn "{navn}".')
    name, omraade, unit = match
    members = _members(view, omraade, unit)
    member_rows = {r.id: r for r in rows}
    cells = views.criterion_cells(unit) if unit else []
    svgs = chart_svgs(request, unit) if unit else {}
    prognose = forecast_block(view.units, view.list_year, ("omraade", "", name)) if unit and view.list_year else None
    context = {
        "plan_id": plan_id,
        "plan": view.plan,
        "view": view,
        "name": name,
        "omraade": omraade,
        "unit": unit,
        "members": [(i, a, n, member_rows.get(i) if i is not None else None) for i, a, n in members],
        "cells": cells,
        "area_cells": views.measure_cells(unit),
        "svgs": svgs,
        "prognose": prognose,
        "measures": list(Measure),
        "measure_short": MEASURE_SHORT_DA,
        "year_param": year,
        "page": "omraader",
    }
    data = area_dict(plan_id, name, omraade, unit) | {
        "listeaar": view.list_year,
        "afdelinger": [
            {"id": i, "afdeling": n, "boligorganisation": a.boligorganisation if a else None} for i, a, n in members
        ],
        "kriterier": [criterion_dict(c.result) | {"lister": list(c.lists)} for c in cells],
        "prognose": block_dict(prognose) if prognose else None,
    }
    return respond(
        request,
        "omraade.html",
        context,
        data=data,
        csv=lambda: views.criteria_csv(unit, view.list_year),
        csv_name="kriterier.csv",
    )

"""Indicators: time series with their comparison figures and charts, and the form that adds or
corrects a year's value (with the value's version, so two people cannot overwrite each other)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from boligsocial.plan.model import Indikator, Maaling, format_tal
from boligsocial.store import ConflictError, IndikatorRecord, MaalingRecord, ValidationFailed
from boligsocial.web import charts
from boligsocial.web.formats import csv_text, is_htmx
from boligsocial.web.pages import app_state, cached_page, overview, respond, service, written

router = APIRouter()

TARGET_FIELDS = {"katalog", "katalog_version", "retning", "baseline", "maal", "milepaele"}


def maaling_dict(m: Maaling) -> dict[str, Any]:
    return {
        "vaerdi": m.vaerdi,
        "aar": m.aar,
        "til_aar": m.til_aar,
        "kvalifikator": m.kvalifikator,
        "kilde": m.kilde,
        **({"betegnelse": m.betegnelse} if hasattr(m, "betegnelse") else {}),
    }


def indikator_dict(plan_id: int, i: Indikator) -> dict[str, Any]:
    return {
        "id": i.id,
        "url": f"/plan/{plan_id}/indikatorer/{i.id}",
        "navn": i.navn,
        "enhed": i.enhed.value,
        "enhed_tekst": i.enhed.label,
        "gaelder": i.gaelder,
        "indsatsomraade": i.indsatsomraade,
        "kilde": i.kilde,
        "definition": i.definition,
        "maalinger": [maaling_dict(m) for m in i.maalinger],
        "sammenligninger": [maaling_dict(s) for s in i.sammenligninger],
        "noter": list(i.noter),
        # Baseline, target and milestones, when the plan model has them (being added).
        **i.model_dump(include=TARGET_FIELDS),
    }


def chart(request: Request, plan_id: int, indikator: Indikator) -> str:
    """The indicator's chart, cached by what it shows."""
    key = ("indikator", indikator.model_dump_json())
    return app_state(request).fragments.get(key, lambda: str(charts.indicator_svg(indikator)))


def series_csv(plan_id: int, indikatorer: list[Indikator]) -> str:
    header = ["indikator", "navn", "indsatsomraade", "enhed", "type", "betegnelse", "aar", "til_aar", "vaerdi", "kilde"]
    lines: list[list[object]] = []
    for i in indikatorer:
        for m in i.maalinger:
            lines.append(
                [
                    i.id,
                    i.navn,
                    i.indsatsomraade,
                    i.enhed.value,
                    "maaling",
                    "",
                    m.aar,
                    m.til_aar,
                    format_tal(m.vaerdi),
                    m.kilde or i.kilde or "",
                ]
            )
        for s in i.sammenligninger:
            lines.append(
                [
                    i.id,
                    i.navn,
                    i.indsatsomraade,
                    i.enhed.value,
                    "sammenligning",
                    s.betegnelse,
                    s.aar,
                    s.til_aar,
                    format_tal(s.vaerdi),
                    s.kilde or "",
                ]
            )
    return csv_text(header, lines)


@router.get("/plan/{plan_id}/indikatorer")
async def indikatorer_liste(request: Request, plan_id: int) -> Response:
    return await cached_page(request, plan_id, lambda: _liste(request, plan_id))


def _liste(request: Request, plan_id: int) -> Response:
    view = overview(request, plan_id)
    plan = view.plan
    groups: list[tuple[str, list[Indikator]]] = [(i.navn, plan.indikatorer_for(i.navn)) for i in plan.indsatsomraader]
    rest = [i for i in plan.indikatorer if i.indsatsomraade is None]
    if rest:
        groups.append(("Øvrige indikatorer", rest))
    svgs = {i.id: chart(request, plan_id, i) for i in plan.indikatorer}
    context = {"plan_id": plan_id, "plan": plan, "groups": groups, "svgs": svgs, "page": "indikatorer"}
    data = {"plan_id": plan_id, "indikatorer": [indikator_dict(plan_id, i) for i in plan.indikatorer]}
    return respond(
        request,
        "indikatorer.html",
        context,
        data=data,
        csv=lambda: series_csv(plan_id, plan.indikatorer),
        csv_name="indikatorer.csv",
    )


def record_dict(m: MaalingRecord) -> dict[str, Any]:
    return {
        "id": m.id,
        "type": m.kind,
        "vaerdi": m.vaerdi,
        "vaerdi_tekst": m.vaerdi_text,
        "aar": m.aar,
        "til_aar": m.til_aar,
        "kvalifikator": m.kvalifikator,
        "kilde": m.kilde,
        "betegnelse": m.betegnelse,
        "version": m.version,
        "opdateret": m.updated_at,
        "opdateret_af": m.updated_by,
    }


def indicator_page(
    request: Request,
    plan_id: int,
    indikator_id: str,
    *,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    conflict: str | None = None,
    form: dict[str, str] | None = None,
    form_for: str = "ny",
    status_code: int = 200,
) -> Response:
    view = overview(request, plan_id)
    record: IndikatorRecord = service(request).get_indikator(plan_id, indikator_id)
    indikator = record.indikator
    context = {
        "plan_id": plan_id,
        "plan": view.plan,
        "ind": indikator,
        "record": record,
        "svg": chart(request, plan_id, indikator),
        "errors": errors or {},
        "message": message,
        "conflict": conflict,
        "form": form or {},
        "form_for": form_for,
        "page": "indikatorer",
    }
    data = indikator_dict(plan_id, indikator) | {
        "vaerdier": [record_dict(m) for m in (*record.maalinger, *record.sammenligninger)],
        "fejl": errors or {},
        "konflikt": conflict,
    }
    template = "_indikator_data.html" if is_htmx(request) else "indikator.html"
    return respond(request, template, context, data=data, status_code=status_code)


@router.get("/plan/{plan_id}/indikatorer/{indikator_id}")
async def indikator_side(request: Request, plan_id: int, indikator_id: str) -> Response:
    return await cached_page(request, plan_id, lambda: indicator_page(request, plan_id, indikator_id))


@router.post("/plan/{plan_id}/indikatorer/{indikator_id}/maalinger")
async def gem_maaling(request: Request, plan_id: int, indikator_id: str) -> Response:
    """Add a year's value, or change a stored value (with `maaling_id` and its `version`)."""
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    maaling_id = form.get("maaling_id", "")
    version = form.get("version", "")
    if maaling_id and not (maaling_id.isdigit() and version.isdigit()):
        raise HTTPException(400, "Formularen mangler værdiens version; genindlæs siden.")
    form_for = maaling_id or "ny"

    def work() -> tuple[str, dict[str, str] | None, str | None, int]:
        svc = service(request)
        try:
            if maaling_id:
                saved = svc.update_maaling(plan_id, int(maaling_id), form.get("vaerdi", ""), int(version))
            else:
                saved = svc.add_or_update_maaling(
                    plan_id,
                    indikator_id,
                    form.get("aar", ""),
                    form.get("vaerdi", ""),
                    None,
                    kvalifikator=form.get("kvalifikator") or None,
                    kilde=form.get("kilde") or None,
                )
        except ValidationFailed as error:
            return str(error), error.errors, None, 422
        except ConflictError as error:
            return "", None, f"{error} Dine værdier er ikke gemt; tallene nedenfor er de gemte.", 409
        year = f" for {saved.aar}" if saved.aar else ""
        return f"Gemt: {saved.betegnelse or 'måling'}{year} = {saved.vaerdi_text}.", None, None, 200

    try:
        message, errors, conflict, status = await run_in_threadpool(work)
    finally:
        written(request, plan_id)
    if status == 200 and not is_htmx(request) and request.headers.get("accept", "").startswith("text/html"):
        return RedirectResponse(f"/plan/{plan_id}/indikatorer/{indikator_id}", status_code=303)
    return await run_in_threadpool(
        lambda: indicator_page(
            request,
            plan_id,
            indikator_id,
            errors=errors,
            message=message or None,
            conflict=conflict,
            form=form if status != 200 else None,
            form_for=form_for,
            status_code=status,
        )
    )

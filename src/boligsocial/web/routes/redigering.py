"""The whole plan editable in the browser: an index of the plan's structured sections
(`/plan/{id}/rediger`) and one form per section (`/plan/{id}/rediger/{afsnit}`), saved through
`PlanEditService` (checked against the whole plan, optimistic locking by the plan's version,
audited). The forms are rendered from the store's field specs (`web/edit_forms.py`).

A POST with `Content-Type: application/json` and the body `{"version": N, "value": ...}` saves a
section from a script; the answer is JSON (the saved section, or `fejl` and `felter`).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from boligsocial.store import SECTIONS, ConflictError, EditSection, SectionRecord, ValidationFailed
from boligsocial.web.auth import needs
from boligsocial.web.edit_forms import FormState, form_errors, form_of_value, value_of_form
from boligsocial.web.formats import json_response
from boligsocial.web.pages import cached_page, respond, service, written

router = APIRouter()


def _section(name: str) -> EditSection:
    found = SECTIONS.get(name)
    if found is None:
        raise HTTPException(404, f'Planen har intet afsnit "{name}", der kan redigeres.')
    return found


def _record_data(record: SectionRecord) -> dict[str, Any]:
    return {"afsnit": record.name, "version": record.version, "vaerdi": record.value}


@router.get("/plan/{plan_id}/rediger")
async def rediger(request: Request, plan_id: int) -> Response:
    return await cached_page(request, plan_id, lambda: _index(request, plan_id))


def _index(request: Request, plan_id: int) -> Response:
    plan = service(request).plans.get_plan(plan_id)
    sections = list(SECTIONS.values())
    data = {
        "plan_id": plan_id,
        "afsnit": [
            {"navn": s.name, "titel": s.title, "beskrivelse": s.description, "url": f"/plan/{plan_id}/rediger/{s.name}"}
            for s in sections
        ],
    }
    context = {"plan_id": plan_id, "plan": plan, "sections": sections, "page": "rediger"}
    return respond(request, "rediger.html", context, data=data)


@router.get("/plan/{plan_id}/rediger/{name}")
async def afsnit(request: Request, plan_id: int, name: str) -> Response:
    section = _section(name)
    return await cached_page(request, plan_id, lambda: _form_page(request, plan_id, section))


def _form_page(request: Request, plan_id: int, section: EditSection) -> Response:
    record = service(request).edits.section(plan_id, section.name)
    saved = request.query_params.get("gemt") == "1"
    return _render(request, plan_id, section, record.version, form_of_value(section, record.value), record, saved=saved)


def _render(
    request: Request,
    plan_id: int,
    section: EditSection,
    version: int,
    state: FormState,
    record: SectionRecord | None,
    *,
    saved: bool = False,
    errors: dict[str, str] | None = None,
    conflict: str | None = None,
    status_code: int = 200,
) -> Response:
    plan = service(request).plans.get_plan(plan_id)
    options = {"boligorganisationer": [(o.kortnavn, f"{o.kortnavn} – {o.navn}") for o in plan.boligorganisationer]}
    context = {
        "plan_id": plan_id,
        "plan": plan,
        "section": section,
        "version": version,
        "state": state,
        "options": options,
        "errors": errors or {},
        "messages": list((errors or {}).values()),
        "conflict": conflict,
        "saved": saved,
        "page": "rediger",
    }
    data: dict[str, Any] = _record_data(record) if record is not None else {"afsnit": section.name}
    if errors:
        data["felter"] = errors
    if conflict:
        data["fejl"] = conflict
    return respond(request, "rediger_afsnit.html", context, data=data, status_code=status_code)


@router.post("/plan/{plan_id}/rediger/{name}", dependencies=[needs("redaktoer")])
async def gem_afsnit(request: Request, plan_id: int, name: str) -> Response:
    section = _section(name)
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = json.loads(await request.body())
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("version"), int) or "value" not in body:
            return json_response({"fejl": 'Send JSON som {"version": 3, "value": ...}.', "status": 400}, 400)
        try:
            return await run_in_threadpool(_save_json, request, plan_id, section, body["value"], body["version"])
        finally:
            written(request, plan_id)
    form = await request.form()
    version = str(form.get("version", ""))
    if not version.isdigit():
        raise HTTPException(400, "Formularen mangler sin version; genindlæs siden.")
    try:
        return await run_in_threadpool(_save_form, request, plan_id, section, form, int(version))
    finally:
        written(request, plan_id)


def _save_json(request: Request, plan_id: int, section: EditSection, value: Any, version: int) -> Response:
    try:
        record = service(request).edits.update_section(plan_id, section.name, value, version)
    except ValidationFailed as error:
        return json_response({"fejl": str(error), "felter": error.errors, "status": 422}, 422)
    except ConflictError as error:
        return json_response({"fejl": str(error), "status": 409}, 409)
    return json_response(_record_data(record))


def _save_form(request: Request, plan_id: int, section: EditSection, form: Any, version: int) -> Response:
    value, state, places = value_of_form(section, form)
    edits = service(request).edits
    try:
        edits.update_section(plan_id, section.name, value, version)
    except ValidationFailed as error:
        errors = form_errors(section, error.errors, places)
        return _render(request, plan_id, section, version, state, None, errors=errors, status_code=422)
    except ConflictError as error:
        fresh = edits.section(plan_id, section.name).version
        message = (
            f"{error} Dine indtastninger står stadig i formularen. Gemmer du igen, erstatter de den andens "
            "ændringer i dette afsnit; åbn afsnittet på ny for at se dem først."
        )
        return _render(request, plan_id, section, fresh, state, None, conflict=message, status_code=409)
    return RedirectResponse(f"/plan/{plan_id}/rediger/{section.name}?gemt=1", status_code=303)

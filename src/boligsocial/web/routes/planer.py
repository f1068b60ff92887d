"""The plans of the database: the front page lists those the user holds a role on (active and
archived), an administrator of every plan creates a plan from an uploaded plan folder (a dry run
first, then all or nothing), and a plan's administrator archives it or takes it back."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from boligsocial.plan.keyfigures import ImportIssue
from boligsocial.store import ConflictError, ImportRefused, ValidationFailed
from boligsocial.store.plan_folders import MAX_ARCHIVE_BYTES, MAX_ARCHIVE_FILES
from boligsocial.store.plans import ListedPlan
from boligsocial.store.records import PlanPreview
from boligsocial.web.auth import needs
from boligsocial.web.formats import Format, is_htmx, request_format
from boligsocial.web.limits import MAX_PLAN_UPLOAD, MB
from boligsocial.web.pages import app_state, respond, service, written
from boligsocial.web.routes.imports import issue_dict
from boligsocial.web.routes.oversigt import summary_dict
from boligsocial.web.uploads import plan_archive

router = APIRouter()


# --------------------------------------------------------------------------------------------------
# The front page


def _listed(plans: list[ListedPlan]) -> list[dict[str, Any]]:
    """Each plan with the user's role and its last change (the newest audit event)."""
    return [
        {
            **summary_dict(listed.summary),
            "rolle": listed.summary.role,
            "arkiveret": listed.summary.archived_at,
            "senest_aendret": listed.last_changed_at or listed.summary.updated_at,
            "senest_aendret_af": listed.last_changed_by if listed.last_changed_at else listed.summary.updated_by,
        }
        for listed in plans
    ]


def _plans_listed(request: Request) -> list[ListedPlan]:
    """The reader's plans, active and archived, with their last changes: read once per version of
    all plans (the newest audit event, asked on every request, so any write is seen at once) and
    set of roles (the listing holds only the plans the reader has a role on, with that role)."""
    plans = service(request).plans
    version = plans.listing_version()
    actor = plans.actor
    key = (version.newest_event, actor.role, tuple(sorted(actor.plan_roles)))
    listed: list[ListedPlan] = app_state(request).front_page.get(key, plans.listing, keep=lambda _: version.settled)
    return listed


@router.get("/")
def forside(request: Request) -> Response:
    services = service(request)
    plans = _plans_listed(request)
    active = [p for p in plans if not p.summary.archived]
    archived = [p for p in plans if p.summary.archived]
    every_plan = services.actor.role is not None
    if not every_plan and len(plans) == 1 and request_format(request) is Format.HTML:
        return RedirectResponse(f"/plan/{plans[0].summary.id}", status_code=303)
    listed, listed_archived = _listed(active), _listed(archived)
    context = {
        "plans": [p.summary for p in active],
        "listed": listed,
        "archived": listed_archived,
        "title": "Planer",
    }
    return respond(request, "forside.html", context, data={"planer": listed, "arkiverede": listed_archived})


# --------------------------------------------------------------------------------------------------
# A new plan from a plan folder


def preview_dict(preview: PlanPreview) -> dict[str, Any]:
    return {
        "fil": preview.filename,
        "navn": preview.navn,
        "kommune": preview.kommune,
        "ansoeger": preview.ansoeger,
        "periode": {"start": preview.periode_start, "slut": preview.periode_slut},
        "afdelinger": preview.afdelinger,
        "omraader": preview.omraader,
        "indikatorer": preview.indikatorer,
        "noegletal_raekker": preview.noegletal,
        "listeaar_med_noegletal": list(preview.list_years),
        "tekster": list(preview.tekster),
        "plan_med_samme_navn": preview.same_name,
    }


def _new_plan_page(
    request: Request,
    *,
    preview: PlanPreview | None = None,
    issues: list[ImportIssue] | None = None,
    message: str | None = None,
    error: str | None = None,
    created: int | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "title": "Ny plan",
        "preview": preview,
        "issues": issues or [],
        "message": message,
        "error": error,
        "created": created,
        "max_upload_mb": MAX_PLAN_UPLOAD // MB,
        "max_archive_mb": MAX_ARCHIVE_BYTES // MB,
        "max_files": MAX_ARCHIVE_FILES,
    }
    data = {
        "forhaandsvisning": preview_dict(preview) if preview else None,
        "oprettet": created is not None,
        "plan_id": created,
        "url": None if created is None else f"/plan/{created}",
        "besked": message,
        "fejlbesked": error,
        "fejl": [issue_dict(i) for i in issues or []],
        "hoejst_mb": MAX_PLAN_UPLOAD // MB,
    }
    template = "_planer_ny_resultat.html" if is_htmx(request) else "planer_ny.html"
    return respond(request, template, context, data=data, status_code=status_code)


@router.get("/planer/ny", dependencies=[needs("administrator")])
def ny_plan_side(request: Request) -> Response:
    return _new_plan_page(request)


@router.post("/planer/ny", dependencies=[needs("administrator")])
async def ny_plan(request: Request) -> Response:
    """The dry run of a plan-folder upload, or (with `bekraeft=1`, the same form sent again) the
    plan created from it: all or nothing."""
    try:
        form = await request.form()
        data, name = await plan_archive(form)
    except HTTPException as refused:
        if refused.status_code not in (400, 413):
            raise
        return _new_plan_page(request, error=str(refused.detail), status_code=refused.status_code)
    except ImportRefused as refused:
        return _new_plan_page(request, issues=refused.issues, error=_not_created(refused), status_code=422)
    confirm = form.get("bekraeft") == "1"
    return await run_in_threadpool(_create if confirm else _preview, request, data, name)


def _not_created(refused: ImportRefused) -> str:
    count = len(refused.issues)
    return f"Planen kan ikke oprettes: {'1 fejl' if count == 1 else f'{count} fejl'}. Intet er gemt."


def _preview(request: Request, data: bytes, name: str) -> Response:
    try:
        preview = service(request).plans.preview_plan_archive(data, name)
    except ImportRefused as refused:
        return _new_plan_page(request, issues=refused.issues, error=_not_created(refused), status_code=422)
    message = f'Plan-mappen er i orden og kan oprettes som planen "{preview.navn}". Intet er gemt endnu.'
    return _new_plan_page(request, preview=preview, message=message)


def _create(request: Request, data: bytes, name: str) -> Response:
    plans = service(request).plans
    try:
        plan_id = plans.import_plan_archive(data, name)
    except ImportRefused as refused:
        return _new_plan_page(request, issues=refused.issues, error=_not_created(refused), status_code=422)
    if request_format(request) is Format.HTML and not is_htmx(request):
        return RedirectResponse(f"/plan/{plan_id}", status_code=303)
    navn = next((p.navn for p in plans.list_plans() if p.id == plan_id), "")
    return _new_plan_page(request, created=plan_id, message=f'Planen "{navn}" er oprettet.')


# --------------------------------------------------------------------------------------------------
# Archive


@router.post("/plan/{plan_id}/arkiver", dependencies=[needs("administrator")])
async def arkiver(request: Request, plan_id: int, version: int = Form(...), arkiver: str = Form("1")) -> Response:
    """Archive the plan (`arkiver=1`) or take it back from the archive (`arkiver=0`)."""

    def work() -> None:
        try:
            service(request).plans.archive_plan(plan_id, arkiver == "1", version)
        except ValidationFailed as refused:
            raise HTTPException(422, " ".join(refused.errors.values())) from None
        except ConflictError as conflict:
            raise HTTPException(409, str(conflict)) from None
        finally:
            written(request, plan_id)

    await run_in_threadpool(work)
    return RedirectResponse(f"/plan/{plan_id}", status_code=303)

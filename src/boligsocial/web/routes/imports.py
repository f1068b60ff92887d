"""Import of a key-figure file (CSV/XLSX): a dry run that lists every problem by row and column
and what each row would change; only a clean file can be committed, all rows or none.

The previewed file travels back with the commit form (base64 in a hidden field) together with the
service's token, so the commit is refused if the stored figures changed since the preview, and
the server keeps no state between the two steps."""

from __future__ import annotations

import base64
import binascii
from typing import Any, Final

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from boligsocial.plan.keyfigures import ACCEPTED_SUFFIXES, ImportIssue
from boligsocial.store import ConflictError, ImportPreview, ImportRefused
from boligsocial.web.auth import needs
from boligsocial.web.formats import is_htmx
from boligsocial.web.pages import overview, respond, service, written

router = APIRouter()

MAX_UPLOAD: Final = 5 * 1024 * 1024


def issue_dict(issue: ImportIssue) -> dict[str, Any]:
    return {"fil": issue.file, "raekke": issue.row, "kolonne": issue.column, "fejl": issue.message}


def preview_dict(preview: ImportPreview) -> dict[str, Any]:
    return {
        "fil": preview.filename,
        "kan_gemmes": preview.ok,
        "antal_fejl": len(preview.issues),
        "antal_raekker": len(preview.rows),
        "antal_aendrede": preview.changed,
        "fejl": [issue_dict(i) for i in preview.issues],
        "raekker": [
            {
                "raekke": r.row,
                "afdeling": r.afdeling,
                "boligorganisation": r.boligorganisation,
                "listeaar": r.list_year,
                "status": r.status,
                "aendringer": [
                    {"felt": c.field, "betegnelse": c.label, "foer": c.old, "efter": c.new} for c in r.changes
                ],
            }
            for r in preview.rows
        ],
        "token": preview.token,
    }


def _page(
    request: Request,
    plan_id: int,
    *,
    preview: ImportPreview | None = None,
    data_b64: str = "",
    issues: list[ImportIssue] | None = None,
    message: str | None = None,
    error: str | None = None,
    committed: bool = False,
    status_code: int = 200,
) -> Response:
    view = overview(request, plan_id)
    context = {
        "plan_id": plan_id,
        "plan": view.plan,
        "preview": preview,
        "data_b64": data_b64,
        "issues": issues if issues is not None else (list(preview.issues) if preview else []),
        "message": message,
        "error": error,
        "committed": committed,
        "accepted": ", ".join(ACCEPTED_SUFFIXES),
        "page": "import",
    }
    data: dict[str, Any] = {
        "plan_id": plan_id,
        "forhaandsvisning": preview_dict(preview) if preview else None,
        "gemt": committed,
        "besked": message,
        "fejlbesked": error,
        "fejl": [issue_dict(i) for i in (issues or [])],
        "accepterede_filtyper": list(ACCEPTED_SUFFIXES),
    }
    template = "_import_resultat.html" if is_htmx(request) else "import.html"
    return respond(request, template, context, data=data, status_code=status_code)


@router.get("/plan/{plan_id}/import")
def import_side(request: Request, plan_id: int) -> Response:
    return _page(request, plan_id)


async def _upload(request: Request) -> tuple[str, bytes]:
    form = await request.form()
    upload = form.get("fil")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise HTTPException(400, "Vælg en nøgletalsfil (CSV eller XLSX) at indlæse.")
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise HTTPException(413, f"Filen er større end {MAX_UPLOAD // (1024 * 1024)} MB; del den op.")
    return upload.filename, data


@router.post("/plan/{plan_id}/import/forhaandsvisning", dependencies=[needs("redaktoer")])
async def forhaandsvis(request: Request, plan_id: int) -> Response:
    filename, data = await _upload(request)

    def work() -> Response:
        preview = service(request).imports.preview_import(plan_id, filename, data)
        encoded = base64.b64encode(data).decode("ascii") if preview.ok else ""
        if preview.ok:
            message = (
                f"Filen er i orden: {preview.changed} af {len(preview.rows)} rækker ændrer noget. Intet er gemt endnu."
            )
        else:
            message = None
        return _page(
            request,
            plan_id,
            preview=preview,
            data_b64=encoded,
            message=message,
            error=None if preview.ok else f"Filen kan ikke importeres: {_count(len(preview.issues))}. Intet er gemt.",
            status_code=200 if preview.ok else 422,
        )

    return await run_in_threadpool(work)


def _count(n: int) -> str:
    return "1 fejl" if n == 1 else f"{n} fejl"


@router.post("/plan/{plan_id}/import/gem", dependencies=[needs("redaktoer")])
async def gem_import(request: Request, plan_id: int) -> Response:
    form = await request.form()
    filename = str(form.get("filnavn", ""))
    token = str(form.get("token", "")) or None
    try:
        data = base64.b64decode(str(form.get("data", "")), validate=True)
    except (binascii.Error, ValueError):
        raise HTTPException(400, "Formularen er ødelagt; lav forhåndsvisningen igen.") from None
    if not filename or not data:
        raise HTTPException(400, "Der er ingen fil at gemme; lav forhåndsvisningen først.")

    def work() -> Response:
        try:
            committed = service(request).imports.commit_import(plan_id, filename, data, token)
            written(request, plan_id)
        except ImportRefused as error:
            return _page(request, plan_id, issues=error.issues, error=error.summary, status_code=422)
        except ConflictError as error:
            return _page(
                request,
                plan_id,
                error=f"{error} Intet er gemt. Vælg filen igen for at se en ny forhåndsvisning.",
                status_code=409,
            )
        return _page(
            request,
            plan_id,
            preview=committed,
            committed=True,
            message=f"Importeret: {committed.changed} afdelingers nøgletal er opdateret fra {committed.filename}.",
        )

    return await run_in_threadpool(work)

"""The national conviction average per list year: what the law knows, what the plan's editors
entered (with source and date), and the form to enter, change or delete it
(`store/national_averages.py`). An entered average is used by every page of that list year."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from fastapi import HTTPException, Request
from fastapi.routing import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from boligsocial import danish
from boligsocial.store import ConflictError, NationalAverageRecord, ValidationFailed
from boligsocial.store.national_averages import AVERAGE_FIELDS, MAX_AVERAGE_PCT
from boligsocial.web.auth import needs
from boligsocial.web.formats import Format, request_format
from boligsocial.web.pages import cached_page, overview, respond, service, written

router = APIRouter()


def _pct(value: Fraction | Decimal) -> str:
    """A percentage with the decimals it has ("0,725", "2,18"), never rounded to fewer."""
    decimal = danish.fraction_to_decimal(value)
    return danish.number(value, 4) if decimal is None else danish.format_danish_number(decimal)


def _state(record: NationalAverageRecord) -> str:
    if record.problem is not None:
        return "uden_regler"
    if not record.needed:
        return "ikke_relevant"
    if record.published is not None:
        return "offentliggjort"
    return "indtastet" if record.entered else "mangler"


def record_dict(record: NationalAverageRecord, depends: list[str]) -> dict[str, Any]:
    return {
        "listeaar": record.list_year,
        "tilstand": _state(record),
        "kan_indtastes": record.editable,
        "doemte_pct": None if record.doemte_pct is None else str(record.doemte_pct),
        "doemte_pct_tekst": record.texts()["doemte_pct"] or None,
        "kilde": record.kilde or None,
        "kilde_dato": record.kilde_dato,
        "version": record.version,
        "opdateret": record.updated_at,
        "opdateret_af": record.updated_by,
        "offentliggjort": None
        if record.published is None
        else {
            "taerskler": {
                f"{k}x": str(danish.fraction_to_decimal(v))
                for k, v in sorted(record.published.thresholds.items(), reverse=True)
            },
            "kilde": record.published.source,
        },
        "afhaenger_af_det": depends,
    }


def _depends(request: Request, plan_id: int, record: NationalAverageRecord) -> list[str]:
    """The units whose status in the year waits for the average (none once it is known)."""
    if not record.editable or record.entered:
        return []
    result = overview(request, plan_id, record.list_year).result
    return [] if result is None else list(result.needs_conviction_average)


def _page(
    request: Request,
    plan_id: int,
    *,
    errors: dict[int, dict[str, str]] | None = None,
    forms: dict[int, dict[str, str]] | None = None,
    message: str | None = None,
    conflict: str | None = None,
    status_code: int = 200,
) -> Response:
    view = overview(request, plan_id)
    records = service(request).national_averages.national_averages(plan_id)
    depends = {r.list_year: _depends(request, plan_id, r) for r in records}
    rows = [
        {
            "record": r,
            "state": _state(r),
            "form": (forms or {}).get(r.list_year) or r.texts(),
            "errors": (errors or {}).get(r.list_year, {}),
            "published": None
            if r.published is None
            else [(k, _pct(v)) for k, v in sorted(r.published.thresholds.items(), reverse=True)],
            "thresholds": None if r.doemte_pct is None else [(k, _pct(k * r.doemte_pct)) for k in (3, 2)],
            "depends": depends[r.list_year],
        }
        for r in records
    ]
    context = {
        "plan_id": plan_id,
        "plan": view.plan,
        "page": "landsgennemsnit",
        "rows": rows,
        "labels": AVERAGE_FIELDS,
        "max_pct": danish.format_danish_number(MAX_AVERAGE_PCT),
        "message": message,
        "conflict": conflict,
    }
    data = {
        "plan_id": plan_id,
        "listeaar": [record_dict(r, depends[r.list_year]) for r in records],
        "besked": message,
        "fejl": {str(year): found for year, found in (errors or {}).items()},
        "konflikt": conflict,
    }
    return respond(request, "landsgennemsnit.html", context, data=data, status_code=status_code)


@router.get("/plan/{plan_id}/landsgennemsnit")
async def landsgennemsnit_side(request: Request, plan_id: int) -> Response:
    done = {key: request.query_params.get(key, "") for key in ("gemt", "slettet")}
    message = None
    if done["gemt"].isdigit():
        message = f"Gemt: landsgennemsnittet for listeår {done['gemt']}. Sidernes vurderinger bruger det nu."
    elif done["slettet"].isdigit():
        message = f"Slettet: landsgennemsnittet for listeår {done['slettet']}."
    return await cached_page(request, plan_id, lambda: _page(request, plan_id, message=message))


def _version(form: dict[str, str]) -> int:
    text = form.get("version", "")
    if not text.isdigit():
        raise HTTPException(400, "Formularen mangler sin version; genindlæs siden.")
    return int(text)


def _done(request: Request, plan_id: int, year: int, what: str, message: str) -> Response:
    """After a save or delete: a plain form post goes back to the page (which then shows the new
    state and says what was done), any other client gets the page's data with the message."""
    if request_format(request) is Format.HTML:
        return RedirectResponse(f"/plan/{plan_id}/landsgennemsnit?{what}={year}#aar-{year}", status_code=303)
    return _page(request, plan_id, message=message)


@router.post("/plan/{plan_id}/landsgennemsnit/{aar}", dependencies=[needs("redaktoer")])
async def gem_landsgennemsnit(request: Request, plan_id: int, aar: int) -> Response:
    """Enter or change the list year's average; errors by field, a conflict with who changed it."""
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    version = _version(form)
    values = {name: form.get(name, "") for name in AVERAGE_FIELDS}

    def work() -> Response:
        try:
            saved = service(request).national_averages.save_national_average(plan_id, aar, values, version)
        except ValidationFailed as error:
            return _page(request, plan_id, errors={aar: error.errors}, forms={aar: values}, status_code=422)
        except ConflictError as error:
            return _page(request, plan_id, conflict=str(error), status_code=409)
        finally:
            written(request, plan_id)
        shown = saved.texts()["doemte_pct"]
        return _done(request, plan_id, aar, "gemt", f"Gemt: landsgennemsnittet for listeår {aar} er {shown} pct.")

    return await run_in_threadpool(work)


@router.post("/plan/{plan_id}/landsgennemsnit/{aar}/slet", dependencies=[needs("redaktoer")])
async def slet_landsgennemsnit(request: Request, plan_id: int, aar: int) -> Response:
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    version = _version(form)

    def work() -> Response:
        try:
            service(request).national_averages.delete_national_average(plan_id, aar, version)
        except ConflictError as error:
            return _page(request, plan_id, conflict=str(error), status_code=409)
        finally:
            written(request, plan_id)
        return _done(request, plan_id, aar, "slettet", f"Slettet: landsgennemsnittet for listeår {aar}.")

    return await run_in_threadpool(work)

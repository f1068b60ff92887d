"""What every page needs: the app state, the signed-in user, the classified plan (cached) and one
function that answers in the format asked for (HTML, JSON or CSV)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from boligsocial.store import PlanOverview, PlanSummary, PlanVersions, Services, StoreError
from boligsocial.web import views
from boligsocial.web.auth import csrf_field_for, csrf_token_of, current_user, plan_id_of, services, signed_in_user
from boligsocial.web.formats import Format, csv_response, json_response, request_format
from boligsocial.web.state import AppState, CachedResponse

MAX_CACHED = 2 * 1024 * 1024
WITHOUT_VALUES = "uden værdier"  # marks a cache key made with `PlanVersions.without_values`
T = TypeVar("T")


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.boligsocial
    return state


def actor_name(request: Request) -> str:
    """The signed-in user's e-mail ("" before sign-in)."""
    user = signed_in_user(request)
    return "" if user is None else user.user.email


def service(request: Request) -> Services:
    """The store's services acting for the signed-in user (with their roles)."""
    found: Services = services(request)
    return found


def current_version(request: Request, plan_id: int) -> int:
    """The plan's data version: fixed for the length of a GET request, trusted for a moment
    between requests (see `VersionCache`); a POST always reads it from the database."""
    return _known_versions(request, plan_id).every


def version_without_values(request: Request, plan_id: int) -> int:
    """The plan's version but for its indicators' values (`PlanVersions`), as `current_version`."""
    return _known_versions(request, plan_id).without_values


def _known_versions(request: Request, plan_id: int) -> PlanVersions:
    if request.method != "GET":
        return _read_versions(request, plan_id)
    known: dict[int, PlanVersions] = getattr(request.state, "plan_versions", {})
    if plan_id not in known:
        trusted = app_state(request).versions.peek(plan_id)
        known[plan_id] = _read_versions(request, plan_id) if trusted is None else trusted
        request.state.plan_versions = known
    return known[plan_id]


def _read_versions(request: Request, plan_id: int) -> PlanVersions:
    """The versions from the database, kept for the next requests unless a write came between."""
    return app_state(request).versions.read(plan_id, lambda: service(request).overview.versions(plan_id))


def written(request: Request, plan_id: int) -> None:
    """After a write: the next page must read the plan's new data version."""
    app_state(request).versions.forget(plan_id)


def overview(request: Request, plan_id: int, list_year: int | None = None) -> PlanOverview:
    """The plan with its verdicts, read once per data version and list year; classified again
    only when the key figures or the list year differ from the last verdicts (`LatestOverviews`)."""
    version = current_version(request, plan_id)
    request.state.data_version = version
    return _overview(request, plan_id, list_year, (plan_id, version, list_year))


def overview_without_values(request: Request, plan_id: int, list_year: int | None = None) -> PlanOverview:
    """`overview` for pages that show no indicator value: kept while only indicator values are
    written (`PlanVersions.without_values`), so its indicators' values may be older than the
    newest. Sets `request.state.version_without_values` for what such a page keeps by version."""
    version = version_without_values(request, plan_id)
    request.state.version_without_values = version
    return _overview(request, plan_id, list_year, (plan_id, WITHOUT_VALUES, version, list_year))


def _overview(request: Request, plan_id: int, list_year: int | None, key: tuple[Any, ...]) -> PlanOverview:
    state = app_state(request)

    def read() -> PlanOverview:
        view = service(request).overview.plan_context(plan_id, list_year, state.latest.of(plan_id))
        state.latest.keep(view)
        return view

    return state.overviews.get(key, read)


def overview_rows(
    request: Request, plan_id: int, list_year: int | None = None
) -> tuple[PlanOverview, list[views.DepartmentRow]]:
    """The classified plan and its departments' rows (cells with their texts), built once per
    version without values and list year and shared by every page that shows them: these pages
    show no indicator value (`overview_without_values`)."""
    view = overview_without_values(request, plan_id, list_year)
    key = (plan_id, request.state.version_without_values, list_year)
    return view, app_state(request).rows.get(key, lambda: views.department_rows(view))


async def cached_page(request: Request, plan_id: int, build: Callable[[], Response]) -> Response:
    """A GET page of a plan, built once per data version, address, format and person.

    Every stored write changes the data version, so a cached page is never stale; what varies by
    person (the e-mail in the header, the buttons their role allows, the CSRF token in forms) is
    part of the key: the user and their session. A page in the cache is answered on the
    event loop without a thread or a database round trip; building one runs in a worker thread."""
    if request.method != "GET":
        return await run_in_threadpool(build)
    known = app_state(request).versions.peek(plan_id)
    if known is not None:
        request.state.plan_versions = {plan_id: known}
    version = known.every if known is not None else await run_in_threadpool(current_version, request, plan_id)
    key = (
        plan_id,
        version,
        request.url.path,
        request.url.query,
        request_format(request),
        request.headers.get("hx-request") == "true",
        current_user(request).csrf_token,  # one per session: the forms on the page carry it
        current_user(request).user.role_on(plan_id),  # what the page offers (forms) follows the role
    )

    def make() -> CachedResponse:
        response = build()
        body = bytes(response.body)
        return CachedResponse(response.status_code, body, tuple(response.headers.items()), len(body) <= MAX_CACHED)

    pages = app_state(request).pages
    cached = pages.peek(key)
    if cached is None:
        cached = await run_in_threadpool(pages.get, key, make, lambda value: value.keep)
    headers = {k: v for k, v in cached.headers if k.lower() != "content-length"}
    return Response(cached.body, status_code=cached.status_code, headers=headers)


def stored(
    request: Request,
    plan_id: int,
    what: tuple[Any, ...],
    read: Callable[[], T],
    *,
    values: bool = True,
    keep: Callable[[T], bool] | None = None,
) -> T:
    """What `read()` reads of the plan, read once per data version and role and shared by every
    address of a GET page (`what` names the read and its arguments). Every stored write changes
    the data version, so it is never older than the page it is on; the role is part of the key
    because the store answers by role (a summary carries the reader's own). With `values=False`,
    for what holds no indicator value, it is kept by `PlanVersions.without_values` instead. Outside
    a GET page of a known version (a form's answer) it is read afresh; one that `keep` refuses
    (e.g. too big) is not kept. The result is shared between requests: the pages only read it."""
    versions: PlanVersions | None = getattr(request.state, "plan_versions", {}).get(plan_id)
    if request.method != "GET" or versions is None:
        return read()
    version = versions.every if values else (WITHOUT_VALUES, versions.without_values)
    role = current_user(request).user.role_on(plan_id)
    found: T = app_state(request).reads.get((plan_id, version, role, *what), read, keep)
    return found


def plan_summary(request: Request, plan_id: int) -> PlanSummary:
    return stored(request, plan_id, ("summary",), lambda: service(request).plans.summary(plan_id))


def parse_year(value: str | None) -> int | None:
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    if not text.isdigit() or not 1900 <= int(text) <= 2100:
        raise HTTPException(400, f'Listeåret skal være et årstal, fx 2022, ikke "{value}".')
    return int(text)


def plan_archived_at(request: Request, plan_id: int) -> datetime | None:
    """When the plan in the path was archived (None: it is not, or the user may not read it):
    every page of an archived plan says so, and offers no changes. Read once per data version
    (archiving and taking back are writes, so they change it) when the page knows the version."""

    def read() -> datetime | None:
        return service(request).plans.archived_at(plan_id)

    try:
        versions: PlanVersions | None = getattr(request.state, "plan_versions", {}).get(plan_id)
        if versions is None:
            return read()
        return app_state(request).archived.get((plan_id, versions.every), read)
    except StoreError:
        return None


def page_globals(request: Request) -> dict[str, Any]:
    """What every HTML page's frame needs: the user (e-mail, role on the plan) and the CSRF token."""
    user = signed_in_user(request)
    plan_id = plan_id_of(request)
    role = None
    archived_at = None
    if user is not None:
        every = next((r for p, r in user.user.roles if p is None), None)
        role = every if plan_id is None else user.user.role_on(plan_id)  # which falls back to `every`
        # no role: the plan cannot be read, nor whether it is archived
        archived_at = None if plan_id is None or role is None else plan_archived_at(request, plan_id)
    return {
        "request": request,
        "plan_archived_at": archived_at,
        "actor": "" if user is None else user.user.email,
        "user": None if user is None else user.user,
        "user_role": role,
        "may_edit": role in ("redaktoer", "administrator") and archived_at is None,
        "is_admin": any(p is None and r == "administrator" for p, r in (user.user.roles if user else ())),
        "csrf_token": csrf_token_of(request),
        "csrf_field": csrf_field_for(request),
    }


def respond(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    data: Any,
    csv: Callable[[], str] | None = None,
    csv_name: str = "tabel.csv",
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The page as HTML (template), JSON (`data`) or CSV (`csv()`, for pages that are tables)."""
    fmt = request_format(request)
    if fmt is Format.JSON:
        response = json_response(data, status_code)
    elif fmt is Format.CSV:
        if csv is None:
            raise HTTPException(404, "Denne side findes ikke som CSV; prøv .json.")
        response = csv_response(csv(), csv_name, status_code)
    else:
        state = app_state(request)
        full = {**page_globals(request), "csv_available": csv is not None, **context}
        response = state.templates.TemplateResponse(request, template, full, status_code=status_code)
        response.headers["Vary"] = "Accept, HX-Request"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response

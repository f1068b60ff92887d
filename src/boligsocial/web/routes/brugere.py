"""User administration for administrators of every plan: /brugere lists the users with their
roles per plan; forms add a user, give or take a role on a plan (or on every plan), reset a
password and close or reopen an account. Every form carries the user's version (optimistic
locking); the store checks the role again and writes each change to the audit trail. No page or
JSON ever shows a password or its hash."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from fastapi import APIRouter, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from boligsocial.store import PLAN_ROLES, ConflictError, UserRecord, ValidationFailed
from boligsocial.store.records import ROLE_NAME_DA
from boligsocial.store.users import MIN_PASSWORD_LENGTH
from boligsocial.web.auth import current_user, needs
from boligsocial.web.formats import is_htmx
from boligsocial.web.pages import app_state, respond, service

router = APIRouter()

EVERY_PLAN: Final = "alle"
FORM_FIELDS: Final = {"password": "adgangskode", "role": "rolle"}
"""The store's field names in ValidationFailed.errors -> this page's form fields."""


def _plan_choice(value: str) -> int | None:
    """The plan field of a form: "alle" (or empty) is every plan, else a plan id."""
    text = value.strip()
    if text in ("", EVERY_PLAN):
        return None
    if not text.isdigit():
        raise ValidationFailed({"plan": f'Vælg en plan på listen, ikke "{value}".'})
    return int(text)


def user_dict(user: UserRecord, plan_names: Mapping[int, str]) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "aktiv": user.active,
        "version": user.version,
        "roller": [
            {
                "plan_id": plan_id,
                "plan": "Alle planer" if plan_id is None else plan_names.get(plan_id, f"Plan {plan_id}"),
                "rolle": role,
            }
            for plan_id, role in user.roles
        ],
    }


def _page(
    request: Request,
    *,
    message: str | None = None,
    error: str | None = None,
    errors: Mapping[str, str] | None = None,
    error_user: int | None = None,
    form: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    services = service(request)
    users = services.users.users()
    plans = [*services.plans.list_plans(), *services.plans.list_plans(archived=True)]
    names = {p.id: p.navn for p in plans}
    shown_errors = {FORM_FIELDS.get(field, field): text for field, text in (errors or {}).items()}
    context = {
        "title": "Brugere",
        "users": users,
        "plans": plans,
        "plan_names": names,
        "roles": PLAN_ROLES,
        "role_names": ROLE_NAME_DA,
        "me": current_user(request).user.id,
        "message": message,
        "error": error,
        "errors": shown_errors,
        "error_user": error_user,
        "form": form or {},
        "min_password": MIN_PASSWORD_LENGTH,
    }
    data = {
        "brugere": [user_dict(u, names) for u in users],
        "planer": [{"id": p.id, "navn": p.navn, "arkiveret": p.archived} for p in plans],
        "roller": PLAN_ROLES,
        "besked": message,
        "fejlbesked": error,
        "fejl": shown_errors,
    }
    template = "_brugere.html" if is_htmx(request) else "brugere.html"
    return respond(request, template, context, data=data, status_code=status_code)


async def _change(
    request: Request, change: Callable[[], str], *, error_user: int | None = None, form: Mapping[str, str] | None = None
) -> Response:
    """Run a change to the users in a worker thread and answer with the page: its message, or
    the refusal (422 by field, 409 when the user changed since the form was shown)."""

    def work() -> Response:
        try:
            message = change()
        except ValidationFailed as refused:
            text = " ".join(refused.errors.values())
            return _page(
                request,
                error=f"Intet er gemt: {text}",
                errors=refused.errors,
                error_user=error_user,
                form=form,
                status_code=422,
            )
        except ConflictError as conflict:
            return _page(request, error=str(conflict), error_user=error_user, status_code=409)
        app_state(request).signed_in.clear()  # sessions and roles are read again at once
        return _page(request, message=message)

    return await run_in_threadpool(work)


@router.get("/brugere", dependencies=[needs("administrator")])
def brugere(request: Request) -> Response:
    return _page(request)


@router.post("/brugere/ny", dependencies=[needs("administrator")])
async def ny_bruger(
    request: Request,
    email: str = Form(""),
    adgangskode: str = Form(""),
    rolle: str = Form(""),
    plan: str = Form(EVERY_PLAN),
) -> Response:
    def change() -> str:
        user = service(request).users.add_user(email, adgangskode, rolle, _plan_choice(plan))
        return f"Brugeren {user.email} er oprettet. Giv vedkommende adgangskoden ad en sikker vej."

    return await _change(request, change, form={"email": email, "rolle": rolle, "plan": plan})


@router.post("/brugere/{user_id}/rolle", dependencies=[needs("administrator")])
async def saet_rolle(
    request: Request, user_id: int, version: int = Form(...), plan: str = Form(EVERY_PLAN), rolle: str = Form("")
) -> Response:
    def change() -> str:
        plan_id = _plan_choice(plan)
        user = service(request).users.set_role(user_id, plan_id, rolle or None, version)
        where = "alle planer" if plan_id is None else f'planen "{_plan_name(request, plan_id)}"'
        if not rolle:
            return f"{user.email} har ikke længere en rolle på {where}."
        return f"{user.email} er nu {ROLE_NAME_DA.get(rolle, rolle)} på {where}."

    return await _change(request, change, error_user=user_id)


def _plan_name(request: Request, plan_id: int) -> str:
    plans = service(request).plans
    found = (p.navn for p in [*plans.list_plans(), *plans.list_plans(archived=True)] if p.id == plan_id)
    return next(found, str(plan_id))


@router.post("/brugere/{user_id}/adgangskode", dependencies=[needs("administrator")])
async def nulstil_adgangskode(
    request: Request, user_id: int, version: int = Form(...), adgangskode: str = Form("")
) -> Response:
    def change() -> str:
        user = service(request).users.reset_password(user_id, adgangskode, version)
        return f"Adgangskoden for {user.email} er ændret. Giv vedkommende den nye adgangskode ad en sikker vej."

    return await _change(request, change, error_user=user_id)


@router.post("/brugere/{user_id}/konto", dependencies=[needs("administrator")])
async def luk_eller_aabn(request: Request, user_id: int, version: int = Form(...), aktiv: str = Form("0")) -> Response:
    def change() -> str:
        user = service(request).users.set_active(user_id, aktiv == "1", version)
        if user.active:
            return f"Kontoen for {user.email} er åbnet igen."
        return f"Kontoen for {user.email} er lukket; vedkommende er logget ud og kan ikke logge ind."

    return await _change(request, change, error_user=user_id)

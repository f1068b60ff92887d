"""Who is asking, and may they: sign-in, CSRF and role gates for every route.

* `guard` runs before every route but the sign-in page: it finds the signed-in user from the
  session cookie (else `SignInRequired`: the browser is sent to /logind, data clients get 401),
  refuses a state-changing request that comes from another site or lacks the session's CSRF
  token (403), and, for a route under /plan/{plan_id}, refuses a user without a role on the plan.
* `needs(role)` is what a route that changes something declares: the store is asked
  (`Services.require`) whether the user holds that role on the plan in the path, before the form
  is read. The store's services check the role again on every call; this gate only makes sure a
  refused user gets 403 whatever they sent.

The CSRF token is the session's own (stored with it); forms carry it as a hidden `csrf_token`
field (`csrf_field()` in templates) and htmx sends it as the `X-CSRF-Token` header (set on
<body> in base.html). The sign-in form, before there is a session, uses a cookie of its own.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request
from markupsafe import Markup, escape

from boligsocial.store import SessionUser, actor_of

SESSION_COOKIE: Final = "boligsocial_session"
LOGIN_CSRF_COOKIE: Final = "boligsocial_login_csrf"
CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "x-csrf-token"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
CROSS_SITE_TEXT: Final = "Forespørgslen kom fra en anden hjemmeside og er afvist. Intet er ændret."
CSRF_TEXT: Final = (
    "Formularen mangler sit sikkerhedstegn (eller det er forældet). Genindlæs siden og prøv igen; intet er ændret."
)

FORM_TEXT: Final = (
    "Formularen kunne ikke læses: den har for mange filer eller felter (højst 1.000) eller er ødelagt. Intet er ændret."
)


class SignInRequired(Exception):
    """No valid session: the user must sign in (again, when `expired`)."""

    def __init__(self, expired: bool) -> None:
        super().__init__("Log ind for at fortsætte.")
        self.expired = expired


def session_token(request: Request) -> str:
    return request.cookies.get(SESSION_COOKIE, "")


def signed_in_user(request: Request) -> SessionUser | None:
    """The session's user (looked up once per request, briefly cached across requests)."""
    if hasattr(request.state, "session_user"):
        found: SessionUser | None = request.state.session_user
        return found
    token = session_token(request)
    found = request.app.state.boligsocial.session_user(token) if token else None
    request.state.session_user = found
    return found


def current_user(request: Request) -> SessionUser:
    found = signed_in_user(request)
    if found is None:
        raise SignInRequired(expired=bool(session_token(request)))
    return found


def is_https(request: Request) -> bool:
    """Whether the browser reached us over https (behind a proxy: uvicorn's --proxy-headers
    sets the scheme from X-Forwarded-Proto)."""
    return request.url.scheme == "https"


# --------------------------------------------------------------------------------------------------
# CSRF


def refuse_cross_site(request: Request) -> None:
    """A state-changing request must come from our own pages: refuse what the browser says comes
    from another site (Sec-Fetch-Site) or whose Origin is not this server."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        raise HTTPException(403, CROSS_SITE_TEXT)
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        parts = urlsplit(origin)
        if parts.netloc != request.headers.get("host", "") or parts.scheme not in ("http", "https"):
            raise HTTPException(403, CROSS_SITE_TEXT)
    elif origin == "null":
        raise HTTPException(403, CROSS_SITE_TEXT)


async def sent_csrf_token(request: Request) -> str:
    """The CSRF token the request carries: the htmx header, else the form's hidden field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        try:
            form = await request.form()  # cached by Starlette: the route reads the same form
        except HTTPException as error:  # Starlette's own English message for a form it cannot read
            raise HTTPException(400, FORM_TEXT) from error
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


def same_token(sent: str, expected: str) -> bool:
    return bool(sent) and bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


# --------------------------------------------------------------------------------------------------
# Gates


async def guard(request: Request) -> None:
    """Every route but the sign-in page: signed in, not cross-site, CSRF token on writes, and a
    role on the plan in the path."""
    user = current_user(request)
    if request.method not in SAFE_METHODS:
        refuse_cross_site(request)
        if not same_token(await sent_csrf_token(request), user.csrf_token):
            raise HTTPException(403, CSRF_TEXT)
    plan_id = plan_in_path(request)
    if plan_id is not None:
        services(request).require(plan_id, "laeser")


def plan_id_of(request: Request) -> int | None:
    """The plan id in the route's path, None when there is none or it is not a number
    (Starlette keeps path parameters as text)."""
    value = request.path_params.get("plan_id")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    return None


def plan_in_path(request: Request) -> int | None:
    """`plan_id_of`, refusing (404) a plan id that is not a number."""
    plan_id = plan_id_of(request)
    if plan_id is None and request.path_params.get("plan_id") is not None:
        raise HTTPException(404, "Adressen findes ikke. Gå til forsiden og find siden derfra.")
    return plan_id


def services(request: Request) -> Any:
    """The store's services acting for the signed-in user (`pages.service` is the typed name)."""
    user = current_user(request)
    return request.app.state.boligsocial.service(actor_of(user.user))


class RoleGate:
    """The dependency `needs(role)` makes; `role` is read by tests/test_web_roles.py."""

    def __init__(self, role: str) -> None:
        self.role = role

    def __call__(self, request: Request) -> None:
        services(request).require(plan_in_path(request), self.role)


def needs(role: str) -> Any:
    """`dependencies=[needs("redaktoer")]`: the user must hold `role` (or above) on the plan in
    the path (without a plan in the path: on every plan)."""
    return Depends(RoleGate(role))


def csrf_field_for(request: Request) -> Callable[[], Markup]:
    """The template global `csrf_field()`: the hidden field every POST form carries."""

    def field() -> Markup:
        token = csrf_token_of(request)
        return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, escape(token))

    return field


def csrf_token_of(request: Request) -> str:
    user = signed_in_user(request)
    if user is not None:
        return user.csrf_token
    return str(getattr(request.state, "login_csrf", "") or request.cookies.get(LOGIN_CSRF_COOKIE, ""))

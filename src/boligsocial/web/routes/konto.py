"""Signing in and out: /logind (open to everyone) and /logud.

The sign-in form has no session yet, so its CSRF token is a random cookie of its own that the form
repeats (a page on another site can neither read the cookie nor set it). After sign-in the browser
holds only a random session token in an HttpOnly, SameSite=Lax cookie (Secure over https).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from boligsocial.store import SYSTEM_ACTOR, SignInRefused, TooManyAttempts
from boligsocial.store.sign_in import SESSION_LIFETIME, SignInService
from boligsocial.web.auth import (
    CSRF_TEXT,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    current_user,
    is_https,
    new_login_csrf,
    refuse_cross_site,
    same_token,
    sent_csrf_token,
    session_token,
    signed_in_user,
)
from boligsocial.web.pages import app_state, respond

router = APIRouter()


def sign_in_url(path: str | None, query: str, expired: bool) -> str:
    """/logind, remembering where to go afterwards (a local path only)."""
    parts = []
    if path and path not in ("/logind", "/logud"):
        parts.append("naeste=" + quote(path + (f"?{query}" if query else ""), safe=""))
    if expired:
        parts.append("udloebet=1")
    return "/logind" + ("?" + "&".join(parts) if parts else "")


def local_target(target: str | None) -> str:
    """Where to go after sign-in: a path on this server, never another site."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "ukendt"


def _form_page(
    request: Request, *, naeste: str, message: str | None, email: str = "", status_code: int = 200
) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_login_csrf()
    request.state.login_csrf = token
    context = {"title": "Log ind", "naeste": naeste, "message": message, "email": email}
    data = {"log_ind": "/logind", "felter": ["email", "adgangskode", "csrf_token"], "besked": message}
    response = respond(request, "logind.html", context, data=data, status_code=status_code)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=is_https(request))
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/logind")
def logind_side(request: Request, naeste: str = "", udloebet: str = "") -> Response:
    if signed_in_user(request) is not None:
        return RedirectResponse(local_target(naeste), status_code=303)
    message = "Din session er udløbet. Log ind igen." if udloebet else None
    return _form_page(request, naeste=local_target(naeste) if naeste else "", message=message)


@router.post("/logind")
async def log_ind(
    request: Request,
    email: str = Form(""),
    adgangskode: str = Form(""),
    naeste: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    refuse_cross_site(request)
    if not same_token(csrf_token, request.cookies.get(LOGIN_CSRF_COOKIE, "")):
        return _form_page(request, naeste=naeste, message=CSRF_TEXT, email=email, status_code=403)
    service = SignInService(app_state(request).sessions, SYSTEM_ACTOR)
    try:
        signed = await run_in_threadpool(service.sign_in, email, adgangskode, client_address(request))
    except TooManyAttempts as error:
        return _form_page(request, naeste=naeste, message=str(error), email=email, status_code=429)
    except SignInRefused as error:
        return _form_page(request, naeste=naeste, message=str(error), email=email, status_code=401)
    response = RedirectResponse(local_target(naeste), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logud")
async def log_ud(request: Request) -> Response:
    user = current_user(request)
    refuse_cross_site(request)
    if not same_token(await sent_csrf_token(request), user.csrf_token):
        raise HTTPException(403, CSRF_TEXT)
    token = session_token(request)
    await run_in_threadpool(SignInService(app_state(request).sessions, SYSTEM_ACTOR).sign_out, token)
    app_state(request).signed_in.forget(token)
    response = RedirectResponse("/logind", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response

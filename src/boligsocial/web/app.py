"""The web app for the plan team: `create_app(db_url)` builds it, `serve(...)` runs it.

Routes and templates only: every read and write goes through the services of `boligsocial.store`,
every verdict comes from `boligsocial.law`. Pages are Danish; each is also JSON (and tables CSV)
at the same URL with `.json`/`.csv` or by the `Accept` header. See docs/web.md.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from pathlib import Path
from typing import Final

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import escape
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, RedirectResponse, Response

from boligsocial import danish
from boligsocial.law import vocabulary
from boligsocial.store import SYSTEM_ACTOR, NotAllowed, NotFound, StoreError, UserService, bootstrap
from boligsocial.store.records import ROLE_NAME_DA
from boligsocial.web.auth import FORM_TEXT, SignInRequired, guard
from boligsocial.web.formats import Format, FormatSuffixMiddleware, json_response, request_format
from boligsocial.web.limits import BodyLimitMiddleware
from boligsocial.web.pages import page_globals
from boligsocial.web.routes import (
    afdelinger,
    atlas,
    brugere,
    exports,
    imports,
    indikatorer,
    konto,
    landsgennemsnit,
    omraader,
    oversigt,
    partnere,
    planer,
    redigering,
    revision,
    tekster,
)
from boligsocial.web.security import SecurityHeadersMiddleware
from boligsocial.web.state import AppState

log = logging.getLogger(__name__)

WEB_DIR: Final = Path(__file__).resolve().parent
DEFAULT_DB: Final = "sqlite:///boligsocial.db"
DB_ENV: Final = "BOLIGSOCIAL_DB"
HTMX_VERSION: Final = "2.0.11"

STATUS_TITLES: Final = {
    400: "Forkert forespørgsel",
    401: "Log ind",
    403: "Ikke tilladt",
    404: "Siden findes ikke",
    405: "Metoden er ikke tilladt",
    409: "Konflikt",
    413: "Filen er for stor",
    422: "Oplysningerne kan ikke bruges",
    500: "Der skete en fejl",
}


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
    env = templates.env
    # Compiled once per process: by default Jinja asks the file system on every page whether a
    # template (and each one it extends or imports) has changed; the installed templates do not.
    env.auto_reload = False
    env.filters["tal"] = lambda v, digits=0: danish.number(v, digits)
    env.filters["kort_tal"] = lambda v: "-" if v is None else danish.short_number(v)
    env.filters["status_label"] = lambda s: vocabulary.STATUS_LABEL_DA[s]
    env.filters["status_css"] = lambda s: vocabulary.STATUS_CSS[s]
    env.filters["liste"] = vocabulary.list_title_da
    env.filters["liste_kort"] = lambda n: vocabulary.LIST_SHORT_DA.get(n, n)
    env.filters["dato"] = lambda d: "" if d is None else d.strftime("%d.%m.%Y")
    env.filters["tidspunkt"] = danish.local_stamp  # Copenhagen time, the one format of danish.local_stamp
    env.globals["LIST_NAMES"] = vocabulary.REPORTED_LISTS
    env.globals["HTMX_VERSION"] = HTMX_VERSION
    env.globals["NEAR_TEXT"] = vocabulary.NEAR_DA
    env.globals["ROLE_NAMES"] = ROLE_NAME_DA
    return templates


PROTECTED_ROUTERS: Final = (
    planer,
    oversigt,
    afdelinger,
    omraader,
    indikatorer,
    partnere,
    imports,
    exports,
    brugere,
    tekster,
    revision,
    redigering,
    atlas,
    landsgennemsnit,
)
"""Every page module behind sign-in (`guard`); only `konto` (sign-in) and /static are open."""


def create_app(db_url: str) -> FastAPI:
    """The app on the database at `db_url` (SQLite file or PostgreSQL URL). On first start the
    schema is created and the bundled example plan (Mit Kvarter) is loaded. Every page but the
    sign-in page needs a signed-in user (docs/security.md)."""
    sessions = bootstrap(db_url)
    app = FastAPI(title="boligsocial", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.boligsocial = AppState(sessions=sessions, templates=make_templates(), db_url=db_url)
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
    app.include_router(konto.router)
    for module in PROTECTED_ROUTERS:
        app.include_router(module.router, dependencies=[Depends(guard)])
    _install_error_pages(app)
    app.add_middleware(BodyLimitMiddleware)  # request bodies over the upload limit: 413 as they arrive
    app.add_middleware(FormatSuffixMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: every response gets the headers
    return app


def error_page(request: Request, status: int, message: str) -> Response:
    """A refusal or error in the format asked for: JSON, a notice for htmx, or a Danish page."""
    if request_format(request) is not Format.HTML:
        return json_response({"fejl": message, "status": status}, status)
    state: AppState = request.app.state.boligsocial
    if "hx-request" in request.headers:  # swapped into the page where the user acted
        notice = f'<div class="notice error" role="alert" id="afvist">{escape(message)}</div>'
        # before the element the request would have replaced, which stays as it was
        return HTMLResponse(notice, status_code=status, headers={"HX-Reswap": "beforebegin"})
    context = {
        **page_globals(request),
        "title": STATUS_TITLES.get(status, "Fejl"),
        "message": message,
        "status": status,
    }
    return state.templates.TemplateResponse(request, "fejl.html", context, status_code=status)


STARLETTE_FORM_ERRORS: Final = (
    "Too many files",
    "Too many fields",
    "Part exceeded",
    "Field exceeded",
    "Missing boundary",
    "Invalid multipart",
    "The Content-Disposition",
)
"""How Starlette's multipart parser begins its (English) messages for a form it cannot read."""


def http_error_text(exc: StarletteHTTPException) -> str:
    """The Danish message of an HTTP error (Starlette's own English details are replaced)."""
    detail = exc.detail if isinstance(exc.detail, str) else None
    if exc.status_code == 400 and detail is not None and detail.startswith(STARLETTE_FORM_ERRORS):
        return FORM_TEXT
    if detail is not None and detail not in ("Not Found", "Method Not Allowed"):
        return detail
    return {
        404: "Adressen findes ikke. Gå til forsiden og find siden derfra.",
        405: "Siden kan ikke bruges på den måde.",
    }.get(exc.status_code, "Forespørgslen kunne ikke gennemføres.")


def _install_error_pages(app: FastAPI) -> None:
    page = error_page

    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, exc: SignInRequired) -> Response:
        message = "Din session er udløbet. Log ind igen." if exc.expired else "Log ind for at se siden."
        if request_format(request) is Format.HTML and request.method == "GET" and "hx-request" not in request.headers:
            target = konto.sign_in_url(request.url.path, request.url.query, exc.expired)
            return RedirectResponse(target, status_code=303)
        response = page(request, 401, message)
        if "hx-request" in request.headers:
            response.headers["HX-Redirect"] = konto.sign_in_url(None, "", exc.expired)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return page(request, exc.status_code, http_error_text(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        fields = ", ".join(str(e.get("loc", ["?"])[-1]) for e in exc.errors())
        return page(request, 400, f"Adressen eller formularen har ugyldige værdier ({fields}).")

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return page(request, 404, str(exc))

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, exc: NotAllowed) -> Response:
        return page(request, 403, str(exc))

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        return page(request, 422, str(exc))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("fejl ved %s %s", request.method, request.url.path)
        return page(request, 500, "Der skete en uventet fejl. Intet er gemt halvt; prøv igen, eller kontakt os.")


def create_app_from_env() -> FastAPI:
    """`create_app` with the database URL in $BOLIGSOCIAL_DB, for running several worker
    processes: `uvicorn --factory --workers 4 boligsocial.web.app:create_app_from_env`."""
    return create_app(os.environ.get(DB_ENV, DEFAULT_DB))


def local_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


LOCAL_USER: Final = "lokal@boligsocial.local"
LOOPBACK: Final = frozenset({"127.0.0.1", "::1", "localhost"})


def serve(db_url: str, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the app with uvicorn until Ctrl+C; prints the local address in Danish. A database that
    cannot be opened or a port in use ends the program with a Danish message (SystemExit).

    Every page needs sign-in. A database without users gets, on this machine only (127.0.0.1),
    a local administrator whose password is printed once; on any other address the server does
    not start until an administrator exists (`boligsocial users add`)."""
    import uvicorn

    _check_port(host, port)
    try:
        app = create_app(db_url)
        local_password = _first_user(app.state.boligsocial.sessions, host, db_url)
    except StoreError as error:
        raise SystemExit(f"Fejl: {error}") from None
    print(f"boligsocial kører nu på {local_url(host, port)}  (database: {_shown_db(db_url)})", flush=True)
    if local_password is not None:
        print(f"Log ind med e-mail {LOCAL_USER} og adgangskode {local_password}", flush=True)
        print("(adgangskoden vises kun denne gang; gem den, eller opret dine egne brugere med 'boligsocial users add')")
    print("Åbn adressen i en browser. Stop med Ctrl+C.", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=True)


def _first_user(sessions: sessionmaker[Session], host: str, db_url: str) -> str | None:
    """The password of a local administrator made now, when the database has no user and the
    server listens on this machine only; None when there are users. Refuses (SystemExit) to
    open a database without users to other machines."""
    users = UserService(sessions, SYSTEM_ACTOR)
    if users.users():
        return None
    if host not in LOOPBACK:
        raise SystemExit(
            f"Fejl: Databasen har ingen brugere endnu, så ingen kan logge ind. Opret først en administrator, "
            f"fx: boligsocial users add navn@eksempel.dk --role administrator --db {_shown_db(db_url)} "
            f"- og start så igen med --host {host}."
        )
    password = secrets.token_urlsafe(12)
    users.add_user(LOCAL_USER, password, "administrator")
    return password


def _check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise SystemExit(
                f"Fejl: boligsocial kan ikke lytte på {host}:{port} ({error.strerror or error}). "
                "Vælg en anden port med --port."
            ) from None


def _shown_db(db_url: str) -> str:
    """The database URL without a password."""
    if "@" in db_url and "://" in db_url:
        scheme, rest = db_url.split("://", 1)
        credentials, _, location = rest.rpartition("@")
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{location}" if ":" in credentials else db_url
    return db_url

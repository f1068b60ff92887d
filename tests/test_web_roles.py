"""Every route of the app, read from the app itself: signed in, CSRF-checked, and refused (403 with
a Danish message) to every role below the one it declares.

A new route fails here until it is behind `guard` (or listed in `PUBLIC`), declares the role it
needs with `needs(...)` when it changes something, and has example values for its path parameters
in `PATH_VALUES`."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from boligsocial.web.auth import CROSS_SITE_TEXT, CSRF_TEXT, FORM_TEXT, RoleGate, guard
from boligsocial.web.routes.brugere import EVERY_PLAN
from web_helpers import EXAMPLE, add_user, client_for, department_id, services_of, sign_in

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PUBLIC = {("/logind", "GET"), ("/logind", "POST"), ("/logud", "POST")}
"""Open before sign-in (sign-out checks the session and its CSRF token itself)."""
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
REFUSALS = ("læseadgang", "kun en administrator", "ikke adgang", "Det kræver adgang")


@dataclass(frozen=True)
class RouteInfo:
    path: str
    method: str
    guarded: bool
    role: str | None  # declared with needs(...)

    def url(self, values: dict[str, str]) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1).split(":")[0]
            assert name in values, f"add an example value for {{{name}}} ({self.path}) to PATH_VALUES"
            return values[name]

        return re.sub(r"\{([^}]+)\}", value, self.path)


def app_routes(app: FastAPI) -> list[RouteInfo]:
    """Every (path, method) the app answers, with its gates, through FastAPI's included routers."""
    found: list[RouteInfo] = []
    for entry in app.routes:
        included = getattr(entry, "original_router", None)
        if included is None:
            continue  # /static
        router_gates = [d.dependency for d in entry.include_context.dependencies]  # type: ignore[attr-defined]
        for route in included.routes:
            assert isinstance(route, APIRoute)
            gates = [d.dependency for d in route.dependencies]
            roles = [gate.role for gate in gates if isinstance(gate, RoleGate)]
            for method in sorted(route.methods):
                found.append(RouteInfo(route.path, method, guard in router_gates, roles[0] if roles else None))
    return found


@dataclass
class Roles:
    app: FastAPI
    clients: dict[str, TestClient]
    values: dict[str, str]


@pytest.fixture(scope="module")
def roles(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Roles]:
    """One app (SQLite: the gates are the web layer's, the store's own checks are tested on both
    databases in test_store_audit.py) with a user of every role on plan 1, one with a role on
    plan 2 only, and an administrator of every plan."""
    url = f"sqlite:///{tmp_path_factory.mktemp('roller') / 'boligsocial.db'}"
    admin = client_for(url, "admin@example.dk", "administrator")
    other_plan = services_of(admin).plans.import_plan_folder(EXAMPLE)
    clients = {"administrator*": admin}
    for name, role, plan in (
        ("laeser", "laeser", 1),
        ("redaktoer", "redaktoer", 1),
        ("administrator", "administrator", 1),
        ("fremmed", "administrator", other_plan),
    ):
        add_user(admin, f"{name}@example.dk", role, plan)
        clients[name] = sign_in(TestClient(admin.app, follow_redirects=False), f"{name}@example.dk")
    values = {
        "plan_id": "1",
        "afdeling_id": str(department_id(admin, "Folehaven")),
        "indikator_id": "fravaer-grundskole",
        "navn": "Frederiksholm",
        "name": "10-problemkompleks.md",
        "section": "partnere",
        "user_id": "1",
        "path": "noegletal.csv",
        "aar": "2024",
        "filtype": "docx",
    }
    yield Roles(admin.app, clients, values)  # type: ignore[arg-type]


def test_the_app_has_routes_and_the_list_sees_them(roles: Roles) -> None:
    routes = app_routes(roles.app)
    assert ("/logind", "POST") in {(r.path, r.method) for r in routes}
    assert any(r.role == "redaktoer" for r in routes)
    assert len(routes) > 20


def test_every_route_but_sign_in_is_behind_the_guard(roles: Roles) -> None:
    open_routes = {(r.path, r.method) for r in app_routes(roles.app) if not r.guarded}
    assert open_routes == PUBLIC


def test_every_write_route_declares_the_role_it_needs(roles: Roles) -> None:
    undeclared = [
        f"{r.method} {r.path}"
        for r in app_routes(roles.app)
        if r.method in UNSAFE and (r.path, r.method) not in PUBLIC and r.role is None
    ]
    assert undeclared == []


def _json(method: str, client: TestClient, url: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    response = client.request(
        method, url, headers={"Accept": "application/json", **kwargs.pop("headers", {})}, **kwargs
    )
    try:
        data = response.json()
    except ValueError:
        data = {"tekst": response.text[:200]}
    return response.status_code, data


def test_nobody_gets_anywhere_without_signing_in(roles: Roles) -> None:
    anonymous = TestClient(roles.app, follow_redirects=False)
    for route in app_routes(roles.app):
        if (route.path, route.method) in PUBLIC:
            continue
        url = route.url(roles.values)
        if route.method == "GET":
            page = anonymous.get(url)
            assert page.status_code == 303 and page.headers["location"].startswith("/logind?naeste="), url
        status, data = _json(route.method, anonymous, url)
        assert status == 401, f"{route.method} {url}: {status}"
        assert data["fejl"] == "Log ind for at se siden."


def _below(route: RouteInfo) -> str:
    """The client whose role is just below what the route needs."""
    if route.role == "redaktoer":
        return "laeser"
    if route.role == "administrator":
        return "redaktoer" if "{plan_id}" in route.path else "administrator"  # a plan's, not every plan's
    raise AssertionError(f"unknown role {route.role}")


def test_every_write_route_refuses_the_role_below_with_a_danish_message(roles: Roles) -> None:
    writes = [r for r in app_routes(roles.app) if r.method in UNSAFE and r.role is not None]
    assert writes
    for route in writes:
        client = roles.clients[_below(route)]
        status, data = _json(route.method, client, route.url(roles.values), data={"x": "1"})
        assert status == 403, f"{route.method} {route.path} as {_below(route)}: {status} {data}"
        assert any(text in data["fejl"] for text in REFUSALS), data


def test_a_user_without_a_role_on_the_plan_sees_none_of_it(roles: Roles) -> None:
    stranger = roles.clients["fremmed"]
    plan_routes = [r for r in app_routes(roles.app) if "{plan_id}" in r.path]
    assert plan_routes
    for route in plan_routes:
        status, data = _json(route.method, stranger, route.url(roles.values), data={"x": "1"})
        assert status == 403, f"{route.method} {route.path}: {status}"
        assert data["fejl"] == "Du har ikke adgang til denne plan."
    listed = stranger.get("/.json").json()["planer"]
    assert [p["id"] for p in listed] == [2]


def test_every_write_route_needs_the_csrf_token_and_our_own_origin(roles: Roles) -> None:
    admin = roles.clients["administrator*"]
    token = admin.headers["X-CSRF-Token"]
    writes = [r for r in app_routes(roles.app) if r.method in UNSAFE and (r.path, r.method) not in PUBLIC]
    for route in writes:
        url = route.url(roles.values)
        del admin.headers["X-CSRF-Token"]
        try:
            status, data = _json(route.method, admin, url, data={"x": "1"})
            assert (status, data["fejl"]) == (403, CSRF_TEXT), f"{route.method} {url}"
            status, data = _json(route.method, admin, url, data={"csrf_token": "forkert"})
            assert (status, data["fejl"]) == (403, CSRF_TEXT), f"{route.method} {url}"
        finally:
            admin.headers["X-CSRF-Token"] = token
        for header in ({"Origin": "https://ondt.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}):
            status, data = _json(route.method, admin, url, data={"x": "1"}, headers=header)
            assert (status, data["fejl"]) == (403, CROSS_SITE_TEXT), f"{route.method} {url} {header}"


def test_a_form_token_works_as_well_as_the_header(roles: Roles) -> None:
    """Without JavaScript the hidden field carries the token: a laeser's form reaches the role
    check (403 for the role, not for the token), an editor's is saved."""
    editor = roles.clients["redaktoer"]
    token = editor.headers.pop("X-CSRF-Token")
    try:
        afdeling = roles.values["afdeling_id"]
        page = editor.get(f"/plan/1/afdelinger/{afdeling}")
        assert f'name="csrf_token" value="{token}"' in page.text
        version = re.search(r'name="version" value="(\d+)"', page.text)
        assert version is not None
        response = editor.post(
            f"/plan/1/afdelinger/{afdeling}/noegletal",
            data={"csrf_token": token, "version": version.group(1), "beboere": "1.951"},
        )
        assert response.status_code in (200, 303), response.text[:300]
    finally:
        editor.headers["X-CSRF-Token"] = token


def test_sign_in_refuses_a_post_from_another_site(roles: Roles, tmp_path: Path) -> None:
    visitor = TestClient(roles.app, follow_redirects=False)
    form = visitor.get("/logind")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    fields = {"email": "admin@example.dk", "adgangskode": "en lang test-adgangskode", "csrf_token": token.group(1)}
    refused = visitor.post("/logind", data=fields, headers={"Origin": "https://ondt.example"})
    assert refused.status_code == 403 and "boligsocial_session" not in refused.cookies
    without_cookie = TestClient(roles.app, follow_redirects=False).post("/logind", data=fields)
    assert without_cookie.status_code == 403 and "sikkerhedstegn" in without_cookie.text


_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.IGNORECASE | re.DOTALL)


def test_every_post_form_on_every_page_carries_the_csrf_token(roles: Roles) -> None:
    """Rendered, not scanned: every page the app answers to GET, as an administrator of every plan
    (who sees every form), and each form that posts holds the session's token."""
    admin = roles.clients["administrator*"]
    token = admin.headers["X-CSRF-Token"]
    forms = 0
    for route in app_routes(roles.app):
        if route.method != "GET" or (route.path, route.method) in PUBLIC:
            continue
        page = admin.get(route.url(roles.values))
        if not page.headers.get("content-type", "").startswith("text/html"):
            continue
        for attributes, body in _FORM.findall(page.text):
            if 'method="post"' in attributes.lower():
                forms += 1
                assert f'name="csrf_token" value="{token}"' in body, f"{route.path}: <form{attributes}>"
    assert forms >= 10


def test_a_form_that_cannot_be_read_is_refused_in_danish(roles: Roles) -> None:
    admin = roles.clients["administrator*"]
    files = [("filer", (f"mappe/{n}.md", b"x", "text/markdown")) for n in range(1001)]
    status, data = _json("POST", admin, "/planer/ny", files=files, data={"x": "1"})
    assert status == 400
    assert data["fejl"] == FORM_TEXT


def test_a_cached_page_follows_a_change_of_role_at_once(tmp_path: Path) -> None:
    """The same session sees the key-figure form enabled as an editor and disabled as a reader,
    without any change to the plan in between (the page cache keys on the role)."""
    url = f"sqlite:///{tmp_path / 'rolle.db'}"
    admin = client_for(url, "admin@example.dk", "administrator")
    add_user(admin, "skifter@example.dk", "redaktoer")  # on every plan: the change is no plan's data
    person = sign_in(TestClient(admin.app, follow_redirects=False), "skifter@example.dk")
    address = f"/plan/1/afdelinger/{department_id(admin, 'Folehaven')}"
    assert "Du har læseadgang" not in person.get(address).text
    user = next(u for u in services_of(admin).users.users() if u.email == "skifter@example.dk")
    changed = admin.post(
        f"/brugere/{user.id}/rolle", data={"version": str(user.version), "plan": EVERY_PLAN, "rolle": "laeser"}
    )
    assert changed.status_code in (200, 303), changed.text[:300]
    assert "Du har læseadgang" in person.get(address).text

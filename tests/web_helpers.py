"""Helpers for the web tests: an app on a fresh database (SQLite and PostgreSQL, through the
store's fixtures in conftest.py) and small look-ups of the example plan's pages."""

from __future__ import annotations

import html
import json
import re
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from boligsocial.store import SYSTEM_ACTOR, Services, UserService
from boligsocial.store.models import AuditEvent, utcnow
from boligsocial.web.app import create_app

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter"
ACTOR = "testbruger@example.dk"
PASSWORD = "en lang test-adgangskode"


def add_user(client: TestClient, email: str, role: str, plan_id: int | None = None) -> None:
    """A user with `role` on one plan (or every plan) in the app's database."""
    UserService(client.app.state.boligsocial.sessions, SYSTEM_ACTOR).add_user(email, PASSWORD, role, plan_id)  # type: ignore[attr-defined]


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> TestClient:
    """Sign the client in through /logind, as a browser does; afterwards every request carries
    the session's CSRF token in the header htmx uses."""
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    form_page = client.get("/logind")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form_page.text)
    assert token is not None, form_page.text[:300]
    response = client.post("/logind", data={"email": email, "adgangskode": password, "csrf_token": token.group(1)})
    assert response.status_code == 303, response.text[:500]
    page = client.get("/logind", follow_redirects=True)
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text)
    assert csrf is not None, page.text[:300]
    client.headers["X-CSRF-Token"] = csrf.group(1)
    return client


def client_for(url: str, email: str = ACTOR, role: str = "administrator", plan_id: int | None = None) -> TestClient:
    """A client of a new app on `url`, signed in as `email` with `role` (on every plan by default)."""
    client = TestClient(create_app(url), follow_redirects=False)
    add_user(client, email, role, plan_id)
    return sign_in(client, email)


def services_of(client: TestClient) -> Services:
    """The store's services acting as the system, on the client's database."""
    return Services(client.app.state.boligsocial.sessions, SYSTEM_ACTOR)  # type: ignore[attr-defined]


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    """A client on a fresh database holding the example plan; once on SQLite, once on PostgreSQL."""
    with client_for(db_url) as c:
        yield c


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_client(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app per test module and backend, for tests that only read."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'boligsocial.db'}"
        with client_for(url) as c:
            yield c
        return
    server: str = request.getfixturevalue("pg_server")
    name = f"web_{uuid.uuid4().hex[:16]}"
    admin = create_engine(make_url(server).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(server).set(drivername="postgresql+psycopg", database=name).render_as_string(False)
        with client_for(url) as c:
            yield c
        c.app.state.boligsocial.sessions.kw["bind"].dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def get_json(client: TestClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("application/json")
    return json.loads(response.text)


def department_id(client: TestClient, name: str, plan_id: int = 1) -> int:
    for row in get_json(client, f"/plan/{plan_id}/afdelinger.json")["afdelinger"]:
        if row["afdeling"] == name:
            return int(row["id"])
    raise AssertionError(f"no department {name}")


def department(client: TestClient, name: str, plan_id: int = 1) -> dict[str, Any]:
    data: dict[str, Any] = get_json(client, f"/plan/{plan_id}/afdelinger/{department_id(client, name)}.json")
    return data


def text_of(page: str) -> str:
    """The visible text of a page, whitespace collapsed (for Danish-content assertions)."""
    without = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", without)).split())


def audit_event(entity: str, action: str, summary: str, plan_id: int = 1) -> AuditEvent:
    """An audit event of plan `plan_id` by a made-up writer, for tests that write one by hand in a
    transaction of their own (e.g. a slow write that commits after a newer one)."""
    return AuditEvent(
        at=utcnow(),
        actor="Langsom",
        role="administrator",
        action=action,
        entity=entity,
        entity_id=str(plan_id),
        plan_id=plan_id,
        summary=summary,
    )


def save_text(client: TestClient, name: str, text: str, version: object) -> None:
    """Save a text section through its form (a plain post, as without JavaScript)."""
    saved = client.post(
        f"/plan/1/tekster/{name}", data={"tekst": text, "version": str(version)}, headers={"Accept": "text/html"}
    )
    assert saved.status_code == 303, text_of(saved.text)[:300]

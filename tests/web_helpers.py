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

from boligsocial.web.app import create_app

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter"
ACTOR = "Testbruger"


def client_for(url: str, actor: str = ACTOR) -> TestClient:
    return TestClient(create_app(url, actor), follow_redirects=False)


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

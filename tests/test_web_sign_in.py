"""Signing in and out: the session cookie, wrong passwords, password guessing, expired sessions,
and the audit trail naming the signed-in user (SQLite and PostgreSQL)."""

# ruff: noqa: F811 - pytest fixtures imported from web_helpers are used as arguments
from __future__ import annotations

import re
import warnings
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from boligsocial.store.models import SignInSession, utcnow
from boligsocial.store.sign_in import MAX_FAILURES_PER_EMAIL
from web_helpers import ACTOR, PASSWORD, add_user, client, department_id, get_json, services_of, sign_in  # noqa: F401

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def _visitor(client: TestClient, base_url: str = "http://testserver") -> TestClient:
    return TestClient(client.app, follow_redirects=False, base_url=base_url)


def _try(visitor: TestClient, email: str, password: str, naeste: str = "") -> Any:
    form = visitor.get("/logind")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    fields = {"email": email, "adgangskode": password, "csrf_token": token.group(1), "naeste": naeste}
    return visitor.post("/logind", data=fields)


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(client: TestClient) -> None:
    visitor = _visitor(client, "https://testserver")
    response = _try(visitor, ACTOR, PASSWORD, "/plan/1/afdelinger")
    assert response.status_code == 303 and response.headers["location"] == "/plan/1/afdelinger"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("boligsocial_session="))
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=lax", "path=/"} <= flags
    plain = _try(_visitor(client), ACTOR, PASSWORD)
    cookie = next(h for h in plain.headers.get_list("set-cookie") if h.startswith("boligsocial_session="))
    assert "secure" not in cookie.lower() and "httponly" in cookie.lower()


def test_after_sign_in_only_a_local_address_is_followed(client: TestClient) -> None:
    for target in ("https://ondt.example/", "//ondt.example/x", "/\\ondt.example"):
        response = _try(_visitor(client), ACTOR, PASSWORD, target)
        assert response.headers["location"] == "/", target


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client: TestClient) -> None:
    visitor = _visitor(client)
    wrong = _try(visitor, ACTOR, PASSWORD + "x")
    unknown = _try(visitor, "ingen@example.dk", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "Forkert e-mail eller adgangskode." in response.text
        assert "boligsocial_session" not in response.cookies
    assert visitor.get("/plan/1").status_code == 303
    actions = [e.action for e in services_of(client).audit.audit_events(None, limit=5)]
    assert actions[:2] == ["mislykket_log_ind", "mislykket_log_ind"]


def test_password_guessing_is_stopped_even_with_the_right_password(client: TestClient) -> None:
    add_user(client, "mette@example.dk", "laeser", 1)
    visitor = _visitor(client)
    for _ in range(MAX_FAILURES_PER_EMAIL):
        assert _try(visitor, "mette@example.dk", "gæt gæt gæt gæt").status_code == 401
    stopped = _try(visitor, "mette@example.dk", PASSWORD)
    assert stopped.status_code == 429
    assert re.search(r"For mange forkerte forsøg på at logge ind\. Prøv igen om 1[45] minutter\.", stopped.text)
    assert "boligsocial_session" not in stopped.cookies
    # another person is not stopped by Mette's attempts
    assert _try(_visitor(client), ACTOR, PASSWORD).status_code == 303


def test_an_expired_session_sends_the_user_to_sign_in_again(client: TestClient) -> None:
    visitor = sign_in(_visitor(client), ACTOR)
    assert visitor.get("/plan/1").status_code == 200
    with client.app.state.boligsocial.sessions.begin() as session:  # type: ignore[attr-defined]
        session.execute(update(SignInSession).values(expires_at=utcnow() - timedelta(minutes=1)))
    client.app.state.boligsocial.signed_in.clear()  # type: ignore[attr-defined]
    page = visitor.get("/plan/1/afdelinger?sortering=navn")
    assert page.status_code == 303
    assert page.headers["location"] == "/logind?naeste=%2Fplan%2F1%2Fafdelinger%3Fsortering%3Dnavn&udloebet=1"
    assert "Din session er udløbet. Log ind igen." in visitor.get(page.headers["location"]).text
    refused = visitor.post("/plan/1/indikatorer/fravaer-grundskole/maalinger", data={"aar": "2024", "vaerdi": "7"})
    assert refused.status_code == 401


def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(client: TestClient) -> None:
    visitor = sign_in(_visitor(client), ACTOR)
    copy = _visitor(client)
    copy.cookies.set("boligsocial_session", visitor.cookies["boligsocial_session"])
    assert copy.get("/plan/1").status_code == 200
    assert visitor.post("/logud").headers["location"] == "/logind"
    assert copy.get("/plan/1").status_code == 303
    assert services_of(client).audit.audit_events(None, limit=1)[0].action == "log_ud"


def test_the_audit_trail_names_the_signed_in_user_and_their_role(client: TestClient) -> None:
    add_user(client, "redaktoer@example.dk", "redaktoer", 1)
    editor = sign_in(_visitor(client), "redaktoer@example.dk")
    folehaven = department_id(editor, "Folehaven")
    form = editor.get(f"/plan/1/afdelinger/{folehaven}").text
    version = re.search(r'name="version" value="(\d+)"', form)
    assert version is not None
    saved = editor.post(
        f"/plan/1/afdelinger/{folehaven}/noegletal", data={"version": version.group(1), "beboere": "1.960"}
    )
    assert saved.status_code in (200, 303), saved.text[:300]
    event = services_of(client).audit.audit_events(1, limit=1)[0]
    assert (event.actor, event.role, event.action) == ("redaktoer@example.dk", "redaktoer", "ret_noegletal")
    overview = get_json(editor, "/plan/1.json")
    assert overview["seneste_aendringer"][0]["af"] == "redaktoer@example.dk"

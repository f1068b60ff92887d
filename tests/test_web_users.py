"""User administration in the browser (/brugere): administrators of every plan add users, give
and take roles per plan, reset passwords and close accounts; each change takes effect at once
(a closed account's session ends) and nobody else may make it."""

# ruff: noqa: F811 - pytest fixtures imported from web_helpers are used as arguments
from __future__ import annotations

import re

from fastapi.testclient import TestClient

from boligsocial.store import UserRecord
from web_helpers import ACTOR, PASSWORD, add_user, client, get_json, services_of, shared_client, sign_in, text_of  # noqa: F401

HX = {"HX-Request": "true"}
NEW_PASSWORD = "en helt ny adgangskode"


def user(client: TestClient, email: str) -> UserRecord:
    return next(u for u in services_of(client).users.users() if u.email == email)


def browser(client: TestClient) -> TestClient:
    """Another browser on the same app (not signed in)."""
    return TestClient(client.app, follow_redirects=False)


def sign_in_status(client: TestClient, email: str, password: str) -> int:
    """The status of a sign-in attempt through the form (303: signed in)."""
    client.cookies.clear()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/logind").text)
    assert token is not None
    form = {"email": email, "adgangskode": password, "csrf_token": token.group(1)}
    return client.post("/logind", data=form).status_code


def test_the_users_page_lists_users_and_their_roles_without_password_hashes(shared_client: TestClient) -> None:
    add_user(shared_client, "laeser-liste@example.dk", "laeser", 1)
    page = shared_client.get("/brugere")
    assert page.status_code == 200
    shown = text_of(page.text)
    for words in ["Brugere og roller", "Tilføj en bruger", ACTOR, "Alle planer: administrator"]:
        assert words in shown
    assert "laeser-liste@example.dk" in shown and "Mit Kvarter: læser" in shown
    data = get_json(shared_client, "/brugere.json")
    listed = {u["email"]: u for u in data["brugere"]}
    assert listed["laeser-liste@example.dk"]["roller"] == [{"plan_id": 1, "plan": "Mit Kvarter", "rolle": "laeser"}]
    assert set(listed[ACTOR]) == {"id", "email", "aktiv", "version", "roller"}
    raw = shared_client.get("/brugere.json").text + page.text
    assert "argon2" not in raw and "password_hash" not in raw and PASSWORD not in raw


def test_an_administrator_adds_a_user_who_can_then_sign_in(client: TestClient) -> None:
    form = {"email": "ny@example.dk", "adgangskode": PASSWORD, "rolle": "redaktoer", "plan": "1"}
    added = client.post("/brugere/ny", data=form, headers=HX)
    assert added.status_code == 200, added.text[:300]
    assert "Brugeren ny@example.dk er oprettet." in text_of(added.text)
    assert user(client, "ny@example.dk").roles == ((1, "redaktoer"),)
    newcomer = sign_in(browser(client), "ny@example.dk")
    assert newcomer.get("/").headers["location"] == "/plan/1"  # their only plan
    assert newcomer.get("/plan/1").status_code == 200

    count = len(services_of(client).users.users())
    short = client.post("/brugere/ny", data=form | {"email": "kort@example.dk", "adgangskode": "kort"}, headers=HX)
    assert short.status_code == 422 and "Adgangskoden skal være mindst 10 tegn." in text_of(short.text)
    assert 'value="kort@example.dk"' in short.text  # what was typed stays in the form (not the password)
    twice = client.post("/brugere/ny", data=form, headers=HX)
    assert twice.status_code == 422 and "Der findes allerede en bruger med e-mailen ny@example.dk" in text_of(
        twice.text
    )
    bad_plan = client.post("/brugere/ny", data=form | {"email": "x@example.dk", "plan": "x"}, headers=HX)
    assert bad_plan.status_code == 422 and "Vælg en plan på listen" in text_of(bad_plan.text)
    assert len(services_of(client).users.users()) == count


def test_roles_passwords_and_accounts_change_at_once(client: TestClient) -> None:
    email = "kollega@example.dk"
    add_user(client, email, "laeser", 1)
    colleague = sign_in(browser(client), email)
    assert colleague.get("/plan/1").status_code == 200

    record = user(client, email)
    given = client.post(
        f"/brugere/{record.id}/rolle", data={"version": record.version, "plan": "1", "rolle": "redaktoer"}, headers=HX
    )
    assert given.status_code == 200 and f"{email} er nu redaktør på planen" in text_of(given.text)
    assert user(client, email).roles == ((1, "redaktoer"),)
    stale = client.post(f"/brugere/{record.id}/rolle", data={"version": record.version, "plan": "1", "rolle": "laeser"})
    assert stale.status_code == 409 and "er ændret" in text_of(stale.text)
    record = user(client, email)
    taken = client.post(f"/brugere/{record.id}/rolle", data={"version": record.version, "plan": "1", "rolle": ""})
    assert taken.status_code == 200 and "har ikke længere en rolle" in text_of(taken.text)
    assert colleague.get("/plan/1").status_code == 403  # at once, in the session they hold
    record = user(client, email)
    client.post(f"/brugere/{record.id}/rolle", data={"version": record.version, "plan": "alle", "rolle": "laeser"})
    assert user(client, email).roles == ((None, "laeser"),)

    record = user(client, email)
    short = client.post(f"/brugere/{record.id}/adgangskode", data={"version": record.version, "adgangskode": "kort"})
    assert short.status_code == 422 and "mindst 10 tegn" in text_of(short.text)
    reset = client.post(
        f"/brugere/{record.id}/adgangskode", data={"version": record.version, "adgangskode": NEW_PASSWORD}
    )
    assert reset.status_code == 200 and f"Adgangskoden for {email} er ændret" in text_of(reset.text)
    assert NEW_PASSWORD not in reset.text
    assert sign_in_status(browser(client), email, PASSWORD) == 401
    colleague = sign_in(browser(client), email, NEW_PASSWORD)
    assert colleague.get("/plan/1").status_code == 200

    record = user(client, email)
    closed = client.post(f"/brugere/{record.id}/konto", data={"version": record.version, "aktiv": "0"})
    assert closed.status_code == 200 and f"Kontoen for {email} er lukket" in text_of(closed.text)
    ended = colleague.get("/plan/1")
    assert ended.status_code == 303 and ended.headers["location"].startswith("/logind")  # the session is gone
    assert sign_in_status(browser(client), email, NEW_PASSWORD) == 401
    record = user(client, email)
    reopened = client.post(f"/brugere/{record.id}/konto", data={"version": record.version, "aktiv": "1"})
    assert reopened.status_code == 200 and "åbnet igen" in text_of(reopened.text)
    assert sign_in_status(browser(client), email, NEW_PASSWORD) == 303


def test_an_administrator_cannot_take_their_own_role_or_close_their_own_account(client: TestClient) -> None:
    me = user(client, ACTOR)
    assert "(dig)" in text_of(client.get("/brugere").text)
    own_role = client.post(f"/brugere/{me.id}/rolle", data={"version": me.version, "plan": "alle", "rolle": ""})
    assert own_role.status_code == 403 and "din egen administratorrolle" in text_of(own_role.text)
    own_account = client.post(f"/brugere/{me.id}/konto", data={"version": me.version, "aktiv": "0"})
    assert own_account.status_code == 403 and "din egen konto" in text_of(own_account.text)
    assert user(client, ACTOR) == me


def test_only_administrators_of_every_plan_manage_users(shared_client: TestClient) -> None:
    add_user(shared_client, "planadmin-brugere@example.dk", "administrator", 1)
    add_user(shared_client, "redaktoer-brugere@example.dk", "redaktoer", None)
    target = user(shared_client, "planadmin-brugere@example.dk")
    before = services_of(shared_client).users.users()
    posts = {
        "/brugere/ny": {"email": "ulovlig@example.dk", "adgangskode": PASSWORD, "rolle": "laeser", "plan": "1"},
        f"/brugere/{target.id}/rolle": {"version": target.version, "plan": "1", "rolle": "laeser"},
        f"/brugere/{target.id}/adgangskode": {"version": target.version, "adgangskode": NEW_PASSWORD},
        f"/brugere/{target.id}/konto": {"version": target.version, "aktiv": "0"},
    }
    for email in ("planadmin-brugere@example.dk", "redaktoer-brugere@example.dk"):
        other = sign_in(browser(shared_client), email)
        assert other.get("/brugere").status_code == 403
        assert other.get("/brugere.json").status_code == 403
        assert 'href="/brugere"' not in other.get("/plan/1").text
        for url, form in posts.items():
            refused = other.post(url, data=form)
            assert refused.status_code == 403, url
            assert "alle planer" in text_of(refused.text)
    assert services_of(shared_client).users.users() == before

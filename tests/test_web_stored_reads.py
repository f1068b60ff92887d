"""What a page reads of one data version is kept for every address of it (`pages.stored`: a
department's key figures, an indicator, the texts, the overview's summary and latest events,
the audit trail's filter choices): a write, a role change and a sign-out must each show on the
very next page, even one whose reads were kept a moment before."""

# ruff: noqa: F811 - pytest fixtures imported from web_helpers are used as arguments
from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from boligsocial.store import SYSTEM_ACTOR, PlanVersions, UserService
from boligsocial.web.state import VersionCache
from web_helpers import add_user, client, department_id, sign_in, text_of  # noqa: F401

READ_ONLY = "Du har læseadgang til planen; kun en redaktør kan ændre nøgletallene."


def browser(client: TestClient) -> TestClient:
    """A second browser on the same app (its own cookies), so the two share the app's caches."""
    return TestClient(client.app, follow_redirects=False)


def figures_form(page: str) -> dict[str, str]:
    form = page[page.index('id="noegletal-form"') :]
    return dict(re.findall(r'name="([a-z_]+)"[^>]*?value="([^"]*)"', form))


def latest_events(page: str) -> str:
    """The overview's list of latest changes (as text)."""
    return text_of(page.split("<h3>Seneste ændringer</h3>", 1)[1].split("</ul>", 1)[0])


def test_a_write_shows_on_the_next_address_of_a_page_whose_reads_were_kept(client: TestClient) -> None:
    afd = department_id(client, "Folehaven")
    before = client.get(f"/plan/1/afdelinger/{afd}?_=1").text
    latest_before = latest_events(client.get("/plan/1?_=1").text)
    assert "Folehaven" not in latest_before
    fields = figures_form(before)
    assert fields["ikke_vestlige_pct"] != "29,0"
    saved = client.post(
        f"/plan/1/afdelinger/{afd}/noegletal",
        data={"version": fields["version"], "ikke_vestlige_pct": "29,0"},
        headers={"Accept": "text/html"},
    )
    assert saved.status_code == 303
    after = figures_form(client.get(f"/plan/1/afdelinger/{afd}?_=3").text)
    assert after["ikke_vestlige_pct"] == "29,0" and after["version"] != fields["version"]

    assert "Folehaven" in latest_events(client.get("/plan/1?_=2").text)  # kept before the write, read anew


def test_a_role_change_and_a_sign_out_show_on_the_next_page(client: TestClient) -> None:
    email = "redaktoer@example.dk"
    add_user(client, email, "redaktoer", 1)
    colleague = sign_in(browser(client), email)
    afd = department_id(client, "Folehaven")
    assert READ_ONLY not in text_of(colleague.get(f"/plan/1/afdelinger/{afd}?_=1").text)
    assert READ_ONLY not in text_of(client.get(f"/plan/1/afdelinger/{afd}?_=2").text)  # kept for this version

    users = UserService(client.app.state.boligsocial.sessions, SYSTEM_ACTOR)  # type: ignore[attr-defined]
    record = next(u for u in users.users() if u.email == email)
    made_reader = client.post(
        f"/brugere/{record.id}/rolle", data={"version": record.version, "plan": "1", "rolle": "laeser"}
    )
    assert made_reader.status_code == 200
    assert READ_ONLY in text_of(colleague.get(f"/plan/1/afdelinger/{afd}?_=3").text)  # at once
    assert READ_ONLY not in text_of(client.get(f"/plan/1/afdelinger/{afd}?_=4").text)  # the administrator's own

    record = next(u for u in users.users() if u.email == email)
    taken = client.post(f"/brugere/{record.id}/rolle", data={"version": record.version, "plan": "1", "rolle": ""})
    assert taken.status_code == 200
    assert colleague.get(f"/plan/1/afdelinger/{afd}?_=5").status_code == 403

    signed_out = client.post("/logud")
    assert signed_out.status_code == 303
    gone = client.get(f"/plan/1/afdelinger/{afd}?_=6")
    assert gone.status_code == 303 and gone.headers["location"].startswith("/logind")


def test_a_version_read_before_a_write_is_not_kept_after_it() -> None:
    """A page that read the data version just before a write committed must not have that old
    version trusted after the write forgot it: the writer's next page would show the data
    before its write (seen in bench/web.py as a 409 on the writer's next save)."""
    versions = VersionCache(ttl=60)

    def read_before_a_write() -> PlanVersions:  # a page begins to read the version ...
        versions.forget(1)  # ... a write commits and forgets it ...
        return PlanVersions(every=41, without_values=41)  # ... and the page's old version arrives

    versions.read(1, read_before_a_write)
    assert versions.peek(1) is None
    versions.read(1, lambda: PlanVersions(every=42, without_values=42))  # nothing written since: kept
    assert versions.peek(1) == PlanVersions(every=42, without_values=42)


def test_the_departments_table_json_is_made_from_rows_kept_per_version_and_shows_a_write_at_once(
    client: TestClient,
) -> None:
    """The table's JSON is put together from each row's JSON, kept per data version like the
    rows' HTML: it must be the one JSON text of the whole (key order kept, compact), sort as
    asked, and show a key-figure save on the next address."""
    first = client.get("/plan/1/afdelinger.json?_=1")
    data = json.loads(first.text)
    assert first.text == json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    assert list(data) == ["plan_id", "listeaar", "problem", "filter", "fejl", "antal", "antal_i_alt", "afdelinger"]
    assert data["antal"] == len(data["afdelinger"]) == data["antal_i_alt"]
    names = [
        r["afdeling"]
        for r in json.loads(client.get("/plan/1/afdelinger.json?sort=navn&retning=ned").text)["afdelinger"]
    ]
    unsorted = [r["afdeling"] for r in data["afdelinger"]]
    assert names != unsorted and sorted(names) == sorted(unsorted)  # the kept rows, in the order asked for
    assert names[0].startswith("Ved") and names[-1] < names[0]

    def folehaven() -> dict[str, object]:
        table = json.loads(client.get("/plan/1/afdelinger.json?q=Folehaven").text)
        row: dict[str, object] = next(r for r in table["afdelinger"] if r["afdeling"] == "Folehaven")
        return row

    assert folehaven()["vurdering"]["lists"]["forebyggelsesomraade"] is True  # type: ignore[index]
    afd = department_id(client, "Folehaven")
    fields = figures_form(client.get(f"/plan/1/afdelinger/{afd}").text)
    saved = client.post(
        f"/plan/1/afdelinger/{afd}/noegletal",
        data={"version": fields["version"], "ikke_vestlige_pct": "29,0"},
        headers={"Accept": "text/html"},
    )
    assert saved.status_code == 303
    assert folehaven()["vurdering"]["lists"]["forebyggelsesomraade"] is False  # type: ignore[index]

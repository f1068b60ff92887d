"""The front page reads its list of plans once per version of all plans (the newest audit event
of all, asked on every request) and set of the reader's roles: every kind of write that changes
what it lists shows on the very next request, made through the web app or straight through the
store (as another process would); a reader sees only the plans they hold a role on even when
another reader's list of the same version is kept; many requests of one version read the list
once. On SQLite and PostgreSQL (fixture `client`), and a write that commits after a newer one on
PostgreSQL (which numbers events when they are written, not when committed)."""

# ruff: noqa: F811 - pytest fixtures imported from web_helpers are used as arguments
from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from boligsocial.store import SYSTEM_ACTOR, Actor, Services, UserService
from boligsocial.store.models import PlanRow
from boligsocial.store.plans import PlanService
from web_helpers import (  # noqa: F401
    ACTOR,
    add_user,
    audit_event,
    client,
    client_for,
    get_json,
    services_of,
    sign_in,
)

# A key-figure file adding list year 2023 for one afdeling of the example plan.
FIGURES_2023 = (
    "boligorganisation;afdeling;boliger;beboere;uden_for_arbejdsmarked_pct;ikke_vestlige_pct;doemte_pct;"
    "kun_grundskole_pct;indkomst_pct_af_region;kommune;listeaar\n"
    "3B;Folehaven;973;1.950;30,1;46,0;1,70;57,0;59,0;København;2023\n"
).encode()


def front(client: TestClient) -> dict[int, dict[str, Any]]:
    """The front page's plans (JSON) by id, active and archived."""
    page = get_json(client, "/.json")
    return {plan["id"]: plan for plan in [*page["planer"], *page["arkiverede"]]}


def reader(client: TestClient, email: str, role: str, plan_id: int | None) -> TestClient:
    """A second browser on the same app, signed in as a new user with `role` on `plan_id`."""
    other = TestClient(client.app, follow_redirects=False)
    add_user(other, email, role, plan_id)
    return sign_in(other, email)


def edit(store: Services, plan_id: int, name: str, change: Any) -> None:
    """Save the plan's section `name` changed by `change` (which edits a copy in place)."""
    record = store.edits.section(plan_id, name)
    value = copy.deepcopy(record.value)
    change(value)
    store.edits.update_section(plan_id, name, value, record.version)


@pytest.fixture
def listing_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Actor]]:
    """The actors `PlanService.listing` read the list for, one per read (the real read runs)."""
    reads: list[Actor] = []
    original = PlanService.listing

    def counted(self: PlanService) -> Any:
        reads.append(self.actor)
        return original(self)

    monkeypatch.setattr(PlanService, "listing", counted)
    yield reads


def test_every_write_the_front_page_lists_shows_on_the_next_request(client: TestClient) -> None:
    store = services_of(client)
    example = store.exports.export_plan_archive(1)
    assert set(front(client)) == {1}  # kept for this version from now on

    created = client.post("/planer/ny", files={"fil": ("ny.zip", example, "application/zip")}, data={"bekraeft": "1"})
    assert created.status_code == 303, created.text[:300]
    assert set(front(client)) == {1, 2}  # web: a plan created

    third = store.plans.import_plan_archive(example, "tredje.zip")
    assert set(front(client)) == {1, 2, third}  # store: a plan imported

    archived = client.post("/plan/2/arkiver", data={"version": front(client)[2]["version"], "arkiver": "1"})
    assert archived.status_code == 303
    assert front(client)[2]["arkiveret"] is not None  # web: archived

    store.plans.archive_plan(2, False, front(client)[2]["version"])
    assert front(client)[2]["arkiveret"] is None  # store: taken back

    edit(store, third, "stamdata", lambda value: value.update(navn="Mit Kvarter III"))
    assert front(client)[third]["navn"] == "Mit Kvarter III"  # store: renamed

    assert front(client)[third]["afdelinger"] == 28
    edit(store, third, "afdelinger", lambda value: value.append({**value[0], "id": None, "navn": "Nyvej"}))
    assert front(client)[third]["afdelinger"] == 29  # store: an afdeling added
    edit(store, third, "afdelinger", lambda value: value.pop())
    assert front(client)[third]["afdelinger"] == 28  # store: an afdeling removed

    assert front(client)[third]["listeaar_med_noegletal"] == [2022]
    store.imports.commit_import(third, "tal-2023.csv", FIGURES_2023)
    assert front(client)[third]["listeaar_med_noegletal"] == [2022, 2023]  # store: key figures of a new list year

    Services(store.plans.sessions, Actor("Jens", "redaktoer")).prose.save_prose(1, "ny-tekst.md", "Ny tekst.", 0)
    assert front(client)[1]["senest_aendret_af"] == "Jens"  # store: any write to a plan is its last change

    store.plans.delete_plan(third, front(client)[third]["version"])
    assert set(front(client)) == {1, 2}  # store: deleted


def test_a_role_gained_or_lost_shows_on_the_next_request(client: TestClient) -> None:
    store = services_of(client)
    second = store.plans.import_plan_archive(store.exports.export_plan_archive(1), "anden.zip")
    colleague = reader(client, "laeser@example.dk", "laeser", 1)
    assert {plan: listed["rolle"] for plan, listed in front(colleague).items()} == {1: "laeser"}

    users = UserService(store.plans.sessions, SYSTEM_ACTOR)
    record = next(u for u in users.users() if u.email == "laeser@example.dk")
    gained = client.post(
        f"/brugere/{record.id}/rolle", data={"version": record.version, "plan": str(second), "rolle": "redaktoer"}
    )
    assert gained.status_code == 200
    assert {plan: listed["rolle"] for plan, listed in front(colleague).items()} == {1: "laeser", second: "redaktoer"}

    record = next(u for u in users.users() if u.email == "laeser@example.dk")
    lost = client.post(f"/brugere/{record.id}/rolle", data={"version": record.version, "plan": "1", "rolle": ""})
    assert lost.status_code == 200
    assert {plan: listed["rolle"] for plan, listed in front(colleague).items()} == {second: "redaktoer"}


def test_a_reader_never_sees_a_plan_of_another_readers_kept_list(
    client: TestClient, listing_reads: list[Actor]
) -> None:
    store = services_of(client)
    second = store.plans.import_plan_archive(store.exports.export_plan_archive(1), "anden.zip")
    first_reader = reader(client, "foerste@example.dk", "laeser", 1)
    second_reader = reader(client, "anden@example.dk", "redaktoer", second)
    store.prose.save_prose(1, "ny-tekst.md", "Ny.", 0)  # a version no one has seen the front page of
    version = store.plans.listing_version()
    listing_reads.clear()

    assert set(front(client)) == {1, second}  # the administrator's list, kept for this version
    assert {plan: listed["rolle"] for plan, listed in front(first_reader).items()} == {1: "laeser"}
    assert {plan: listed["rolle"] for plan, listed in front(second_reader).items()} == {second: "redaktoer"}
    assert set(front(client)) == {1, second}

    assert store.plans.listing_version() == version  # all of it at one version
    assert [actor.name for actor in listing_reads] == [ACTOR, "foerste@example.dk", "anden@example.dk"]


def test_the_list_is_read_once_per_version_and_roles(client: TestClient, listing_reads: list[Actor]) -> None:
    store = services_of(client)
    store.prose.save_prose(1, "ny-tekst.md", "Ny.", 0)  # a version no one has seen the front page of
    listing_reads.clear()
    for number in range(10):  # every address distinct, each page rendered anew
        assert client.get(f"/?side={number}").status_code == 200
        assert 1 in front(client)
    assert len(listing_reads) == 1

    Services(store.plans.sessions, Actor("Jens", "redaktoer")).prose.save_prose(1, "ny-tekst.md", "Nyere.", 1)
    for number in range(5):
        assert front(client)[1]["senest_aendret_af"] == "Jens"
        assert client.get(f"/?efter={number}").status_code == 200
    assert len(listing_reads) == 2

    colleague = reader(client, "laeser@example.dk", "laeser", None)  # signing in is a write: a new version
    listing_reads.clear()
    store.prose.save_prose(1, "ny-tekst.md", "Nyest.", 2)
    for _ in range(5):
        assert front(colleague)[1]["rolle"] == "laeser"
        assert front(client)[1]["rolle"] == "administrator"
    assert [actor.name for actor in listing_reads] == ["laeser@example.dk", ACTOR]  # once for each set of roles


def test_a_write_committed_after_a_newer_one_shows_on_postgresql(pg_url: str) -> None:
    """PostgreSQL numbers a write's audit event when it is written: a slow write may commit an
    event numbered below the newest one. Its change must still show on the next request."""
    with client_for(pg_url) as client:
        store = services_of(client)
        assert front(client)[1]["navn"] == "Mit Kvarter"
        with store.plans.sessions() as slow, slow.begin():
            row = slow.get(PlanRow, 1)
            assert row is not None
            row.navn = "Langsomt navn"
            slow.flush()
            slow.add(audit_event("plan", "ret_stamdata", "Navnet er ændret"))
            slow.flush()  # its event has its number now, below the next one
            UserService(store.plans.sessions, SYSTEM_ACTOR).add_user("ny@example.dk", "en lang adgangskode", "laeser")
            assert not store.plans.listing_version().settled
            assert front(client)[1]["navn"] == "Mit Kvarter"  # not committed yet
        assert store.plans.listing_version().settled
        assert front(client)[1]["navn"] == "Langsomt navn"

"""A plan's two data versions (`store.PlanVersions`): every write changes `every`; a write of an
indicator's measured or comparison value leaves `without_values`, so the pages that show no such
value (the departments, their table, the areas) keep what they built while an editor types values,
and every other write still shows on them on the very next request."""

# ruff: noqa: F811 - pytest fixtures imported from web_helpers are used as arguments
from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

import boligsocial.store.overview as overview_module
import boligsocial.web.charts as web_charts
import boligsocial.web.routes.afdelinger as afdelinger_module
from boligsocial.store import SYSTEM_ACTOR, IndicatorService, OverviewService, PlanVersions, Services
from boligsocial.web.state import VersionCache
from web_helpers import audit_event, client, client_for, department, department_id, get_json, services_of, text_of  # noqa: F401

INDICATOR = "fravaer-grundskole"


def value_2025(svc: Services) -> tuple[int, int]:
    """The id and version of the indicator's stored 2025 measurement."""
    stored = next(m for m in svc.indicators.get_indikator(1, INDICATOR).maalinger if m.aar == 2025)
    return stored.id, stored.version


def test_an_indicator_value_moves_only_every_and_any_other_write_moves_both(
    example_sessions: sessionmaker[Session],
) -> None:
    svc = Services(example_sessions, SYSTEM_ACTOR)
    seen = [svc.overview.versions(1)]

    def after(write: Callable[[], object]) -> PlanVersions:
        write()
        seen.append(svc.overview.versions(1))
        assert seen[-1].every > seen[-2].every  # every write
        return seen[-1]

    maaling_id, version = value_2025(svc)
    assert (
        after(lambda: svc.indicators.update_maaling(1, maaling_id, "6,5", version)).without_values
        == seen[-2].without_values
    )
    free = next(
        y for y in range(2015, 2040) if all(m.aar != y for m in svc.indicators.get_indikator(1, INDICATOR).maalinger)
    )
    added = after(lambda: svc.indicators.add_or_update_maaling(1, INDICATOR, free, "6,0", None))
    assert added.without_values == seen[0].without_values
    new = next(m for m in svc.indicators.get_indikator(1, INDICATOR).maalinger if m.aar == free)
    assert after(lambda: svc.indicators.delete_maaling(1, new.id, new.version)).without_values == seen[0].without_values

    text = next(r for r in svc.prose.prose(1))
    assert (
        after(
            lambda: svc.prose.save_prose(1, text.name, text.text + "\n\nEt afsnit mere.", text.version)
        ).without_values
        > seen[0].without_values
    )
    afd = department_id_in(svc, "Folehaven")
    record = svc.key_figures.get_afdeling_figures(1, afd)
    before = seen[-1].without_values
    assert (
        after(
            lambda: svc.key_figures.update_key_figures(1, afd, {"ikke_vestlige_pct": "29,0"}, record.version)
        ).without_values
        > before
    )


def department_id_in(svc: Services, name: str) -> int:
    view = svc.overview.plan_context(1)
    return view.afdeling_id(next(a for a in view.plan.afdelinger if a.navn == name))


class Counted:
    """How often the plan is read (`OverviewService.plan_context`) and a department page is built."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.plan_reads = 0
        self.department_builds = 0
        read, build = OverviewService.plan_context, afdelinger_module.department_context

        def counted_read(*args: Any, **kwargs: Any) -> Any:
            self.plan_reads += 1
            return read(*args, **kwargs)

        def counted_build(*args: Any, **kwargs: Any) -> Any:
            self.department_builds += 1
            return build(*args, **kwargs)

        monkeypatch.setattr(OverviewService, "plan_context", counted_read)
        monkeypatch.setattr(afdelinger_module, "department_context", counted_build)


def pages_without_values(client: TestClient, afd: int, n: int) -> list[str]:
    """The department page (HTML and JSON), the departments table and an area, each at an address
    of its own."""
    area = get_json(client, "/plan/1/omraader.json")["omraader"][0]["navn"]
    answers = [
        client.get(f"/plan/1/afdelinger/{afd}?_={n}"),
        client.get(f"/plan/1/afdelinger/{afd}.json?_={n}"),
        client.get(f"/plan/1/afdelinger?_={n}"),
        client.get(f"/plan/1/omraader/{area}?_={n}"),
    ]
    assert all(a.status_code == 200 for a in answers)
    return [a.text.replace(f"_={n}", "_=N") for a in answers]  # the pages link to their own address


def test_an_indicator_value_saved_in_the_app_leaves_the_department_pages_built_and_shows_where_values_are(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted = Counted(monkeypatch)
    afd = department_id(client, "Folehaven")
    first = pages_without_values(client, afd, 1)
    assert counted.department_builds == 1
    stored = get_json(client, f"/plan/1/indikatorer/{INDICATOR}.json")
    reads = counted.plan_reads
    value = next(v for v in stored["vaerdier"] if v["type"] == "maaling" and v["aar"] == 2025)
    form = {"maaling_id": str(value["id"]), "version": str(value["version"]), "vaerdi": "6,5"}
    saved = client.post(f"/plan/1/indikatorer/{INDICATOR}/maalinger", data=form, headers={"Accept": "text/html"})
    assert saved.status_code == 303
    assert "6,5" in text_of(client.get(f"/plan/1/indikatorer/{INDICATOR}?_=2").text)  # read anew: the value shows
    assert counted.plan_reads == reads + 1
    assert pages_without_values(client, afd, 2) == first  # kept: neither read nor built again
    assert counted.plan_reads == reads + 1 and counted.department_builds == 1

    html = first[0]
    version = html.split('name="version" value="', 1)[1].split('"', 1)[0]
    changed = client.post(
        f"/plan/1/afdelinger/{afd}/noegletal",
        data={"version": version, "ikke_vestlige_pct": "29,0"},
        headers={"Accept": "text/html"},
    )
    assert changed.status_code == 303
    assert department(client, "Folehaven")["vurdering"]["lists"]["forebyggelsesomraade"] is False  # at once
    row = next(r for r in get_json(client, "/plan/1/afdelinger.json?_=3")["afdelinger"] if r["afdeling"] == "Folehaven")
    assert row["vurdering"]["lists"]["forebyggelsesomraade"] is False


def test_writes_by_another_process_show_after_the_versions_are_read_again(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = client.app.state.boligsocial  # type: ignore[attr-defined]
    state.versions.ttl = 0  # every request asks the database, as after `VersionCache.ttl` seconds
    counted = Counted(monkeypatch)
    afd = department_id(client, "Folehaven")
    first = pages_without_values(client, afd, 1)
    builds = counted.department_builds
    other = services_of(client)  # the store, not through this app: no `written` hook runs

    maaling_id, version = value_2025(other)
    other.indicators.update_maaling(1, maaling_id, "6,5", version)
    shown = get_json(client, f"/plan/1/indikatorer/{INDICATOR}.json?_=2")
    assert next(v for v in shown["vaerdier"] if v["id"] == maaling_id)["vaerdi_tekst"] == "6,5"
    assert pages_without_values(client, afd, 2) == first and counted.department_builds == builds

    record = other.key_figures.get_afdeling_figures(1, afd)
    other.key_figures.update_key_figures(1, afd, {"ikke_vestlige_pct": "29,0"}, record.version)
    assert department(client, "Folehaven")["noegletal"]["vaerdier"]["ikke_vestlige_pct"] == "29,0"
    assert counted.department_builds == builds + 1


def test_a_write_committed_after_a_newer_one_changes_the_versions_on_postgresql(pg_url: str) -> None:
    """PostgreSQL numbers an audit event when it is written: a slow write may commit an event
    numbered below a newer one. The versions must still change when it commits (with the newest
    event's id they did not, and the pages kept what they had read before it)."""
    with client_for(pg_url) as client:
        store = services_of(client)
        with store.overview.sessions() as slow, slow.begin():
            slow.add(audit_event("tekst", "gem_tekst", "En langsom skrivning"))
            slow.flush()  # its event has its number now, below the next one
            maaling_id, version = value_2025(store)
            store.indicators.update_maaling(1, maaling_id, "6,5", version)
            before = store.overview.versions(1)
        after = store.overview.versions(1)
        assert after.every > before.every and after.without_values > before.without_values


def test_the_indicator_pages_of_one_version_read_the_indicators_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    every, one = IndicatorService.indikatorer, IndicatorService.get_indikator
    monkeypatch.setattr(IndicatorService, "indikatorer", lambda self, *a: reads.append("alle") or every(self, *a))
    monkeypatch.setattr(IndicatorService, "get_indikator", lambda self, *a: reads.append("en") or one(self, *a))
    ids = [i["id"] for i in get_json(client, "/plan/1/indikatorer.json")["indikatorer"]]
    assert len(ids) > 3
    for n, ident in enumerate(ids):
        assert client.get(f"/plan/1/indikatorer/{ident}?_={n}").status_code == 200
    assert reads == ["alle"]
    assert client.get("/plan/1/indikatorer/findes-ikke").status_code == 404  # asked for alone
    assert reads == ["alle", "en"]

    page = get_json(client, f"/plan/1/indikatorer/{INDICATOR}.json")
    value = next(v for v in page["vaerdier"] if v["type"] == "maaling" and v["aar"] == 2025)
    form = {"maaling_id": str(value["id"]), "version": str(value["version"]), "vaerdi": "6,5"}
    saved = client.post(f"/plan/1/indikatorer/{INDICATOR}/maalinger", data=form, headers={"Accept": "text/html"})
    assert saved.status_code == 303
    shown = get_json(client, f"/plan/1/indikatorer/{INDICATOR}.json?_=ny")
    assert next(v for v in shown["vaerdier"] if v["id"] == value["id"])["vaerdi_tekst"] == "6,5"
    assert reads.count("alle") == 2


def test_after_only_value_writes_the_overview_reads_the_indicators_alone_and_equals_a_full_read(
    example_sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = Services(example_sessions, SYSTEM_ACTOR)
    full_reads: list[int] = []
    read_in_full = overview_module.plan_from_rows
    monkeypatch.setattr(overview_module, "plan_from_rows", lambda row: full_reads.append(1) or read_in_full(row))
    first = svc.overview.plan_context(1)
    maaling_id, version = value_2025(svc)
    svc.indicators.update_maaling(1, maaling_id, "6,5", version)
    svc.indicators.add_or_update_maaling(1, INDICATOR, 2019, "7,0", None)
    again = svc.overview.plan_context(1, None, [first])
    assert len(full_reads) == 1  # the indicators alone
    fresh = svc.overview.plan_context(1)
    assert len(full_reads) == 2
    assert again == fresh and again.versions == fresh.versions == svc.overview.versions(1)
    shown = next(i for i in again.plan.indikatorer if i.id == INDICATOR)
    assert {m.aar: str(m.vaerdi) for m in shown.maalinger}[2025] == "6.5" and 2019 in {m.aar for m in shown.maalinger}
    assert again.result is first.result

    svc.overview.plan_context(1, 2022, [again])  # another year asked for: read in full
    assert len(full_reads) == 3
    text = svc.prose.prose(1)[0]
    svc.prose.save_prose(1, text.name, text.text + "\n\nEt afsnit mere.", text.version)
    after_text = svc.overview.plan_context(1, None, [again])  # not only values since: read in full
    assert len(full_reads) == 4 and after_text.versions != again.versions


def test_requests_asking_during_a_version_read_share_it_but_not_across_a_write() -> None:
    versions = VersionCache(ttl=60)
    began, release = threading.Event(), threading.Event()
    reads: list[int] = []

    def slow_read() -> PlanVersions:
        reads.append(1)
        began.set()
        release.wait(5)
        return PlanVersions(every=len(reads), without_values=1)

    with ThreadPoolExecutor(max_workers=8) as pool:
        first = pool.submit(versions.read, 1, slow_read)
        assert began.wait(5)
        waiting = [pool.submit(versions.read, 1, slow_read) for _ in range(5)]  # asked while it runs
        release.set()
        answers = [first.result(5), *(w.result(5) for w in waiting)]
    assert len(reads) == 1 and all(a == PlanVersions(every=1, without_values=1) for a in answers)
    assert versions.peek(1) == answers[0]

    began.clear()
    release.clear()
    with ThreadPoolExecutor(max_workers=2) as pool:
        before_write = pool.submit(versions.read, 1, slow_read)
        assert began.wait(5)
        versions.forget(1)  # a write commits while the read runs
        after_write = pool.submit(versions.read, 1, lambda: PlanVersions(every=99, without_values=2))
        assert after_write.result(5) == PlanVersions(every=99, without_values=2)  # its own read
        release.set()
        assert before_write.result(5).every == 2
    assert versions.peek(1) == PlanVersions(every=99, without_values=2)  # the older read is not kept


def test_after_a_value_is_saved_a_json_answer_does_not_wait_for_the_charts(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[str] = []
    indicator_svg, status_svg = web_charts.indicator_svg, web_charts.status_svg
    monkeypatch.setattr(web_charts, "indicator_svg", lambda *a: drawn.append("indikator") or indicator_svg(*a))
    monkeypatch.setattr(web_charts, "status_svg", lambda *a: drawn.append("status") or status_svg(*a))
    assert (
        "<svg" in client.get("/plan/1/indikatorer").text
        and "<svg" in client.get(f"/plan/1/indikatorer/{INDICATOR}").text
    )
    drawn.clear()  # every chart drawn once, as on a running server
    page = get_json(client, f"/plan/1/indikatorer/{INDICATOR}.json")
    value = next(v for v in page["vaerdier"] if v["type"] == "maaling" and v["aar"] == 2025)
    form = {"maaling_id": str(value["id"]), "version": str(value["version"]), "vaerdi": "6,5"}
    saved = client.post(f"/plan/1/indikatorer/{INDICATOR}/maalinger", data=form, headers={"Accept": "text/html"})
    assert saved.status_code == 303
    assert get_json(client, f"/plan/1/indikatorer/{INDICATOR}.json?_=1")["vaerdier"]
    assert client.get("/plan/1/indikatorer.csv?_=1").status_code == 200
    assert get_json(client, "/plan/1/indikatorer.json?_=1")["indikatorer"]
    assert drawn == []  # the new value's charts are not drawn for data answers
    assert "<svg" in client.get(f"/plan/1/indikatorer/{INDICATOR}?_=2").text
    assert sorted(drawn) == ["indikator", "status"]  # for the page: its two charts, once
    assert "<svg" in client.get("/plan/1/indikatorer?_=2").text
    assert sorted(drawn) == ["indikator", "status"]  # the list's chart of it is the page's, by content

"""The plan's audit trail page (/plan/{id}/revision): who, when (Danish time), what and what it was
before and after; filters by person, action, entity, text and dates (htmx), pages, CSV and JSON."""

# ruff: noqa: F811 - pytest fixtures imported from web_helpers are used as arguments
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

import boligsocial.web.routes.revision as revision_module
from boligsocial.store import Actor, Services
from boligsocial.store.audit import AuditService
from boligsocial.web.routes.revision import Change, changes, local_stamp
from web_helpers import ACTOR, add_user, client, department_id, get_json, services_of, sign_in, text_of  # noqa: F401

TRAIL = "/plan/1/revision"
INTRO = "/plan/1/tekster/00-indledning.md"
EDITOR = "redaktoer@example.dk"
SENTENCE = "En sætning, der står i revisionssporet."


def save_intro(client: TestClient, text: str) -> None:
    page = client.get(INTRO).text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version is not None
    assert client.post(INTRO, data={"tekst": text, "version": version.group(1)}).status_code == 200


def rows_of(client: TestClient, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, text_of(response.text)[:300]
    return list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))


def today() -> str:
    return datetime.now(ZoneInfo("Europe/Copenhagen")).date().isoformat()


def test_the_trail_shows_who_when_what_and_before_after(client: TestClient) -> None:
    original = next(r.text for r in services_of(client).prose.prose(1) if r.name == "00-indledning.md")
    save_intro(client, f"{SENTENCE}\n\n{original}")
    afdeling = department_id(client, "Folehaven")
    figures = services_of(client).key_figures.get_afdeling_figures(1, afdeling)
    add_user(client, EDITOR, "redaktoer", 1)
    Services(client.app.state.boligsocial.sessions, Actor(EDITOR, "redaktoer")).key_figures.update_key_figures(  # type: ignore[attr-defined]
        1, afdeling, {"beboere": "2.000"}, figures.version
    )

    page = client.get(TRAIL)
    assert page.status_code == 200 and 'aria-current="page">Revisionsspor</a>' in page.text
    table = page.text[page.text.index('id="spor"') :]
    rows = table.split("<tr data-id=")[1:]
    assert len(rows) == 4  # newest first: the key figures, the new user, the text, the import
    newest, _, text_row, imported = (text_of("<tr " + r) for r in rows)
    assert newest.startswith(local_stamp(datetime.now().astimezone())[:10])  # dd.mm.yyyy, Danish time
    assert EDITOR in newest and "ret noegletal" in newest
    assert f"beboere: {figures.values['beboere']} → 2.000" in newest  # the changed key, old → new
    assert ACTOR in text_row and "Teksten 00-indledning.md er gemt" in text_row
    assert f"+ {SENTENCE}" in text_row  # a line diff of the text
    assert "navn: – → Mit Kvarter" in imported  # the keys of a dict, old → new

    data = get_json(client, f"{TRAIL}.json")
    assert [e["hvem"] for e in data["haendelser"]] == [EDITOR, "system", ACTOR, "system"]
    assert data["haendelser"][2]["efter"].startswith(SENTENCE) and data["naeste_side"] is None
    assert data["haendelser"][2]["tidspunkt"].endswith(("+01:00", "+02:00"))  # Danish time

    # Filters: person, action, entity, text, dates; the same filters in CSV.
    assert [r["hvem"] for r in rows_of(client, f"{TRAIL}.csv")] == [EDITOR, "system", ACTOR, "system"]
    assert [r["hvem"] for r in rows_of(client, f"{TRAIL}.csv?hvem={ACTOR}")] == [ACTOR]
    assert [r["handling"] for r in rows_of(client, f"{TRAIL}.csv?handling=gem_tekst")] == ["gem_tekst"]
    assert [r["enhed"] for r in rows_of(client, f"{TRAIL}.csv?enhed=plan")] == ["plan"]
    found = rows_of(client, f"{TRAIL}.csv?q=INDLEDNING")
    assert [r["beskrivelse"] for r in found] == ["Teksten 00-indledning.md er gemt"]
    assert SENTENCE in found[0]["aendringer"]
    yesterday = (datetime.now(ZoneInfo("Europe/Copenhagen")).date() - timedelta(days=1)).isoformat()
    assert len(rows_of(client, f"{TRAIL}.csv?fra={today()}&til={today()}")) == 4
    assert rows_of(client, f"{TRAIL}.csv?til={yesterday}") == []
    assert rows_of(client, f"{TRAIL}.csv?hvem=ingen@example.dk") == []
    header = client.get(f"{TRAIL}.csv?hvem=ingen@example.dk").text.lstrip("\ufeff").splitlines()[0]
    assert header == "tidspunkt;hvem;rolle;handling;enhed;id;beskrivelse;aendringer"

    # The filter form updates the table with htmx; the menus list who and what is in the trail.
    partial = client.get(f"{TRAIL}?hvem={EDITOR}", headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "<html" not in partial.text
    assert EDITOR in partial.text and "Teksten 00-indledning.md" not in partial.text
    assert f'<option value="{EDITOR}"' in page.text and '<option value="gem_tekst"' in page.text

    bad = client.get(f"{TRAIL}?fra=i+går")
    assert bad.status_code == 400 and "Fra-datoen skal være en dato" in text_of(bad.text)
    assert client.get(f"{TRAIL}?fra={today()}&til={yesterday}").status_code == 400

    # A reader of the plan may see its trail.
    add_user(client, "laeser@example.dk", "laeser", 1)
    sign_in(client, "laeser@example.dk")
    assert SENTENCE in client.get(TRAIL).text


def test_the_trail_comes_in_pages_newest_first(client: TestClient) -> None:
    prose = services_of(client).prose
    for number in range(55):
        prose.save_prose(1, "noter.md", f"# Noter\n\nUdkast {number}.\n", number)
    first = client.get(TRAIL)
    assert first.text.count("<tr data-id=") == 50 and f'href="{TRAIL}?side=2"' in first.text
    assert "Udkast 54." in first.text and "Ældre →" in first.text
    second = get_json(client, f"{TRAIL}.json?side=2")
    assert len(second["haendelser"]) == 6 and second["naeste_side"] is None  # 5 saves and the import
    assert second["haendelser"][-1]["handling"] == "importer_plan"
    assert len(rows_of(client, f"{TRAIL}.csv")) == 56  # the CSV holds every row the filters let through
    assert client.get(f"{TRAIL}?side=0").status_code == 400


def test_the_trail_is_read_once_per_data_version_and_filters_and_a_new_event_shows_with_each_filter(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every address of one data version and filters (HTML, htmx, JSON, any unread parameter)
    shares one read of the trail; the CSV has its own. A new event is a new data version: it shows
    on the next page with each filter that lets it through."""
    reads: list[int] = []
    real = AuditService.audit_events

    def counting(self: AuditService, plan_id: int | None = None, limit: int = 200, **filters: object) -> object:
        if limit > 1:  # not a read of the data version (the newest event)
            reads.append(limit)
        return real(self, plan_id, limit, **filters)  # type: ignore[arg-type]

    monkeypatch.setattr(AuditService, "audit_events", counting)
    filters = [f"hvem={ACTOR}", "handling=gem_tekst", "enhed=tekst", "q=INDLEDNING", f"fra={today()}&til={today()}"]

    def newest(query: str, extra: str) -> list[str]:
        """The trail's newest event (its summary and text after) as the JSON, CSV and HTML show it."""
        data = get_json(client, f"{TRAIL}.json?{query}&_={extra}")["haendelser"]
        csv_rows = rows_of(client, f"{TRAIL}.csv?{query}&_={extra}")
        html = text_of(client.get(f"{TRAIL}?{query}&_={extra}", headers={"HX-Request": "true"}).text)
        if not data:
            assert csv_rows == [] and "Teksten 00-indledning.md er gemt" not in html
            return []
        assert csv_rows[0]["beskrivelse"] == data[0]["beskrivelse"] and data[0]["beskrivelse"] in html
        return [data[0]["beskrivelse"], str(data[0]["efter"])[: len(SENTENCE)]]

    saved = ["Teksten 00-indledning.md er gemt", SENTENCE]
    for query in filters:
        assert newest(query, "1") != saved  # nothing, or (today's dates) the import
        assert client.get(f"{TRAIL}?{query}&_=2").status_code == 200
    assert len(reads) == 2 * len(filters)  # the page's rows (HTML, htmx, JSON) once, the CSV's once

    save_intro(client, f"{SENTENCE}\n\nMere tekst.\n")
    for query in filters:
        assert newest(query, "3") == saved
    assert len(reads) == 4 * len(filters)
    for query in ("handling=ret_maaling", f"til={(datetime.now().date() - timedelta(days=2)).isoformat()}"):
        assert newest(query, "4") != saved  # filters that keep it out


def test_a_trail_too_long_to_keep_is_read_anew_and_whole(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CSV of more rows than are kept (`KEPT_ROWS`, lowered here) is read for each request, and
    holds every row; a short one is kept."""
    prose = services_of(client).prose
    for number in range(3):
        prose.save_prose(1, "noter.md", f"# Noter\n\nUdkast {number}.\n", number)
    reads: list[int] = []
    real = AuditService.audit_events

    def counting(self: AuditService, plan_id: int | None = None, limit: int = 200, **filters: object) -> object:
        if limit == revision_module.CSV_LIMIT:  # the CSV's read (the page's rows are read besides)
            reads.append(limit)
        return real(self, plan_id, limit, **filters)  # type: ignore[arg-type]

    monkeypatch.setattr(AuditService, "audit_events", counting)
    monkeypatch.setattr(revision_module, "KEPT_ROWS", 3)
    long = [rows_of(client, f"{TRAIL}.csv?_={n}") for n in range(2)]
    assert long[0] == long[1] and len(long[0]) == 4 and len(reads) == 2  # the import and 3 saves
    short = [rows_of(client, f"{TRAIL}.csv?handling=gem_tekst&_={n}") for n in range(2)]
    assert short[0] == short[1] and len(short[0]) == 3 and len(reads) == 3


def test_changes_are_readable() -> None:
    assert changes({"a": 1, "b": "x"}, {"a": 1, "b": "y", "c": [1, 2]}) == [
        Change("b", "x", "y"),
        Change("c", None, "[1, 2]"),
    ]
    diff = changes("en\nto\ntre\nfire\n", "en\nto\nTRE\nfire\n")[0]
    assert diff.lines == ((" ", "to"), ("-", "tre"), ("+", "TRE"), (" ", "fire"))
    far = changes("\n".join("abcdefghij"), "\n".join("Abcdefghi"))[0].lines
    assert far == (("-", "a"), ("+", "A"), (" ", "b"), ("@", "…"), (" ", "i"), ("-", "j"))
    assert changes("kort", "lang") == [Change(None, "kort", "lang")]
    assert changes(None, None) == [] and changes({"a": 1}, {"a": 1}) == []
    assert len(changes("x" * 500, "y")[0].before or "") == 160

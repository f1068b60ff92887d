"""Loading the official lists in the browser (/atlas/officielle-lister): a preview of what replaces
what, then the load, all or nothing and audited; every bad file named by file, row and column with
nothing stored; a stale preview refused; only an administrator of every plan, with the CSRF token."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from boligsocial.store import SYSTEM_ACTOR, AtlasService
from boligsocial.web.auth import CROSS_SITE_TEXT, CSRF_TEXT
from boligsocial.web.routes.atlas import MAX_OFFICIAL_UPLOAD
from web_helpers import add_user, client_for, services_of, sign_in, text_of

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

URL = "/atlas/officielle-lister"
HEADER = "omraade;kommune;listeaar;liste\n"
FIRST = (
    HEADER
    + "Mjølnerparken;København;2018;ghettoomraade\n"
    + "Mjølnerparken;København;2018;haardt_ghettoomraade\n"
    + "Vollsmose;Odense;2018;Ghettoområde\n"
    + "Mjølnerparken;Københavns Kommune;2022;parallelsamfund\n"
    + "Gellerupparken;Aarhus;2022;forebyggelsesomraade\n"
)
SECOND = HEADER + "Tingbjerg;København;2023;parallelsamfund\nTingbjerg;København;2023;omdannelsesomraade\n"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with client_for(f"sqlite:///{tmp_path / 'boligsocial.db'}") as c:
        yield c


def _post(client: TestClient, text: str | bytes, name: str = "lister.csv", **form: str) -> Any:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(URL, files={"fil": (name, data, "text/csv")}, data=form)


def _preview(client: TestClient, text: str, name: str = "lister.csv") -> dict[str, str]:
    """The preview's page and the two hidden fields its confirmation sends back."""
    page = _post(client, text, name)
    assert page.status_code == 200, page.text[:500]
    pinned = dict(re.findall(r'name="(fil_sha256|kilde_token)" value="([^"]+)"', page.text))
    assert set(pinned) == {"fil_sha256", "kilde_token"}
    return pinned


def _official(client: TestClient) -> list[tuple[str, int, str]]:
    """The official source as stored: (area, year, hardest list), or [] when none is loaded."""
    service = AtlasService(client.app.state.boligsocial.sessions, SYSTEM_ACTOR)  # type: ignore[attr-defined]
    if not any(s.name == "officiel" for s in service.sources()):
        return []
    return [(e.name, e.list_year, e.principal) for e in service.entries("officiel")]


def _atlas_loads(client: TestClient) -> list[str]:
    return [e.summary for e in services_of(client).audit.audit_events(None, limit=50) if e.entity == "atlas"]


def test_the_preview_shows_what_replaces_what_and_stores_nothing(client: TestClient) -> None:
    page = _post(client, FIRST)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "lister.csv er i orden: 3 boligområder i 2 listeår" in text
    assert "Der er ikke indlæst nogen officielle lister endnu." in text
    row_2018 = re.search(r'<tr data-aar="2018">.*?</tr>', page.text, re.S)
    assert row_2018 is not None
    # three areas in 2018; two on the parallelsamfund list of the time (ghettoomraade), one hard ghetto
    assert '<span class="diff-old">0</span> → <span class="diff-new">3</span>' in row_2018.group(0)
    cell = re.search(r'data-liste="omdannelsesomraade">(.*?)</td>', row_2018.group(0), re.S)
    assert cell is not None and text_of(cell.group(1)) == "– → 1"
    assert _official(client) == [] and _atlas_loads(client) == []


def test_confirming_loads_the_lists_audited_and_a_second_file_replaces_them(client: TestClient) -> None:
    pinned = _preview(client, FIRST)
    done = _post(client, FIRST, bekraeft="1", **pinned)
    assert done.status_code == 303 and done.headers["location"] == "/atlas?kilde=officiel"
    stored = _official(client)
    assert ("Mjølnerparken", 2018, "omdannelsesomraade") in stored and len(stored) == 3 * 2
    (summary,) = _atlas_loads(client)
    assert "Officielle lister fra lister.csv" in summary and "6 enheder" in summary
    table = client.get("/atlas.json", params={"kilde": "officiel"}).json()
    assert {a["navn"] for a in table["omraader"]} == {"Mjølnerparken", "Vollsmose", "Gellerupparken"}

    page = _post(client, SECOND, "nye.csv")
    text = text_of(page.text)
    assert "erstatter de officielle lister, der er indlæst nu" in text
    assert "Nu: Officielle lister fra lister.csv, listeår 2018-2022 – 6 enheder" in text
    row_2018 = re.search(r'<tr data-aar="2018">.*?</tr>', page.text, re.S)
    assert (
        row_2018 is not None
        and '<span class="diff-old">3</span> → <span class="diff-new">0</span>' in row_2018.group(0)
    )
    pinned = dict(re.findall(r'name="(fil_sha256|kilde_token)" value="([^"]+)"', page.text))
    assert _post(client, SECOND, "nye.csv", bekraeft="1", **pinned).status_code == 303
    assert _official(client) == [("Tingbjerg", 2023, "omdannelsesomraade")]
    assert len(_atlas_loads(client)) == 2


def test_a_stale_preview_is_refused_and_shows_the_current_one(client: TestClient) -> None:
    stale = _preview(client, FIRST)
    other = _preview(client, SECOND, "nye.csv")
    assert _post(client, SECOND, "nye.csv", bekraeft="1", **other).status_code == 303  # someone else loads
    refused = _post(client, FIRST, bekraeft="1", **stale)
    assert refused.status_code == 409
    text = text_of(refused.text)
    assert "Officielle lister er indlæst igen af testbruger@example.dk" in text and "Intet er indlæst" in text
    assert _official(client) == [("Tingbjerg", 2023, "omdannelsesomraade")]
    fresh = dict(re.findall(r'name="(fil_sha256|kilde_token)" value="([^"]+)"', refused.text))
    assert fresh["kilde_token"] != stale["kilde_token"]  # the page now previews against what is loaded
    assert _post(client, FIRST, bekraeft="1", **fresh).status_code == 303
    assert len(_official(client)) == 6


def test_a_confirmation_of_another_file_than_the_previewed_one_is_refused(client: TestClient) -> None:
    pinned = _preview(client, FIRST)
    refused = _post(client, SECOND, bekraeft="1", **pinned)
    assert refused.status_code == 409
    assert "er ikke den fil, forhåndsvisningen blev lavet af" in text_of(refused.text)
    assert _official(client) == []
    missing = _post(client, FIRST, bekraeft="1")
    assert missing.status_code == 400 and "Lav forhåndsvisningen" in text_of(missing.text)
    assert _official(client) == []


@pytest.mark.parametrize(
    ("data", "row", "column", "words"),
    [
        ((HEADER + "Ræven;Århus;2022;parallelsamfund\n").encode("cp1252"), "2", "–", "ikke UTF-8"),
        (b"", "–", "–", "filen er tom"),
        (HEADER.encode(), "–", "–", "ingen rækker under overskriften"),
        (
            (HEADER + "Vollsmose;Odense;2022;parallelsamfund\nVollsmose;Odense;2022;Parallelsamfund\n").encode(),
            "3",
            "–",
            "gentager række 2",
        ),
        ((HEADER + "Vollsmose;Odensee;2022;parallelsamfund\n").encode(), "2", "kommune", 'mente du "Odense"'),
        ((HEADER + "Vollsmose;Odense;2022;ghetto\n").encode(), "2", "liste", 'ukendt liste "ghetto"'),
        ((HEADER + "Vollsmose;Odense;2015;forebyggelsesomraade\n").encode(), "2", "liste", "fandtes ikke i listeår"),
    ],
)
def test_a_bad_file_is_named_by_file_row_and_column_and_nothing_is_stored(
    client: TestClient, data: bytes, row: str, column: str, words: str
) -> None:
    for form in ({}, {"bekraeft": "1", "fil_sha256": "x", "kilde_token": "ingen"}):  # a preview, and a forced load
        page = _post(client, data, "lister.csv", **form)
        assert page.status_code == 422, page.text[:300]
        assert "lister.csv kan ikke indlæses: 1 fejl. Intet er indlæst." in text_of(page.text)
        issue = re.search(r'<tr class="issue".*?</tr>', page.text, re.S)
        assert issue is not None
        cells = [text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", issue.group(0), re.S)]
        assert cells[:3] == ["lister.csv", row, column] and words in cells[3]
        assert "indlaes-listerne" not in page.text  # no button to load a bad file
    assert _official(client) == [] and _atlas_loads(client) == []


def test_no_file_and_a_file_over_the_limit_are_refused(client: TestClient) -> None:
    none = client.post(URL, data={"x": "1"})
    assert none.status_code == 400 and "Vælg en CSV-fil" in text_of(none.text)
    rows = "".join(f"Område {i};Odense;2022;parallelsamfund\n" for i in range(MAX_OFFICIAL_UPLOAD // 30))
    big = (HEADER + rows).encode()
    assert len(big) > MAX_OFFICIAL_UPLOAD
    page = _post(client, big)
    assert page.status_code == 413
    assert "Filen er for stor" in text_of(page.text) and "højst fylde 1 MB" in text_of(page.text)
    assert _official(client) == []


def test_json_clients_get_the_preview_and_htmx_is_sent_to_the_table(client: TestClient) -> None:
    preview = client.post(
        URL, files={"fil": ("lister.csv", FIRST.encode(), "text/csv")}, headers={"Accept": "application/json"}
    ).json()["forhaandsvisning"]
    assert preview["listeaar"] == [2018, 2022] and preview["omraader"] == 3 and preview["nu"] is None
    assert preview["efter"]["2018"] == {
        "omraader": 3,
        "paa_liste": {"udsat_boligomraade": 0, "parallelsamfund": 2, "omdannelsesomraade": 1},
    }
    pinned = {"fil_sha256": preview["fil_sha256"], "kilde_token": preview["kilde_token"], "bekraeft": "1"}
    htmx = client.post(
        URL, files={"fil": ("lister.csv", FIRST.encode(), "text/csv")}, data=pinned, headers={"HX-Request": "true"}
    )
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"] == "/atlas?kilde=officiel"
    assert len(_official(client)) == 6
    again = client.post(
        URL, files={"fil": ("nye.csv", SECOND.encode(), "text/csv")}, headers={"Accept": "application/json"}
    ).json()["forhaandsvisning"]
    assert again["nu"]["enheder"] == 6 and again["foer"]["2022"]["paa_liste"]["forebyggelsesomraade"] == 1
    pinned = {"fil_sha256": again["fil_sha256"], "kilde_token": again["kilde_token"], "bekraeft": "1"}
    loaded = client.post(
        URL,
        files={"fil": ("nye.csv", SECOND.encode(), "text/csv")},
        data=pinned,
        headers={"Accept": "application/json"},
    )
    assert loaded.status_code == 200
    assert loaded.json()["besked"] == "Indlæst: de officielle lister fra nye.csv, 1 listeår, 1 enhed."
    assert _official(client) == [("Tingbjerg", 2023, "omdannelsesomraade")]


def test_the_form_is_on_the_atlas_for_those_who_may_load_and_refused_to_the_rest(client: TestClient) -> None:
    assert 'id="atlas-indlaes"' in client.get("/atlas").text  # the empty atlas offers it too
    assert client.get(URL).status_code == 200
    services = services_of(client)
    plan_id = services.plans.list_plans()[0].id
    for email, role, plan in (
        ("redaktoer@example.dk", "redaktoer", plan_id),
        ("planadmin@example.dk", "administrator", plan_id),
        ("laeser@example.dk", "laeser", None),
    ):
        add_user(client, email, role, plan)
        other = sign_in(TestClient(client.app, follow_redirects=False), email)
        assert 'id="atlas-indlaes"' not in other.get("/atlas").text
        assert other.get(URL).status_code == 403
        refused = _post(other, FIRST)
        assert refused.status_code == 403
        assert "Det kræver adgang til alle planer" in text_of(refused.text) or "kun en administrator" in text_of(
            refused.text
        )
    anonymous = TestClient(client.app, follow_redirects=False)
    page = anonymous.get(URL)
    assert page.status_code == 303 and page.headers["location"].startswith("/logind?naeste=")
    assert _post(anonymous, FIRST).status_code == 401  # a write is not sent on to the sign-in page: refused
    assert _official(client) == []


def test_a_post_without_the_csrf_token_or_from_another_site_is_refused(client: TestClient) -> None:
    token = client.headers.pop("X-CSRF-Token")
    try:
        pinned = {"bekraeft": "1", "kilde_token": "ingen"}
        for form in ({}, {"csrf_token": "forkert"}):
            refused = _post(client, FIRST, **pinned, **form)
            assert refused.status_code == 403 and CSRF_TEXT in text_of(refused.text)
    finally:
        client.headers["X-CSRF-Token"] = token
    cross = client.post(
        URL, files={"fil": ("lister.csv", FIRST.encode(), "text/csv")}, headers={"Origin": "https://ondt.example"}
    )
    assert cross.status_code == 403 and CROSS_SITE_TEXT in text_of(cross.text)
    assert _official(client) == [] and _atlas_loads(client) == []


def test_preview_load_and_stale_refusal_on_postgresql(pg_url: str) -> None:
    """The store's load takes a row lock on PostgreSQL (SELECT ... FOR UPDATE): the same flow there."""
    with client_for(pg_url) as c:
        stale = _preview(c, FIRST)
        assert _post(c, FIRST, bekraeft="1", **stale).status_code == 303
        assert _post(c, SECOND, bekraeft="1", **_preview(c, SECOND)).status_code == 303
        refused = _post(c, FIRST, bekraeft="1", **stale)
        assert refused.status_code == 409
        assert _official(c) == [("Tingbjerg", 2023, "omdannelsesomraade")]
        assert len(_atlas_loads(c)) == 2
        c.app.state.boligsocial.sessions.kw["bind"].dispose()  # type: ignore[attr-defined]

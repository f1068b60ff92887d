"""A new list year in the browser (issue 13, point 1): after importing 2024 key figures the pages
show the imported figures and every verdict that does not depend on the national conviction
average, say which ones do, and an editor enters the average (validated, audited, locked) which
the year's verdicts then use. A year the law publishes is refused. Runs on SQLite and PostgreSQL."""

# ruff: noqa: F811 - pytest fixtures imported from web_helpers are used as arguments
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from web_helpers import EXAMPLE, PASSWORD, add_user, client, get_json, sign_in, text_of  # noqa: F401

HX = {"HX-Request": "true"}
JSON = {"Accept": "application/json"}
AREA = "Sjælør Boulevard"
AVERAGE = {"doemte_pct": "0,73", "kilde": "Social- og Boligministeriet, listerne pr. 1. december 2024"}


def figures_2024() -> bytes:
    """The example's key figures as list year 2024 (the file's last column is `listeaar`)."""
    lines = (Path(EXAMPLE) / "noegletal.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith(";listeaar")
    return ("\n".join([lines[0], *(line.rsplit(";", 1)[0] + ";2024" for line in lines[1:])]) + "\n").encode()


def import_2024(client: TestClient) -> None:
    """Through the import page, as an editor does: preview, then commit."""
    preview = client.post("/plan/1/import/forhaandsvisning", files={"fil": ("2024.csv", figures_2024())}, headers=HX)
    assert preview.status_code == 200, text_of(preview.text)[:400]
    form = dict(re.findall(r'<input type="hidden" name="(filnavn|token|data)" value="([^"]*)"', preview.text))
    saved = client.post("/plan/1/import/gem", data=form, headers=HX)
    assert saved.status_code == 200 and "Importeret: 28" in text_of(saved.text), text_of(saved.text)[:400]


def area_2024(client: TestClient) -> dict[str, Any]:
    found: dict[str, Any] = next(
        o for o in get_json(client, "/plan/1/omraader.json?aar=2024")["omraader"] if o["navn"] == AREA
    )
    return found["vurdering"]


def department_2024(client: TestClient, name: str) -> dict[str, Any]:
    rows = get_json(client, "/plan/1/afdelinger.json?aar=2024")["afdelinger"]
    found: dict[str, Any] = next(r for r in rows if r["afdeling"] == name)
    return found["vurdering"]


def criterion(unit: dict[str, Any], measure: str) -> list[dict[str, Any]]:
    """The unit's criteria on a measure (the convicted share has one per multiple)."""
    return [c for c in unit["criteria"] if c["measure"] == measure]


def year(client: TestClient, list_year: int) -> dict[str, Any]:
    found: dict[str, Any] = next(
        y for y in get_json(client, "/plan/1/landsgennemsnit.json")["listeaar"] if y["listeaar"] == list_year
    )
    return found


def save(client: TestClient, list_year: int, version: int, **fields: str) -> Any:
    values = {**AVERAGE, "kilde_dato": "2024-12-01", **fields, "version": str(version)}
    return client.post(f"/plan/1/landsgennemsnit/{list_year}", data=values, headers=JSON)


def test_a_new_list_year_shows_its_figures_and_every_verdict_that_does_not_wait_for_the_average(
    client: TestClient,
) -> None:
    import_2024(client)
    folehaven = department_2024(client, "Folehaven")
    convicted = criterion(folehaven, "doemte")
    assert len(convicted) == 2
    for doemte in convicted:
        assert doemte["value"] == 1.79 and doemte["threshold"] is None and doemte["verdict"] == "ukendt"
    # decided by the other criteria, whatever the average is
    assert folehaven["lists"] == {
        "udsat_boligomraade": False,
        "parallelsamfund": False,
        "omdannelsesomraade": False,
        "forebyggelsesomraade": True,
    }
    table = client.get("/plan/1/afdelinger.csv?aar=2024").content.decode("utf-8-sig")
    row = next(line.split(";") for line in table.splitlines() if ";Folehaven;" in line)
    header = table.splitlines()[0].lstrip("\ufeff").split(";")
    assert row[header.index("doemte_pct")] == "1,79"  # the imported figure, not "-"
    assert area_2024(client)["lists"]["forebyggelsesomraade"] is None  # it waits for the average
    page = text_of(client.get("/plan/1?aar=2024").text)
    assert "Landsgennemsnittet for dømte er ikke kendt for listeår 2024" in page
    assert f"Listestatus afhænger af det for 1 enhed: {AREA} (område)" in page
    assert year(client, 2024)["tilstand"] == "mangler"
    assert year(client, 2024)["afhaenger_af_det"] == [f"{AREA} (område)"]


def test_an_editor_enters_the_average_and_the_years_verdicts_use_it(client: TestClient) -> None:
    import_2024(client)
    response = client.post("/plan/1/landsgennemsnit/2024", data={**AVERAGE, "kilde_dato": "1.12.2024", "version": "0"})
    assert response.status_code == 303
    assert response.headers["location"] == "/plan/1/landsgennemsnit?gemt=2024#aar-2024"
    page = text_of(client.get(response.headers["location"]).text)
    assert "Gemt: landsgennemsnittet for listeår 2024" in page
    assert "landsgennemsnittet er 0,73 pct. , så 3 × = 2,19 pct., 2 × = 1,46 pct." in page
    assert "01.12.2024" in page
    # The area's convicted share (~1,90-2,29) meets 2 x 0,73 = 1,46: on the prevention list.
    area = area_2024(client)
    assert area["lists"]["forebyggelsesomraade"] is True
    assert {c["threshold"] for c in criterion(area, "doemte")} == {2.19, 1.46}
    assert "er ikke kendt for listeår 2024" not in text_of(client.get("/plan/1?aar=2024").text)
    stored = year(client, 2024)
    assert (stored["tilstand"], stored["doemte_pct"], stored["kilde_dato"]) == ("indtastet", "0.73", "2024-12-01")
    assert stored["afhaenger_af_det"] == []
    # A much higher average keeps it off: the verdicts follow the stored figure.
    changed = save(client, 2024, stored["version"], doemte_pct="5")
    assert changed.status_code == 200, changed.text[:300]
    assert area_2024(client)["lists"]["forebyggelsesomraade"] is False
    # The trail says who entered what, before and after.
    trail = get_json(client, "/plan/1/revision.json")
    summaries = [e["beskrivelse"] for e in trail["haendelser"]]
    assert any("Landsgennemsnit for dømte, listeår 2024: 0,73 pct." in s and "→ 5 pct." in s for s in summaries)
    # Deleting it makes the verdict wait again.
    deleted = client.post("/plan/1/landsgennemsnit/2024/slet", data={"version": str(year(client, 2024)["version"])})
    assert deleted.status_code == 303
    assert area_2024(client)["lists"]["forebyggelsesomraade"] is None
    assert year(client, 2024)["tilstand"] == "mangler"


def test_the_form_names_each_wrong_field_in_danish_and_stores_nothing(client: TestClient) -> None:
    import_2024(client)
    cases = {
        "doemte_pct": [("abc", "fx 0,73"), ("0", "over 0"), ("73", "ikke et muligt landsgennemsnit"), ("", "udfyldes")],
        "kilde": [("  ", "skal udfyldes"), ("x" * 501, "højst 500 tegn")],
        "kilde_dato": [
            ("2099-01-01", "ligger i fremtiden"),
            ("31.02.2024", "ikke en dato i kalenderen"),
            ("i går", "ikke en dato"),
        ],
    }
    for field, values in cases.items():
        for value, expected in values:
            response = save(client, 2024, 0, **{field: value})
            assert response.status_code == 422, (field, value)
            errors = response.json()["fejl"]["2024"]
            assert set(errors) == {field}, errors
            assert expected in errors[field], errors[field]
    assert save(client, 2024, 0, doemte_pct="0,72512").json()["fejl"]["2024"]["doemte_pct"].endswith("fx 0,7251")
    page = client.post("/plan/1/landsgennemsnit/2024", data={**AVERAGE, "kilde_dato": "", "version": "0"})
    assert page.status_code == 422
    html = page.text
    assert 'id="fejl-2024-kilde_dato"' in html and 'aria-invalid="true"' in html
    assert 'value="0,73"' in html  # what was typed stays in the form
    assert year(client, 2024)["tilstand"] == "mangler"
    trail = get_json(client, "/plan/1/revision.json")["haendelser"]
    assert not any(e["enhed"] == "landsgennemsnit" for e in trail)


def test_a_year_the_law_publishes_cannot_be_overridden(client: TestClient) -> None:
    published = year(client, 2022)
    assert published["tilstand"] == "offentliggjort" and published["kan_indtastes"] is False
    assert published["offentliggjort"]["taerskler"] == {"3x": "2.18", "2x": "1.45"}
    response = save(client, 2022, 0)
    assert response.status_code == 422
    assert "kan ikke overskrives" in response.json()["fejl"]["2022"]["listeaar"]
    assert "2,18 pct." in text_of(client.get("/plan/1/landsgennemsnit").text)
    before_2018 = save(client, 2015, 0)
    assert before_2018.status_code == 422
    assert "bygger ikke på landsgennemsnittet" in before_2018.json()["fejl"]["2015"]["listeaar"]


def test_two_editors_at_once_the_second_gets_a_conflict_naming_the_first(client: TestClient) -> None:
    import_2024(client)
    assert save(client, 2024, 0).status_code == 200
    late = save(client, 2024, 0, doemte_pct="0,74")
    assert late.status_code == 409
    assert "ændret af testbruger@example.dk" in late.json()["konflikt"]
    assert year(client, 2024)["doemte_pct"] == "0.73"


def test_a_reader_sees_the_averages_but_cannot_enter_one(client: TestClient) -> None:
    import_2024(client)
    add_user(client, "laeser@example.dk", "laeser", 1)
    reader = sign_in(TestClient(client.app, follow_redirects=False), "laeser@example.dk", PASSWORD)
    page = reader.get("/plan/1/landsgennemsnit")
    assert page.status_code == 200
    assert "kun en redaktør kan indtaste landsgennemsnittet" in text_of(page.text)
    refused = save(reader, 2024, 0)
    assert refused.status_code == 403
    assert year(client, 2024)["tilstand"] == "mangler"

"""The web app's pages: every page in Danish, also as JSON (and tables as CSV) by suffix or Accept
header; the departments table's filters and sorting; verdict data as the law's own structure."""

# ruff: noqa: F811 - pytest fixtures imported from web_helpers are used as arguments
from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient

from boligsocial.danish import natural_key
from boligsocial.law.verdicts import unit_dict
from boligsocial.plan.assessment import load_assessment
from web_helpers import EXAMPLE, department, department_id, get_json, shared_client, text_of  # noqa: F401

PAGES = {
    "/plan/1": ["Mit Kvarter", "Områdelisterne", "Forebyggelsesområde", "De fire indsatsområder", "Beskæftigelse"],
    "/plan/1/afdelinger": ["Afdelinger", "Folehaven", "Boligorg.", "tæt på grænsen", "Forebyggelse"],
    "/plan/1/omraader": ["Boligområder", "Sjælør Boulevard", "(tilnærmet)"],
    "/plan/1/omraader/Sjælør Boulevard": ["Tilnærmede tal", "Afdelingerne i området", "Afd. 50", "Kriterierne"],
    "/plan/1/indikatorer": ["Indikatorer", "Fravær blandt børn i grundskolen", "Uddannelse og livschancer"],
    "/plan/1/indikatorer/fravaer-grundskole": ["Målinger og sammenligningstal", "Tilføj en måling", "8,21"],
    "/plan/1/partnere": ["Samarbejdspartnere og deres bidrag", "Organisering", "Samarbejdsforum", "Det lokale team"],
    "/plan/1/import": ["Import af nøgletal", "forhåndsvisning"],
    "/plan/1/eksport": ["Eksport", "Planmappen", "Nøgletal (Excel)"],
}


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_is_danish_html(shared_client: TestClient, path: str) -> None:
    response = shared_client.get(path)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="da">' in response.text
    shown = text_of(response.text)
    for words in PAGES[path]:
        assert words in shown, f"{path}: {words!r} missing"
    assert "Denne side som data" in shown


def test_department_page_shows_criteria_thresholds_margins_and_citations(shared_client: TestClient) -> None:
    afd_id = department_id(shared_client, "Folehaven")
    html = shared_client.get(f"/plan/1/afdelinger/{afd_id}").text
    shown = text_of(html)
    for words in ["Status på listerne", "Kriterierne", "Grænse", "Margin (point)", "§ 61 a", "§ 61 b", "Historik"]:
        assert words in shown
    assert "Forlader listen, hvis ikke-vestlige indvandrere og efterkommere falder til 30 pct." in shown
    assert "<svg" in html  # the charts, inline
    assert 'name="version"' in html  # the form carries the version


def test_front_page_lists_plans_and_lists_them_as_json(shared_client: TestClient) -> None:
    response = shared_client.get("/")  # an administrator of every plan always sees the list (tests/test_web_plans.py)
    assert response.status_code == 200 and 'href="/plan/1"' in response.text
    data = get_json(shared_client, "/.json")
    assert [p["navn"] for p in data["planer"]] == ["Mit Kvarter"]


@pytest.mark.parametrize("path", [p for p in PAGES if p != "/plan/1/import"] + ["/plan/1/import"])
def test_every_page_is_json_by_suffix_and_by_accept_header(shared_client: TestClient, path: str) -> None:
    by_suffix = get_json(shared_client, path + ".json")
    response = shared_client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert json.loads(response.text) == by_suffix
    assert "Accept" in response.headers.get("vary", "")


def test_overview_json_counts_the_lists(shared_client: TestClient) -> None:
    data = get_json(shared_client, "/plan/1.json")
    assert data["noegletal"]["afdelinger"] == 28
    assert data["noegletal"]["boliger"] == 5980
    assert data["noegletal"]["boligorganisationer"] == 6
    lists = {item["liste"]: item for item in data["lister"]}
    assert lists["forebyggelsesomraade"]["afdelinger_paa_listen"] == 1  # Folehaven
    assert lists["forebyggelsesomraade"]["omraader_paa_listen"] == 1  # Sjælør Boulevard
    assert lists["udsat_boligomraade"]["afdelinger_ubestemt"] == 1  # Stubmøllevej, no figures
    assert [i["navn"] for i in data["indsatsomraader"]] == [
        "Uddannelse og livschancer",
        "Beskæftigelse",
        "Kriminalitetsforebyggelse",
        "Sammenhængskraft og medborgerskab",
    ]


def test_verdicts_in_json_are_the_laws_own_structure(shared_client: TestClient) -> None:
    """The web reuses `unit_dict`, so the web, the CLI and the documents agree."""
    context = load_assessment(EXAMPLE)
    expected = json.loads(json.dumps(unit_dict(next(u for u in context.result.units if u.name == "Folehaven"))))
    data = department(shared_client, "Folehaven")
    assert data["vurdering"] == expected
    table = get_json(shared_client, "/plan/1/afdelinger.json")
    row = next(r for r in table["afdelinger"] if r["afdeling"] == "Folehaven")
    assert row["vurdering"] == expected
    assert data["vurdering"]["lists"]["forebyggelsesomraade"] is True


def test_area_json_flags_the_approximation(shared_client: TestClient) -> None:
    data = get_json(shared_client, "/plan/1/omraader/Sjælør Boulevard.json")
    assert data["tilnaermet"] is True
    assert {a["afdeling"] for a in data["afdelinger"]} == {"Afd. 50", "Sjælør Boulevard"}
    assert data["vurdering"]["lists"]["forebyggelsesomraade"] is True


def parse_csv(response_text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response_text.lstrip("\ufeff")), delimiter=";"))


@pytest.mark.parametrize(
    ("path", "column"),
    [
        ("/plan/1/afdelinger", "afdeling"),
        ("/plan/1/omraader", "omraade"),
        ("/plan/1/indikatorer", "indikator"),
        ("/plan/1/partnere", "partner"),
        ("/plan/1/omraader/Sjælør Boulevard", "kriterium"),
    ],
)
def test_tables_are_csv_by_suffix_and_by_accept_header(shared_client: TestClient, path: str, column: str) -> None:
    response = shared_client.get(path + ".csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = parse_csv(response.text)
    assert rows and column in rows[0]
    by_accept = shared_client.get(path, headers={"Accept": "text/csv"})
    assert by_accept.text == response.text


def test_departments_csv_has_danish_numbers_and_statuses(shared_client: TestClient) -> None:
    rows = parse_csv(shared_client.get("/plan/1/afdelinger.csv").text)
    assert len(rows) == 28
    folehaven = next(r for r in rows if r["afdeling"] == "Folehaven")
    assert folehaven["beboere"] == "1964"
    assert folehaven["ikke_vestlige_pct"] == "47,5"
    assert folehaven["ikke_vestlige_margin_forebyggelse"] == "+17,5"
    assert folehaven["forebyggelsesomraade"] == "ja"
    stub = next(r for r in rows if r["afdeling"] == "Stubmøllevej")
    assert stub["udsat_boligomraade"] == "ubestemt"


def test_department_criteria_as_csv(shared_client: TestClient) -> None:
    afd_id = department_id(shared_client, "Folehaven")
    rows = parse_csv(shared_client.get(f"/plan/1/afdelinger/{afd_id}.csv").text)
    assert len(rows) == 10  # four udsat/parallel criteria, ikke-vestlige, five forebyggelse criteria
    row = next(r for r in rows if r["kriterium"].startswith("Ikke-vestlige") and "forebyggelsesomraade" in r["lister"])
    assert (row["vaerdi"], row["operator"], row["graense"], row["margin_point"]) == (
        "47,5000",
        ">",
        "30,0000",
        "17,5000",
    )
    assert row["vurdering"] == "opfyldt" and row["paragraf"] == "§ 61 b"


def test_a_page_that_is_no_table_has_no_csv(shared_client: TestClient) -> None:
    response = shared_client.get("/plan/1.csv")
    assert response.status_code == 404
    response = shared_client.get("/plan/1.csv", headers={"Accept": "text/html"})
    assert response.status_code == 404


def names(client: TestClient, query: str) -> list[str]:
    return [r["afdeling"] for r in get_json(client, f"/plan/1/afdelinger.json?{query}")["afdelinger"]]


def test_filter_by_list_and_status(shared_client: TestClient) -> None:
    assert names(shared_client, "liste=forebyggelsesomraade&status=ja") == ["Folehaven"]
    assert names(shared_client, "liste=udsat_boligomraade&status=ubestemt") == ["Stubmøllevej"]
    # Without a status: on the list or possibly on it.
    assert sorted(names(shared_client, "liste=forebyggelsesomraade")) == ["Folehaven", "Stubmøllevej"]


def test_filter_by_organisation_text_participation_and_near(shared_client: TestClient) -> None:
    assert names(shared_client, "organisation=PAB") == ["Hornemanns Vænge"]
    assert names(shared_client, "q=folehav") == ["Folehaven"]
    betinget = names(shared_client, "deltagelse=betinget")
    assert len(betinget) == 15 and all(n.startswith(("Frederiksholm", "Grønnegården")) for n in betinget)
    near = get_json(shared_client, "/plan/1/afdelinger.json?naer=1")
    assert 0 < near["antal"] < near["antal_i_alt"]
    assert all(r["naer_en_graense"] for r in near["afdelinger"])


def test_sorting(shared_client: TestClient) -> None:
    by_residents = names(shared_client, "sort=beboere&retning=ned")
    assert by_residents[0] == "Folehaven"
    assert by_residents[-1] == "Stubmøllevej"  # unknown values last in either direction
    assert names(shared_client, "sort=beboere&retning=op")[-1] == "Stubmøllevej"
    by_name = names(shared_client, "sort=navn")
    assert by_name == sorted(by_name, key=natural_key)  # karre 2 before karre 11
    first = names(shared_client, "sort=forebyggelsesomraade")[0]
    assert first == "Folehaven"  # "ja" first


def test_bad_filter_is_a_danish_400(shared_client: TestClient) -> None:
    response = shared_client.get("/plan/1/afdelinger?sort=hemmelig&liste=ghetto")
    assert response.status_code == 400
    shown = text_of(response.text)
    assert 'Ukendt sortering "hemmelig"' in shown and 'Ukendt liste "ghetto"' in shown


def test_htmx_request_gets_only_the_table(shared_client: TestClient) -> None:
    response = shared_client.get("/plan/1/afdelinger?organisation=SAB", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="tabel"' in response.text and "Elleparken" in response.text and "Folehaven" not in response.text
    assert 'hx-swap-oob="true"' in response.text  # keeps the form's sort fields in step


def test_list_year_parameter(shared_client: TestClient) -> None:
    data = get_json(shared_client, "/plan/1/afdelinger.json?aar=2022")
    assert data["listeaar"] == 2022
    response = shared_client.get("/plan/1/afdelinger?aar=tyve")
    assert response.status_code == 400 and "Listeåret skal være et årstal" in text_of(response.text)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/plan/99", "Planen (id 99) findes ikke"),
        ("/plan/1/afdelinger/999999", "ingen afdeling med nummer"),
        ("/plan/1/omraader/Atlantis", 'intet område ved navn "Atlantis"'),
        ("/findes-ikke", "Adressen findes ikke"),
    ],
)
def test_not_found_is_danish(shared_client: TestClient, path: str, message: str) -> None:
    response = shared_client.get(path)
    assert response.status_code == 404
    assert message.casefold() in text_of(response.text).casefold()
    data = get_json_status(shared_client, path + ".json", 404)
    assert data["status"] == 404 and data["fejl"]


def get_json_status(client: TestClient, url: str, status: int) -> dict[str, object]:
    response = client.get(url)
    assert response.status_code == status
    result: dict[str, object] = json.loads(response.text)
    return result


def test_static_htmx_is_vendored(shared_client: TestClient) -> None:
    response = shared_client.get("/static/htmx.min.js")
    assert response.status_code == 200 and "htmx" in response.text[:200]
    assert shared_client.get("/static/htmx.LICENSE").status_code == 200

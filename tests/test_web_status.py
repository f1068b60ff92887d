"""Indicator status in the web app: the list's status column for a status year (as `boligsocial
status` computes it), the indicator page with baseline, target, milestones, projection and status
chart, and a value entered through the form moving the status at once (the page cache follows the
data version). On SQLite and PostgreSQL, like the other web tests."""

# ruff: noqa: F811 - pytest fixtures imported from web_helpers are used as arguments
from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

import boligsocial.web.routes.indikatorer as indikatorer_module
from boligsocial.danish import number
from boligsocial.plan.folder import load_plan
from boligsocial.plan.status import STATUS_RULE_DA, indicator_status, milestone_for, plan_status
from web_helpers import EXAMPLE, client, get_json, shared_client, text_of  # noqa: F401

HX = {"HX-Request": "true"}
YEAR = 2026
INDICATOR = "uddannelse-18-29"  # På sporet in 2026 (its latest value is from 2025; none for 2026 yet)


def row_of(page: str, indikator: str) -> str:
    """The status table's row of one indicator (HTML)."""
    row = page[page.index(f'<tr data-indikator="{indikator}">') :]
    return row[: row.index("</tr>")]


def status_of(client: TestClient, indikator: str) -> str:
    data = get_json(client, f"/plan/1/indikatorer.json?aar={YEAR}")
    return str(next(i for i in data["indikatorer"] if i["id"] == indikator)["status"]["status"])


def test_the_list_shows_the_status_command_s_statuses(shared_client: TestClient) -> None:
    expected = plan_status(load_plan(EXAMPLE), YEAR)
    page = shared_client.get(f"/plan/1/indikatorer?aar={YEAR}")
    assert page.status_code == 200
    for s in expected.indikatorer:
        row = row_of(page.text, s.indikator.id)
        assert f'class="istatus {s.status.value}"' in row and s.status.label in text_of(row), s.indikator.id
    # The statuses the status command prints for Mit Kvarter, 2026 (docs/status.md).
    assert "Bagud" in text_of(row_of(page.text, "fravaer-grundskole"))
    assert "Foran" in text_of(row_of(page.text, "folkeskole-02-dansk-matematik"))
    assert "På sporet" in text_of(row_of(page.text, INDICATOR))
    fravaer = text_of(row_of(page.text, "fravaer-grundskole"))
    assert "7,9 % (2026)" in fravaer and "7,70 % (2026)" in fravaer and "7,5 % (2028)" in fravaer
    shown = text_of(page.text)
    assert f"Status {YEAR}" in shown and STATUS_RULE_DA in shown and "illustrativt mål" in shown


def test_the_default_status_year_is_the_latest_year_with_a_value(shared_client: TestClient) -> None:
    data = get_json(shared_client, "/plan/1/indikatorer.json")
    assert data["status_aar"] == YEAR  # fravaer-grundskole has a 2026 value; the period is 2025-2028
    assert data["status"]["aar"] == YEAR
    assert 'value="2026" selected' in shared_client.get("/plan/1/indikatorer").text
    bad = shared_client.get("/plan/1/indikatorer.json?aar=2030")
    assert bad.status_code == 400 and "2025-2028" in bad.json()["fejl"]


def test_json_and_csv_carry_the_status(shared_client: TestClient) -> None:
    expected = {s.indikator.id: s for s in plan_status(load_plan(EXAMPLE), YEAR).indikatorer}
    data = get_json(shared_client, f"/plan/1/indikatorer.json?aar={YEAR}")
    assert data["status"]["statusregel"] == STATUS_RULE_DA
    assert {i["id"]: i["status"] for i in data["status"]["indikatorer"]} == {
        k: v.status.value for k, v in expected.items()
    }
    fravaer = next(i for i in data["indikatorer"] if i["id"] == "fravaer-grundskole")
    assert fravaer["status"]["status_tekst"] == "Bagud"
    assert fravaer["status"]["milepael"] == {"aar": 2026, "vaerdi": 7.7029, "art": "interpoleret"}
    rows = list(
        csv.DictReader(
            io.StringIO(shared_client.get(f"/plan/1/indikatorer.csv?aar={YEAR}").text.lstrip("\ufeff")), delimiter=";"
        )
    )
    by_id = {r["indikator"]: r for r in rows}
    assert set(by_id) == set(expected)  # an indicator without values still has its status row
    assert {k: r["status"] for k, r in by_id.items()} == {k: v.status.value for k, v in expected.items()}
    assert by_id["fravaer-grundskole"]["status_tekst"] == "Bagud" and by_id["fravaer-grundskole"]["maal"] == "7,5"


def test_the_indicator_page_shows_status_targets_projection_and_chart(shared_client: TestClient) -> None:
    page = shared_client.get(f"/plan/1/indikatorer/fravaer-grundskole?aar={YEAR}")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert f"Status {YEAR}: Bagud" in shown
    assert "Baseline 8,21 % (2021), fastfrosset (definitionens version 1)" in shown
    assert "Mål 7,5 % (2028) illustrativt mål" in shown
    assert "Fremskrivning (ikke en prognose)" in shown and "kræves -0,20 procentpoint om året" in shown
    assert "fravaer-grundskole v1" in shown  # the catalogue definition and its version
    status = page.text[page.text.index('id="status"') :]
    assert "<svg" in status and "Fremskrivning" in status  # the status chart, with its projection label
    data = get_json(shared_client, f"/plan/1/indikatorer/fravaer-grundskole.json?aar={YEAR}")
    assert data["status"]["status"] == "bagud" and data["status"]["fremskrivning"]["betegnelse"]


def _value(v: Decimal) -> str:
    return number(v, 2)


def test_a_value_entered_in_the_form_moves_the_status(client: TestClient) -> None:
    plan = load_plan(EXAMPLE)
    indikator = next(i for i in plan.indikatorer if i.id == INDICATOR)
    before = indicator_status(plan, indikator, YEAR)
    assert before.status.value == "paa_sporet" and before.seneste_aar == YEAR - 1 and before.tolerance is not None
    milestone = milestone_for(indikator, YEAR)
    assert milestone is not None
    centre, step = Decimal(float(milestone.vaerdi)), Decimal(float(before.tolerance)) * 3
    above, below = _value(centre + step), _value(centre - step)  # higher is better for this indicator
    list_page = client.get(f"/plan/1/indikatorer?aar={YEAR}")  # cached before the write
    assert "På sporet" in text_of(row_of(list_page.text, INDICATOR))

    # Add a 2026 value above the milestone: Foran, in the htmx answer and on every page after.
    url = f"/plan/1/indikatorer/{INDICATOR}/maalinger"
    response = client.post(url, data={"aar": str(YEAR), "vaerdi": above}, headers=HX)
    assert response.status_code == 200, text_of(response.text)[:400]
    assert f"Status {YEAR}: Foran" in text_of(response.text)
    assert status_of(client, INDICATOR) == "foran"
    assert "Foran" in text_of(row_of(client.get(f"/plan/1/indikatorer?aar={YEAR}").text, INDICATOR))

    # Correct it to a value below the milestone: Bagud.
    values = get_json(client, f"/plan/1/indikatorer/{INDICATOR}.json")["vaerdier"]
    stored = next(v for v in values if v["aar"] == YEAR and v["type"] == "maaling")
    form = {"maaling_id": str(stored["id"]), "version": str(stored["version"]), "vaerdi": below}
    response = client.post(url, data=form, headers=HX)
    assert response.status_code == 200, text_of(response.text)[:400]
    assert f"Status {YEAR}: Bagud" in text_of(response.text)
    assert status_of(client, INDICATOR) == "bagud"
    page = client.get(f"/plan/1/indikatorer/{INDICATOR}?aar={YEAR}")
    assert f"Status {YEAR}: Bagud" in text_of(page.text) and f"{below} % ({YEAR})" in text_of(page.text)


def test_a_bad_value_gets_the_field_error_and_changes_nothing(client: TestClient) -> None:
    before_values = get_json(client, f"/plan/1/indikatorer/{INDICATOR}.json")["vaerdier"]
    before_status = status_of(client, INDICATOR)
    response = client.post(
        f"/plan/1/indikatorer/{INDICATOR}/maalinger", data={"aar": str(YEAR), "vaerdi": "høj"}, headers=HX
    )
    assert response.status_code == 422
    field = response.text[response.text.index('data-field="vaerdi"') :]
    field = field[: field.index("</div>")]
    assert 'aria-invalid="true"' in field and 'value="høj"' in field and 'class="error"' in field
    assert f"Status {YEAR}: På sporet" in text_of(response.text)  # the status shown is the stored one
    assert get_json(client, f"/plan/1/indikatorer/{INDICATOR}.json")["vaerdier"] == before_values
    assert status_of(client, INDICATOR) == before_status == "paa_sporet"


def test_the_statuses_are_made_once_per_data_version_and_a_new_value_shows_on_the_next_page(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list's and the page's statuses (and what is shown of them) are the same for every
    address of a data version: made once, whatever the format or an unread parameter. A value
    saved is a new data version: the list and the page show it and its status at once."""
    made: list[str] = []
    every, one = indikatorer_module.plan_status, indikatorer_module.indicator_status

    def counting_every(plan, year, *args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(f"liste {year}")
        return every(plan, year, *args, **kwargs)

    def counting_one(plan, indikator, year, *args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(f"{indikator.id} {year}")
        return one(plan, indikator, year, *args, **kwargs)

    monkeypatch.setattr(indikatorer_module, "plan_status", counting_every)
    monkeypatch.setattr(indikatorer_module, "indicator_status", counting_one)
    listed, page = "/plan/1/indikatorer", f"/plan/1/indikatorer/{INDICATOR}"

    def shown(extra: str) -> tuple[str, str, str, str]:
        """The status on the list (HTML, JSON, CSV) and on the indicator's page (HTML, htmx, JSON)."""
        row = text_of(row_of(client.get(f"{listed}?aar={YEAR}&_={extra}").text, INDICATOR))
        in_csv = {
            r["indikator"]: r["status"]
            for r in csv.DictReader(
                io.StringIO(client.get(f"{listed}.csv?aar={YEAR}&_={extra}").text.lstrip("\ufeff")), delimiter=";"
            )
        }
        html = text_of(client.get(f"{page}?aar={YEAR}&_={extra}").text)
        htmx = text_of(client.get(f"{page}?aar={YEAR}&_={extra}", headers=HX).text)
        data = get_json(client, f"{page}.json?aar={YEAR}&_={extra}")
        assert data["status"]["status"] == status_of(client, INDICATOR) == in_csv[INDICATOR]
        assert html.split(f"Status {YEAR}: ", 1)[1][:8] == htmx.split(f"Status {YEAR}: ", 1)[1][:8]
        values = [v["vaerdi_tekst"] for v in data["vaerdier"] if v["aar"] == YEAR and v["type"] == "maaling"]
        return row, html.split(f"Status {YEAR}: ", 1)[1][:8], data["status"]["status"], ",".join(values)

    before = shown("1")
    assert shown("2") == before and made == [f"liste {YEAR}", f"{INDICATOR} {YEAR}"]  # made once for all
    assert "På sporet" in before[0] and before[1].startswith("På spore") and before[3] == ""

    plan = load_plan(EXAMPLE)
    indikator = next(i for i in plan.indikatorer if i.id == INDICATOR)
    milestone = milestone_for(indikator, YEAR)
    tolerance = indicator_status(plan, indikator, YEAR).tolerance
    assert milestone is not None and tolerance is not None
    above = _value(Decimal(float(milestone.vaerdi)) + Decimal(float(tolerance)) * 3)
    saved = client.post(f"{page}/maalinger", data={"aar": str(YEAR), "vaerdi": above}, headers={"Accept": "text/html"})
    assert saved.status_code == 303, text_of(saved.text)[:300]
    after = shown("3")
    assert "Foran" in after[0] and after[1].startswith("Foran") and after[2] == "foran" and after[3] == above
    assert made[2:] == [f"liste {YEAR}", f"{INDICATOR} {YEAR}"]  # made again once, for the new version

"""Editing in the web app: key figures and indicator values through the one service layer, with
errors by the field, verdicts updated at once, and optimistic locking (no silent overwrite)."""

# ruff: noqa: F811 - pytest fixtures imported from web_helpers are used as arguments
from __future__ import annotations

import re

from fastapi.testclient import TestClient

from boligsocial.store import KEY_FIGURE_FIELDS
from web_helpers import (  # noqa: F401
    ACTOR,
    add_user,
    client,
    department,
    department_id,
    get_json,
    services_of,
    sign_in,
    text_of,
)

HX = {"HX-Request": "true"}


def form_of(client: TestClient, afd_id: int) -> dict[str, str]:
    """The key-figure form as the page shows it (every field and the version)."""
    html = client.get(f"/plan/1/afdelinger/{afd_id}").text
    form = html[html.index('id="noegletal-form"') :]
    form = form[: form.index("</form>")]
    values = dict(re.findall(r'name="([a-z_]+)"[^>]*?value="([^"]*)"', form))
    assert "version" in values
    return values


STUB_FIGURES = {
    "beboere": "1.200",
    "uden_for_arbejdsmarked_pct": "45,0",
    "ikke_vestlige_pct": "55,0",
    "doemte_pct": "2,5",
    "kun_grundskole_pct": "62,0",
    "indkomst_pct_af_region": "50,0",
}


def test_edit_changes_the_verdicts_at_once(client: TestClient) -> None:
    """Stubmøllevej has no published figures (everything undetermined); fill them in and it is
    an udsat boligområde and a parallelsamfund."""
    afd_id = department_id(client, "Stubmøllevej")
    before = department(client, "Stubmøllevej")
    assert before["vurdering"]["lists"]["udsat_boligomraade"] is None
    form = form_of(client, afd_id) | STUB_FIGURES
    response = client.post(f"/plan/1/afdelinger/{afd_id}/noegletal", data=form, headers=HX)
    assert response.status_code == 200, text_of(response.text)[:500]
    assert "<html" not in response.text  # the htmx partial
    shown = text_of(response.text)
    assert "Gemt:" in shown
    status_table = response.text[response.text.index('id="status"') :]
    udsat = status_table[status_table.index('data-liste="udsat_boligomraade"') :]
    assert 'class="status ja"' in udsat[: udsat.index("</tr>")]
    after = department(client, "Stubmøllevej")
    assert after["vurdering"]["lists"]["udsat_boligomraade"] is True
    assert after["vurdering"]["lists"]["parallelsamfund"] is True
    assert after["noegletal"]["version"] == before["noegletal"]["version"] + 1
    # The table and the overview see the change too (the cache follows the data version).
    table = get_json(client, "/plan/1/afdelinger.json?liste=udsat_boligomraade&status=ja")
    assert [r["afdeling"] for r in table["afdelinger"]] == ["Stubmøllevej"]
    overview = get_json(client, "/plan/1.json")
    assert any("Stubmøllevej" in e["beskrivelse"] or e["af"] == ACTOR for e in overview["seneste_aendringer"])


def test_plain_form_post_without_javascript_redirects_back(client: TestClient) -> None:
    afd_id = department_id(client, "Elleparken")
    form = form_of(client, afd_id) | {"doemte_pct": "3,40"}
    response = client.post(f"/plan/1/afdelinger/{afd_id}/noegletal", data=form, headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/plan/1/afdelinger/{afd_id}"
    assert department(client, "Elleparken")["noegletal"]["vaerdier"]["doemte_pct"] == "3,40"


def test_validation_error_is_shown_by_the_field_and_nothing_is_saved(client: TestClient) -> None:
    afd_id = department_id(client, "Folehaven")
    before = department(client, "Folehaven")
    form = form_of(client, afd_id) | {"beboere": "mange", "ikke_vestlige_pct": "29,0"}
    response = client.post(f"/plan/1/afdelinger/{afd_id}/noegletal", data=form, headers=HX)
    assert response.status_code == 422
    field = response.text[response.text.index('data-field="beboere"') :]
    field = field[: field.index("</div>")]
    assert "has-error" in response.text[response.text.index('data-field="beboere"') - 40 :][:60]
    assert 'aria-invalid="true"' in field
    assert 'class="error"' in field and "mange" in text_of(field)
    assert 'value="mange"' in field  # what the user typed is kept in the form
    assert "Ændringerne er ikke gemt" in text_of(response.text)
    after = department(client, "Folehaven")
    assert after["noegletal"] == before["noegletal"]
    assert after["vurdering"]["lists"]["forebyggelsesomraade"] is True  # the valid 29,0 was not saved either


def test_stale_version_is_a_conflict_and_nothing_changes(client: TestClient) -> None:
    afd_id = department_id(client, "Hornemanns Vænge")
    mette_form = form_of(client, afd_id)
    jens_form = dict(mette_form)
    add_user(client, "jens@example.dk", "redaktoer", 1)
    jens = sign_in(TestClient(client.app, follow_redirects=False), "jens@example.dk")
    first = jens.post(f"/plan/1/afdelinger/{afd_id}/noegletal", data=jens_form | {"doemte_pct": "3,10"}, headers=HX)
    assert first.status_code == 200
    saved = department(client, "Hornemanns Vænge")["noegletal"]
    second = client.post(f"/plan/1/afdelinger/{afd_id}/noegletal", data=mette_form | {"doemte_pct": "1,00"}, headers=HX)
    assert second.status_code == 409
    shown = text_of(second.text)
    assert "en anden har ændret tallene" in shown
    assert "jens@example.dk" in shown  # who changed it
    assert "Dine værdier, som ikke blev gemt" in shown and "1,00" in shown
    assert department(client, "Hornemanns Vænge")["noegletal"] == saved
    # The form now carries the new version, so a second try can succeed.
    assert f'name="version" value="{saved["version"]}"' in second.text
    events = services_of(client).audit.audit_events(1, limit=5)
    assert events[0].actor == "jens@example.dk"


def test_the_form_shows_every_field_of_the_service(client: TestClient) -> None:
    afd_id = department_id(client, "Folehaven")
    values = form_of(client, afd_id)
    assert {f.name for f in KEY_FIGURE_FIELDS} <= set(values)


def test_json_client_can_post_and_gets_errors_by_field(client: TestClient) -> None:
    afd_id = department_id(client, "Folehaven")
    form = form_of(client, afd_id) | {"doemte_pct": "tre"}
    response = client.post(f"/plan/1/afdelinger/{afd_id}/noegletal", data=form, headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert set(response.json()["fejl"]) == {"doemte_pct"}


def test_missing_version_is_refused(client: TestClient) -> None:
    afd_id = department_id(client, "Folehaven")
    response = client.post(f"/plan/1/afdelinger/{afd_id}/noegletal", data={"beboere": "2000"})
    assert response.status_code == 400
    assert "version" in text_of(response.text)


# --------------------------------------------------------------------------------------------------
# Indicator values


def indicator_values(client: TestClient, indikator: str) -> list[dict[str, object]]:
    values: list[dict[str, object]] = get_json(client, f"/plan/1/indikatorer/{indikator}.json")["vaerdier"]
    return values


def test_add_an_indicator_value(client: TestClient) -> None:
    response = client.post(
        "/plan/1/indikatorer/fravaer-grundskole/maalinger", data={"aar": "2024", "vaerdi": "7,9"}, headers=HX
    )
    assert response.status_code == 200, text_of(response.text)[:400]
    assert "Gemt" in text_of(response.text)
    values = indicator_values(client, "fravaer-grundskole")
    assert any(v["aar"] == 2024 and v["vaerdi_tekst"] == "7,9" for v in values)
    series = get_json(client, "/plan/1/indikatorer.json")["indikatorer"]
    fravaer = next(i for i in series if i["id"] == "fravaer-grundskole")
    assert any(m["aar"] == 2024 and m["vaerdi"] == 7.9 for m in fravaer["maalinger"])


def test_indicator_value_error_is_shown_by_the_field(client: TestClient) -> None:
    before = indicator_values(client, "fravaer-grundskole")
    response = client.post(
        "/plan/1/indikatorer/fravaer-grundskole/maalinger", data={"aar": "2024", "vaerdi": "otte"}, headers=HX
    )
    assert response.status_code == 422
    field = response.text[response.text.index('data-field="vaerdi"') :]
    field = field[: field.index("</div>")]
    assert 'aria-invalid="true"' in field and 'value="otte"' in field
    assert indicator_values(client, "fravaer-grundskole") == before


def test_stale_indicator_value_is_a_conflict(client: TestClient) -> None:
    value = next(v for v in indicator_values(client, "fravaer-grundskole") if v["type"] == "maaling")
    form = {"maaling_id": str(value["id"]), "version": str(value["version"])}
    first = client.post("/plan/1/indikatorer/fravaer-grundskole/maalinger", data=form | {"vaerdi": "8,0"}, headers=HX)
    assert first.status_code == 200
    second = client.post("/plan/1/indikatorer/fravaer-grundskole/maalinger", data=form | {"vaerdi": "9,0"}, headers=HX)
    assert second.status_code == 409
    assert "Ikke gemt" in text_of(second.text) and "9,0" in text_of(second.text)
    now = next(v for v in indicator_values(client, "fravaer-grundskole") if v["id"] == value["id"])
    assert now["vaerdi_tekst"] == "8,0"

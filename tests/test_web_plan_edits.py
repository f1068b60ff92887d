"""The whole plan editable in the browser (/plan/{id}/rediger): each section's form saves through
the store and the pages and the exported plan (what the application package is built from) show
the edit at once; bad input is 422 with Danish messages beside the fields and the input kept;
a stale form is 409; a reader gets 403; scripts save with JSON. SQLite and PostgreSQL."""

# ruff: noqa: F811 - pytest fixtures imported from web_helpers are used as arguments
from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Callable

from fastapi.testclient import TestClient

from web_helpers import ACTOR, add_user, client, get_json, services_of, sign_in, text_of  # noqa: F401

Form = dict[str, list[str]]


def form_of(client: TestClient, section: str) -> Form:
    """The section's form as a browser would send it unchanged."""
    page = client.get(f"/plan/1/rediger/{section}")
    assert page.status_code == 200, page.text[:300]
    form = page.text[
        page.text.index('id="rediger-form"') : page.text.index("</form>", page.text.index('id="rediger-form"'))
    ]
    data: Form = {}

    def add(name: str, value: str) -> None:
        data.setdefault(html.unescape(name), []).append(html.unescape(value))

    for tag in re.findall(r"<input [^>]*>", form):
        name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
        if name is None or ('type="checkbox"' in tag and " checked" not in tag):
            continue
        add(name.group(1), value.group(1) if value else "")
    for name, text in re.findall(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        add(name, text)
    for name, options in re.findall(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        add(name, chosen.group(1) if chosen else "")
    return data


def blank_row(form: Form, table: int = 0) -> int:
    """The number of the form's blank row of a table (the last one)."""
    return max(int(m.group(1)) for key in form for m in [re.match(rf"t{table}\.(\d+)\.", key)] if m)


def save(client: TestClient, section: str, change: Callable[[Form], None]) -> None:
    form = form_of(client, section)
    change(form)
    response = client.post(f"/plan/1/rediger/{section}", data=form)
    assert response.status_code == 303, text_of(response.text)[:800]
    assert response.headers["location"] == f"/plan/1/rediger/{section}?gemt=1"


def fill(form: Form, values: dict[str, str]) -> None:
    for key, value in values.items():
        form[key] = [value]


def row_of(form: Form, name: str, table: int = 0) -> int:
    """The form row whose `navn` is `name`."""
    return next(
        int(k.split(".")[1]) for k, v in form.items() if re.fullmatch(rf"t{table}\.\d+\.navn", k) and v == [name]
    )


def test_every_section_is_edited_in_the_browser_and_shown_at_once(client: TestClient) -> None:
    def with_blank(section: str, values: dict[str, str], table: int = 0) -> None:
        save(client, section, lambda f: fill(f, {f"t{table}.{blank_row(f, table)}.{k}": v for k, v in values.items()}))

    save(client, "stamdata", lambda f: fill(f, {"f.navn": "Mit Kvarter II", "f.liste_aar": "2022"}))
    with_blank("boligorganisationer", {"kortnavn": "NY", "navn": "Ny Boligforening"})
    save(client, "afdelinger", lambda f: fill(f, {f"t0.{row_of(f, 'Folehaven')}.boliger": "1.000"}))
    with_blank("omraader", {"navn": "Folehaven og Grønrisvej", "afdelinger": "3B: Folehaven\nGrønrisvej"})
    save(client, "indsatsomraader", lambda f: f["t0.0.maalgrupper"].__setitem__(0, f["t0.0.maalgrupper"][0] + "\nUnge"))
    save(client, "opmaerksomhedspunkter", lambda f: fill(f, {"t0.0.beskrivelse": "Ny beskrivelse"}))
    with_blank("partnere", {"navn": "Valby Lokaludvalg", "bidrag": "Lokal forankring"})
    with_blank("organisation", {"navn": "Beboerrådet", "niveau": "helhedsplan", "er_bestyrelse": ""})
    with_blank("forkortelser", {"forkortelse": "VLU", "betydning": "Valby Lokaludvalg"})
    save(
        client,
        "budget",
        lambda f: fill(
            f, {"t0.0.kilde": "lbf", "t0.0.beloeb": "1000000", "t1.0.post": "Løn", "t1.0.beloeb": "1000000"}
        ),
    )
    save(client, "maalstyring", lambda f: fill(f, {"t0.0.maal.vaerdi": "7,2", "t0.0.milepaele": "2026: 7,9"}))

    plan = services_of(client).plans.get_plan(1)
    assert plan.navn == "Mit Kvarter II"
    assert plan.boligorganisationer[-1].kortnavn == "NY"
    assert plan.find_afdeling("Folehaven").boliger == 1000  # type: ignore[union-attr]
    assert [str(r) for r in plan.omraader[-1].afdelinger] == ["3B: Folehaven", "Grønrisvej"]
    assert plan.indsatsomraader[0].maalgrupper[-1] == "Unge"
    assert plan.opmaerksomhedspunkter[0].beskrivelse == "Ny beskrivelse"
    assert plan.organisation is not None and plan.organisation.fora[-1].niveau is not None
    assert plan.forkortelser["VLU"] == "Valby Lokaludvalg"
    assert plan.budget is not None and plan.budget.udgifter_i_alt == 1000000
    assert [m.aar for m in plan.indikatorer[0].milepaele] == [2026]
    # the pages show it
    partnere = get_json(client, "/plan/1/partnere.json")
    assert partnere["partnere"][-1]["navn"] == "Valby Lokaludvalg"
    assert partnere["forkortelser"]["VLU"] == "Valby Lokaludvalg"
    assert partnere["organisation"]["fora"][-1]["navn"] == "Beboerrådet"
    assert "Mit Kvarter II" in text_of(client.get("/plan/1").text)
    assert "Folehaven og Grønrisvej" in client.get("/plan/1/omraader").text
    saved = client.get("/plan/1/rediger/partnere?gemt=1")
    assert "Gemt." in text_of(saved.text) and "Valby Lokaludvalg" in saved.text
    # the plan folder the application package is built from holds the edits
    archive = zipfile.ZipFile(io.BytesIO(client.get("/plan/1/eksport/planmappe.zip").content))
    toml = next(archive.read(n).decode() for n in archive.namelist() if n.endswith("helhedsplan.toml"))
    assert "Valby Lokaludvalg" in toml and 'navn = "Mit Kvarter II"' in toml and "[budget]" in toml
    # one audit event per save, with the section before and after
    event = services_of(client).audit.audit_events(1, limit=1)[0]
    assert (event.action, event.actor) == ("ret_maalstyring", ACTOR)
    assert event.before[0]["milepaele"] == [] and event.after[0]["milepaele"] == [{"aar": 2026, "vaerdi": "7,9"}]


def test_bad_input_is_shown_beside_the_fields_kept_and_nothing_is_saved(client: TestClient) -> None:
    plan = services_of(client).plans.get_plan(1)
    form = form_of(client, "afdelinger")
    first, second, third = (row_of(form, a.navn) for a in plan.afdelinger[:3])
    fill(form, {f"t0.{third}.boliger": "-5", f"t0.{first}.navn": "", f"t0.{second}.noter": "Min note"})
    response = client.post("/plan/1/rediger/afdelinger", data=form)
    assert response.status_code == 422
    shown = text_of(response.text)
    assert f'Afdeling 3 ("{plan.afdelinger[2].navn}"), boliger: skal være et helt tal ≥ 0' in shown
    assert "Afdeling 1, navn: skal udfyldes" in shown
    cell = response.text[response.text.index(f'data-field="t0.{third}.boliger"') - 40 :]
    assert "has-error" in cell[:80] and 'value="-5"' in cell[: cell.index("</td>")]
    assert "Min note" in response.text  # the input is kept
    assert services_of(client).plans.get_plan(1) == plan

    duplicate = form_of(client, "afdelinger")
    fill(duplicate, {f"t0.{second}.navn": plan.afdelinger[0].navn})
    response = client.post("/plan/1/rediger/afdelinger", data=duplicate)
    assert response.status_code == 422 and "har allerede en afdeling ved navn" in text_of(response.text)

    omraader = form_of(client, "omraader")
    omraader["t0.0.afdelinger"] = [omraader["t0.0.afdelinger"][0] + "\nUkendtvej"]
    response = client.post("/plan/1/rediger/omraader", data=omraader)
    assert response.status_code == 422
    assert 'Område 1 ("' in text_of(response.text) and 'afdelingen "Ukendtvej" findes ikke' in text_of(response.text)
    assert services_of(client).plans.get_plan(1) == plan


def test_a_stale_form_is_a_conflict_that_keeps_the_input(client: TestClient) -> None:
    form = form_of(client, "partnere")
    save(client, "stamdata", lambda f: fill(f, {"f.kommune": "Københavns Kommune (K)"}))
    plan = services_of(client).plans.get_plan(1)
    fill(form, {f"t0.{blank_row(form)}.navn": "Valby Lokaludvalg"})
    response = client.post("/plan/1/rediger/partnere", data=form)
    assert response.status_code == 409
    assert "er ændret af" in text_of(response.text) and "Valby Lokaludvalg" in response.text
    assert services_of(client).plans.get_plan(1) == plan


def test_a_reader_sees_no_edit_link_and_gets_403_on_save(client: TestClient) -> None:
    assert 'href="/plan/1/rediger"' in client.get("/plan/1").text
    form = form_of(client, "partnere")
    add_user(client, "l@example.dk", "laeser", 1)
    sign_in(client, "l@example.dk")
    assert 'href="/plan/1/rediger"' not in client.get("/plan/1").text
    plan = services_of(client).plans.get_plan(1)
    fill(form, {f"t0.{blank_row(form)}.navn": "Valby Lokaludvalg"})
    form["csrf_token"] = [client.headers["X-CSRF-Token"]]
    assert client.post("/plan/1/rediger/partnere", data=form).status_code == 403
    assert client.post("/plan/1/rediger/partnere", json={"version": 1, "value": []}).status_code == 403
    assert services_of(client).plans.get_plan(1) == plan


def test_a_script_reads_and_saves_a_section_as_json(client: TestClient) -> None:
    section = get_json(client, "/plan/1/rediger/partnere.json")
    value = [*section["vaerdi"], {"navn": "Valby Lokaludvalg"}]
    response = client.post("/plan/1/rediger/partnere", json={"version": section["version"], "value": value})
    assert response.status_code == 200, response.text
    assert response.json()["version"] == section["version"] + 1
    assert services_of(client).plans.get_plan(1).partnere[-1].navn == "Valby Lokaludvalg"
    stale = client.post("/plan/1/rediger/partnere", json={"version": section["version"], "value": value})
    assert stale.status_code == 409 and "er ændret" in stale.json()["fejl"]
    current = response.json()["version"]
    bad = client.post("/plan/1/rediger/partnere", json={"version": current, "value": [{"navn": ""}]})
    assert bad.status_code == 422 and bad.json()["felter"] == {"0.navn": "Partner 1, navn: skal udfyldes"}
    assert client.post("/plan/1/rediger/partnere", json={"value": []}).status_code == 400
    assert client.get("/plan/1/rediger/rettelser").status_code == 404


def test_removing_an_afdeling_in_the_form_removes_its_key_figures(client: TestClient) -> None:
    figures = get_json(client, "/plan/1/afdelinger.json")["afdelinger"]
    assert any(row["afdeling"] == "Grønrisvej" for row in figures)
    page = client.get("/plan/1/rediger/afdelinger").text
    assert "En fjernet afdelings nøgletal slettes også" in page
    save(client, "afdelinger", lambda f: fill(f, {f"t0.{row_of(f, 'Grønrisvej')}.fjern": "ja"}))
    after = get_json(client, "/plan/1/afdelinger.json")["afdelinger"]
    assert len(after) == len(figures) - 1 and all(row["afdeling"] != "Grønrisvej" for row in after)
    units = services_of(client).key_figures.key_figures(1)
    assert all(unit.name != "Grønrisvej" for unit in units)

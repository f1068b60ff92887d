"""The caches that keep pages fast after a write (issue 12): verdicts reused while the key figures
are unchanged, the evaluation as areas made once for them, the archived flag read once per data
version, one plan's summary in one read. Each is checked against the write that must show at once.
And what the load showed besides: text measured from many threads at once."""

# ruff: noqa: F811 - pytest fixtures imported from web_helpers are used as arguments
from __future__ import annotations

import dataclasses
import re
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

import boligsocial.web.routes.tekster as tekster_module
from boligsocial.plan.assessment import PlanAssessment, load_assessment
from boligsocial.reports.charts.org import text_width
from boligsocial.store import SYSTEM_ACTOR, NotFound, Services
from boligsocial.web.prose_view import prose_findings_key
from web_helpers import client, department, department_id, get_json, save_text, services_of, text_of  # noqa: F401

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter"
INDICATOR = "fravaer-grundskole"


def test_verdicts_are_reused_after_an_indicator_edit_and_made_again_after_a_key_figure_edit(
    example_sessions: sessionmaker[Session],
) -> None:
    svc = Services(example_sessions, SYSTEM_ACTOR)
    first = svc.overview.plan_context(1)
    stored = next(m for m in svc.indicators.get_indikator(1, INDICATOR).maalinger if m.aar == 2025)
    svc.indicators.update_maaling(1, stored.id, "6,5", stored.version)
    second = svc.overview.plan_context(1, None, [first])
    assert second.result is first.result  # not classified again
    shown = next(i for i in second.plan.indikatorer if i.id == INDICATOR)
    assert [float(m.vaerdi) for m in shown.maalinger if m.aar == 2025] == [6.5]  # but the new plan
    folehaven = next(a for a in second.plan.afdelinger if a.navn == "Folehaven")
    afd_id = second.afdeling_id(folehaven)
    record = svc.key_figures.get_afdeling_figures(1, afd_id)
    svc.key_figures.update_key_figures(1, afd_id, {"ikke_vestlige_pct": "29,0"}, record.version)
    third = svc.overview.plan_context(1, None, [second, first])
    assert third.result is not first.result
    verdict = third.verdict(folehaven)
    assert verdict is not None and verdict.lists["forebyggelsesomraade"].status is False


def test_one_plans_summary_is_its_entry_in_the_list(example_sessions: sessionmaker[Session]) -> None:
    plans = Services(example_sessions, SYSTEM_ACTOR).plans
    listed = plans.list_plans()
    assert plans.summary(1) == listed[0] and listed[0].list_years == (2022,) and listed[0].afdelinger == 28
    archived = plans.archive_plan(1, True, listed[0].version)
    assert plans.summary(1) == archived == plans.list_plans(archived=True)[0]
    with pytest.raises(NotFound):
        plans.summary(999)


def indicator_value(client: TestClient, year: int) -> dict[str, object]:
    page = get_json(client, f"/plan/1/indikatorer/{INDICATOR}.json")
    value: dict[str, object] = next(v for v in page["vaerdier"] if v["type"] == "maaling" and v["aar"] == year)
    return value


def test_after_an_indicator_save_the_pages_show_it_and_a_key_figure_save_still_shows_at_once(
    client: TestClient,
) -> None:
    state = client.app.state.boligsocial  # type: ignore[attr-defined]
    folehaven = department(client, "Folehaven")
    assert folehaven["vurdering"]["lists"]["forebyggelsesomraade"] is True
    [read_before] = state.latest.of(1)
    stored = indicator_value(client, 2025)
    form = {"maaling_id": str(stored["id"]), "version": str(stored["version"]), "vaerdi": "6,5"}
    saved = client.post(f"/plan/1/indikatorer/{INDICATOR}/maalinger", data=form, headers={"Accept": "text/html"})
    assert saved.status_code == 303
    assert indicator_value(client, 2025)["vaerdi_tekst"] == "6,5"
    assert "6,5" in text_of(client.get(f"/plan/1/indikatorer/{INDICATOR}").text)
    # The plan was read again (the new value) but its verdicts were reused, not made again.
    department(client, "Folehaven")
    [read_after] = state.latest.of(1)
    assert read_after is not read_before and read_after.result is read_before.result
    # A key-figure save right after: the department, the table and the overview show it at once.
    afd_id = department_id(client, "Folehaven")
    html = client.get(f"/plan/1/afdelinger/{afd_id}").text
    fields = dict(re.findall(r'name="([a-z_]+)"[^>]*?value="([^"]*)"', html[html.index('id="noegletal-form"') :]))
    changed = client.post(
        f"/plan/1/afdelinger/{afd_id}/noegletal",
        data={"version": fields["version"], "ikke_vestlige_pct": "29,0"},
        headers={"Accept": "text/html"},
    )
    assert changed.status_code == 303, text_of(changed.text)[:300]
    assert department(client, "Folehaven")["vurdering"]["lists"]["forebyggelsesomraade"] is False
    row = next(r for r in get_json(client, "/plan/1/afdelinger.json")["afdelinger"] if r["afdeling"] == "Folehaven")
    assert row["vurdering"]["lists"]["forebyggelsesomraade"] is False


def test_archiving_shows_at_once_on_a_page_read_before(client: TestClient) -> None:
    assert 'id="arkiveret"' not in client.get("/plan/1/partnere").text
    version = services_of(client).plans.summary(1).version
    archived = client.post("/plan/1/arkiver", data={"version": version, "arkiver": "1"})
    assert archived.status_code == 303
    assert 'id="arkiveret"' in client.get("/plan/1/partnere").text
    version = services_of(client).plans.summary(1).version
    back = client.post("/plan/1/arkiver", data={"version": version, "arkiver": "0"})
    assert back.status_code == 303
    assert 'id="arkiveret"' not in client.get("/plan/1/partnere").text


def test_text_is_measured_right_from_many_threads_at_once() -> None:
    """The organisation diagram measures text with one shared FreeType font; the web app draws
    it from several threads at once (the text editor's preview), which once crashed the server."""
    words = [f"Boligsocial helhedsplan {i} for Mit Kvarter" for i in range(200)]
    expected = [text_width(w, 11 + i % 3) for i, w in enumerate(words)]
    results: list[list[float]] = []

    def measure() -> None:
        results.append([text_width(w, 11 + i % 3) for i, w in enumerate(words)])

    threads = [threading.Thread(target=measure) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 8


def test_a_saved_text_shows_in_the_preview_of_the_next_read(client: TestClient) -> None:
    name = get_json(client, "/plan/1/tekster.json")["tekster"][0]["navn"]
    before = get_json(client, f"/plan/1/tekster/{name}.json")
    assert "Gemt-til-testen" not in client.get(f"/plan/1/tekster/{name}").text  # the preview is cached now
    text = f"{before['tekst']}\n\nGemt-til-testen står her.\n"
    save_text(client, name, text, before["version"])
    page = client.get(f"/plan/1/tekster/{name}?andet=1").text
    preview = page[page.index('id="visning"') :]
    assert "Gemt-til-testen står her." in text_of(preview)


def test_the_prose_lint_key_follows_what_the_lint_reads_and_not_the_indicator_values() -> None:
    example = load_assessment(EXAMPLE)
    texts = {"10-indledning.md": "# Indledning\n\nTekst.\n"}
    key = prose_findings_key(example, texts)

    def with_maaling(update: dict[str, object]) -> PlanAssessment:
        indikatorer = [
            i.model_copy(update={"maalinger": [m.model_copy(update=update) for m in i.maalinger]})
            if i.id == INDICATOR
            else i
            for i in example.plan.indikatorer
        ]
        return dataclasses.replace(example, plan=example.plan.model_copy(update={"indikatorer": indikatorer}))

    assert prose_findings_key(with_maaling({"vaerdi": Decimal("99.5")}), texts) == key  # a value: not read
    assert prose_findings_key(with_maaling({"aar": 1999}), texts) != key  # a year: placeholders refer to it
    assert prose_findings_key(example, {**texts, "10-indledning.md": "# Indledning\n\nAnden tekst.\n"}) != key
    assert prose_findings_key(dataclasses.replace(example, units=example.units[1:]), texts) != key
    renamed = example.plan.model_copy(update={"navn": "Mit Kvarter, rettet"})
    assert prose_findings_key(dataclasses.replace(example, plan=renamed), texts) != key


def test_the_texts_lint_runs_again_after_a_text_or_a_referred_year_and_not_after_an_indicator_value(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = tekster_module.prose_findings

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(tekster_module, "prose_findings", counting)

    def findings(name: str, query: str) -> list[str]:
        return [f["message"] for f in get_json(client, f"/plan/1/tekster/{name}.json?{query}")["fund"]]

    name = get_json(client, "/plan/1/tekster.json")["tekster"][0]["navn"]
    before = findings(name, "a=1")
    assert len(calls) == 1
    # An indicator value saved: a new data version, the same findings, not linted again.
    stored = indicator_value(client, 2025)
    form = {"maaling_id": str(stored["id"]), "version": str(stored["version"]), "vaerdi": "6,5"}
    html = {"Accept": "text/html"}
    assert client.post(f"/plan/1/indikatorer/{INDICATOR}/maalinger", data=form, headers=html).status_code == 303
    assert findings(name, "a=2") == before and len(calls) == 1
    # The text changed: its new finding shows at once.
    record = get_json(client, f"/plan/1/tekster/{name}.json")
    text = f"{record['tekst']}\n\nFraværet var {{{{ indikator:{INDICATOR}:2019 }}}}.\n"
    saved = client.post(
        f"/plan/1/tekster/{name}", data={"tekst": text, "version": str(record["version"])}, headers=html
    )
    assert saved.status_code == 303
    missing = [m for m in findings(name, "a=3") if "2019" in m]
    assert missing and len(calls) == 2, missing
    # The plan part the placeholder reads (a value for 2019 added): the finding goes at once.
    added = client.post(
        f"/plan/1/indikatorer/{INDICATOR}/maalinger", data={"aar": "2019", "vaerdi": "7,0"}, headers=html
    )
    assert added.status_code == 303, text_of(added.text)[:300]
    assert not [m for m in findings(name, "a=4") if "2019" in m] and len(calls) == 3


def test_the_texts_are_derived_once_per_data_version_and_a_text_edit_shows_on_the_next_page(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The digest of what the lint reads, the list's rows and a section's title, findings and
    preview are the same for every address of a data version: made once. A text saved is a new
    data version: its new finding shows on the list and in the editor at once, with its preview."""
    digests: list[int] = []
    titles: list[str] = []
    real_digest, real_title = tekster_module.prose_findings_key, tekster_module.section_title

    def counting_digest(*args, **kwargs):  # type: ignore[no-untyped-def]
        digests.append(1)
        return real_digest(*args, **kwargs)

    def counting_title(name: str, text: str) -> str:
        titles.append(name)
        return real_title(name, text)

    monkeypatch.setattr(tekster_module, "prose_findings_key", counting_digest)
    monkeypatch.setattr(tekster_module, "section_title", counting_title)

    def shown(extra: str) -> tuple[int, list[str], str]:
        """The section's count of findings on the list (JSON, and HTML agreeing), its findings in
        the editor (JSON, and HTML agreeing), and the editor's preview (as text)."""
        listed = get_json(client, f"/plan/1/tekster.json?_={extra}")["tekster"]
        count = next(t["fund"] for t in listed if t["navn"] == name)
        row = client.get(f"/plan/1/tekster?_={extra}").text.split(f">{name}</a></th>", 1)[1].split("</tr>", 1)[0]
        assert text_of(row.rsplit('<td class="num">', 1)[1]) == str(count)
        findings = [f["message"] for f in get_json(client, f"/plan/1/tekster/{name}.json?_={extra}")["fund"]]
        page = client.get(f"/plan/1/tekster/{name}?_={extra}").text
        assert page.count('<li class="fund-') == len(findings)
        return count, findings, text_of(page[page.index('id="forhaandsvisning"') :])

    name = services_of(client).prose.prose(1)[0].name
    before = shown("1")
    assert shown("2") == before
    assert len(digests) == 1  # one digest for the version, not one per address
    sections = [t["navn"] for t in get_json(client, "/plan/1/tekster.json?_=3")["tekster"]]
    assert sorted(titles) == sorted([*sections, name])  # each once for the list, and once for the editor

    record = get_json(client, f"/plan/1/tekster/{name}.json")
    text = f"{record['tekst']}\n\nFraværet var {{{{ indikator:{INDICATOR}:2019 }}}} i det nye afsnit.\n"
    save_text(client, name, text, record["version"])
    count, findings, preview = shown("4")
    assert [m for m in findings if "2019" in m] and count == before[0] + 1 == len(findings)
    assert "i det nye afsnit" in preview and "i det nye afsnit" not in before[2]
    assert len(digests) == 2

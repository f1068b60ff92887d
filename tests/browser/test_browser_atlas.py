"""The atlas in a real browser: the table of every area's path across the lists (each cell coloured
and lettered), a filter, and an area's page with the five criteria over time."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from contrast import low_contrast  # type: ignore[import-not-found]
from playwright.sync_api import Page, expect

from boligsocial.register.atlas import atlas_from_persons
from boligsocial.register.synth import SynthSpec, synth
from boligsocial.store import SYSTEM_ACTOR, AtlasService, UserService
from boligsocial.web.app import create_app
from conftest import PASSWORD, USERS, serving  # type: ignore[import-not-found]


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with an atlas of a small synthetic country, list years 2018-2025 (this module's
    own server: the shared one holds no atlas)."""
    country = tmp_path_factory.mktemp("atlas_country")
    synth(SynthSpec(persons=20_000, years=12, seed=3, last_year=2024), country)
    app = create_app(f"sqlite:///{tmp_path_factory.mktemp('atlas_browser') / 'boligsocial.db'}")
    sessions = app.state.boligsocial.sessions
    for email, (role, plan_id) in USERS.items():
        UserService(sessions, SYSTEM_ACTOR).add_user(email, PASSWORD, role, plan_id)
    AtlasService(sessions, SYSTEM_ACTOR).replace_atlas(atlas_from_persons([country], 2018, 2025))
    with serving(app) as url:
        yield url


def test_the_atlas_table_and_its_filter(page: Page, server_url: str, shot: Callable[[str], Path]) -> None:
    page.goto(server_url + "/")
    page.get_by_role("link", name="Atlas").click()
    expect(page).to_have_url(re.compile(r"/atlas$"))
    table = page.locator("#atlas-tabel")
    expect(table.locator("thead th")).to_have_count(2 + 8)  # area, kommune, 2018-2025
    rows = table.locator("tbody tr")
    total = rows.count()
    assert total >= 5
    parallel = table.locator('td[data-liste="parallelsamfund"]').first
    expect(parallel).to_have_text(re.compile(r"^P"))  # the letter, not the colour alone
    assert "rgb(176, 80, 15)" in parallel.evaluate("cell => getComputedStyle(cell).backgroundColor")
    expect(page.locator("#atlas-forklaring")).to_contain_text("Parallelsamfund/ghettoområde")
    shot("60-atlas-tabel")
    page.get_by_label("Har været på").select_option("parallelsamfund")
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page).to_have_url(re.compile(r"liste=parallelsamfund"))
    shown = rows.count()
    assert 0 < shown < total
    for i in range(shown):
        expect(
            rows.nth(i).locator('td[data-liste="parallelsamfund"], td[data-liste="omdannelsesomraade"]').first
        ).to_be_visible()
    shot("61-atlas-filtreret")


def test_an_area_page_shows_the_criteria_over_time(page: Page, server_url: str, shot: Callable[[str], Path]) -> None:
    page.goto(server_url + "/atlas?liste=parallelsamfund")
    first = page.locator("#atlas-tabel tbody tr th a").first
    name = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.locator("#atlas-sti tbody tr")).to_have_count(1 + 4 + 1)  # hardest list, four lists, residents
    charts = page.locator("#kriterier-over-tid figure svg")
    expect(charts).to_have_count(5)
    expect(page.locator("#vaerdier-ikke_vestlige")).to_contain_text("Parallelsamfund: > 50")
    shot("62-atlas-omraade")
    page.get_by_role("link", name="Atlas", exact=True).first.click()
    expect(page.locator("#atlas-tabel")).to_be_visible()


def test_the_atlas_pages_text_has_contrast(page: Page, server_url: str) -> None:
    """The coloured cells carry their letter in white or black at 4,5:1 or more (law.vocabulary's
    LIST_COLOURS), like every text of the plan's pages."""
    page.goto(f"{server_url}/atlas")
    checked, failures = low_contrast(page, "/atlas")
    assert page.locator("td.liste-parallelsamfund, td.liste-forebyggelsesomraade").count() > 0
    assert checked > 50 and not failures, failures


OFFICIAL_HEADER = "omraade;kommune;listeaar;liste\n"


def test_loading_the_official_lists_in_the_browser(page: Page, server_url: str, shot: Callable[[str], Path]) -> None:
    """An administrator of every plan uploads a file with an error, reads the error by row and
    column, then loads a good file after its preview and sees the table of the official lists."""
    page.goto(f"{server_url}/atlas")
    form = page.locator("#atlas-indlaes")
    expect(form).to_be_visible()
    bad = OFFICIAL_HEADER + "Mjølnerparken;København;2018;ghettoomraade\nVollsmose;Odensee;2018;ghettoomraade\n"
    form.get_by_label("Fil med de officielle lister").set_input_files(
        {"name": "lister.csv", "mimeType": "text/csv", "buffer": bad.encode()}
    )
    form.get_by_role("button", name="Vis forhåndsvisning").click()
    expect(page.locator("#atlas-indlaes-fejl")).to_contain_text("lister.csv kan ikke indlæses: 1 fejl")
    issue = page.locator("#fejltabel tr.issue")
    expect(issue).to_have_count(1)
    expect(issue).to_have_attribute("data-raekke", "3")
    expect(issue).to_have_attribute("data-kolonne", "kommune")
    expect(issue).to_contain_text('mente du "Odense"')
    expect(page.locator("#indlaes-listerne")).to_have_count(0)
    shot("63-atlas-officielle-fejl")

    good = OFFICIAL_HEADER + bad.splitlines()[1] + "\nVollsmose;Odense;2018;ghettoomraade\n"
    good += "Mjølnerparken;København;2018;haardt_ghettoomraade\nGellerupparken;Aarhus;2022;forebyggelsesomraade\n"
    form.get_by_label("Fil med de officielle lister").set_input_files(
        {"name": "lister.csv", "mimeType": "text/csv", "buffer": good.encode()}
    )
    form.get_by_role("button", name="Vis forhåndsvisning").click()
    expect(page.locator("#atlas-indlaes-besked")).to_contain_text("3 boligområder i 2 listeår")
    expect(page.locator('#atlas-sammenligning tr[data-aar="2018"] td[data-liste="omdannelsesomraade"]')).to_have_text(
        "– → 1"
    )
    shot("64-atlas-officielle-forhaandsvisning")
    page.get_by_role("button", name="Indlæs listerne").click()
    expect(page).to_have_url(re.compile(r"/atlas\?kilde=officiel$"))
    table = page.locator("#atlas-tabel")
    expect(table.locator("thead th")).to_have_count(2 + 2)  # area, kommune, 2018 and 2022: the file's years
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.locator('tr[data-omraade="Mjølnerparken"] td[data-aar="2018"]')).to_have_attribute(
        "data-liste", "omdannelsesomraade"
    )
    expect(page.locator(".lede")).to_contain_text("Officielle lister fra lister.csv")
    shot("65-atlas-officielle-indlaest")

"""What a person does in the browser: open the overview, filter the departments table, edit a
figure and see a status change, import a file with an error and see it by row and column.

Each step saves a screenshot (see conftest.py). The tests run against the real server and
Debian's Chromium; they fail if Chromium is missing."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect


def test_open_the_overview(page: Page, server_url: str, shot: Callable[[str], Path]) -> None:
    page.goto(server_url + "/")  # an administrator of every plan sees the list of plans
    page.get_by_role("link", name="Mit Kvarter").first.click()
    expect(page).to_have_url(re.compile(r"/plan/1$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mit Kvarter")
    expect(page.get_by_role("heading", name="Områdelisterne, listeår 2022")).to_be_visible()
    row = page.locator("table tr", has=page.get_by_role("rowheader", name="Forebyggelsesområde"))
    expect(row.locator("td").first).to_have_text("1")
    expect(page.get_by_role("heading", name="De fire indsatsområder")).to_be_visible()
    expect(page.get_by_role("link", name="Fravær blandt børn i grundskolen")).to_be_visible()
    shot("01-oversigt")


def test_filter_the_departments_table(page: Page, server_url: str, shot: Callable[[str], Path]) -> None:
    page.goto(server_url + "/plan/1/afdelinger")
    expect(page.locator("#antal")).to_have_text("Viser 28 af 28 afdelinger.")
    shot("02-afdelinger")
    page.get_by_label("Liste", exact=True).select_option("forebyggelsesomraade")
    page.get_by_label("Status på listen").select_option("ja")
    expect(page.locator("#antal")).to_have_text("Viser 1 af 28 afdelinger.")
    expect(page.locator("#afdelinger tbody tr")).to_have_count(1)
    expect(page.locator("#afdelinger tbody tr th")).to_have_text("Folehaven")
    expect(page).to_have_url(re.compile(r"liste=forebyggelsesomraade.*status=ja|status=ja.*liste=forebyggelsesomraade"))
    shot("03-afdelinger-filtreret")
    # Search as you type, and sort by a column (the header link swaps the table in place).
    page.get_by_label("Status på listen").select_option("")
    page.get_by_label("Liste", exact=True).select_option("")
    page.get_by_label("Søg").fill("frederiksholm")
    expect(page.locator("#antal")).to_have_text("Viser 14 af 28 afdelinger.")
    page.get_by_role("link", name="Beboere").click()
    expect(page.locator('th[aria-sort="ascending"]')).to_contain_text("Beboere")
    page.get_by_role("link", name="Beboere").click()
    expect(page.locator('th[aria-sort="descending"]')).to_contain_text("Beboere")
    expect(page.locator("#afdelinger tbody tr th").first).to_have_text("Frederiksholm karre 15")
    shot("04-afdelinger-soegt-og-sorteret")


def _open_department(page: Page, server_url: str, name: str) -> None:
    page.goto(server_url + "/plan/1/afdelinger?q=" + name)
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def test_edit_a_figure_and_see_the_status_change(page: Page, server_url: str, shot: Callable[[str], Path]) -> None:
    _open_department(page, server_url, "Folehaven")
    forebyggelse = page.locator('#status tr[data-liste="forebyggelsesomraade"] .status')
    expect(forebyggelse).to_have_text("Ja")
    shot("05-afdeling-foer")
    # A value that is not a number: the error appears by the field, nothing is saved.
    page.get_by_label("Beboere").fill("mange")
    page.get_by_role("button", name="Gem nøgletal").click()
    field = page.locator('[data-field="beboere"]')
    expect(field.locator(".error")).to_contain_text("mange")
    expect(page.locator("#fejl")).to_contain_text("Ændringerne er ikke gemt")
    expect(forebyggelse).to_have_text("Ja")
    shot("06-afdeling-fejl-ved-feltet")
    # Fix it and lower the non-western share below 30 %: Folehaven leaves the list at once.
    page.get_by_label("Beboere").fill("1.964")
    page.get_by_label("Ikke-vestlige indvandrere og efterkommere (%)").fill("29,0")
    page.get_by_role("button", name="Gem nøgletal").click()
    expect(page.locator("#besked")).to_contain_text("Gemt")
    expect(forebyggelse).to_have_text("Nej")
    shot("07-afdeling-efter")
    # The overview agrees.
    page.goto(server_url + "/plan/1")
    row = page.locator("table tr", has=page.get_by_role("rowheader", name="Forebyggelsesområde"))
    expect(row.locator("td").first).to_have_text("0")


def test_two_people_editing_the_same_figures(
    page: Page, server_url: str, shot: Callable[[str], Path], sign_in_as: Callable[[Page, str], None]
) -> None:
    _open_department(page, server_url, "Elleparken")
    # Someone else saves first (the same form, sent from another client).
    jens = page.context.browser.new_context()  # type: ignore[union-attr]
    try:
        other_tab = jens.new_page()
        sign_in_as(other_tab, "jens@example.dk")
        other_tab.goto(page.url, wait_until="networkidle")
        other_tab.get_by_label("Dømte (%)").fill("3,00")
        other_tab.get_by_role("button", name="Gem nøgletal").click()
        expect(other_tab.locator("#besked")).to_contain_text("Gemt: Dømte (%).")
    finally:
        jens.close()
    page.get_by_label("Dømte (%)").fill("4,00")
    page.get_by_role("button", name="Gem nøgletal").click()
    expect(page.locator("#konflikt")).to_contain_text("en anden har ændret tallene")
    expect(page.locator("#konflikt")).to_contain_text("jens@example.dk")
    expect(page.locator("#konflikt")).to_contain_text("4,00")
    expect(page.get_by_label("Dømte (%)")).to_have_value("3,00")
    shot("08-konflikt")


def test_import_a_file_with_an_error(page: Page, server_url: str, shot: Callable[[str], Path], tmp_path: Path) -> None:
    exported = page.request.get(server_url + "/plan/1/eksport/noegletal.csv").body().decode("utf-8-sig")
    lines = exported.splitlines()
    row = next(i for i, line in enumerate(lines) if ";Hammelstruphus;" in line)
    header = lines[0].split(";")
    cells = lines[row].split(";")
    cells[header.index("kun_grundskole_pct")] = "fyrre"
    lines[row] = ";".join(cells)
    path = tmp_path / "noegletal-med-fejl.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    page.goto(server_url + "/plan/1/import")
    page.get_by_label("Nøgletalsfil").set_input_files(str(path))
    page.get_by_role("button", name="Vis forhåndsvisning").click()
    error = page.locator("#fejltabel tbody tr")
    expect(error).to_have_count(1)
    expect(error.locator("td").nth(0)).to_have_text(str(row + 1))  # the header is row 1
    expect(error.locator("td").nth(1)).to_have_text("kun_grundskole_pct")
    expect(error.locator("td").nth(2)).to_contain_text("fyrre")
    expect(page.locator("#import-fejl")).to_contain_text("Intet er gemt")
    expect(page.locator("#gem-import")).to_have_count(0)
    shot("09-import-fejl")

    # Corrected, the same file previews clean and is committed.
    cells[header.index("kun_grundskole_pct")] = "43,0"
    lines[row] = ";".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page.get_by_label("Nøgletalsfil").set_input_files(str(path))
    page.get_by_role("button", name="Vis forhåndsvisning").click()
    expect(page.locator("#import-besked")).to_contain_text("Filen er i orden")
    shot("10-import-forhaandsvisning")
    page.get_by_role("button", name="Gem importen").click()
    expect(page.locator("#import-besked")).to_contain_text("Importeret")
    shot("11-import-gemt")


def test_open_an_indicator_and_see_its_status(page: Page, server_url: str, shot: Callable[[str], Path]) -> None:
    page.goto(server_url + "/plan/1/indikatorer")
    row = page.locator('#statustabel tr[data-indikator="fravaer-grundskole"]')
    expect(row.locator(".istatus")).to_have_text("Bagud")
    row.get_by_role("link", name="Fravær blandt børn i grundskolen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fravær blandt børn i grundskolen")
    expect(page.locator("#status-overskrift")).to_have_text("Status 2026: Bagud")
    expect(page.locator("#maal")).to_contain_text("illustrativt mål")
    expect(page.locator("#fremskrivning")).to_contain_text("Fremskrivning")
    expect(page.locator("#indikator-data svg").first).to_be_visible()
    shot("12-indikator-status")


def test_the_status_year_changes_without_inline_script(page: Page, server_url: str) -> None:
    """The Content-Security-Policy allows no inline script: the year menu submits through the
    app's own static script (and the page fixture fails on any console error, e.g. a refused script)."""
    response = page.goto(server_url + "/plan/1/indikatorer")
    assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    page.get_by_label("Statusår").select_option("2025")
    page.wait_for_url("**/plan/1/indikatorer?aar=2025")
    expect(page.get_by_label("Statusår")).to_have_value("2025")

"""A new list year in a real browser (issue 13, point 1): an editor imports the 2024 key figures,
sees the figures and every verdict that does not wait for the national conviction average, is told
which ones do, enters the average (first with a typing error, shown at the field) and sees the
verdicts that depended on it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mit-kvarter"
AREA = "Sjælør Boulevard"


def figures_2024(folder: Path) -> Path:
    """The example's key figures as list year 2024 (the file's last column is `listeaar`)."""
    lines = (EXAMPLE / "noegletal.csv").read_text(encoding="utf-8").splitlines()
    path = folder / "noegletal-2024.csv"
    path.write_text("\n".join([lines[0], *(line.rsplit(";", 1)[0] + ";2024" for line in lines[1:])]) + "\n", "utf-8")
    return path


def area_row(page: Page) -> str:
    return page.locator("table.data tbody tr", has_text=AREA).first.inner_text()


def test_import_a_new_list_year_enter_its_average_and_see_the_verdicts(
    anonymous_page: Page,
    server_url: str,
    sign_in_as: Callable[[Page, str], None],
    anonymous_shot: Callable[[str], Path],
    tmp_path: Path,
) -> None:
    page, shot = anonymous_page, anonymous_shot
    sign_in_as(page, "jens@example.dk")  # an editor of the plan
    page.goto(server_url + "/plan/1/import")
    page.get_by_label("Nøgletalsfil").set_input_files(str(figures_2024(tmp_path)))
    page.get_by_role("button", name="Vis forhåndsvisning").click()
    expect(page.locator("#import-besked")).to_contain_text("Filen er i orden")
    page.get_by_role("button", name="Gem importen").click()
    expect(page.locator("#import-resultat")).to_contain_text("Importeret: 28")

    # 2024 without its average: figures and the verdicts that do not depend on it are shown.
    page.goto(server_url + "/plan/1?aar=2024")
    notice = page.locator("#landsgennemsnit-mangler")
    expect(notice).to_contain_text("Landsgennemsnittet for dømte er ikke kendt for listeår 2024")
    expect(notice).to_contain_text(f"{AREA} (område)")
    shot("70-nyt-listeaar-uden-landsgennemsnit")
    page.goto(server_url + "/plan/1/afdelinger?aar=2024&q=Folehaven")
    folehaven = page.locator("#tabel tbody tr", has_text="Folehaven").first
    expect(folehaven).to_contain_text("1,79")  # the imported convicted share, not "-"
    expect(folehaven.locator("td").last).not_to_have_text(re.compile("Ubestemt"))
    page.goto(server_url + "/plan/1/omraader?aar=2024")
    assert area_row(page).rstrip().endswith("Ubestemt")  # forebyggelsesomraade waits for the average
    shot("71-omraade-venter-paa-landsgennemsnit")

    # The editor follows the notice and enters the average, first with a typing error.
    page.goto(server_url + "/plan/1?aar=2024")
    page.get_by_role("link", name="Indtast landsgennemsnittet").click()
    expect(page).to_have_url(re.compile(r"/plan/1/landsgennemsnit#aar-2024$"))
    year = page.locator("#aar-2024")
    expect(year).to_contain_text(f"Listestatus afhænger af det for: {AREA} (område)")
    expect(page.locator("#aar-2022")).to_contain_text("2,18 pct.")  # published: shown, not editable
    expect(page.locator("#form-2022")).to_have_count(0)
    year.get_by_label("Landsgennemsnit for dømte (pct.)").fill("73")
    year.get_by_label("Kilde", exact=True).fill("Social- og Boligministeriet, listerne pr. 1. december 2024")
    year.get_by_label("Kildens dato").fill("2024-12-01")
    year.get_by_role("button", name="Gem landsgennemsnittet").click()
    error = page.locator("#fejl-2024-doemte_pct")
    expect(error).to_contain_text("ikke et muligt landsgennemsnit")
    expect(page.locator("#aar-2024").get_by_label("Kilde", exact=True)).to_have_value(
        "Social- og Boligministeriet, listerne pr. 1. december 2024"
    )
    shot("72-landsgennemsnit-fejl-ved-feltet")
    page.locator("#aar-2024").get_by_label("Landsgennemsnit for dømte (pct.)").fill("0,73")
    page.locator("#aar-2024").get_by_role("button", name="Gem landsgennemsnittet").click()
    expect(page.locator("#besked")).to_contain_text("Gemt: landsgennemsnittet for listeår 2024")
    expect(page.locator("#aar-2024")).to_contain_text("3 × = 2,19 pct., 2 × = 1,46 pct.")
    shot("73-landsgennemsnit-gemt")

    # The verdicts that waited for it are decided now.
    page.goto(server_url + "/plan/1?aar=2024")
    expect(page.locator("#landsgennemsnit-mangler")).to_have_count(0)
    expect(page.locator("#landsgennemsnit-indtastet")).to_contain_text("listeår 2024")
    page.goto(server_url + "/plan/1/omraader?aar=2024")
    assert area_row(page).rstrip().endswith("Ja")
    shot("74-omraade-med-landsgennemsnit")
    page.goto(server_url + "/plan/1/revision")
    expect(page.locator("body")).to_contain_text("Landsgennemsnit for dømte, listeår 2024: 0,73 pct.")

"""Working on a plan in the browser: a redaktør edits a prose section, sees it in the live preview,
saves it and finds it in the PDF of the application package downloaded from the export page; an
administrator creates a plan from a plan-folder ZIP (a dry run first, then the plan) and is shown a
broken helhedsplan.toml by file and line, with nothing created.

Each step saves a screenshot (see conftest.py). The tests run against the real server and
Debian's Chromium; they fail if Chromium is missing."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect
from pypdf import PdfReader

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mit-kvarter"
SENTENCE = "Browsertesten tilføjede denne sætning om Valby og Sydhavnen den 4. marts."
PACKAGE_TIMEOUT = 120_000
"""Milliseconds to wait for the application package (DOCX, PDF and annex are built on request)."""


def _plan_zip(path: Path, toml: Callable[[str], str]) -> Path:
    """The example plan folder as a ZIP, its helhedsplan.toml changed by `toml`."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(EXAMPLE.rglob("*")):
            if not file.is_file():
                continue
            name = f"mit-kvarter/{file.relative_to(EXAMPLE).as_posix()}"
            if file.name == "helhedsplan.toml" and file.parent == EXAMPLE:
                archive.writestr(name, toml(file.read_text(encoding="utf-8")))
            else:
                archive.write(file, name)
    return path


def _renamed(text: str, name: str) -> str:
    changed, count = re.subn(r'(?m)^navn = "Mit Kvarter"$', f'navn = "{name}"', text)
    assert count == 1, "the example plan's name line has moved"
    return changed


def _pdf_text(package: bytes) -> str:
    """The text of the projektbeskrivelse PDF in the package, whitespace collapsed."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
        assert len(pdfs) == 1, f"one PDF expected in the package: {archive.namelist()}"
        reader = PdfReader(io.BytesIO(archive.read(pdfs[0])))
        text = " ".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(text.split())


def test_edit_a_section_and_find_it_in_the_pdf(
    anonymous_page: Page,
    server_url: str,
    anonymous_shot: Callable[[str], Path],
    sign_in_as: Callable[[Page, str], None],
) -> None:
    page, shot = anonymous_page, anonymous_shot

    sign_in_as(page, "jens@example.dk")
    page.goto(server_url + "/plan/1/tekster")
    page.get_by_role("link", name="10-problemkompleks.md").click()
    expect(page).to_have_url(re.compile(r"/plan/1/tekster/10-problemkompleks\.md$"))
    expect(page.locator("#forhaandsvisning")).not_to_contain_text(SENTENCE)

    editor = page.locator("textarea#tekst")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    editor.press_sequentially(SENTENCE)
    expect(page.locator("#forhaandsvisning")).to_contain_text(SENTENCE)  # the live preview, unsaved
    shot("30-tekst-forhaandsvisning")

    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_role("status")).to_have_text("Teksten er gemt.")
    expect(editor).to_have_value(re.compile(re.escape(SENTENCE)))
    expect(page.locator(".lede")).to_contain_text("jens@example.dk")
    shot("31-tekst-gemt")

    page.goto(server_url + "/plan/1/eksport")
    link = page.locator("#filer").get_by_role("link", name=re.compile(r"-ansoegning\.zip$"))
    with page.expect_download(timeout=PACKAGE_TIMEOUT) as started:
        link.click()
    download = started.value
    assert download.failure() is None
    assert download.suggested_filename == "mit-kvarter-ansoegning.zip"
    package = Path(download.path()).read_bytes()
    assert SENTENCE in _pdf_text(package)
    shot("32-eksport")


def test_create_a_plan_from_a_zip(page: Page, server_url: str, shot: Callable[[str], Path], tmp_path: Path) -> None:
    name = "Browserkvarteret"
    upload = _plan_zip(tmp_path / "browserkvarteret.zip", lambda text: _renamed(text, name))

    page.goto(server_url + "/")
    page.get_by_role("link", name="Opret en ny plan").click()
    expect(page).to_have_url(re.compile(r"/planer/ny$"))
    page.get_by_label("ZIP-fil med plan-mappen").set_input_files(str(upload))
    page.get_by_role("button", name="Vis prøvekørsel").click()
    expect(page.locator("#plan-besked")).to_have_text(
        f'Plan-mappen er i orden og kan oprettes som planen "{name}". Intet er gemt endnu.'
    )
    facts = page.locator("#proevekoersel dl.facts")
    expect(facts.locator("dt:has-text('Navn') + dd")).to_have_text(name)
    expect(facts.locator("dt:has-text('Kommune') + dd")).to_have_text("Københavns Kommune")
    expect(facts.locator("dt:has-text('Afdelinger') + dd")).to_have_text("28")
    expect(facts.locator("dt:has-text('Listeår med nøgletal') + dd")).to_have_text("2022")
    expect(facts.locator("dt:has-text('Tekster') + dd")).to_contain_text("10-problemkompleks.md")
    expect(page.locator("#samme-navn")).to_have_count(0)
    shot("33-ny-plan-proevekoersel")

    # The dry run created nothing: the list of plans does not hold the new plan.
    listing = page.context.new_page()
    listing.goto(server_url + "/")
    expect(listing.locator("#planer")).to_contain_text("Mit Kvarter")
    expect(listing.locator("#planer").get_by_role("link", name=name)).to_have_count(0)
    listing.close()

    page.get_by_role("button", name="Opret planen").click()
    expect(page.locator("#plan-besked")).to_have_text(f'Planen "{name}" er oprettet.')
    shot("34-ny-plan-oprettet")
    page.get_by_role("link", name="Til listen over planer").click()
    expect(page).to_have_url(re.compile(r"/$"))
    row = page.locator("#planer tbody tr", has=page.get_by_role("link", name=name, exact=True))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("administrator")
    expect(row).to_contain_text("2025–2028")
    shot("35-forside-med-ny-plan")
    row.get_by_role("link", name=name, exact=True).click()
    expect(page).to_have_url(re.compile(r"/plan/\d+$"))
    assert not page.url.endswith("/plan/1")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_role("heading", name="Områdelisterne, listeår 2022")).to_be_visible()
    shot("36-ny-plan-oversigt")


def test_a_broken_plan_file_is_named_and_nothing_is_created(
    page: Page, server_url: str, shot: Callable[[str], Path], tmp_path: Path
) -> None:
    name = "Ødelagt kvarter"

    def broken(text: str) -> str:  # the closing quote of the name is missing
        return _renamed(text, name).replace(f'navn = "{name}"', f'navn = "{name}')

    line = next(
        i
        for i, text in enumerate(broken((EXAMPLE / "helhedsplan.toml").read_text(encoding="utf-8")).splitlines(), 1)
        if text.startswith("navn = ")
    )
    upload = _plan_zip(tmp_path / "oedelagt.zip", broken)

    page.goto(server_url + "/planer/ny")
    page.get_by_label("ZIP-fil med plan-mappen").set_input_files(str(upload))
    page.get_by_role("button", name="Vis prøvekørsel").click()
    expect(page.locator("#plan-fejl")).to_have_text("Planen kan ikke oprettes: 1 fejl. Intet er gemt.")
    issue = page.locator("#fejltabel tbody tr")
    expect(issue).to_have_count(1)
    expect(issue.locator("td").nth(0)).to_contain_text("helhedsplan.toml")
    expect(issue.locator("td").nth(1)).to_have_text(str(line))
    expect(page.locator("#opret-planen")).to_have_count(0)
    shot("37-ny-plan-fejl")

    page.goto(server_url + "/")
    expect(page.locator("#planer")).not_to_contain_text(name)

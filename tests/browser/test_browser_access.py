"""Signing in and being refused, in a real browser: the sign-in page takes a person where they were
going, a wrong password is named in Danish, and a reader who gets past the disabled form is
refused by the server with a Danish message shown where they acted."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from conftest import PASSWORD  # type: ignore[import-not-found]


def test_sign_in_takes_the_person_where_they_were_going(
    anonymous_page: Page, server_url: str, anonymous_shot: Callable[[str], Path]
) -> None:
    page = anonymous_page
    page.goto(server_url + "/plan/1/afdelinger?q=Folehaven")
    expect(page).to_have_url(re.compile(r"/logind\?naeste="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log ind")
    page.get_by_label("E-mail").fill("jens@example.dk")
    page.get_by_label("Adgangskode").fill("forkert adgangskode")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("alert")).to_have_text("Forkert e-mail eller adgangskode.")
    expect(page.get_by_label("E-mail")).to_have_value("jens@example.dk")
    anonymous_shot("20-logind-forkert")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page).to_have_url(re.compile(r"/plan/1/afdelinger\?q=Folehaven$"))
    expect(page.locator("header.top")).to_contain_text("jens@example.dk")
    expect(page.locator("header.top")).to_contain_text("redaktør")
    anonymous_shot("21-logget-ind")
    page.get_by_role("button", name="Log ud").click()
    expect(page).to_have_url(re.compile(r"/logind$"))
    page.goto(server_url + "/plan/1")
    expect(page).to_have_url(re.compile(r"/logind\?naeste="))


def test_a_reader_is_refused_a_change_with_a_danish_message(
    anonymous_page: Page,
    server_url: str,
    anonymous_shot: Callable[[str], Path],
    sign_in_as: Callable[[Page, str], None],
) -> None:
    page = anonymous_page
    sign_in_as(page, "laeser@example.dk")
    page.goto(server_url + "/plan/1/import", wait_until="networkidle")
    expect(page.get_by_role("note")).to_contain_text("Du har læseadgang til planen")
    expect(page.get_by_role("button", name="Vis forhåndsvisning")).to_be_disabled()
    # A reader who enables the form in the browser's developer tools is refused by the server.
    page.eval_on_selector("#upload fieldset", "fieldset => { fieldset.disabled = false; }")
    page.get_by_label("Nøgletalsfil").set_input_files(
        files=[{"name": "tal.csv", "mimeType": "text/csv", "buffer": b"afdeling;boliger\nFolehaven;1\n"}]
    )
    page.get_by_role("button", name="Vis forhåndsvisning").click()
    refusal = page.locator("#afvist")
    expect(refusal).to_have_text("Du er læser og har kun læseadgang; du kan ikke ændre planen.")
    expect(page.locator("#upload")).to_be_visible()  # the page stays as it was
    anonymous_shot("22-laeser-afvist")

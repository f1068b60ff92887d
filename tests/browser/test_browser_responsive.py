"""Every main page of the example plan on a phone (390 px) and on paper (print media), by keyboard,
and in colours a reader can tell apart (WCAG AA contrast, 4,5:1, for every text and badge).

The pages are found by following the app's own links (the first department, area, indicator,
text and section), so a new page type shows up here as soon as the menus link to it. Each page
is saved as a screenshot: `390-<page>.png` and `print-<page>.png`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from contrast import contrast, low_contrast  # type: ignore[import-not-found]
from playwright.sync_api import Page, expect

PHONE = {"width": 390, "height": 844}
A4_PORTRAIT = {"width": 703, "height": 1000}
"""The printable width of an A4 page in CSS pixels (210 mm less 2 x 12 mm margins, see style.css)."""
A4_LANDSCAPE = {"width": 1047, "height": 700}
"""The printable width of a landscape A4 page (297 mm less 2 x 10 mm): the departments and areas tables."""

LIST_PAGES = {
    "forside": "/",
    "oversigt": "/plan/1",
    "afdelinger": "/plan/1/afdelinger",
    "omraader": "/plan/1/omraader",
    "indikatorer": "/plan/1/indikatorer",
    "partnere": "/plan/1/partnere",
    "tekster": "/plan/1/tekster",
    "import": "/plan/1/import",
    "eksport": "/plan/1/eksport",
    "rediger": "/plan/1/rediger",
    "revision": "/plan/1/revision",
    "landsgennemsnit": "/plan/1/landsgennemsnit",
    "brugere": "/brugere",
    "planer-ny": "/planer/ny",
    "atlas": "/atlas",
}
DETAIL_LINKS = {
    "afdeling": ("/plan/1/afdelinger", "#afdelinger tbody th a"),
    "omraade": ("/plan/1/omraader", "#omraader tbody a"),
    "indikator": ("/plan/1/indikatorer", "a[href*='/indikatorer/']"),
    "tekst": ("/plan/1/tekster", "#tekster tbody a"),
    "rediger-afsnit": ("/plan/1/rediger", "a[href*='/rediger/']"),
}

OVERFLOW_JS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def main_pages(page: Page, server_url: str) -> dict[str, str]:
    """The list pages and, for each kind of detail page, the first one its list links to."""
    pages = dict(LIST_PAGES)
    for name, (listing, selector) in DETAIL_LINKS.items():
        page.goto(server_url + listing)
        href = page.locator(selector).first.get_attribute("href")
        assert href, f"{listing} links to no {name} page"
        pages[name] = href
    return pages


def overflow(page: Page) -> tuple[int, int]:
    width, client = page.evaluate(OVERFLOW_JS)
    return int(width), int(client)


def test_no_page_is_wider_than_a_phone(page: Page, server_url: str, shot: Callable[[str], Path]) -> None:
    pages = main_pages(page, server_url)
    page.set_viewport_size(PHONE)
    too_wide = {}
    for name, path in pages.items():
        page.goto(server_url + path)
        width, client = overflow(page)
        shot(f"390-{name}")
        if width > client:
            too_wide[name] = f"{path}: {width} px wide in a {client} px window"
    assert not too_wide, f"pages wider than a phone: {too_wide}"
    assert len(pages) >= 20


def test_the_departments_table_scrolls_in_its_own_box_with_the_names_fixed(page: Page, server_url: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto(server_url + "/plan/1/afdelinger")
    box = page.locator("#tabel-boks")
    scroll_width, client_width = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert scroll_width > client_width + 400, "the table should need the box's own scrolling on a phone"
    name = page.locator("#afdelinger tbody th").first
    criterion = page.locator("#afdelinger tbody td.crit").first
    name_before, criterion_before = name.bounding_box(), criterion.bounding_box()
    assert name_before and criterion_before
    box.evaluate("b => { b.scrollLeft = 300; }")
    name_after, criterion_after = name.bounding_box(), criterion.bounding_box()
    assert name_after and criterion_after
    assert abs(name_after["x"] - name_before["x"]) < 1, "the name column must stay in place"
    assert criterion_after["x"] < criterion_before["x"] - 250, "the criteria must scroll under it"
    assert overflow(page)[0] <= PHONE["width"]
    # The header row stays on top when the box scrolls down.
    header = page.locator("#afdelinger thead th").first
    top_before = header.bounding_box()
    box.evaluate("b => { b.scrollTop = 400; }")
    top_after = header.bounding_box()
    assert top_before and top_after and abs(top_after["y"] - top_before["y"]) < 1


def test_every_page_prints_without_menus_and_within_the_paper(
    page: Page, server_url: str, shot: Callable[[str], Path]
) -> None:
    pages = main_pages(page, server_url)
    page.emulate_media(media="print")
    too_wide = {}
    for name, path in pages.items():
        page.set_viewport_size(A4_LANDSCAPE if name in ("afdelinger", "omraader") else A4_PORTRAIT)
        page.goto(server_url + path)
        expect(page.locator("header.top")).to_be_hidden()
        expect(page.locator("footer.formats")).to_be_hidden()
        width, client = overflow(page)
        shot(f"print-{name}")
        if width > client:
            too_wide[name] = f"{path}: {width} px wide on a {client} px page"
    assert not too_wide, f"pages wider than the paper: {too_wide}"


def test_the_printed_departments_table_has_every_column_in_colour(page: Page, server_url: str, tmp_path: Path) -> None:
    page.goto(server_url + "/plan/1/afdelinger")
    columns = page.locator("#afdelinger thead th").count()
    page.emulate_media(media="print")
    page.set_viewport_size(A4_LANDSCAPE)
    expect(page.locator("#filtre")).to_be_hidden()
    headers = page.locator("#afdelinger thead th")
    assert columns == 14  # name, organisation, participation, dwellings, residents, 5 criteria, 4 lists
    for i in range(columns):
        expect(headers.nth(i)).to_be_visible()
    table_right = page.locator("#afdelinger").evaluate("t => t.getBoundingClientRect().right")
    assert table_right <= A4_LANDSCAPE["width"]
    badge = page.locator("#afdelinger .status.ja, #afdelinger .m.opfyldt").first
    assert badge.evaluate("b => getComputedStyle(b).printColorAdjust") == "exact"
    assert badge.evaluate("b => getComputedStyle(b).backgroundColor") != "rgba(0, 0, 0, 0)"
    # The departments print on landscape paper (the page's named @page), the others on portrait.
    landscape = tmp_path / "afdelinger.pdf"
    page.pdf(path=str(landscape), prefer_css_page_size=True)
    assert _pdf_page_size(landscape) == (842, 595)
    page.goto(server_url + "/plan/1")
    portrait = tmp_path / "oversigt.pdf"
    page.pdf(path=str(portrait), prefer_css_page_size=True)
    assert _pdf_page_size(portrait) == (595, 842)


def _pdf_page_size(path: Path) -> tuple[int, int]:
    """The first page's size in points, from its MediaBox."""
    match = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", path.read_bytes())
    assert match, f"{path} has no MediaBox"
    return round(float(match.group(1))), round(float(match.group(2)))


def test_the_skip_link_comes_first_and_focus_is_visible(
    page: Page, server_url: str, shot: Callable[[str], Path]
) -> None:
    page.goto(server_url + "/plan/1/afdelinger")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Spring til indhold")
    assert focused.evaluate("a => a.getBoundingClientRect().top") >= 0, "the skip link shows when it has the focus"
    _assert_focus_ring(page)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the first focusable thing in the content: the search field
    expect(page.locator(":focus")).to_have_id("f-q")
    _assert_focus_ring(page)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")  # back into the blue header: a menu link
    expect(page.locator("header.top :focus")).to_have_count(1)
    _assert_focus_ring(page)
    shot("fokus-i-menuen")


def _assert_focus_ring(page: Page) -> None:
    style, width = page.locator(":focus").evaluate(
        "e => [getComputedStyle(e).outlineStyle, parseFloat(getComputedStyle(e).outlineWidth)]"
    )
    assert style == "solid" and width >= 2, f"focus ring: {style} {width}px"


def test_contrast_of_every_text_and_badge_is_at_least_4_5(page: Page, server_url: str) -> None:
    assert round(contrast((89, 89, 89), (255, 255, 255)), 2) == 7.0  # #595959 on white, as WebAIM gives it
    assert round(contrast((255, 255, 255), (198, 89, 17)), 2) == 4.34  # the charts' orange: too light for text
    pages = main_pages(page, server_url)
    checked = 0
    failures: dict[str, str] = {}
    for path in pages.values():
        page.goto(server_url + path)
        found, low = low_contrast(page, path)
        checked += found
        failures.update({k: v for k, v in low.items() if k not in failures})
    assert checked > 2000
    assert not failures, "text below 4,5:1: " + "; ".join(f"{k}: {v}" for k, v in failures.items())

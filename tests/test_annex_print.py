"""The key-figure annex (bilag-noegletal.xlsx) printed: its page setup, fonts, column widths and row
heights read with openpyxl, and the workbook laid out by LibreOffice (as a spreadsheet prints it)
read back from the PDF: every sheet one page wide, the status sheet at a readable size."""

# ruff: noqa: F811 - pytest fixtures imported from annex_helpers are used as arguments
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from pypdf import PdfReader

from annex_helpers import annex, ctx, wb  # noqa: F401 - fixtures used as arguments
from boligsocial.reports.annex import SHEET_NAMES
from boligsocial.reports.annex.cells import FONT_NAME, header_width, wrapped_lines
from office import Span, spans, to_pdf

# Columns whose repeated values are the data itself: the organisation a unit belongs to, the
# plan status that Stamdata's totals sum by.
CATEGORY_COLUMNS = {"Boligorganisation", "Status i planen"}


@pytest.fixture(scope="module")
def printed(annex: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return to_pdf(annex, tmp_path_factory.mktemp("lo"))


@pytest.fixture(scope="module")
def pages(printed: Path) -> list[list[Span]]:
    return spans(printed)


def header_row_of(ws: Any) -> int:
    """The row of the column headers: the second when the first holds group headers."""
    return 2 if ws.title in ("Listestatus", "Afstand til grænser") else 1


def table_rows(ws: Any) -> list[int]:
    """The table's body rows: from below the headers to the first empty row."""
    rows: list[int] = []
    for row in range(header_row_of(ws) + 1, ws.max_row + 1):
        if ws.cell(row=row, column=1).value is None:
            break
        rows.append(row)
    return rows


# ---- page setup --------------------------------------------------------------------------------


def test_every_sheet_is_landscape_a4_fitted_to_the_width(wb: Any) -> None:
    for ws in wb:
        setup = ws.page_setup
        assert setup.orientation == "landscape", ws.title
        assert int(setup.paperSize) == 9, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert int(setup.fitToWidth) == 1, ws.title
        assert ws.print_title_rows, ws.title  # headers repeat on every printed page


def test_listestatus_is_split_so_both_halves_are_readable(wb: Any) -> None:
    """Statuses and margins were 24 columns on one sheet; now neither sheet is wider than a
    landscape page holds at about 85 % (270 character widths)."""
    for title in ("Listestatus", "Afstand til grænser"):
        ws = wb[title]
        width = sum(ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, ws.max_column + 1))
        assert width <= 270, (title, width)


# ---- cells -------------------------------------------------------------------------------------


def test_every_cell_with_a_value_names_its_font(wb: Any) -> None:
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert cell.font.name == FONT_NAME and cell.font.sz, (ws.title, cell.coordinate)


def test_headers_do_not_break_inside_a_word(wb: Any) -> None:
    for ws in wb:
        for cell in ws[header_row_of(ws)]:
            if isinstance(cell.value, str):
                width = ws.column_dimensions[cell.column_letter].width
                assert width >= header_width(cell.value) - 0.01, (ws.title, cell.value, width)


def test_rows_with_wrapped_text_are_as_high_as_their_lines(wb: Any) -> None:
    checked = 0
    for ws in wb:
        merged = {c for r in ws.merged_cells.ranges for c in r.cells}
        for row in ws.iter_rows():
            for cell in row:
                if not (isinstance(cell.value, str) and cell.alignment.wrap_text) or (cell.row, cell.column) in merged:
                    continue
                lines = wrapped_lines(cell.value, ws.column_dimensions[cell.column_letter].width, bold=cell.font.b)
                if lines > 1:
                    checked += 1
                    height = ws.row_dimensions[cell.row].height
                    assert height is not None and height >= 12 * lines, (ws.title, cell.coordinate, lines, height)
    assert checked > 10


def test_no_text_is_repeated_in_most_rows_where_a_note_would_do(wb: Any) -> None:
    """A condition, a source, "nej", "Afdeling": said once (a note, a mark, an empty cell), not
    in every row. Marks of one or two characters (*, [1], ja) do not count."""
    for ws in wb:
        rows = table_rows(ws)
        headers = {c.column: c.value for c in ws[header_row_of(ws)]}
        for column, title in headers.items():
            if title in CATEGORY_COLUMNS:
                continue
            texts = [ws.cell(row=r, column=column).value for r in rows]
            counts = Counter(t for t in texts if isinstance(t, str) and len(t) > 3)
            for text, count in counts.items():
                assert count <= len(rows) / 2, (ws.title, title, text, count, len(rows))


# ---- as printed --------------------------------------------------------------------------------


def _sheet_pages(pages: list[list[Span]]) -> dict[str, list[list[Span]]]:
    """Printed pages by sheet, from the sheet name in each page's running header."""
    by_sheet: dict[str, list[list[Span]]] = {}
    for page in pages:
        top = max(s.y for s in page)
        names = [s.text.strip() for s in page if abs(s.y - top) < 1 and s.text.strip() in SHEET_NAMES]
        assert len(names) == 1, [s.text for s in page if abs(s.y - top) < 1]
        by_sheet.setdefault(names[0], []).append(page)
    return by_sheet


def test_printed_every_sheet_is_one_page_wide_and_listestatus_one_page(printed: Path, pages: list[list[Span]]) -> None:
    reader = PdfReader(printed)
    assert all(float(p.mediabox.width) > float(p.mediabox.height) for p in reader.pages)  # landscape
    by_sheet = _sheet_pages(pages)
    assert set(by_sheet) == set(SHEET_NAMES)
    # One page wide: the last column's header is on the sheet's first page.
    assert any("område" in s.text for s in by_sheet["Listestatus"][0] if s.x > 700)
    assert len(by_sheet["Listestatus"]) == 1 and len(by_sheet["Afstand til grænser"]) == 1


def test_printed_status_sheets_are_readable(pages: list[list[Span]]) -> None:
    """Fitted to the width, the statuses and margins print at 7 pt or more (they were about 5)."""
    by_sheet = _sheet_pages(pages)
    for title in ("Listestatus", "Afstand til grænser", "Nøgletal"):
        body = [s for page in by_sheet[title] for s in page if s.text.strip() in ("Folehaven", "Grønrisvej")]
        assert body and min(s.size for s in body) >= 7, (title, [s.size for s in body])

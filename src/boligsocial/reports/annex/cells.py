"""How the annex writes cells: styles, number formats, suppressed values, column headers, page
setup, and the formula cells whose computed value is stored with them."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any, Final

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from boligsocial.law.figures import Measure
from boligsocial.law.vocabulary import MEASURE_DIGITS
from boligsocial.plan.model import Helhedsplan

SUPPRESSED: Final = "-"
"""What a suppressed or unknown value is written as (text, see `boligsocial.reports.annex`)."""

FMT_COUNT: Final = "#,##0"
FMT_YEAR: Final = "0"
FMT_DATE: Final = "dd-mm-yyyy"

# ---- styles --------------------------------------------------------------------------------------

# Every cell names its font: a reader without the workbook's default (LibreOffice, a printer
# driver) would otherwise substitute one, in headers a serif.
FONT_NAME: Final = "Calibri"
FONT_SIZE: Final = 10
_DARK = "1F4E79"
BODY_FONT = Font(name=FONT_NAME, size=FONT_SIZE)
HEADER_FONT = Font(name=FONT_NAME, size=FONT_SIZE, bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor=_DARK)
GROUP_FILL = PatternFill("solid", fgColor="2E75B6")
TOTAL_FONT = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
TOTAL_BORDER = Border(top=Side(style="thin", color="000000"), bottom=Side(style="double", color="000000"))
_GRID = Side(style="thin", color="D9D9D9")
CELL_BORDER = Border(bottom=_GRID)
SUPPRESSED_FONT = Font(name=FONT_NAME, size=FONT_SIZE, color="808080")
APPROX_FONT = Font(name=FONT_NAME, size=FONT_SIZE, italic=True)
SECTION_FONT = Font(name=FONT_NAME, bold=True, color=_DARK, size=12)
LINK_FONT = Font(name=FONT_NAME, size=FONT_SIZE, color="0563C1", underline="single")
NOTE_FONT = Font(name=FONT_NAME, size=FONT_SIZE, italic=True, color="404040")


WRAP_TOP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
RIGHT_TOP = Alignment(horizontal="right", vertical="top")
CENTER_TOP = Alignment(horizontal="center", vertical="top")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")

CellValue = str | int | float | date | None

# ---- number formats ------------------------------------------------------------------------------


def share_format(measure: Measure, approximate: bool = False) -> str:
    digits = MEASURE_DIGITS[measure]
    body = "0." + "0" * digits
    return f'"~"{body}' if approximate else body


def margin_format(measure: Measure) -> str:
    body = "0." + "0" * MEASURE_DIGITS[measure]
    return f"+{body};-{body};{body}"


def threshold_format(measure: Measure, threshold: Fraction) -> str:
    return "0" if threshold.denominator == 1 else share_format(measure)


def excel_number(value: Fraction) -> int | float:
    """The cell value for an exact number: an int when whole, else the nearest float (display
    rounding is left to the number format)."""
    return value.numerator if value.denominator == 1 else float(value)


# ---- sheet helpers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    header: str
    width: float
    wrap: bool = False


# Characters of 10 pt Calibri per unit of Excel's column width (the width of a "0" in the default
# 11 pt font), bold a little wider; and the height of one line of it, in points.
_CHARS_PER_UNIT: Final = 1.2
_BOLD_CHARS_PER_UNIT: Final = 1.05
_LINE_PT: Final = 13.0
_PADDING_UNITS: Final = 1.5


def header_width(text: str) -> float:
    """The column width at which the longest word of a (bold) header fits on one line."""
    longest = max((len(word) for word in text.split()), default=0)
    return longest / _BOLD_CHARS_PER_UNIT + _PADDING_UNITS


_COMPOUND_END = re.compile(r"^(\w{5,}?)(område|samfund)$")


def breakable(label: str) -> str:
    """A list's name as a narrow column's header: a long compound broken where its parts meet,
    with a hyphen ("Forebyggelses-" / "område"), so that the column need not be as wide as the
    whole word and no break falls inside a part."""
    words = []
    for word in label.split(" "):
        match = _COMPOUND_END.match(word)
        words.append(f"{match[1]}-\n{match[2]}" if match and len(word) > 12 else word)
    return " ".join(words)


def setup_columns(ws: Worksheet, columns: Sequence[Col]) -> None:
    """Column widths: as given, but never so narrow that a header breaks inside a word."""
    for index, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(col.width, header_width(col.header))


def wrapped_lines(text: str, width: float, *, bold: bool = False) -> int:
    """How many lines `text` takes in a wrapping cell of `width`: words packed greedily, a word
    longer than a line broken over as many as it needs."""
    per_line = max(1, int((width - _PADDING_UNITS) * (_BOLD_CHARS_PER_UNIT if bold else _CHARS_PER_UNIT)))
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0  # characters on the current line
        for word in paragraph.split():
            if used and used + 1 + len(word) <= per_line:
                used += 1 + len(word)
                continue
            if used:
                lines += 1
            broken = (len(word) - 1) // per_line
            lines += broken
            used = len(word) - broken * per_line
    return lines


def _column_width(ws: Worksheet, letter: str) -> float:
    width = ws.column_dimensions[letter].width
    return float(width) if width else 8.43


def _cell_width(ws: Worksheet, cell: Any) -> float:
    """The width a cell's text wraps in: its column's, or the merged range's."""
    for merged in ws.merged_cells.ranges:
        if cell.coordinate in merged:
            return sum(_column_width(ws, get_column_letter(c)) for c in range(merged.min_col, merged.max_col + 1))
    return _column_width(ws, cell.column_letter)


def fit_rows(ws: Worksheet) -> None:
    """Row heights for wrapped text, which a spreadsheet does not compute when it opens a file
    (LibreOffice shows one line and the rest overlaps the next row)."""
    for row in ws.iter_rows():
        lines = 1
        for cell in row:
            if isinstance(cell.value, str) and cell.alignment is not None and cell.alignment.wrap_text:
                bold = bool(cell.font is not None and cell.font.b)
                lines = max(lines, wrapped_lines(cell.value, _cell_width(ws, cell), bold=bold))
        current = ws.row_dimensions[row[0].row].height
        needed = math.ceil(lines * _LINE_PT + 2)
        if lines > 1 and (current is None or current < needed):
            ws.row_dimensions[row[0].row].height = needed


def set_fonts(ws: Worksheet) -> None:
    """Every cell with a value names its font and size (a style's own font is kept, completed)."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            font = cell.font
            if font is None or font.name != FONT_NAME or font.sz is None:
                cell.font = Font(
                    name=FONT_NAME,
                    size=(font.sz if font is not None and font.sz else FONT_SIZE),
                    bold=font.b if font is not None else False,
                    italic=font.i if font is not None else False,
                    underline=font.u if font is not None else None,
                    color=font.color if font is not None else None,
                )


# The height a landscape A4 page prints rows on (595 pt less the margins, header and footer), and
# how much taller a sheet may be and still be shrunk onto one page rather than spill a few rows.
_PAGE_ROWS_PT: Final = 470.0
_SHRINK_TO_ONE_PAGE: Final = 1.5
_DEFAULT_ROW_PT: Final = 15.0


def fit_pages(ws: Worksheet) -> None:
    """A sheet a little taller than a page prints on one (shrunk), a long one on as many as it needs."""
    height = sum(ws.row_dimensions[row].height or _DEFAULT_ROW_PT for row in range(1, ws.max_row + 1))
    ws.page_setup.fitToHeight = 1 if height <= _PAGE_ROWS_PT * _SHRINK_TO_ONE_PAGE else 0


def finish_sheet(ws: Worksheet) -> None:
    """What every sheet needs to print: fonts on every cell, the row heights they need, and the
    pages they fit on."""
    set_fonts(ws)
    fit_rows(ws)
    fit_pages(ws)


def header_row(ws: Worksheet, row: int, headers: Sequence[str], height: float = 32) -> None:
    for index, text in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=index, value=text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGN
    ws.row_dimensions[row].height = height


def put(
    ws: Worksheet,
    row: int,
    column: int,
    value: CellValue,
    fmt: str | None = None,
    *,
    wrap: bool = False,
) -> Any:
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text, even when it starts with "="
    if fmt is not None:
        cell.number_format = fmt
    cell.alignment = WRAP_TOP if wrap else TOP
    cell.border = CELL_BORDER
    cell.font = BODY_FONT
    return cell


def put_suppressed(ws: Worksheet, row: int, column: int) -> Any:
    cell = put(ws, row, column, SUPPRESSED)
    cell.alignment = RIGHT_TOP
    cell.font = SUPPRESSED_FONT
    return cell


def note(ws: Worksheet, row: int, text: str, first_column: int, last_column: int) -> Any:
    """A note under a table: wrapped within the table's width (merged over its columns), so that
    a long line neither runs past the table nor widens what is fitted to the page."""
    cell = ws.cell(row=row, column=first_column, value=text)
    cell.font = NOTE_FONT
    cell.alignment = WRAP_TOP
    if last_column > first_column:
        ws.merge_cells(start_row=row, start_column=first_column, end_row=row, end_column=last_column)
    return cell


def page_setup(ws: Worksheet, plan: Helhedsplan, title_rows: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.oddHeader.left.text = f"{plan.navn}: bilag med nøgletal"
    ws.oddHeader.right.text = "&A"
    ws.oddFooter.right.text = "Side &P af &N"


@dataclass
class Cached:
    """Formula cells whose computed value is written into the file as well: sheet -> cell -> value."""

    values: dict[str, dict[str, int | float]] = field(default_factory=dict)

    def add(self, ws: Worksheet, coordinate: str, value: int | float) -> None:
        self.values.setdefault(ws.title, {})[coordinate] = value

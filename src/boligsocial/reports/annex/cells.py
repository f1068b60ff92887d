"""How the annex writes cells: styles, number formats, suppressed values, column headers, page
setup, and the formula cells whose computed value is stored with them."""

from __future__ import annotations

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

_DARK = "1F4E79"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor=_DARK)
GROUP_FILL = PatternFill("solid", fgColor="2E75B6")
TOTAL_FONT = Font(bold=True)
TOTAL_BORDER = Border(top=Side(style="thin", color="000000"), bottom=Side(style="double", color="000000"))
_GRID = Side(style="thin", color="D9D9D9")
CELL_BORDER = Border(bottom=_GRID)
SUPPRESSED_FONT = Font(color="808080")
APPROX_FONT = Font(italic=True)
SECTION_FONT = Font(bold=True, color=_DARK, size=12)
LINK_FONT = Font(color="0563C1", underline="single")


WRAP_TOP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
RIGHT_TOP = Alignment(horizontal="right", vertical="top")
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


def setup_columns(ws: Worksheet, columns: Sequence[Col]) -> None:
    for index, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = col.width


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
    return cell


def put_suppressed(ws: Worksheet, row: int, column: int) -> Any:
    cell = put(ws, row, column, SUPPRESSED)
    cell.alignment = RIGHT_TOP
    cell.font = SUPPRESSED_FONT
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

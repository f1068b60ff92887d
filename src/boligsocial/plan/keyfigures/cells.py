"""Cells as read from a file, before they are read as values: text, an exact number (from a
spreadsheet cell) or something else (a date, TRUE/FALSE), and the sheet of rows they make."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from boligsocial.danish import format_danish_number


@dataclass(frozen=True, slots=True)
class NumberCell:
    """A numeric spreadsheet cell: exact value, shown the Danish way in messages."""

    value: Decimal
    percent_format: bool  # Excel shows 0.243 as "24,3 %" when the cell is formatted as percent

    @property
    def shown(self) -> str:
        """As a number in a message: `1.964`, `24,3 %`."""
        if self.percent_format:
            return f"{format_danish_number(self.value * 100)} %"
        return format_danish_number(self.value)

    @property
    def text(self) -> str:
        """As text (a name, a header, an afdelingsnummer): `1964`, `12,5`."""
        return format_danish_number(self.value, grouping=False)


@dataclass(frozen=True, slots=True)
class OtherCell:
    """A spreadsheet cell that holds something other than a number or text (date, TRUE/FALSE)."""

    shown: str
    reason: str  # completes the message '"<shown>" <reason>'


Cell = str | NumberCell | OtherCell | None
EXCEL_ERROR = re.compile(r"#(?:DIV/0!|N/A|NAME\?|NULL!|NUM!|REF!|VALUE!|SPILL!|CALC!|GETTING_DATA)")


def cell_shown(cell: Cell) -> str:
    """The cell as quoted in a message about its value."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell.strip()
    return cell.shown


def cell_text(cell: Cell) -> str:
    """The cell as text, whitespace collapsed: a header, a name."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return " ".join(cell.split())
    return cell.text if isinstance(cell, NumberCell) else cell.shown


def is_empty(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


@dataclass
class Sheet:
    """Rows as a person sees them: (row number, cells). Fully empty rows are left out."""

    rows: list[tuple[int, list[Cell]]]
    delimited: bool  # CSV-like: a row may have too many or too few fields
    delimiter: str = ";"

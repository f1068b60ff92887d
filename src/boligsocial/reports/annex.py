"""The key-figure annex: `bilag-noegletal.xlsx`, written from a loaded plan (`PlanContext`).

One sheet per table, all user-facing text in Danish:

* **Stamdata** - the plan's afdelinger: boligorganisation, afdeling, afdelingsnummer, boliger,
  boligområde, status in the plan and the condition of a conditional afdeling, with total rows
  (`SUM`/`SUMIF` formulas that also carry their computed value, so that readers that do not
  recalculate - previews, pandas, openpyxl - see the number too).
* **Nøgletal** - residents and the five criteria values per afdeling and per område. Values are
  numbers with number formats (`#,##0`, `0.0`, `0.00` for dømte); Excel shows them with Danish
  separators under a Danish locale. Approximate area values have the format `"~"0.0` (shown as
  `~57,3`), are italic and are marked in the `Tilnærmet` column.
* **Listestatus** - per unit the status on each list for the list year (ja/nej/ubestemt), the status
  it would have as an area (without the resident minimum) and each criterion's margin in
  percentage points, with conditional fills for met criteria and near misses.
* **Grænseværdier** - each list's criteria for the list year: operator, threshold, wording,
  population and citation, all taken from the evaluation result (never written here).
* **Kilder og noter** - list year, rule set, conviction thresholds and their sources, the notes of
  the evaluation, the approximation note, how suppressed values and colours are shown, and the
  generation date.

**Suppressed values** are written as the text `-` (right-aligned, grey), as the published tables
and the application write them. A printed annex then shows that the value is missing rather than
an empty cell that looks forgotten, and Excel's `SUM`, `AVERAGE`, `MIN` and `MAX` skip text cells,
so the columns stay usable for calculation.

The file is written atomically: to a temporary file in the target folder, then renamed.
"""

from __future__ import annotations

import io
import os
import re
import uuid
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any, Final

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.comments import Comment  # type: ignore[import-untyped]
from openpyxl.formatting.rule import FormulaRule  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from boligsocial.danish import MONTHS_DA, number, short_number
from boligsocial.law.areas import build_areas
from boligsocial.law.figures import MEASURE_LABELS_DA, MEASURE_SHORT_DA, Measure, Measurement, UnitFigures
from boligsocial.law.parameters import Citation, Operator
from boligsocial.law.verdicts import CriterionResult, ListYearResult, Status, UnitResult
from boligsocial.plan.model import Afdeling, AfdelingStatus, Helhedsplan
from boligsocial.reports.checktable import MEASURE_DIGITS, STATUS_WORD_DA
from boligsocial.reports.context import PlanContext

__all__ = [
    "ANNEX_FILENAME",
    "NEAR_MISS_SHARE",
    "SHEET_NAMES",
    "SUPPRESSED",
    "write_annex",
]

ANNEX_FILENAME: Final = "bilag-noegletal.xlsx"

SHEET_STAMDATA: Final = "Stamdata"
SHEET_NOEGLETAL: Final = "Nøgletal"
SHEET_LISTESTATUS: Final = "Listestatus"
SHEET_GRAENSER: Final = "Grænseværdier"
SHEET_KILDER: Final = "Kilder og noter"
SHEET_NAMES: Final = (SHEET_STAMDATA, SHEET_NOEGLETAL, SHEET_LISTESTATUS, SHEET_GRAENSER, SHEET_KILDER)

SUPPRESSED: Final = "-"
"""What a suppressed or unknown value is written as (text, see the module docstring)."""

NEAR_MISS_SHARE: Final = Fraction(1, 10)
"""A criterion not met is a near miss when the value is within this share of the threshold from it
(10 %: 3 pp at a 30 pct. threshold, 0.145 pp at 1.45 pct. dømte)."""

FMT_COUNT: Final = "#,##0"
FMT_YEAR: Final = "0"
FMT_DATE: Final = "dd-mm-yyyy"

CERTAINTY_DA: Final = {
    "solid": "sikker (lovtekst eller officiel kilde)",
    "reported": "gengivet (sekundær kilde)",
    "inferred": "udledt",
    "user": "angivet af brugeren",
}

# ---- styles --------------------------------------------------------------------------------------

_DARK = "1F4E79"
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor=_DARK)
_GROUP_FILL = PatternFill("solid", fgColor="2E75B6")
_TOTAL_FONT = Font(bold=True)
_TOTAL_BORDER = Border(top=Side(style="thin", color="000000"), bottom=Side(style="double", color="000000"))
_GRID = Side(style="thin", color="D9D9D9")
_CELL_BORDER = Border(bottom=_GRID)
_SUPPRESSED_FONT = Font(color="808080")
_APPROX_FONT = Font(italic=True)
_SECTION_FONT = Font(bold=True, color=_DARK, size=12)
_LINK_FONT = Font(color="0563C1", underline="single")

_FILL_MET = PatternFill("solid", fgColor="F8CBAD", bgColor="F8CBAD")
_FILL_NEAR = PatternFill("solid", fgColor="FFE699", bgColor="FFE699")
_FILL_UNKNOWN = PatternFill("solid", fgColor="D9D9D9", bgColor="D9D9D9")

_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_RIGHT_TOP = Alignment(horizontal="right", vertical="top")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")

CellValue = str | int | float | date | None


# ---- number formats ------------------------------------------------------------------------------


def _share_format(measure: Measure, approximate: bool = False) -> str:
    digits = MEASURE_DIGITS[measure]
    body = "0." + "0" * digits
    return f'"~"{body}' if approximate else body


def _margin_format(measure: Measure) -> str:
    body = "0." + "0" * MEASURE_DIGITS[measure]
    return f"+{body};-{body};{body}"


def _threshold_format(measure: Measure, threshold: Fraction) -> str:
    return "0" if threshold.denominator == 1 else _share_format(measure)


def _excel_number(value: Fraction) -> int | float:
    """The cell value for an exact number: an int when whole, else the nearest float (display
    rounding is left to the number format)."""
    return value.numerator if value.denominator == 1 else float(value)


# ---- the units shown -----------------------------------------------------------------------------


def _unit_key(unit: UnitResult) -> tuple[str, str, str]:
    organisation = "" if unit.kind == "omraade" else unit.boligorganisation or ""
    return (unit.kind, organisation, unit.name)


@dataclass(frozen=True)
class _Row:
    """One unit of the annex: its verdicts, its key figures and (for afdelinger) the plan's entry."""

    result: UnitResult
    figures: UnitFigures | None
    afdeling: Afdeling | None
    as_area: dict[str, Status] = field(default_factory=dict)
    organisation: str | None = None  # an area's: its members' organisations, joined with "og"

    @property
    def is_area(self) -> bool:
        return self.result.kind == "omraade"

    def measurement(self, measure: Measure) -> Measurement:
        if self.figures is not None:
            return self.figures.measurement(measure)
        criterion = next(
            (c for r in self.result.lists.values() for c in r.criteria if c.measure is measure),
            None,
        )
        if criterion is None:
            return Measurement.unknown()
        return Measurement(value=criterion.value, approximate=criterion.approximate)


def _figures_by_key(ctx: PlanContext) -> dict[tuple[str, str, str], UnitFigures]:
    """The key figures of the list year, with areas built from their afdelinger as the law does
    (an area row given in the file wins)."""
    units = [u for u in ctx.units if u.list_year in (ctx.list_year, None)]
    by_key = {u.key: u for u in units}
    for area in build_areas(units):
        by_key.setdefault(area.key, area)
    return by_key


def _rows(ctx: PlanContext) -> list[_Row]:
    """Afdelinger in the plan's order, then afdelinger of the key-figure file that the plan does not
    name, then areas."""
    figures = _figures_by_key(ctx)
    as_areas = {_unit_key(u): u for u in ctx.as_areas.units}

    def row(result: UnitResult, afdeling: Afdeling | None) -> _Row:
        as_area_unit = as_areas.get(_unit_key(result))
        if as_area_unit is not None:
            statuses = {name: r.status for name, r in as_area_unit.lists.items()}
        else:
            statuses = dict(result.as_area or {name: r.status for name, r in result.lists.items()})
        organisation = result.boligorganisation
        if result.kind == "omraade":
            # "AAB og AKB, København", not "AAB, AKB, København": organisation names hold commas.
            members = [
                u.boligorganisation
                for u in figures.values()
                if u.kind == "afdeling" and u.omraade == result.name and u.boligorganisation
            ]
            organisation = _join_da(sorted(set(members))) or organisation
        return _Row(result, figures.get(_unit_key(result)), afdeling, statuses, organisation)

    rows: list[_Row] = []
    seen: set[int] = set()
    for afdeling in ctx.plan.afdelinger:
        result = ctx.verdict(afdeling)
        if result is not None and id(result) not in seen:
            seen.add(id(result))
            rows.append(row(result, afdeling))
    rows.extend(row(u, None) for u in ctx.result.units if u.kind == "afdeling" and id(u) not in seen)
    rows.extend(row(u, None) for u in ctx.result.units if u.kind == "omraade")
    return rows


def _list_labels(result: ListYearResult) -> dict[str, str]:
    """Reported list name -> the list year's Danish label, in the order the result gives them."""
    labels: dict[str, str] = {}
    for unit in result.units:
        for name, list_result in unit.lists.items():
            labels.setdefault(name, list_result.label)
    return labels


@dataclass(frozen=True)
class _CriterionColumn:
    key: str
    measure: Measure
    operator: Operator
    threshold: Fraction
    lists: tuple[str, ...]  # reported names of the lists that use the criterion


def _criterion_columns(result: ListYearResult) -> list[_CriterionColumn]:
    """The distinct criteria of the list year, in the order the lists use them."""
    found: dict[str, tuple[CriterionResult, list[str]]] = {}
    for unit in result.units:
        for name, list_result in unit.lists.items():
            for c in list_result.criteria:
                entry = found.setdefault(c.key, (c, []))
                if name not in entry[1]:
                    entry[1].append(name)
    return [
        _CriterionColumn(key, c.measure, c.operator, c.threshold, tuple(lists)) for key, (c, lists) in found.items()
    ]


def _criterion_for(unit: UnitResult, key: str) -> CriterionResult | None:
    return next((c for r in unit.lists.values() for c in r.criteria if c.key == key), None)


def _kind_da(row: _Row) -> str:
    return "Område" if row.is_area else "Afdeling"


def _status_text(status: Status) -> str:
    return STATUS_WORD_DA[status]


# ---- sheet helpers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Col:
    header: str
    width: float
    wrap: bool = False


def _setup_columns(ws: Worksheet, columns: Sequence[_Col]) -> None:
    for index, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = col.width


def _header_row(ws: Worksheet, row: int, headers: Sequence[str], height: float = 32) -> None:
    for index, text in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=index, value=text)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _HEADER_ALIGN
    ws.row_dimensions[row].height = height


def _put(
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
    cell.alignment = _WRAP_TOP if wrap else _TOP
    cell.border = _CELL_BORDER
    return cell


def _put_suppressed(ws: Worksheet, row: int, column: int) -> Any:
    cell = _put(ws, row, column, SUPPRESSED)
    cell.alignment = _RIGHT_TOP
    cell.font = _SUPPRESSED_FONT
    return cell


def _page_setup(ws: Worksheet, plan: Helhedsplan, title_rows: str) -> None:
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


# ---- Stamdata ------------------------------------------------------------------------------------


@dataclass
class _Cached:
    """Formula cells whose computed value is written into the file as well: sheet -> cell -> value."""

    values: dict[str, dict[str, int | float]] = field(default_factory=dict)

    def add(self, ws: Worksheet, coordinate: str, value: int | float) -> None:
        self.values.setdefault(ws.title, {})[coordinate] = value


def _omraade_of(plan: Helhedsplan, afdeling: Afdeling) -> str | None:
    for omraade in plan.omraader:
        if any(member is afdeling for member in plan.omraade_afdelinger(omraade)):
            return omraade.navn
    return None


def _sheet_stamdata(ws: Worksheet, ctx: PlanContext, cached: _Cached) -> None:
    plan = ctx.plan
    columns = [
        _Col("Boligorganisation", 22),
        _Col("Afdeling", 26),
        _Col("Afdelingsnummer", 10),
        _Col("Boliger", 10),
        _Col("Boligområde", 18),
        _Col("Status i planen", 20),
        _Col("Betingelse", 90, wrap=True),
    ]
    _setup_columns(ws, columns)
    _header_row(ws, 1, [c.header for c in columns])
    row = 1
    for afdeling in plan.afdelinger:
        row += 1
        org = plan.find_boligorganisation(afdeling.boligorganisation)
        _put(ws, row, 1, org.navn if org is not None else afdeling.boligorganisation)
        _put(ws, row, 2, afdeling.navn)
        _put(ws, row, 3, afdeling.afdelingsnummer)
        _put(ws, row, 4, afdeling.boliger, FMT_COUNT)
        _put(ws, row, 5, _omraade_of(plan, afdeling))
        _put(ws, row, 6, afdeling.status.label)
        _put(ws, row, 7, afdeling.betingelse if afdeling.betinget else None, wrap=True)
    first, last = 2, row
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(last, 1)}"

    count = len(plan.afdelinger)
    totals: list[tuple[str, str, int]] = [
        (f"I alt ({number(count, 0)} afdelinger)", f"=SUM(D{first}:D{last})", plan.total_boliger),
    ]
    for status, afdelinger in (
        (AfdelingStatus.I_PLAN, plan.afdelinger_i_plan),
        (AfdelingStatus.BETINGET, plan.afdelinger_betinget),
    ):
        totals.append(
            (
                f"Heraf {status.label.lower()} ({number(len(afdelinger), 0)} afdelinger)",
                f'=SUMIF(F{first}:F{last},"{status.label}",D{first}:D{last})',
                sum(a.boliger for a in afdelinger),
            )
        )
    for label, formula, value in totals:
        row += 1
        label_cell = ws.cell(row=row, column=2, value=label)
        label_cell.font = _TOTAL_FONT
        cell = ws.cell(row=row, column=4, value=formula)
        cell.number_format = FMT_COUNT
        cell.font = _TOTAL_FONT
        cached.add(ws, cell.coordinate, value)
        if label is totals[0][0]:
            for column in range(1, len(columns) + 1):
                ws.cell(row=row, column=column).border = _TOTAL_BORDER
    ws.freeze_panes = "C2"
    _page_setup(ws, plan, "1:1")


# ---- Nøgletal ------------------------------------------------------------------------------------


def _residents_header(plan: Helhedsplan) -> str:
    if plan.beboere_dato is None:
        return "Beboere"
    return f"Beboere {plan.beboere_dato.day}/{plan.beboere_dato.month}-{plan.beboere_dato.year}"


def _measure_header(measure: Measure) -> str:
    label = MEASURE_LABELS_DA[measure]
    return label if "pct." in label else f"{label} (pct.)"


def _row_note(row: _Row) -> str | None:
    parts: list[str] = []
    if row.is_area and row.result.members:
        parts.append("Området består af " + _join_da(row.result.members) + ".")
    figures = row.figures
    measurements = [row.measurement(m) for m in Measure]
    residents = row.result.residents if figures is None else figures.residents
    if residents is None and all(m.value is None for m in measurements):
        parts.append("Nøgletallene er ikke oplyst (diskretioneret).")
    elif any(m.value is None for m in measurements) or residents is None:
        parts.append("Et eller flere tal er ikke oplyst (diskretioneret).")
    parts.extend(row.result.notes)
    if row.afdeling is not None and row.afdeling.betinget:
        parts.append("Betinget deltagelse i helhedsplanen.")
    return " ".join(parts) or None


def _join_da(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " og " + items[-1]


def _sheet_noegletal(ws: Worksheet, ctx: PlanContext, rows: Sequence[_Row]) -> None:
    columns = [
        _Col("Afdeling / område", 26),
        _Col("Type", 10),
        _Col("Boligorganisation", 20),
        _Col("Boligområde", 18),
        _Col(_residents_header(ctx.plan), 11),
        *(_Col(_measure_header(m), 15) for m in Measure),
        _Col("Tilnærmet", 10),
        _Col("Note", 60, wrap=True),
    ]
    _setup_columns(ws, columns)
    _header_row(ws, 1, [c.header for c in columns], height=48)
    approx_column = 6 + len(Measure)
    for index, row in enumerate(rows, start=2):
        unit = row.result
        _put(ws, index, 1, unit.name)
        _put(ws, index, 2, _kind_da(row))
        _put(ws, index, 3, row.organisation)
        _put(ws, index, 4, unit.omraade if not row.is_area else None)
        residents = unit.residents if row.figures is None else row.figures.residents
        if residents is None:
            _put_suppressed(ws, index, 5)
        else:
            _put(ws, index, 5, residents, FMT_COUNT)
        approximate = False
        for offset, measure in enumerate(Measure):
            column = 6 + offset
            measurement = row.measurement(measure)
            if measurement.value is None:
                _put_suppressed(ws, index, column)
                continue
            cell = _put(
                ws, index, column, _excel_number(measurement.value), _share_format(measure, measurement.approximate)
            )
            if measurement.approximate:
                approximate = True
                cell.font = _APPROX_FONT
        flag = _put(ws, index, approx_column, "ja" if approximate else "nej")
        if approximate:
            flag.comment = Comment(
                "Tilnærmede tal (~): "
                + (" ".join(unit.notes) or "beboervægtede gennemsnit af afdelingernes procenter."),
                "boligsocial",
                width=320,
                height=110,
            )
        _put(ws, index, approx_column + 1, _row_note(row), wrap=True)
    last = len(rows) + 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(last, 1)}"
    ws.freeze_panes = "B2"
    _page_setup(ws, ctx.plan, "1:1")


# ---- Listestatus ---------------------------------------------------------------------------------


def _groups(items: Sequence[tuple[str, ...]]) -> list[tuple[tuple[str, ...], int, int]]:
    """Runs of equal items: (item, first index, last index)."""
    runs: list[tuple[tuple[str, ...], int, int]] = []
    for index, item in enumerate(items):
        if runs and runs[-1][0] == item:
            runs[-1] = (item, runs[-1][1], index)
        else:
            runs.append((item, index, index))
    return runs


def _sheet_listestatus(ws: Worksheet, ctx: PlanContext, rows: Sequence[_Row]) -> None:
    result = ctx.result
    labels = _list_labels(result)
    list_names = list(labels)
    criteria = _criterion_columns(result)
    minimum = number(result.min_residents, 0)

    fixed = [
        _Col("Afdeling / område", 26),
        _Col("Type", 10),
        _Col("Boligorganisation", 20),
        _Col(_residents_header(ctx.plan), 11),
        _Col(f"Mindst {minimum} beboere", 11),
    ]
    status_cols = [_Col(labels[n], 14) for n in list_names] + [_Col("På mindst én liste", 12)]
    area_cols = [_Col(labels[n], 14) for n in list_names]
    criterion_cols = [
        _Col(f"{MEASURE_SHORT_DA[c.measure]} {c.operator.symbol} {short_number(c.threshold)}", 12) for c in criteria
    ]
    columns = fixed + status_cols + area_cols + criterion_cols
    _setup_columns(ws, columns)

    # Two header rows: groups, then columns.
    status_start = len(fixed) + 1
    area_start = status_start + len(status_cols)
    criteria_start = area_start + len(area_cols)
    groups: list[tuple[str, int, int]] = [
        ("", 1, len(fixed)),
        (f"Status, listeår {result.list_year}", status_start, area_start - 1),
        (f"Som område (uden krav om {minimum} beboere)", area_start, criteria_start - 1),
    ]
    for lists, first, last in _groups([c.lists for c in criteria]):
        names = ", ".join(labels[n].lower() for n in lists)
        groups.append(
            (
                f"Afstand til grænseværdien i procentpoint ({names})",
                criteria_start + first,
                criteria_start + last,
            )
        )
    for text, first, last in groups:
        for column in range(first, last + 1):
            cell = ws.cell(row=1, column=column)
            cell.fill = _GROUP_FILL
            cell.font = _HEADER_FONT
            cell.alignment = _HEADER_ALIGN
        ws.cell(row=1, column=first, value=text or None)
        if last > first:
            ws.merge_cells(start_row=1, start_column=first, end_row=1, end_column=last)
    ws.row_dimensions[1].height = 32
    _header_row(ws, 2, [c.header for c in columns], height=46)

    for index, row in enumerate(rows, start=3):
        unit = row.result
        _put(ws, index, 1, unit.name)
        _put(ws, index, 2, _kind_da(row))
        _put(ws, index, 3, row.organisation)
        if unit.residents is None:
            _put_suppressed(ws, index, 4)
        else:
            _put(ws, index, 4, unit.residents, FMT_COUNT)
        _put(ws, index, 5, {True: "ja", False: "nej", None: "ukendt"}[unit.eligible])
        for offset, name in enumerate(list_names):
            list_result = unit.lists.get(name)
            _put(ws, index, status_start + offset, _status_text(list_result.status) if list_result else None)
        _put(ws, index, status_start + len(list_names), _status_text(unit.on_any_list))
        for offset, name in enumerate(list_names):
            _put(ws, index, area_start + offset, _status_text(row.as_area[name]) if name in row.as_area else None)
        for offset, column_def in enumerate(criteria):
            column = criteria_start + offset
            criterion = _criterion_for(unit, column_def.key)
            if criterion is None:
                _put(ws, index, column, None)
            elif criterion.margin_pp is None:
                _put_suppressed(ws, index, column)
            else:
                cell = _put(ws, index, column, _excel_number(criterion.margin_pp), _margin_format(column_def.measure))
                if criterion.approximate:
                    cell.font = _APPROX_FONT
    first_row, last_row = 3, len(rows) + 2

    if rows:
        # Statuses: "ja" and "ubestemt" are filled; "nej" stays white.
        status_range = f"{get_column_letter(status_start)}{first_row}:{get_column_letter(criteria_start - 1)}{last_row}"
        corner = f"{get_column_letter(status_start)}{first_row}"
        ws.conditional_formatting.add(status_range, FormulaRule(formula=[f'{corner}="ja"'], fill=_FILL_MET))
        ws.conditional_formatting.add(status_range, FormulaRule(formula=[f'{corner}="ubestemt"'], fill=_FILL_UNKNOWN))
        # Margins: met criteria, and near misses (not met, within NEAR_MISS_SHARE of the threshold).
        for offset, column_def in enumerate(criteria):
            letter = get_column_letter(criteria_start + offset)
            cell_range = f"{letter}{first_row}:{letter}{last_row}"
            ref = f"{letter}{first_row}"
            met = f"{ref}>=0" if column_def.operator is Operator.GE else f"{ref}>0"
            near = float(column_def.threshold * NEAR_MISS_SHARE)
            ws.conditional_formatting.add(
                cell_range, FormulaRule(formula=[f"AND(ISNUMBER({ref}),{met})"], fill=_FILL_MET, stopIfTrue=True)
            )
            ws.conditional_formatting.add(
                cell_range,
                FormulaRule(formula=[f"AND(ISNUMBER({ref}),{ref}>={-near!r})"], fill=_FILL_NEAR, stopIfTrue=True),
            )

    legend_row = last_row + 2
    legend = [
        (_FILL_MET, "Kriteriet er opfyldt / enheden er på listen."),
        (
            _FILL_NEAR,
            f"Tæt på: kriteriet er ikke opfyldt, men tallet ligger mindre end {number(100 * NEAR_MISS_SHARE, 0)} % "
            "af grænseværdien fra den.",
        ),
        (_FILL_UNKNOWN, "Ubestemt: ukendte (diskretionerede) tal kan ændre udfaldet."),
    ]
    for offset, (fill, text) in enumerate(legend):
        ws.cell(row=legend_row + offset, column=1).fill = PatternFill("solid", fgColor=fill.fgColor.rgb)
        ws.cell(row=legend_row + offset, column=2, value=text)
    note_row = legend_row + len(legend)
    ws.cell(
        row=note_row,
        column=2,
        value="Afstanden er positiv, når kriteriet er opfyldt, og negativ, når det ikke er; "
        f"{SUPPRESSED} = tallet er ikke oplyst. Kursiv = tilnærmet tal.",
    )
    ws.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{max(last_row, 2)}"
    ws.freeze_panes = "B3"
    _page_setup(ws, ctx.plan, "1:2")


# ---- Grænseværdier -------------------------------------------------------------------------------


def _sheet_graenser(ws: Worksheet, ctx: PlanContext) -> None:
    result = ctx.result
    columns = [
        _Col("Liste", 20),
        _Col("Kriterium", 30, wrap=True),
        _Col("Operator", 9),
        _Col("Grænseværdi (pct.)", 11),
        _Col("Befolkningsgruppe", 22, wrap=True),
        _Col("Lovens formulering", 60, wrap=True),
        _Col("Bemærkning til grænseværdien", 40, wrap=True),
        _Col("Hjemmel", 20, wrap=True),
        _Col("Kilde", 40, wrap=True),
        _Col("Kildens sikkerhed", 18, wrap=True),
        _Col("Listens hjemmel", 28, wrap=True),
    ]
    _setup_columns(ws, columns)
    _header_row(ws, 1, [c.header for c in columns])
    seen: dict[str, tuple[str, Citation, list[CriterionResult]]] = {}
    for unit in result.units:
        for name, list_result in unit.lists.items():
            entry = seen.setdefault(name, (list_result.label, list_result.citation, []))
            keys = {c.key for c in entry[2]}
            entry[2].extend(c for c in list_result.criteria if c.key not in keys)
    row = 1
    for label, list_citation, criteria in seen.values():
        for c in criteria:
            row += 1
            _put(ws, row, 1, label)
            _put(ws, row, 2, c.label, wrap=True)
            _put(ws, row, 3, c.operator.symbol).alignment = Alignment(horizontal="center", vertical="top")
            _put(ws, row, 4, _excel_number(c.threshold), _threshold_format(c.measure, c.threshold))
            _put(ws, row, 5, c.population, wrap=True)
            _put(ws, row, 6, c.wording, wrap=True)
            _put(ws, row, 7, c.threshold_note, wrap=True)
            _put(ws, row, 8, c.citation.paragraph, wrap=True)
            source = _put(ws, row, 9, c.citation.title, wrap=True)
            if c.citation.url:
                source.hyperlink = c.citation.url
                source.font = _LINK_FONT
            _put(ws, row, 10, CERTAINTY_DA.get(c.citation.certainty, c.citation.certainty), wrap=True)
            _put(ws, row, 11, list_citation.short_da, wrap=True)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(row, 1)}"
    ws.freeze_panes = "C2"
    _page_setup(ws, ctx.plan, "1:1")


# ---- Kilder og noter -----------------------------------------------------------------------------


def _date_da(value: date) -> str:
    return f"{value.day}. {MONTHS_DA[value.month - 1]} {value.year}"


def _sheet_kilder(ws: Worksheet, ctx: PlanContext, rows: Sequence[_Row], generated: date) -> None:
    result = ctx.result
    plan = ctx.plan
    columns = [_Col("Emne", 30), _Col("Oplysning", 100, wrap=True), _Col("Link", 50)]
    _setup_columns(ws, columns)
    _header_row(ws, 1, [c.header for c in columns], height=22)
    entries: list[tuple[str, CellValue, str | None, str | None]] = []  # topic, value, format, link

    def section(title: str) -> None:
        entries.append(("§" + title, None, None, None))

    def add(topic: str, value: CellValue, fmt: str | None = None, link: str | None = None) -> None:
        entries.append((topic, value, fmt, link))

    section("Planen")
    add("Helhedsplan", plan.navn)
    add("Kommune", plan.kommune)
    add("Ansøger", plan.ansoeger)
    add("Periode", f"{_date_da(plan.periode.start)} – {_date_da(plan.periode.slut)}")
    if plan.noegletal:
        add("Nøgletalsfil", plan.noegletal)
    if plan.beboere_dato is not None:
        add("Beboere opgjort pr.", _date_da(plan.beboere_dato))

    section("Lovgrundlag")
    add("Listeår", result.list_year, FMT_YEAR)
    add("Regelsæt", f"{result.rule_set} (parameterfil {result.rule_set_file})")
    add("Krav til et boligområde", f"Mindst {number(result.min_residents, 0)} beboere.")
    for multiple, (threshold, citation) in sorted(result.conviction_thresholds.items(), reverse=True):
        add(
            f"Dømte, {multiple} × landsgennemsnittet",
            f"{short_number(threshold)} pct. Kilde: {citation.title}, {citation.paragraph}. "
            f"Kildens sikkerhed: {CERTAINTY_DA.get(citation.certainty, citation.certainty)}.",
            link=citation.url or None,
        )
    for note in result.notes:
        add("Bemærkning", note)

    section("Læsevejledning")
    approx_units = [r.result.name for r in rows if r.result.approximate]
    approx_notes = list(dict.fromkeys(n for r in rows if r.result.approximate for n in r.result.notes))
    if approx_units:
        add(
            "Tilnærmede tal",
            f"Gælder {_join_da(approx_units)}. "
            + (" ".join(approx_notes) or "Beboervægtede gennemsnit af afdelingernes procenter.")
            + ' Tallene er vist med "~" foran og i kursiv.',
        )
    else:
        add("Tilnærmede tal", "Ingen: alle tal er afdelingernes egne eller beregnet af tællere og nævnere.")
    add(
        "Ikke oplyste tal",
        f'"{SUPPRESSED}" betyder, at tallet ikke er oplyst (diskretioneret eller ikke offentliggjort). '
        "Et kriterium med et ukendt tal er hverken opfyldt eller ikke opfyldt, og en listestatus er "
        '"ubestemt", når de ukendte tal kan ændre udfaldet.',
    )
    add(
        "Talformat",
        "Tallene er gemt som tal og vises med to eller én decimal; Excel viser dem med dansk "
        "tusindtalsseparator og decimalkomma, når Excel kører med dansk sprogindstilling.",
    )
    add(
        "Farver i Listestatus",
        "Rød: kriteriet er opfyldt eller enheden er på listen. Gul: tæt på grænseværdien (mindre end "
        f"{number(100 * NEAR_MISS_SHARE, 0)} % af grænseværdien fra den). Grå: ubestemt.",
    )
    add("Som område", "Status, hvis enheden blev vurderet som et boligområde uden krav om antal beboere.")

    section("Dannelse")
    add("Dannet", generated, FMT_DATE)
    add("Dannet af", "boligsocial")

    row = 1
    for topic, value, fmt, link in entries:
        row += 1
        if topic.startswith("§"):
            row += 1 if row > 2 else 0
            ws.cell(row=row, column=1, value=topic[1:]).font = _SECTION_FONT
            continue
        _put(ws, row, 1, topic)
        cell = _put(ws, row, 2, value, fmt, wrap=True)
        if isinstance(value, int | date):
            cell.alignment = Alignment(horizontal="left", vertical="top")
        if link:
            link_cell = _put(ws, row, 3, link)
            link_cell.hyperlink = link
            link_cell.font = _LINK_FONT
    ws.freeze_panes = "A2"
    _page_setup(ws, plan, "1:1")


# ---- writing -------------------------------------------------------------------------------------


def _cached_value_replacement(value: int | float) -> Callable[[re.Match[str]], str]:
    return lambda match: f"{match.group(1)}<v>{value!r}</v>"


def _with_cached_values(data: bytes, workbook: Workbook, cached: _Cached) -> bytes:
    """Put the computed values of formula cells into the saved file (`<v>` after `<f>`)."""
    if not cached.values:
        return data
    parts = {
        f"xl/worksheets/sheet{index}.xml": cached.values[ws.title]
        for index, ws in enumerate(workbook.worksheets, start=1)
        if ws.title in cached.values
    }
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename in parts:
                text = content.decode("utf-8")
                for coordinate, value in parts[info.filename].items():
                    pattern = re.compile(rf'(<c r="{coordinate}"[^>]*>\s*<f>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?')
                    text, count = pattern.subn(_cached_value_replacement(value), text, count=1)
                    if count != 1:
                        raise RuntimeError(f"formula cell {coordinate} not found in {info.filename}")
                content = text.encode("utf-8")
            target.writestr(info, content)
    return out.getvalue()


def _workbook(ctx: PlanContext, generated: date) -> tuple[Workbook, _Cached]:
    workbook = Workbook()
    rows = _rows(ctx)
    cached = _Cached()
    sheets = {name: (workbook.active if i == 0 else workbook.create_sheet()) for i, name in enumerate(SHEET_NAMES)}
    for name, ws in sheets.items():
        ws.title = name
    _sheet_stamdata(sheets[SHEET_STAMDATA], ctx, cached)
    _sheet_noegletal(sheets[SHEET_NOEGLETAL], ctx, rows)
    _sheet_listestatus(sheets[SHEET_LISTESTATUS], ctx, rows)
    _sheet_graenser(sheets[SHEET_GRAENSER], ctx)
    _sheet_kilder(sheets[SHEET_KILDER], ctx, rows, generated)
    workbook.properties.title = f"{ctx.plan.navn}: bilag med nøgletal, listeår {ctx.list_year}"
    workbook.properties.creator = "boligsocial"
    workbook.properties.language = "da-DK"
    return workbook, cached


def annex_bytes(ctx: PlanContext, *, generated: date | None = None) -> bytes:
    """The annex workbook as bytes (what `write_annex` writes)."""
    workbook, cached = _workbook(ctx, generated or date.today())
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _with_cached_values(buffer.getvalue(), workbook, cached)


def write_annex(ctx: PlanContext, path: Path, *, generated: date | None = None) -> None:
    """Write the key-figure annex to `path` (normally `bilag-noegletal.xlsx`), atomically: nothing
    at `path` is replaced unless the whole workbook was written. `generated` is the date shown as
    the generation date (default: today)."""
    data = annex_bytes(ctx, generated=generated)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with temporary.open("wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)

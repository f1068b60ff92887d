"""The annex's **Listestatus** sheet: per unit the status on each list for the list year, the
status it would have as an area (without the resident minimum) and each criterion's margin in
percentage points, with conditional fills for met criteria and near misses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from openpyxl.formatting.rule import FormulaRule  # type: ignore[import-untyped]
from openpyxl.styles import PatternFill  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from boligsocial.danish import number, short_number
from boligsocial.law.parameters import Operator
from boligsocial.law.verdicts import UnitResult
from boligsocial.law.vocabulary import MEASURE_SHORT_DA, STATUS_WORD_DA
from boligsocial.plan.assessment import PlanAssessment
from boligsocial.reports.annex.cells import (
    APPROX_FONT,
    FMT_COUNT,
    GROUP_FILL,
    HEADER_ALIGN,
    HEADER_FONT,
    SUPPRESSED,
    Col,
    excel_number,
    header_row,
    margin_format,
    page_setup,
    put,
    put_suppressed,
    setup_columns,
)
from boligsocial.reports.annex.units import (
    AnnexRow,
    CriterionColumn,
    criterion_columns,
    criterion_for,
    kind_da,
    list_labels,
    residents_header,
    status_text,
)

__all__ = ["NEAR_MISS_SHARE", "sheet_listestatus"]

NEAR_MISS_SHARE: Final = Fraction(1, 10)
"""A criterion not met is a near miss when the value is within this share of the threshold from it
(10 %: 3 pp at a 30 pct. threshold, 0.145 pp at 1.45 pct. dømte)."""

_FILL_MET = PatternFill("solid", fgColor="F8CBAD", bgColor="F8CBAD")
_FILL_NEAR = PatternFill("solid", fgColor="FFE699", bgColor="FFE699")
_FILL_UNKNOWN = PatternFill("solid", fgColor="D9D9D9", bgColor="D9D9D9")

_FIRST_ROW = 3  # below the two header rows


@dataclass(frozen=True)
class _Layout:
    """The sheet's columns: five fixed ones, the statuses, the statuses as an area, the margins;
    `*_start` is the 1-based column where a group begins."""

    labels: dict[str, str]  # reported list name -> the list year's label, in column order
    criteria: list[CriterionColumn]
    minimum: str  # the resident minimum of a boligområde, written
    columns: list[Col]
    status_start: int
    area_start: int
    criteria_start: int

    @property
    def list_names(self) -> list[str]:
        return list(self.labels)


def _limit(threshold: Fraction | None) -> str:
    """A criterion's threshold in a column header; "ukendt" for a multiple of an unknown average."""
    return "ukendt" if threshold is None else short_number(threshold)


def _layout(ctx: PlanAssessment) -> _Layout:
    result = ctx.require_result()
    labels = list_labels(result)
    criteria = criterion_columns(result)
    minimum = number(result.min_residents, 0)
    fixed = [
        Col("Afdeling / område", 26),
        Col("Type", 10),
        Col("Boligorganisation", 20),
        Col(residents_header(ctx.plan), 11),
        Col(f"Mindst {minimum} beboere", 11),
    ]
    status_cols = [Col(labels[n], 14) for n in labels] + [Col("På mindst én liste", 12)]
    area_cols = [Col(labels[n], 14) for n in labels]
    criterion_cols = [
        Col(f"{MEASURE_SHORT_DA[c.measure]} {c.operator.symbol} {_limit(c.threshold)}", 12) for c in criteria
    ]
    status_start = len(fixed) + 1
    area_start = status_start + len(status_cols)
    return _Layout(
        labels=labels,
        criteria=criteria,
        minimum=minimum,
        columns=fixed + status_cols + area_cols + criterion_cols,
        status_start=status_start,
        area_start=area_start,
        criteria_start=area_start + len(area_cols),
    )


def _groups(items: Sequence[tuple[str, ...]]) -> list[tuple[tuple[str, ...], int, int]]:
    """Runs of equal items: (item, first index, last index)."""
    runs: list[tuple[tuple[str, ...], int, int]] = []
    for index, item in enumerate(items):
        if runs and runs[-1][0] == item:
            runs[-1] = (item, runs[-1][1], index)
        else:
            runs.append((item, index, index))
    return runs


def _column_groups(layout: _Layout, list_year: int) -> list[tuple[str, int, int]]:
    """The first header row's groups: (text, first column, last column)."""
    groups: list[tuple[str, int, int]] = [
        ("", 1, layout.status_start - 1),
        (f"Status, listeår {list_year}", layout.status_start, layout.area_start - 1),
        (f"Som område (uden krav om {layout.minimum} beboere)", layout.area_start, layout.criteria_start - 1),
    ]
    for lists, first, last in _groups([c.lists for c in layout.criteria]):
        names = ", ".join(layout.labels[n].lower() for n in lists)
        groups.append(
            (
                f"Afstand til grænseværdien i procentpoint ({names})",
                layout.criteria_start + first,
                layout.criteria_start + last,
            )
        )
    return groups


def _headers(ws: Worksheet, layout: _Layout, list_year: int) -> None:
    """Two header rows: groups, then columns."""
    for text, first, last in _column_groups(layout, list_year):
        for column in range(first, last + 1):
            cell = ws.cell(row=1, column=column)
            cell.fill = GROUP_FILL
            cell.font = HEADER_FONT
            cell.alignment = HEADER_ALIGN
        ws.cell(row=1, column=first, value=text or None)
        if last > first:
            ws.merge_cells(start_row=1, start_column=first, end_row=1, end_column=last)
    ws.row_dimensions[1].height = 32
    header_row(ws, 2, [c.header for c in layout.columns], height=46)


def _margins(ws: Worksheet, index: int, unit: UnitResult, layout: _Layout) -> None:
    """Each criterion's margin to its threshold: empty when the unit's lists lack the criterion."""
    for offset, column_def in enumerate(layout.criteria):
        column = layout.criteria_start + offset
        criterion = criterion_for(unit, column_def.key)
        if criterion is None:
            put(ws, index, column, None)
        elif criterion.margin_pp is None:
            put_suppressed(ws, index, column)
        else:
            cell = put(ws, index, column, excel_number(criterion.margin_pp), margin_format(column_def.measure))
            if criterion.approximate:
                cell.font = APPROX_FONT


def _unit_row(ws: Worksheet, index: int, row: AnnexRow, layout: _Layout) -> None:
    unit = row.result
    put(ws, index, 1, unit.name)
    put(ws, index, 2, kind_da(row))
    put(ws, index, 3, row.organisation)
    if unit.residents is None:
        put_suppressed(ws, index, 4)
    else:
        put(ws, index, 4, unit.residents, FMT_COUNT)
    put(ws, index, 5, {True: "ja", False: "nej", None: "ukendt"}[unit.eligible])
    list_names = layout.list_names
    for offset, name in enumerate(list_names):
        list_result = unit.lists.get(name)
        put(ws, index, layout.status_start + offset, status_text(list_result.status) if list_result else None)
    put(ws, index, layout.status_start + len(list_names), status_text(unit.on_any_list))
    for offset, name in enumerate(list_names):
        put(ws, index, layout.area_start + offset, status_text(row.as_area[name]) if name in row.as_area else None)
    _margins(ws, index, unit, layout)


def _conditional_fills(ws: Worksheet, layout: _Layout, last_row: int) -> None:
    first_row = _FIRST_ROW
    # Statuses: on the list ("ja") and undetermined ("ubestemt") are filled; "nej" stays white.
    status_letter = get_column_letter(layout.status_start)
    status_range = f"{status_letter}{first_row}:{get_column_letter(layout.criteria_start - 1)}{last_row}"
    corner = f"{status_letter}{first_row}"
    on_list = FormulaRule(formula=[f'{corner}="{STATUS_WORD_DA[True]}"'], fill=_FILL_MET)
    undetermined = FormulaRule(formula=[f'{corner}="{STATUS_WORD_DA[None]}"'], fill=_FILL_UNKNOWN)
    ws.conditional_formatting.add(status_range, on_list)
    ws.conditional_formatting.add(status_range, undetermined)
    # Margins: met criteria, and near misses (not met, within NEAR_MISS_SHARE of the threshold).
    for offset, column_def in enumerate(layout.criteria):
        letter = get_column_letter(layout.criteria_start + offset)
        cell_range = f"{letter}{first_row}:{letter}{last_row}"
        ref = f"{letter}{first_row}"
        met = f"{ref}>=0" if column_def.operator is Operator.GE else f"{ref}>0"
        if column_def.threshold is None:
            continue  # a multiple of an unknown national average: no margins to colour
        near = float(column_def.threshold * NEAR_MISS_SHARE)
        ws.conditional_formatting.add(
            cell_range, FormulaRule(formula=[f"AND(ISNUMBER({ref}),{met})"], fill=_FILL_MET, stopIfTrue=True)
        )
        ws.conditional_formatting.add(
            cell_range,
            FormulaRule(formula=[f"AND(ISNUMBER({ref}),{ref}>={-near!r})"], fill=_FILL_NEAR, stopIfTrue=True),
        )


def _legend(ws: Worksheet, legend_row: int) -> None:
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


def sheet_listestatus(ws: Worksheet, ctx: PlanAssessment, rows: Sequence[AnnexRow]) -> None:
    layout = _layout(ctx)
    setup_columns(ws, layout.columns)
    _headers(ws, layout, ctx.require_result().list_year)
    for index, row in enumerate(rows, start=_FIRST_ROW):
        _unit_row(ws, index, row, layout)
    last_row = len(rows) + _FIRST_ROW - 1
    if rows:
        _conditional_fills(ws, layout, last_row)
    _legend(ws, last_row + 2)
    ws.auto_filter.ref = f"A2:{get_column_letter(len(layout.columns))}{max(last_row, 2)}"
    ws.freeze_panes = "B3"
    page_setup(ws, ctx.plan, "1:2")

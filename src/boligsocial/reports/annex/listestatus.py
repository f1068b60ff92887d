"""The annex's **Listestatus** sheet: per unit the status on each list for the list year and the
status it would have as an area (without the resident minimum), the lists a unit is on filled.
Each criterion's margin to its threshold is the next sheet's (`margins`): both fit the width of a
landscape A4 page at a readable size, which the 24 columns of one sheet did not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from openpyxl.formatting.rule import FormulaRule  # type: ignore[import-untyped]
from openpyxl.styles import PatternFill  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from boligsocial.danish import number
from boligsocial.law.vocabulary import STATUS_WORD_DA
from boligsocial.plan.assessment import PlanAssessment
from boligsocial.reports.annex.cells import (
    CENTER_TOP,
    FMT_COUNT,
    GROUP_FILL,
    HEADER_ALIGN,
    HEADER_FONT,
    Col,
    breakable,
    header_row,
    note,
    page_setup,
    put,
    put_suppressed,
    setup_columns,
)
from boligsocial.reports.annex.units import AnnexRow, list_labels, residents_header, status_text, unit_name

__all__ = [
    "FILL_MET",
    "FILL_NEAR",
    "FILL_UNKNOWN",
    "FIRST_ROW",
    "group_headers",
    "sheet_listestatus",
]

FILL_MET = PatternFill("solid", fgColor="F8CBAD", bgColor="F8CBAD")
FILL_NEAR = PatternFill("solid", fgColor="FFE699", bgColor="FFE699")
FILL_UNKNOWN = PatternFill("solid", fgColor="D9D9D9", bgColor="D9D9D9")

FIRST_ROW: Final = 3  # below the two header rows


@dataclass(frozen=True)
class _Layout:
    """The sheet's columns: four fixed ones, the statuses, the statuses as an area; `*_start` is
    the 1-based column where a group begins."""

    labels: dict[str, str]  # reported list name -> the list year's label, in column order
    minimum: str  # the resident minimum of a boligområde, written
    columns: list[Col]
    status_start: int
    area_start: int

    @property
    def list_names(self) -> list[str]:
        return list(self.labels)


def _layout(ctx: PlanAssessment) -> _Layout:
    result = ctx.require_result()
    labels = list_labels(result)
    minimum = number(result.min_residents, 0)
    fixed = [
        Col("Afdeling / område", 24),
        Col("Boligorganisation", 19),
        Col(residents_header(ctx.plan), 10),
        Col(f"Mindst {minimum} beboere", 10),
    ]
    # As narrow as their headers allow: the sheet is fitted to the page width.
    status_cols = [Col(breakable(labels[n]), 9) for n in labels] + [Col("På mindst én liste", 10)]
    area_cols = [Col(breakable(labels[n]), 9) for n in labels]
    status_start = len(fixed) + 1
    return _Layout(
        labels=labels,
        minimum=minimum,
        columns=fixed + status_cols + area_cols,
        status_start=status_start,
        area_start=status_start + len(status_cols),
    )


def group_headers(ws: Worksheet, groups: Sequence[tuple[str, int, int]], columns: Sequence[Col]) -> None:
    """Two header rows: the groups (text, first column, last column), merged, then the columns."""
    for text, first, last in groups:
        for column in range(first, last + 1):
            cell = ws.cell(row=1, column=column)
            cell.fill = GROUP_FILL
            cell.font = HEADER_FONT
            cell.alignment = HEADER_ALIGN
        ws.cell(row=1, column=first, value=text or None)
        if last > first:
            ws.merge_cells(start_row=1, start_column=first, end_row=1, end_column=last)
    ws.row_dimensions[1].height = 32
    header_row(ws, 2, [c.header for c in columns], height=32)


def _status(ws: Worksheet, row: int, column: int, text: str | None) -> None:
    put(ws, row, column, text).alignment = CENTER_TOP


def _unit_row(ws: Worksheet, index: int, row: AnnexRow, layout: _Layout) -> None:
    unit = row.result
    put(ws, index, 1, unit_name(row))
    put(ws, index, 2, row.organisation)
    if unit.residents is None:
        put_suppressed(ws, index, 3)
    else:
        put(ws, index, 3, unit.residents, FMT_COUNT)
    _status(ws, index, 4, {True: "ja", False: None, None: "ukendt"}[unit.eligible])
    list_names = layout.list_names
    for offset, name in enumerate(list_names):
        list_result = unit.lists.get(name)
        _status(ws, index, layout.status_start + offset, status_text(list_result.status) if list_result else None)
    _status(ws, index, layout.status_start + len(list_names), status_text(unit.on_any_list))
    for offset, name in enumerate(list_names):
        _status(ws, index, layout.area_start + offset, status_text(row.as_area[name]) if name in row.as_area else None)


def _conditional_fills(ws: Worksheet, layout: _Layout, last_row: int) -> None:
    # Statuses: on the list ("ja") and undetermined ("ubestemt") are filled.
    status_letter = get_column_letter(layout.status_start)
    status_range = f"{status_letter}{FIRST_ROW}:{get_column_letter(len(layout.columns))}{last_row}"
    corner = f"{status_letter}{FIRST_ROW}"
    on_list = FormulaRule(formula=[f'{corner}="{STATUS_WORD_DA[True]}"'], fill=FILL_MET)
    undetermined = FormulaRule(formula=[f'{corner}="{STATUS_WORD_DA[None]}"'], fill=FILL_UNKNOWN)
    ws.conditional_formatting.add(status_range, on_list)
    ws.conditional_formatting.add(status_range, undetermined)


def _legend(ws: Worksheet, legend_row: int, minimum: str, last_column: int) -> None:
    legend = [
        (FILL_MET, "ja: enheden er på listen (som område: ville være det)."),
        (FILL_UNKNOWN, "ubestemt: ukendte (diskretionerede) tal kan ændre udfaldet."),
    ]
    for offset, (fill, text) in enumerate(legend):
        ws.cell(row=legend_row + offset, column=1).fill = PatternFill("solid", fgColor=fill.fgColor.rgb)
        note(ws, legend_row + offset, text, 2, last_column)
    notes = [
        f'Et tomt statusfelt betyder nej; i kolonnen "Mindst {minimum} beboere" har enheden færre beboere. '
        "- = tallet er ikke oplyst.",
        "Afstanden til hver grænseværdi står på næste ark.",
    ]
    for offset, text in enumerate(notes, start=len(legend)):
        note(ws, legend_row + offset, text, 2, last_column)


def sheet_listestatus(ws: Worksheet, ctx: PlanAssessment, rows: Sequence[AnnexRow]) -> None:
    layout = _layout(ctx)
    list_year = ctx.require_result().list_year
    setup_columns(ws, layout.columns)
    group_headers(
        ws,
        [
            ("", 1, layout.status_start - 1),
            (f"Status, listeår {list_year}", layout.status_start, layout.area_start - 1),
            (f"Som område (uden krav om {layout.minimum} beboere)", layout.area_start, len(layout.columns)),
        ],
        layout.columns,
    )
    for index, row in enumerate(rows, start=FIRST_ROW):
        _unit_row(ws, index, row, layout)
    last_row = len(rows) + FIRST_ROW - 1
    if rows:
        _conditional_fills(ws, layout, last_row)
    _legend(ws, last_row + 2, layout.minimum, len(layout.columns))
    ws.auto_filter.ref = f"A2:{get_column_letter(len(layout.columns))}{max(last_row, 2)}"
    ws.freeze_panes = "B3"
    page_setup(ws, ctx.plan, "1:2")

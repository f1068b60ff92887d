"""The annex's **Afstand til grænser** sheet: per unit each criterion's margin to its threshold in
percentage points, positive when the criterion is met, with conditional fills for met criteria and
near misses. The statuses these margins decide are on the Listestatus sheet before it."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from openpyxl.formatting.rule import FormulaRule  # type: ignore[import-untyped]
from openpyxl.styles import PatternFill  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from boligsocial.danish import short_number
from boligsocial.law.closeness import near_text_da, near_width
from boligsocial.law.parameters import Operator
from boligsocial.law.verdicts import UnitResult
from boligsocial.law.vocabulary import MEASURE_SHORT_DA
from boligsocial.plan.assessment import PlanAssessment
from boligsocial.reports.annex.cells import (
    APPROX_FONT,
    SUPPRESSED,
    Col,
    excel_number,
    header_width,
    margin_format,
    note,
    page_setup,
    put,
    put_suppressed,
    setup_columns,
)
from boligsocial.reports.annex.listestatus import (
    FILL_MET,
    FILL_NEAR,
    FIRST_ROW,
    group_headers,
)
from boligsocial.reports.annex.units import (
    AnnexRow,
    CriterionColumn,
    criterion_columns,
    criterion_for,
    list_labels,
    unit_name,
)

__all__ = ["sheet_afstande"]

_FIXED = 2  # name and organisation


def _limit(threshold: Fraction | None) -> str:
    """A criterion's threshold in a column header; "ukendt" for a multiple of an unknown average."""
    return "ukendt" if threshold is None else short_number(threshold)


def _runs(criteria: Sequence[CriterionColumn]) -> list[tuple[tuple[str, ...], int, int]]:
    """Runs of criteria used by the same lists: (lists, first index, last index)."""
    runs: list[tuple[tuple[str, ...], int, int]] = []
    for index, criterion in enumerate(criteria):
        if runs and runs[-1][0] == criterion.lists:
            runs[-1] = (criterion.lists, runs[-1][1], index)
        else:
            runs.append((criterion.lists, index, index))
    return runs


def _groups(criteria: Sequence[CriterionColumn], labels: dict[str, str]) -> list[tuple[str, int, int]]:
    """The first header row: what the numbers are over the names, then the lists each run of
    criteria belongs to."""
    groups: list[tuple[str, int, int]] = [("Afstand til grænseværdien i procentpoint", 1, _FIXED)]
    for lists, first, last in _runs(criteria):
        names = ", ".join(labels[n] if i == 0 else labels[n].lower() for i, n in enumerate(lists))
        groups.append((names, _FIXED + 1 + first, _FIXED + 1 + last))
    return groups


def _widened(columns: list[Col], groups: Sequence[tuple[str, int, int]]) -> list[Col]:
    """A group header over one column must not break inside a word either: widen that column."""
    out = list(columns)
    for text, first, last in groups:
        if first == last:
            col = out[first - 1]
            out[first - 1] = Col(col.header, max(col.width, header_width(text)), col.wrap)
    return out


def _margins(ws: Worksheet, index: int, unit: UnitResult, criteria: Sequence[CriterionColumn]) -> None:
    """Each criterion's margin to its threshold: empty when the unit's lists lack the criterion."""
    for offset, column_def in enumerate(criteria):
        column = _FIXED + 1 + offset
        criterion = criterion_for(unit, column_def.key)
        if criterion is None:
            put(ws, index, column, None)
        elif criterion.margin_pp is None:
            put_suppressed(ws, index, column)
        else:
            cell = put(ws, index, column, excel_number(criterion.margin_pp), margin_format(column_def.measure))
            if criterion.approximate:
                cell.font = APPROX_FONT


def _conditional_fills(ws: Worksheet, criteria: Sequence[CriterionColumn], last_row: int) -> None:
    """Met criteria, and near misses: not met, within the measure's closeness width of the threshold
    (law/closeness.py, the same widths as the web app's "tæt på grænsen")."""
    for offset, column_def in enumerate(criteria):
        if column_def.threshold is None:
            continue  # a multiple of an unknown national average: no margins to colour
        letter = get_column_letter(_FIXED + 1 + offset)
        cell_range = f"{letter}{FIRST_ROW}:{letter}{last_row}"
        ref = f"{letter}{FIRST_ROW}"
        met = f"{ref}>=0" if column_def.operator is Operator.GE else f"{ref}>0"
        near = float(near_width(column_def.measure))
        ws.conditional_formatting.add(
            cell_range, FormulaRule(formula=[f"AND(ISNUMBER({ref}),{met})"], fill=FILL_MET, stopIfTrue=True)
        )
        ws.conditional_formatting.add(
            cell_range,
            FormulaRule(formula=[f"AND(ISNUMBER({ref}),{ref}>={-near!r})"], fill=FILL_NEAR, stopIfTrue=True),
        )


def _legend(ws: Worksheet, legend_row: int, last_column: int) -> None:
    legend = [
        (FILL_MET, "Kriteriet er opfyldt."),
        (FILL_NEAR, f"Tæt på: ikke opfyldt, men {near_text_da()}."),
    ]
    for offset, (fill, text) in enumerate(legend):
        ws.cell(row=legend_row + offset, column=1).fill = PatternFill("solid", fgColor=fill.fgColor.rgb)
        note(ws, legend_row + offset, text, 2, last_column)
    note(
        ws,
        legend_row + len(legend),
        "Afstanden er positiv, når kriteriet er opfyldt, og negativ, når det ikke er; "
        f"{SUPPRESSED} = tallet er ikke oplyst. Kursiv = tilnærmet tal.",
        2,
        last_column,
    )


def sheet_afstande(ws: Worksheet, ctx: PlanAssessment, rows: Sequence[AnnexRow]) -> None:
    result = ctx.require_result()
    criteria = criterion_columns(result)
    columns = [
        Col("Afdeling / område", 27),
        Col("Boligorganisation", 19),
        *(Col(f"{MEASURE_SHORT_DA[c.measure]} {c.operator.symbol} {_limit(c.threshold)}", 11) for c in criteria),
    ]
    groups = _groups(criteria, list_labels(result))
    columns = _widened(columns, groups)
    setup_columns(ws, columns)
    group_headers(ws, groups, columns)
    for index, row in enumerate(rows, start=FIRST_ROW):
        put(ws, index, 1, unit_name(row))
        put(ws, index, 2, row.organisation)
        _margins(ws, index, row.result, criteria)
    last_row = len(rows) + FIRST_ROW - 1
    if rows:
        _conditional_fills(ws, criteria, last_row)
    _legend(ws, last_row + 2, len(columns))
    ws.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{max(last_row, 2)}"
    ws.freeze_panes = "C3"
    page_setup(ws, ctx.plan, "1:2")

"""The annex's sheets on the plan's units: **Stamdata** (the plan's afdelinger with dwelling totals)
and **Nøgletal** (residents and the five criteria values per afdeling and område)."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.comments import Comment  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from boligsocial.danish import number
from boligsocial.law.figures import Measure
from boligsocial.law.vocabulary import MEASURE_LABELS_DA
from boligsocial.plan.assessment import PlanAssessment
from boligsocial.plan.model import Afdeling, AfdelingStatus, Helhedsplan
from boligsocial.reports.annex.cells import (
    APPROX_FONT,
    CENTER_TOP,
    FMT_COUNT,
    TOTAL_BORDER,
    TOTAL_FONT,
    WRAP_TOP,
    Cached,
    Col,
    excel_number,
    header_row,
    note,
    page_setup,
    put,
    put_suppressed,
    setup_columns,
    share_format,
)
from boligsocial.reports.annex.units import AnnexRow, residents_header, unit_name
from boligsocial.reports.wording import join_da

__all__ = ["sheet_noegletal", "sheet_stamdata"]

# ---- Stamdata ------------------------------------------------------------------------------------


def _omraade_of(plan: Helhedsplan, afdeling: Afdeling) -> str | None:
    for omraade in plan.omraader:
        if any(member is afdeling for member in plan.omraade_afdelinger(omraade)):
            return omraade.navn
    return None


def _condition_marks(plan: Helhedsplan) -> dict[str, str]:
    """Each distinct condition of a conditional afdeling -> its mark ("*", "**", ...): the text is
    written once under the table, not in each of the (often many) rows it applies to."""
    marks: dict[str, str] = {}
    for afdeling in plan.afdelinger_betinget:
        marks.setdefault((afdeling.betingelse or "").strip(), "*" * (len(marks) + 1))
    return marks


def _condition_notes(ws: Worksheet, row: int, marks: dict[str, str], last_column: int) -> None:
    for condition, mark in marks.items():
        row += 1
        text = condition or "betingelsen er ikke angivet i planen."
        note(ws, row, f"{mark} Betinget deltagelse: {text}", 1, last_column)


def sheet_stamdata(ws: Worksheet, ctx: PlanAssessment, cached: Cached) -> None:
    plan = ctx.plan
    columns = [
        Col("Boligorganisation", 22),
        Col("Afdeling", 26),
        Col("Afd.nr.", 8),
        Col("Boliger", 10),
        Col("Boligområde", 18),
        Col("Status i planen", 20),
        Col("Betingelse", 11),
    ]
    setup_columns(ws, columns)
    header_row(ws, 1, [c.header for c in columns])
    marks = _condition_marks(plan)
    row = 1
    for afdeling in plan.afdelinger:
        row += 1
        org = plan.find_boligorganisation(afdeling.boligorganisation)
        put(ws, row, 1, org.navn if org is not None else afdeling.boligorganisation)
        put(ws, row, 2, afdeling.navn)
        put(ws, row, 3, afdeling.afdelingsnummer)
        put(ws, row, 4, afdeling.boliger, FMT_COUNT)
        put(ws, row, 5, _omraade_of(plan, afdeling))
        put(ws, row, 6, afdeling.status.label)
        put(ws, row, 7, marks[(afdeling.betingelse or "").strip()] if afdeling.betinget else None)
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
        label_cell.font = TOTAL_FONT
        label_cell.alignment = WRAP_TOP  # column D holds the sum: the label cannot run into it
        cell = ws.cell(row=row, column=4, value=formula)
        cell.number_format = FMT_COUNT
        cell.font = TOTAL_FONT
        cached.add(ws, cell.coordinate, value)
        if label is totals[0][0]:
            for column in range(1, len(columns) + 1):
                ws.cell(row=row, column=column).border = TOTAL_BORDER
    _condition_notes(ws, row + 1, marks, len(columns))
    ws.freeze_panes = "C2"
    page_setup(ws, plan, "1:1")


# ---- Nøgletal ------------------------------------------------------------------------------------


def _measure_header(measure: Measure) -> str:
    label = MEASURE_LABELS_DA[measure]
    return label if "pct." in label else f"{label} (pct.)"


def _row_note(row: AnnexRow) -> str | None:
    """What only this row needs said: an area's members, the evaluation's notes on the unit. A
    suppressed figure shows as "-" in its cell and a conditional afdeling is marked in Stamdata,
    so neither is repeated here."""
    parts: list[str] = []
    if row.is_area and row.result.members:
        parts.append("Området består af " + join_da(row.result.members) + ".")
    parts.extend(row.result.notes)
    return " ".join(parts) or None


def sheet_noegletal(ws: Worksheet, ctx: PlanAssessment, rows: Sequence[AnnexRow]) -> None:
    columns = [
        Col("Afdeling / område", 24),
        Col("Boligorganisation", 19),
        Col("Boligområde", 16),
        Col(residents_header(ctx.plan), 10),
        *(Col(_measure_header(m), 12) for m in Measure),  # as wide as their longest word
        Col("Tilnærmet", 10),
        Col("Note", 40, wrap=True),
    ]
    setup_columns(ws, columns)
    header_row(ws, 1, [c.header for c in columns], height=48)
    approx_column = 5 + len(Measure)
    for index, row in enumerate(rows, start=2):
        unit = row.result
        put(ws, index, 1, unit_name(row))
        put(ws, index, 2, row.organisation)
        put(ws, index, 3, unit.omraade if not row.is_area else None)
        residents = unit.residents if row.figures is None else row.figures.residents
        if residents is None:
            put_suppressed(ws, index, 4)
        else:
            put(ws, index, 4, residents, FMT_COUNT)
        approximate = False
        for offset, measure in enumerate(Measure):
            column = 5 + offset
            measurement = row.measurement(measure)
            if measurement.value is None:
                put_suppressed(ws, index, column)
                continue
            cell = put(
                ws, index, column, excel_number(measurement.value), share_format(measure, measurement.approximate)
            )
            if measurement.approximate:
                approximate = True
                cell.font = APPROX_FONT
        flag = put(ws, index, approx_column, "ja" if approximate else None)
        flag.alignment = CENTER_TOP
        if approximate:
            flag.comment = Comment(
                "Tilnærmede tal (~): "
                + (" ".join(unit.notes) or "beboervægtede gennemsnit af afdelingernes procenter."),
                "boligsocial",
                width=320,
                height=110,
            )
        put(ws, index, approx_column + 1, _row_note(row), wrap=True)
    last = len(rows) + 1
    note(ws, last + 2, '- = tallet er ikke oplyst (diskretioneret). Tilnærmet "ja": ~ foran tallet.', 1, len(columns))
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(last, 1)}"
    ws.freeze_panes = "B2"
    page_setup(ws, ctx.plan, "1:1")

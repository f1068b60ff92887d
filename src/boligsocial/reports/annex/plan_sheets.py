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
    FMT_COUNT,
    TOTAL_BORDER,
    TOTAL_FONT,
    Cached,
    Col,
    excel_number,
    header_row,
    page_setup,
    put,
    put_suppressed,
    setup_columns,
    share_format,
)
from boligsocial.reports.annex.units import AnnexRow, kind_da, residents_header
from boligsocial.reports.wording import join_da

__all__ = ["sheet_noegletal", "sheet_stamdata"]

# ---- Stamdata ------------------------------------------------------------------------------------


def _omraade_of(plan: Helhedsplan, afdeling: Afdeling) -> str | None:
    for omraade in plan.omraader:
        if any(member is afdeling for member in plan.omraade_afdelinger(omraade)):
            return omraade.navn
    return None


def sheet_stamdata(ws: Worksheet, ctx: PlanAssessment, cached: Cached) -> None:
    plan = ctx.plan
    columns = [
        Col("Boligorganisation", 22),
        Col("Afdeling", 26),
        Col("Afdelingsnummer", 10),
        Col("Boliger", 10),
        Col("Boligområde", 18),
        Col("Status i planen", 20),
        Col("Betingelse", 90, wrap=True),
    ]
    setup_columns(ws, columns)
    header_row(ws, 1, [c.header for c in columns])
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
        put(ws, row, 7, afdeling.betingelse if afdeling.betinget else None, wrap=True)
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
        cell = ws.cell(row=row, column=4, value=formula)
        cell.number_format = FMT_COUNT
        cell.font = TOTAL_FONT
        cached.add(ws, cell.coordinate, value)
        if label is totals[0][0]:
            for column in range(1, len(columns) + 1):
                ws.cell(row=row, column=column).border = TOTAL_BORDER
    ws.freeze_panes = "C2"
    page_setup(ws, plan, "1:1")


# ---- Nøgletal ------------------------------------------------------------------------------------


def _measure_header(measure: Measure) -> str:
    label = MEASURE_LABELS_DA[measure]
    return label if "pct." in label else f"{label} (pct.)"


def _row_note(row: AnnexRow) -> str | None:
    parts: list[str] = []
    if row.is_area and row.result.members:
        parts.append("Området består af " + join_da(row.result.members) + ".")
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


def sheet_noegletal(ws: Worksheet, ctx: PlanAssessment, rows: Sequence[AnnexRow]) -> None:
    columns = [
        Col("Afdeling / område", 26),
        Col("Type", 10),
        Col("Boligorganisation", 20),
        Col("Boligområde", 18),
        Col(residents_header(ctx.plan), 11),
        *(Col(_measure_header(m), 15) for m in Measure),
        Col("Tilnærmet", 10),
        Col("Note", 60, wrap=True),
    ]
    setup_columns(ws, columns)
    header_row(ws, 1, [c.header for c in columns], height=48)
    approx_column = 6 + len(Measure)
    for index, row in enumerate(rows, start=2):
        unit = row.result
        put(ws, index, 1, unit.name)
        put(ws, index, 2, kind_da(row))
        put(ws, index, 3, row.organisation)
        put(ws, index, 4, unit.omraade if not row.is_area else None)
        residents = unit.residents if row.figures is None else row.figures.residents
        if residents is None:
            put_suppressed(ws, index, 5)
        else:
            put(ws, index, 5, residents, FMT_COUNT)
        approximate = False
        for offset, measure in enumerate(Measure):
            column = 6 + offset
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
        flag = put(ws, index, approx_column, "ja" if approximate else "nej")
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
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(last, 1)}"
    ws.freeze_panes = "B2"
    page_setup(ws, ctx.plan, "1:1")

"""Render a list-year result as the Danish `check` table, and as CSV.

The table shows each unit's five values, marked with the lists whose threshold the value meets,
each list's status, and below it one explanation per unit: why it is (or may be) on a list, and
the smallest single change that would move it on or off.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from boligsocial.danish import number, short_number
from boligsocial.law.figures import Measure
from boligsocial.law.verdicts import CriterionResult, ListYearResult, UnitResult, Verdict
from boligsocial.law.vocabulary import (
    LIST_COLUMN_DA,
    LIST_MARK,
    MARKED_LISTS,
    MEASURE_DIGITS,
    MEASURE_SHORT_DA,
    STATUS_MARK_DA,
    STATUS_WORD_DA,
    list_era_names_da,
)


def _criteria_by_measure(unit: UnitResult) -> dict[Measure, list[tuple[str, CriterionResult]]]:
    """Every criterion shown for the unit, with the list that uses it first, grouped by measure."""
    seen: set[str] = set()
    grouped: dict[Measure, list[tuple[str, CriterionResult]]] = {m: [] for m in Measure}
    for reported, result in unit.lists.items():
        for c in result.criteria:
            if c.key not in seen:
                seen.add(c.key)
                grouped[c.measure].append((reported, c))
    return grouped


def _value_cell(unit: UnitResult, measure: Measure) -> str:
    criteria = _criteria_by_measure(unit)[measure]
    value = next((c.value for _, c in criteria), None)
    if value is None:
        return "-"
    marks = "".join(LIST_MARK[reported] for reported, c in criteria if c.verdict is Verdict.MET)
    approx = "~" if any(c.approximate for _, c in criteria) else ""
    return f"{approx}{number(value, MEASURE_DIGITS[measure])} {marks}".rstrip()


def _unit_label(unit: UnitResult) -> str:
    if unit.kind == "omraade":
        return f"{unit.name} (område)"
    return f"{unit.name} ({unit.boligorganisation})" if unit.boligorganisation else unit.name


def _explanations(unit: UnitResult) -> list[str]:
    lines: list[str] = []
    for result in unit.lists.values():
        if result.status is False and result.flip is None:
            continue
        head = f"{result.label}: {STATUS_WORD_DA[result.status]}"
        detail = "; ".join(result.reasons)
        if result.status is False and result.flip is not None:
            lines.append(f"  {head}. {result.flip.text}.")
            continue
        line = f"  {head} ({detail})."
        if result.flip is not None:
            line += f" {result.flip.text}."
        lines.append(line)
    return lines


def _below_minimum(unit: UnitResult, minimum: int) -> str:
    line = f"Under {number(minimum, 0)} beboere: ikke et boligområde efter loven."
    if unit.as_area is None:
        return line
    listed = [list_era_names_da(n) for n, s in unit.as_area.items() if s is True]
    maybe = [list_era_names_da(n) for n, s in unit.as_area.items() if s is None]
    if listed:
        line += f" Med mindst {number(minimum, 0)} beboere ville den være: {', '.join(listed)}."
    elif maybe:
        line += f" Med mindst {number(minimum, 0)} beboere: ubestemt for {', '.join(maybe)}."
    else:
        line += " Den ville heller ikke være på en liste som område."
    return line


def _pad(rows: Iterable[list[str]], right_aligned: set[int]) -> list[str]:
    rows = list(rows)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        cells = [
            c.rjust(w) if i in right_aligned else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    return out


def render_table(result: ListYearResult, title: str | None = None) -> str:
    list_names = list(result.units[0].lists) if result.units else []
    header = (
        ["Enhed", "Type", "Beboere"] + [MEASURE_SHORT_DA[m] for m in Measure] + [LIST_COLUMN_DA[n] for n in list_names]
    )
    rows = [header]
    for unit in result.units:
        rows.append(
            [_unit_label(unit), unit.kind, number(unit.residents, 0)]
            + [_value_cell(unit, m) for m in Measure]
            + [STATUS_MARK_DA[unit.lists[n].status] for n in list_names]
        )
    out = [title or f"Områdelister, listeår {result.list_year}", f"Regelsæt: {result.rule_set}"]
    if result.conviction_thresholds:
        parts = [
            f"{k} × = {short_number(t)} pct."
            for k, (t, _) in sorted(result.conviction_thresholds.items(), reverse=True)
        ]
        sources = sorted({c.title for _, c in result.conviction_thresholds.values()})
        out.append(f"Dømte, landsgennemsnittet: {', '.join(parts)} Kilde: {'; '.join(sources)}")
    out.append("")
    out.extend(_pad(rows, right_aligned={2}))
    out.append("")
    legend = ", ".join(f"{LIST_MARK[n]} = {list_era_names_da(n)}" for n in list_names if n in MARKED_LISTS)
    out.append(f"Mærker ved tallene: tallet opfylder kriteriet for {legend}.")
    out.append("~ = tilnærmet tal (beboervægtet gennemsnit). - = ukendt eller diskretioneret.")
    out.append("Status: JA = på listen, nej = ikke på listen, ? = ubestemt (ukendte tal kan ændre udfaldet).")
    out.append("")
    out.append("Forklaring pr. enhed")
    for unit in result.units:
        lines = _explanations(unit)
        if unit.eligible is False:
            lines.insert(0, "  " + _below_minimum(unit, result.min_residents))
        if lines:
            out.append(_unit_label(unit) + ":")
            out.extend(lines)
    out.append("")
    out.extend(result.notes)
    return "\n".join(out) + "\n"


def render_csv(result: ListYearResult) -> str:
    """One row per unit; `;`-separated with Danish decimals, as Danish spreadsheets expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    list_names = list(result.units[0].lists) if result.units else []
    writer.writerow(
        ["listeaar", "enhed", "type", "boligorganisation", "omraade", "beboere", "tilnaermet"]
        + [f"{m.value}_pct" for m in Measure]
        + list_names
    )
    for unit in result.units:
        grouped = _criteria_by_measure(unit)
        values = [next((c.value for _, c in grouped[m]), None) for m in Measure]
        writer.writerow(
            [
                result.list_year,
                unit.name,
                unit.kind,
                unit.boligorganisation or "",
                unit.omraade or "",
                "" if unit.residents is None else unit.residents,
                "ja" if unit.approximate else "nej",
            ]
            + [number(v, 4) if v is not None else "-" for v in values]
            + [STATUS_WORD_DA[unit.lists[n].status] for n in list_names]
        )
    return buffer.getvalue()

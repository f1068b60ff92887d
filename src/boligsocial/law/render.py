"""Render a list-year result as the Danish `check` table, and as CSV.

The table shows each unit's five values, marked with the lists whose threshold the value meets,
each list's status, and below it one explanation per unit: why it is (or may be) on a list, and
the smallest single change that would move it on or off.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from fractions import Fraction

from boligsocial.danish import number, short_number, to_decimal
from boligsocial.law.figures import Measure
from boligsocial.law.parameters import Citation
from boligsocial.law.verdicts import CriterionResult, ListYearResult, UnitResult, Verdict, unit_label
from boligsocial.law.vocabulary import (
    CERTAINTY_DA,
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


MAX_DIGITS = 6  # decimals a value is shown with at most, when one digit more is needed near a threshold


def _outward(value: Fraction, digits: int, up: bool) -> Fraction:
    scaled = value * 10**digits
    return Fraction(math.ceil(scaled) if up else math.floor(scaled), 10**digits)


def _agrees(criteria: Sequence[CriterionResult], shown: Sequence[Fraction]) -> bool:
    """Whether numbers shown for a value tell every determined verdict as the verdict itself:
    compared with the threshold, each shown number meets a met criterion and misses a missed one."""
    return all(
        c.operator.holds(x, c.threshold) is (c.verdict is Verdict.MET)
        for c in criteria
        if c.verdict is not Verdict.UNKNOWN and c.threshold is not None
        for x in shown
    )


def value_display(criteria: Sequence[CriterionResult], measure: Measure) -> str:
    """A measure's value as shown to a reader, without marks: `24,3`, `~47,5` (approximate),
    `~49,9–50,1` (known only within a range that a threshold cuts, or no point value), `~≥55,2`
    (open above), `-` (unknown). The measure's usual decimals, or more where fewer would put the
    shown number on the wrong side of a threshold (50,004 against "over 50" shows as `50,004`, not
    `50,0`); a range is rounded outwards, so it holds the exact one."""
    if not criteria:
        return "-"
    first = criteria[0]
    approx = "~" if any(c.approximate for c in criteria) else ""
    as_range = first.ranged and (first.value is None or any(c.verdict is Verdict.UNKNOWN for c in criteria))
    if first.value is None and not as_range:
        return "-"
    for digits in range(MEASURE_DIGITS[measure], MAX_DIGITS + 1):
        if as_range:
            lower = _outward(first.lower or Fraction(0), digits, up=False)
            upper = None if first.upper is None else _outward(first.upper, digits, up=True)
            shown = [lower] if upper is None else [lower, upper]
            text = f"≥{number(lower, digits)}" if upper is None else f"{number(lower, digits)}–{number(upper, digits)}"
        else:
            assert first.value is not None
            shown = [Fraction(to_decimal(first.value, digits))]
            text = number(first.value, digits)
        if _agrees(criteria, shown) or digits == MAX_DIGITS:
            return approx + text
    raise AssertionError("unreachable")


def _value_cell(unit: UnitResult, measure: Measure) -> str:
    criteria = _criteria_by_measure(unit)[measure]
    text = value_display([c for _, c in criteria], measure)
    if text == "-":
        return text
    marks = "".join(LIST_MARK[reported] for reported, c in criteria if c.verdict is Verdict.MET)
    return f"{text} {marks}".rstrip()


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


def _certainty_mark(citation: Citation) -> str:
    """A threshold the source does not state in so many words says how it was reached."""
    certainty = citation.value_certainty
    return "" if certainty in (None, "stated") else f" ({CERTAINTY_DA[certainty]})"


def _unknown_average_line(result: ListYearResult) -> str:
    """The line that replaces the conviction thresholds when the national average is not known."""
    year = result.list_year
    line = f"Dømte: landsgennemsnittet er ikke kendt for listeår {year}, så dømte-tærsklerne er ukendte."
    if not result.needs_conviction_average:
        return line + " Ingen enheds listestatus afhænger af det."
    return (
        f"{line} Listestatus afhænger af det for: {', '.join(result.needs_conviction_average)}. "
        f"Angiv det med --convicted-national-avg {year}:PCT (fx {year}:0,73)."
    )


def _history_average_lines(result: ListYearResult) -> list[str]:
    """Earlier years whose unknown average leaves a status that looks back open."""
    return [
        f"Dømte: landsgennemsnittet er ikke kendt for listeår {year}, og listestatus bygger på det år for: "
        f"{', '.join(units)}. Angiv det med --convicted-national-avg {year}:PCT."
        for year, units in result.history_needs_conviction_average.items()
    ]


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


def table_rows(units: Sequence[UnitResult], list_names: Sequence[str]) -> list[list[str]]:
    """The table's row of cells for each unit (before padding)."""
    return [
        [unit_label(unit), unit.kind, number(unit.residents, 0)]
        + [_value_cell(unit, m) for m in Measure]
        + [STATUS_MARK_DA[unit.lists[n].status] for n in list_names]
        for unit in units
    ]


def explanation_lines(units: Sequence[UnitResult], min_residents: int) -> list[str]:
    """The lines under "Forklaring pr. enhed" for the units: a head line and one line per list."""
    out: list[str] = []
    for unit in units:
        lines = _explanations(unit)
        if unit.eligible is False:
            lines.insert(0, "  " + _below_minimum(unit, min_residents))
        if lines:
            out.append(unit_label(unit) + ":")
            out.extend(lines)
    return out


def render_table(result: ListYearResult, title: str | None = None) -> str:
    list_names = list(result.units[0].lists) if result.units else []
    rows = table_rows(result.units, list_names)
    return table_text(result, list_names, rows, explanation_lines(result.units, result.min_residents), title)


def table_text(
    result: ListYearResult,
    list_names: Sequence[str],
    rows: list[list[str]],
    explanations: Sequence[str],
    title: str | None = None,
) -> str:
    """The table from its units' rows and explanation lines (`table_rows`, `explanation_lines`,
    made in chunks where the units are); the result's own units are not looked at."""
    header = (
        ["Enhed", "Type", "Beboere"] + [MEASURE_SHORT_DA[m] for m in Measure] + [LIST_COLUMN_DA[n] for n in list_names]
    )
    rows = [header, *rows]
    out = [title or f"Områdelister, listeår {result.list_year}", f"Regelsæt: {result.rule_set}"]
    if result.conviction_thresholds:
        parts = [
            f"{k} × = {short_number(t)} pct.{_certainty_mark(c)}"
            for k, (t, c) in sorted(result.conviction_thresholds.items(), reverse=True)
        ]
        sources = sorted({c.title for _, c in result.conviction_thresholds.values()})
        out.append(f"Dømte, landsgennemsnittet: {', '.join(parts)} Kilde: {'; '.join(sources)}")
    elif not result.conviction_average_known:
        out.append(_unknown_average_line(result))
    out.extend(_history_average_lines(result))
    out.append("")
    out.extend(_pad(rows, right_aligned={2}))
    out.append("")
    legend = ", ".join(f"{LIST_MARK[n]} = {list_era_names_da(n)}" for n in list_names if n in MARKED_LISTS)
    out.append(f"Mærker ved tallene: tallet opfylder kriteriet for {legend}.")
    out.append("~ = tilnærmet tal (beboervægtet gennemsnit). - = ukendt eller diskretioneret.")
    if any("–" in row[i] or "≥" in row[i] for row in rows[1:] for i in range(3, 3 + len(Measure))):
        out.append(
            "~a–b = tallet ligger et sted mellem a og b (afrundede eller diskretionerede tal i afdelingerne); "
            "~≥a = mindst a."
        )
    out.append("Status: JA = på listen, nej = ikke på listen, ? = ubestemt (ukendte tal kan ændre udfaldet).")
    out.append("")
    out.append("Forklaring pr. enhed")
    out.extend(explanations)
    out.append("")
    out.extend(result.notes)
    return "\n".join(out) + "\n"


def csv_header(list_names: Sequence[str]) -> str:
    return _csv_text(
        [
            ["listeaar", "enhed", "type", "boligorganisation", "omraade", "beboere", "tilnaermet"]
            + [f"{m.value}_pct" for m in Measure]
            + list(list_names)
        ]
    )


def csv_rows(list_year: int, units: Sequence[UnitResult], list_names: Sequence[str]) -> str:
    """The CSV's rows for the units, after its header (`csv_header`)."""
    rows: list[list[object]] = []
    for unit in units:
        grouped = _criteria_by_measure(unit)
        values = [next((c.value for _, c in grouped[m]), None) for m in Measure]
        rows.append(
            [
                list_year,
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
    return _csv_text(rows)


def _csv_text(rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def render_csv(result: ListYearResult) -> str:
    """One row per unit; `;`-separated with Danish decimals, as Danish spreadsheets expect."""
    list_names = list(result.units[0].lists) if result.units else []
    return csv_header(list_names) + csv_rows(result.list_year, result.units, list_names)

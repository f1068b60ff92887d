"""The criteria chart: each criterion of one list for one unit, its value against its threshold.

One row per criterion, as a small bullet chart: the criterion's name and threshold above, a bar
for the value (coloured when the criterion is met) on a light track, and a black rule at the
threshold. Shares are drawn on a 0-100 % track; dømte (around 2 %) gets its own, shorter track,
since it cannot share an axis with the other shares. Values and thresholds are written out.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Final

from boligsocial.danish import number, short_number
from boligsocial.law.figures import Measure
from boligsocial.law.verdicts import CriterionResult, UnitResult, Verdict
from boligsocial.law.vocabulary import MEASURE_DIGITS, STATUS_SENTENCE_DA, VERDICT_LABEL_DA
from boligsocial.reports.charts.base import PALETTE, Chart, spec, with_caption

__all__ = ["criteria_chart"]


WIDTH: Final = 440
ROW_HEIGHT: Final = 40
BAR_Y: Final = 27  # centre of the bar within a row
BAR_HEIGHT: Final = 14


def _value_text(c: CriterionResult) -> str:
    if c.value is None:
        return "ikke oplyst"
    return f"{'~' if c.approximate else ''}{number(c.value, MEASURE_DIGITS[c.measure])} %"


def _track_end(c: CriterionResult) -> Fraction:
    """Where the row's track ends: 100 % for shares; for dømte a little past value and threshold."""
    top = max(c.threshold or Fraction(0), c.value or Fraction(0))
    if c.measure is Measure.DOEMTE:
        return Fraction(max(1, int(top * Fraction(3, 2) + 1)))
    return max(Fraction(100), top * Fraction(11, 10))


def _row(index: int, c: CriterionResult) -> dict[str, Any]:
    end = _track_end(c)
    label_x = max(c.threshold or Fraction(0), c.value or Fraction(0))
    # A threshold that is a multiple of an unknown national average is "ukendt" and has no rule
    # (Vega-Lite leaves out a mark whose position is null).
    limit = "ukendt" if c.threshold is None else f"{short_number(c.threshold)} %"
    return {
        "order": index,
        "kriterium": f"{c.label}  ·  grænse {c.operator.symbol} {limit}",
        "vaerdi": None if c.value is None else float(c.value),
        "graense": None if c.threshold is None else float(c.threshold),
        "vurdering": VERDICT_LABEL_DA[c.verdict],
        "vaerdi_tekst": _value_text(c),
        "tekst_x": float(label_x),
        "spor_start": 0,
        "spor_slut": float(end),
    }


def criteria_chart(unit: UnitResult, list_name: str) -> Chart:
    """The criteria of list `list_name` (a reported name such as "forebyggelsesomraade") for
    `unit`: each value against its threshold, met criteria in a distinct colour.

    Raises `KeyError` (Danish message) when the unit has no result for that list."""
    if list_name not in unit.lists:
        known = ", ".join(unit.lists) or "ingen"
        raise KeyError(f'{unit.name} har ingen vurdering for listen "{list_name}" (kendte: {known})')
    result = unit.lists[list_name]
    rows = [_row(i, c) for i, c in enumerate(result.criteria)]
    # An unknown value has no bar (it says "ikke oplyst"), so the legend shows the two colours only.
    domain = [VERDICT_LABEL_DA[Verdict.MET], VERDICT_LABEL_DA[Verdict.NOT_MET]]
    colours = [PALETTE["met"], PALETTE["secondary"]]
    x = {"type": "quantitative", "axis": None, "scale": {"zero": True, "nice": False}}
    bar_top, bar_bottom = BAR_Y - BAR_HEIGHT / 2, BAR_Y + BAR_HEIGHT / 2
    band = {"y": {"value": bar_top}, "y2": {"value": bar_bottom}}
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "bar", "color": "#F0F0F0"},
            "encoding": {"x": {"field": "spor_start", **x}, "x2": {"field": "spor_slut"}, **band},
        },
        {
            "mark": {"type": "bar"},
            "encoding": {
                "x": {"field": "vaerdi", **x},
                "x2": {"field": "spor_start"},
                **band,
                "color": {
                    "field": "vurdering",
                    "type": "nominal",
                    "scale": {"domain": domain, "range": colours},
                    "legend": {
                        "title": None,
                        "orient": "top",
                        "direction": "horizontal",
                        "symbolType": "square",
                        "offset": 14,
                    },
                },
            },
        },
        {
            "mark": {"type": "rule", "color": PALETTE["threshold"], "strokeWidth": 2},
            "encoding": {
                "x": {"field": "graense", **x},
                "y": {"value": bar_top - 4},
                "y2": {"value": bar_bottom + 4},
            },
        },
        {
            "mark": {"type": "text", "align": "left", "baseline": "top", "y": 0, "fontSize": 11},
            "encoding": {"x": {"datum": 0, **x}, "text": {"field": "kriterium"}},
        },
        {
            "transform": [{"filter": "datum.vaerdi !== null"}],
            "mark": {"type": "text", "align": "left", "baseline": "middle", "dx": 6, "y": BAR_Y, "fontWeight": "bold"},
            "encoding": {"x": {"field": "tekst_x", **x}, "text": {"field": "vaerdi_tekst"}},
        },
        {
            "transform": [{"filter": "datum.vaerdi === null"}],
            "mark": {
                "type": "text",
                "align": "left",
                "baseline": "middle",
                "dx": 6,
                "y": BAR_Y,
                "fontStyle": "italic",
                "color": PALETTE["muted"],
            },
            "encoding": {"x": {"field": "tekst_x", **x}, "text": {"field": "vaerdi_tekst"}},
        },
    ]
    chart = {
        "data": {"values": rows},
        "facet": {"row": {"field": "order", "type": "ordinal", "header": None}},
        "spec": {"width": WIDTH, "height": ROW_HEIGHT, "layer": layers},
        "resolve": {"scale": {"x": "independent"}},
        "spacing": 8,
    }
    caption = [f"Hjemmel: {result.citation.short_da}."]
    if any(c.measure is Measure.DOEMTE for c in result.criteria):
        caption.append("Andelene vises på en skala fra 0 til 100 %; dømte på sin egen, kortere skala.")
    if any(c.approximate for c in result.criteria):
        caption.append("~ = tilnærmet tal (beboervægtet gennemsnit af afdelingernes procenter).")
    name = unit.name if unit.kind == "afdeling" else f"{unit.name} (område)"
    subtitle = [f"Listeår {unit.list_year}. Status: {STATUS_SENTENCE_DA[result.status]}."]
    if unit.eligible is False:
        line = "Færre beboere end lovens minimum for et boligområde"
        if unit.as_area is not None and list_name in unit.as_area:
            line += f"; som område: {STATUS_SENTENCE_DA[unit.as_area[list_name]]}"
        subtitle.append(line + ".")
    return Chart(
        spec(
            with_caption(chart, caption),
            title={"text": f"{name}: {result.label.lower()}", "subtitle": subtitle},
        )
    )

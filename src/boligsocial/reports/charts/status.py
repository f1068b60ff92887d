"""The status chart of an indicator: its values over the years with comparison figures, the path of
milestones from the baseline to the target, the target, and the projection to the plan's end with
its band (dashed, labelled "Fremskrivning").

Every layer's data rows carry a `serie` ("maaling", "sammenligning", "milepael", "maal",
"fremskrivning") so that the chart can be checked against the status it was made from.
An indicator without values in any year falls back to the bar form of `indicator_chart`.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any, Final

from boligsocial.plan.model import Enhed
from boligsocial.plan.status import IndicatorStatus, milestone_for, shown, value_year
from boligsocial.reports.charts.base import PALETTE, Chart, spec, with_caption
from boligsocial.reports.charts.indicator import AXIS_TITLE_DA, COMPARISON_COLOUR, indicator_chart, value_text

__all__ = ["LEGEND_DA", "status_chart"]

WIDTH: Final = 480
HEIGHT: Final = 165  # two indicators (chart, text and table each) fit an A4 page
TARGET_COLOUR: Final = "#C65911"
MILESTONE_COLOUR: Final = "#548235"


def _rows(s: IndicatorStatus) -> dict[str, list[dict[str, Any]]]:
    i = s.indikator
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in ("maaling", "sammenligning", "milepael", "maal", "band")}
    for m in i.maalinger:
        year = value_year(m)
        if year is None or year > s.aar:
            continue
        rows["maaling"].append(
            {"serie": "maaling", "aar": year, "vaerdi": float(m.vaerdi), "tekst": value_text(m.vaerdi, i.enhed)}
        )
    for c in i.sammenligninger:
        rows["sammenligning"].append(
            {
                "serie": "sammenligning",
                "aar": value_year(c),
                "vaerdi": float(c.vaerdi),
                "tekst": f"{c.betegnelse}: {value_text(c.vaerdi, i.enhed, c.kvalifikator)}",
            }
        )
    if i.baseline is not None and i.maal is not None:
        for year in range(i.baseline.aar, i.maal.aar + 1):
            ms = milestone_for(i, year)
            if ms is None:
                continue
            rows["milepael"].append(
                {
                    "serie": "milepael",
                    "aar": year,
                    "vaerdi": float(ms.vaerdi),
                    "art": ms.kind,
                    "tekst": shown(ms.vaerdi, i),
                }
            )
        label = "Mål" + (" (illustrativt)" if i.maal.illustrativ else "")
        rows["maal"].append(
            {
                "serie": "maal",
                "aar": i.maal.aar,
                "vaerdi": float(i.maal.vaerdi),
                "tekst": f"{label}: {shown(i.maal.vaerdi, i)}",
            }
        )
    if s.fremskrivning is not None:
        for q in s.fremskrivning.points:
            rows["band"].append(
                {"serie": "fremskrivning", "aar": q.aar, "vaerdi": q.vaerdi, "nedre": q.nedre, "oevre": q.oevre}
            )
    return rows


def _plausible_range(s: IndicatorStatus) -> tuple[float, float | None]:
    """Where the indicator's values can lie: from 0, up to 100 for a percentage or the top of the
    definition's interval; no top for counts and rates."""
    ceiling: float | None = 100.0 if s.indikator.enhed is Enhed.PCT else None
    if s.definition is not None and s.definition.interval[1] is not None:
        top = float(s.definition.interval[1])
        ceiling = top if ceiling is None else min(ceiling, top)
    return 0.0, ceiling


def _y_domain(rows: dict[str, list[dict[str, Any]]], floor: float, ceiling: float | None) -> tuple[float, float]:
    """An axis that fits the figures (measurements, comparisons, milestones, target) with a margin,
    within the plausible range; the projection band is cut to it rather than stretching it."""
    values = [r["vaerdi"] for key in ("maaling", "sammenligning", "milepael", "maal") for r in rows[key]]
    values += [r["vaerdi"] for r in rows["band"]]
    low, high = min(values), max(values)
    margin = max((high - low) * 0.35, abs(high) * 0.04, 0.5)
    low, high = max(floor, low - margin), high + margin
    if ceiling is not None:
        high = min(ceiling, high)
    step = 10 ** math.floor(math.log10(max(high - low, 1e-9)))  # round outwards to a readable step
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    return low, high if ceiling is None else min(high, ceiling)


LEGEND_DA: Final = (
    "Blå: målinger. Stiplet blå med bånd: fremskrivning (ikke en prognose). Grøn prikket: milepæle "
    "(firkant: fastsat, ellers interpoleret). Orange trekant: mål. Grå: sammenligningstal."
)


def status_chart(s: IndicatorStatus, legend: bool = True) -> Chart:
    """The indicator's status chart (see the module docstring). `legend=False` leaves out the
    colour legend, for a document that explains it once for all its charts."""
    i = s.indikator
    rows = _rows(s)
    if not rows["maaling"]:
        return indicator_chart(i)
    dated = [r for r in rows["sammenligning"] if r["aar"] is not None]
    undated = [r for r in rows["sammenligning"] if r["aar"] is None]
    years = [r["aar"] for key in ("maaling", "milepael", "maal", "band") for r in rows[key]]
    years += [r["aar"] for r in dated]
    first, last = min(years), max(years)
    floor, ceiling = _plausible_range(s)
    low, high = _y_domain(rows, floor, ceiling)
    for r in rows["band"]:  # the band shows only what the axis can hold, and never the impossible
        r["nedre"], r["oevre"] = max(r["nedre"], low), min(r["oevre"], high)
    x = {
        "field": "aar",
        "type": "quantitative",
        "title": None,
        "scale": {"domain": [first - 0.6, last + 0.6], "nice": False},
        "axis": {"format": "d", "values": list(range(first, last + 1)), "grid": False},
    }
    y = {
        "field": "vaerdi",
        "type": "quantitative",
        "title": AXIS_TITLE_DA[i.enhed],
        "scale": {"domain": [low, high], "nice": False, "zero": False},
        "axis": {"tickCount": 5, "domain": False, "ticks": False},
    }
    layers: list[dict[str, Any]] = []
    if rows["band"]:
        layers += [
            {
                "data": {"values": rows["band"]},
                "mark": {"type": "area", "color": PALETTE["primary"], "opacity": 0.12},
                "encoding": {"x": x, "y": {**y, "field": "nedre"}, "y2": {"field": "oevre"}},
            },
            {
                "data": {"values": rows["band"]},
                "mark": {"type": "line", "color": PALETTE["primary"], "strokeDash": [6, 4], "strokeWidth": 1.5},
                "encoding": {"x": x, "y": y},
            },
            {
                "data": {"values": rows["band"][-1:]},
                "mark": {
                    "type": "text",
                    "align": "right",
                    "baseline": "bottom",
                    "dy": -3,
                    "fontSize": 10,
                    "color": PALETTE["primary"],
                },
                "encoding": {"x": x, "y": {**y, "field": "oevre"}, "text": {"value": "Fremskrivning"}},
            },
        ]
    if rows["milepael"]:
        layers += [
            {
                "data": {"values": rows["milepael"]},
                "mark": {"type": "line", "color": MILESTONE_COLOUR, "strokeWidth": 1.2, "strokeDash": [2, 3]},
                "encoding": {"x": x, "y": y},
            },
            {
                "data": {"values": [r for r in rows["milepael"] if r["art"] == "milepael"]},
                "mark": {"type": "point", "shape": "square", "filled": True, "size": 45, "color": MILESTONE_COLOUR},
                "encoding": {"x": x, "y": y},
            },
        ]
    if rows["maal"]:
        layers += [
            {
                "data": {"values": rows["maal"]},
                "mark": {"type": "point", "shape": "triangle-up", "filled": True, "size": 130, "color": TARGET_COLOUR},
                "encoding": {"x": x, "y": y},
            },
        ]
    if undated:
        layers.append(
            {
                "data": {"values": undated},
                "mark": {"type": "rule", "strokeDash": [5, 4], "color": COMPARISON_COLOUR, "strokeWidth": 1.2},
                "encoding": {"y": y},
            }
        )
    if dated:
        layers += [
            {
                "data": {"values": dated},
                "mark": {"type": "point", "shape": "diamond", "filled": True, "size": 90, "color": COMPARISON_COLOUR},
                "encoding": {"x": x, "y": y},
            },
            {
                "data": {"values": dated},
                "mark": {"type": "text", "align": "left", "baseline": "top", "dx": 5, "dy": 6},
                "encoding": {"x": x, "y": y, "text": {"field": "tekst"}, "color": {"value": COMPARISON_COLOUR}},
            },
        ]
    layers += [
        {
            "data": {"values": rows["maaling"]},
            "mark": {"type": "line", "color": PALETTE["primary"], "strokeWidth": 2.5},
            "encoding": {"x": x, "y": y},
        },
        {
            "data": {"values": rows["maaling"]},
            "mark": {"type": "point", "filled": True, "size": 70, "color": PALETTE["primary"], "opacity": 1},
            "encoding": {"x": x, "y": y},
        },
        {
            "data": {"values": rows["maaling"]},
            "mark": {"type": "text", "dy": -13, "fontWeight": "bold", "color": PALETTE["primary"]},
            "encoding": {"x": x, "y": y, "text": {"field": "tekst"}},
        },
    ]
    caption = textwrap.wrap(LEGEND_DA, 90) if legend else []
    # Labels on the chart would cross its lines; the target's and the undated comparisons' go here.
    caption += [line for r in rows["maal"] for line in textwrap.wrap(f"Orange trekant: {r['tekst']} i {r['aar']}.", 90)]
    caption += [line for r in undated for line in textwrap.wrap(f"Grå stiplet linje: {r['tekst']}.", 90)]
    if s.advarsler and legend:  # a document lists the warnings beside the chart already
        caption += [line for w in s.advarsler for line in textwrap.wrap(w, 90)]
    body = {"width": WIDTH, "height": HEIGHT, "layer": layers}
    subtitle = f"{i.gaelder} · Status {s.aar}: {s.status.label}"
    return Chart(spec(with_caption(body, caption), title={"text": textwrap.wrap(i.navn, 60), "subtitle": subtitle}))

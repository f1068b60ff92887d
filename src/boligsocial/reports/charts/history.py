"""A criterion over the list years: one unit's value year by year against each list's threshold
(the atlas's area page).

The value is a line with labelled points; where the value is known only within a range (an area
built from rounded or suppressed member figures) the range is a band behind it. Each list's
threshold is a dashed step line in the list's colour, so a reader sees the year the value crossed
it. Plain data in, so any layer can draw it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final

from boligsocial.danish import number
from boligsocial.law.vocabulary import LIST_COLOURS
from boligsocial.reports.charts.base import PALETTE, Chart, spec

__all__ = ["HistoryPoint", "ThresholdPoint", "history_chart"]


WIDTH: Final = 480
HEIGHT: Final = 200


@dataclass(frozen=True)
class HistoryPoint:
    year: int
    value: Fraction | None
    lower: Fraction | None = None
    upper: Fraction | None = None


@dataclass(frozen=True)
class ThresholdPoint:
    year: int
    list_name: str  # today's name, keys LIST_COLOURS
    list_label: str  # the Danish title shown in the legend
    threshold: Fraction


def history_chart(
    title: str,
    subtitle: str,
    points: Sequence[HistoryPoint],
    thresholds: Sequence[ThresholdPoint],
    digits: int = 1,
) -> Chart:
    """The value of one criterion over the years, with every list's threshold."""
    years = [p.year for p in points] + [t.year for t in thresholds]
    first, last = (min(years), max(years)) if years else (0, 1)
    values = [float(v) for p in points for v in (p.value, p.lower, p.upper) if v is not None] + [
        float(t.threshold) for t in thresholds
    ]
    top = max(values, default=1.0) * 1.15 or 1.0
    x = {
        "field": "aar",
        "type": "quantitative",
        "title": "Listeår",
        "scale": {"domain": [first - 0.5, last + 0.5], "nice": False},
        "axis": {"format": "d", "tickMinStep": 1, "grid": False},
    }
    y = {"field": "vaerdi", "type": "quantitative", "title": "Procent", "scale": {"domain": [0, top], "nice": True}}
    layers: list[dict[str, Any]] = []
    ranged = [p for p in points if p.lower is not None and p.upper is not None and p.lower != p.upper]
    if ranged:
        layers.append(
            {
                "data": {
                    "values": [
                        {"aar": p.year, "nedre": float(p.lower or 0), "oevre": float(p.upper or 0)} for p in ranged
                    ]
                },
                "mark": {"type": "rule", "opacity": 0.3, "strokeWidth": 8, "color": PALETTE["primary"]},
                "encoding": {"x": x, "y": {**y, "field": "nedre"}, "y2": {"field": "oevre"}},
            }
        )
    layers += _threshold_layers(thresholds, x, y)
    known = [p for p in points if p.value is not None]
    rows = [{"aar": p.year, "vaerdi": float(p.value or 0), "tekst": number(p.value, digits)} for p in known]
    layers += [
        {
            "data": {"values": rows},
            "mark": {"type": "line", "color": PALETTE["primary"], "strokeWidth": 2, "point": {"size": 36}},
            "encoding": {"x": x, "y": y},
        },
        {
            "data": {"values": rows},
            "mark": {"type": "text", "dy": -9, "fontSize": 9, "color": PALETTE["muted"]},
            "encoding": {"x": x, "y": y, "text": {"field": "tekst"}},
        },
    ]
    return Chart(
        spec(
            {"layer": layers},
            title={"text": title, "subtitle": subtitle},
            width=WIDTH,
            height=HEIGHT,
        )
    )


def _threshold_layers(
    thresholds: Sequence[ThresholdPoint], x: dict[str, Any], y: dict[str, Any]
) -> list[dict[str, Any]]:
    """Each list's threshold: a dashed step line, and a tick per year (a single year shows too)."""
    if not thresholds:
        return []
    domain = list(dict.fromkeys(t.list_label for t in thresholds))
    colours = [
        LIST_COLOURS.get(next(t.list_name for t in thresholds if t.list_label == d), PALETTE["ink"]) for d in domain
    ]
    colour = {
        "field": "liste",
        "type": "nominal",
        "title": "Grænse for",
        "scale": {"domain": domain, "range": colours},
        "legend": {"orient": "bottom", "direction": "horizontal"},
    }
    data = {"values": [{"aar": t.year, "vaerdi": float(t.threshold), "liste": t.list_label} for t in thresholds]}
    return [
        {
            "data": data,
            "mark": {"type": "line", "interpolate": "step", "strokeDash": [5, 3], "strokeWidth": 1.5},
            "encoding": {"x": x, "y": y, "color": colour},
        },
        {  # a tick per year, so that a threshold of a single year shows too
            "data": data,
            "mark": {"type": "tick", "orient": "horizontal", "thickness": 2, "size": 14},
            "encoding": {"x": x, "y": y, "color": colour},
        },
    ]

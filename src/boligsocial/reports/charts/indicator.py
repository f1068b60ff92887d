"""The indicator chart: an indicator's values with its comparison figures, and its source.

Two forms, chosen from the data:

* a **series** (measurements in two or more years): a line over the years, each point labelled;
  comparison figures with a year are points in that year, those without a year dashed reference
  lines across the chart;
* a **comparison** (one measurement, or measurements without years): horizontal bars, the plan's
  value first and then each comparison figure, every bar labelled with its value.

Later issues add targets and milestones to the series form.
"""

from __future__ import annotations

import textwrap
from decimal import Decimal
from typing import Any, Final

from boligsocial.danish import number, written_decimals
from boligsocial.plan.model import Enhed, Indikator, Maaling, Sammenligning
from boligsocial.reports.charts.base import PALETTE, Chart, spec, with_caption

__all__ = ["indicator_chart"]

WIDTH: Final = 480
BAR_ROW: Final = 48
BAR_HEIGHT: Final = 16
AXIS_TITLE_DA: Final = {
    Enhed.PCT: "Procent",
    Enhed.PR_1000_BOERN: "Pr. 1.000 børn",
    Enhed.PR_1000_BEBOERE: "Pr. 1.000 beboere",
    Enhed.ANTAL: "Antal",
    Enhed.KR: "Kr.",
}
COMPARISON_COLOUR: Final = "#7F7F7F"


def value_text(value: Decimal, enhed: Enhed, kvalifikator: str | None = None) -> str:
    """A value as the application writes it: `8,21 %`, `439`, `godt 5,5 %`, `1.964 kr.`."""
    text = number(value, written_decimals(value))
    if enhed in (Enhed.PCT, Enhed.KR):
        text += f"\u00a0{enhed.label}"
    return f"{kvalifikator} {text}" if kvalifikator else text


def _period(m: Maaling) -> str | None:
    if m.aar is None:
        return None
    return f"{m.aar}–{m.til_aar}" if m.til_aar is not None else str(m.aar)


def _sources(indikator: Indikator) -> str:
    own = [indikator.kilde] if indikator.kilde else []
    own += [m.kilde for m in indikator.maalinger if m.kilde]
    others = [s.kilde for s in indikator.sammenligninger if s.kilde]
    own = list(dict.fromkeys(own))
    others = [s for s in dict.fromkeys(others) if s not in own]
    if not own and not others:
        return "Kilde: ikke angivet."
    text = "Kilde: " + ("; ".join(own) if own else "ikke angivet")
    if others:
        text += "; sammenligning: " + "; ".join(others)
    return text + "."


def _series(indikator: Indikator) -> dict[str, Any]:
    enhed = indikator.enhed
    measured = sorted((m for m in indikator.maalinger if m.aar is not None), key=lambda m: m.aar or 0)
    points = [
        {"aar": m.aar, "vaerdi": float(m.vaerdi), "tekst": value_text(m.vaerdi, enhed, m.kvalifikator)}
        for m in measured
    ]
    dated = [s for s in indikator.sammenligninger if s.aar is not None]
    undated = [s for s in indikator.sammenligninger if s.aar is None]
    years = [m.aar for m in measured if m.aar is not None] + [s.aar for s in dated if s.aar is not None]
    first, last = min(years), max(years)
    values = [float(m.vaerdi) for m in measured] + [float(s.vaerdi) for s in indikator.sammenligninger]
    y_max = max(values) * 1.18 if values else 1.0
    if enhed is Enhed.PCT and max(values, default=0) <= 100:
        y_max = min(y_max, 100.0)  # a share never needs an axis beyond 100 %
    x = {
        "field": "aar",
        "type": "quantitative",
        "title": None,
        "scale": {"domain": [first - 0.6, last + 0.6], "nice": False},
        "axis": {"format": "d", "tickMinStep": 1, "grid": False, "labelFlush": False},
    }
    y = {
        "field": "vaerdi",
        "type": "quantitative",
        "title": AXIS_TITLE_DA[enhed],
        "scale": {"domain": [0, y_max], "nice": True},
        "axis": {"tickCount": 5, "domain": False, "ticks": False},
    }
    layers: list[dict[str, Any]] = []
    if undated:
        layers += [
            {
                "data": {"values": [_comparison_row(s, enhed) for s in undated]},
                "mark": {"type": "rule", "strokeDash": [5, 4], "color": COMPARISON_COLOUR, "strokeWidth": 1.5},
                "encoding": {"y": y},
            },
            {
                "data": {"values": [_comparison_row(s, enhed) for s in undated]},
                "mark": {
                    "type": "text",
                    "align": "right",
                    "baseline": "bottom",
                    "dy": -4,
                    "color": COMPARISON_COLOUR,
                    "x": "width",
                },
                "encoding": {"y": y, "text": {"field": "tekst"}},
            },
        ]
    layers += [
        {
            "data": {"values": points},
            "mark": {"type": "line", "color": PALETTE["primary"], "strokeWidth": 2.5},
            "encoding": {"x": x, "y": y},
        },
        {
            "data": {"values": points},
            "mark": {"type": "point", "filled": True, "size": 70, "color": PALETTE["primary"], "opacity": 1},
            "encoding": {"x": x, "y": y},
        },
        {
            "data": {"values": points},
            "mark": {"type": "text", "dy": -13, "fontWeight": "bold", "color": PALETTE["primary"]},
            "encoding": {"x": x, "y": y, "text": {"field": "tekst"}},
        },
    ]
    if dated:
        # Drawn over the series (a comparison often shares a year with a measurement). The label
        # goes below the point, to its right, or to its left in the last year (inside the chart).
        rows = [_comparison_row(s, enhed) for s in dated]
        text = {"type": "text", "baseline": "top", "dy": 9, "color": COMPARISON_COLOUR}
        layers += [
            {
                "data": {"values": rows},
                "mark": {
                    "type": "point",
                    "shape": "diamond",
                    "filled": True,
                    "size": 110,
                    "color": COMPARISON_COLOUR,
                    "stroke": "white",
                    "strokeWidth": 1,
                    "opacity": 1,
                },
                "encoding": {"x": x, "y": y},
            },
            {
                "data": {"values": [r for r in rows if r["aar"] != last]},
                "mark": {**text, "align": "left", "dx": 4},
                "encoding": {"x": x, "y": y, "text": {"field": "tekst"}},
            },
            {
                "data": {"values": [r for r in rows if r["aar"] == last]},
                "mark": {**text, "align": "right", "dx": 4},
                "encoding": {"x": x, "y": y, "text": {"field": "tekst"}},
            },
        ]
    return {"width": WIDTH, "height": 240, "layer": layers}


def _comparison_row(s: Sammenligning, enhed: Enhed) -> dict[str, Any]:
    label = s.betegnelse + (f" ({s.aar})" if s.aar is not None and s.til_aar is None else "")
    if s.til_aar is not None:
        label += f" ({s.aar}–{s.til_aar})"
    return {
        "aar": s.aar,
        "vaerdi": float(s.vaerdi),
        "tekst": f"{s.betegnelse}: {value_text(s.vaerdi, enhed, s.kvalifikator)}",
        "betegnelse": label,
        "vaerdi_tekst": value_text(s.vaerdi, enhed, s.kvalifikator),
        "egen": False,
    }


def _bars(indikator: Indikator) -> dict[str, Any]:
    enhed = indikator.enhed
    rows: list[dict[str, Any]] = []
    for m in indikator.maalinger:
        period = _period(m)
        rows.append(
            {
                "betegnelse": indikator.gaelder + (f" ({period})" if period else ""),
                "vaerdi": float(m.vaerdi),
                "vaerdi_tekst": value_text(m.vaerdi, enhed, m.kvalifikator),
                "egen": True,
            }
        )
    rows += [_comparison_row(s, enhed) for s in indikator.sammenligninger]
    for order, row in enumerate(rows):
        row["raekke"] = order  # betegnelser may repeat; the row number keeps the bars apart
    top = max(r["vaerdi"] for r in rows) * 1.2 if rows else 1
    # Each row: its label above a bar that starts at the axis, the value at the bar's end.
    y = {"field": "raekke", "type": "ordinal", "axis": None, "scale": {"paddingInner": 0, "paddingOuter": 0}}
    x = {
        "field": "vaerdi",
        "type": "quantitative",
        "title": AXIS_TITLE_DA[enhed],
        "scale": {"domain": [0, top], "nice": True},
        "axis": {"tickCount": 5, "grid": False},
    }
    return {
        "width": WIDTH,
        "height": {"step": BAR_ROW},
        "data": {"values": rows},
        "layer": [
            {
                "mark": {"type": "bar", "height": BAR_HEIGHT, "yOffset": BAR_HEIGHT / 2 + 2},
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": {
                        "field": "egen",
                        "type": "nominal",
                        "scale": {"domain": [True, False], "range": [PALETTE["primary"], PALETTE["secondary"]]},
                        "legend": None,
                    },
                },
            },
            {
                "mark": {"type": "text", "align": "left", "baseline": "bottom", "dy": -3, "x": 0},
                "encoding": {"y": y, "text": {"field": "betegnelse"}},
            },
            {
                "mark": {
                    "type": "text",
                    "align": "left",
                    "baseline": "middle",
                    "dx": 5,
                    "dy": BAR_HEIGHT / 2 + 2,
                    "fontWeight": "bold",
                },
                "encoding": {"x": x, "y": y, "text": {"field": "vaerdi_tekst"}},
            },
        ],
    }


def indicator_chart(indikator: Indikator) -> Chart:
    """The indicator's values (a line over the years, or bars when there is a single value) with
    its comparison figures, and the source in a caption. Raises `ValueError` (Danish message) when
    the indicator has neither measurements nor comparison figures."""
    if not indikator.maalinger and not indikator.sammenligninger:
        raise ValueError(f'indikatoren "{indikator.id}" har hverken målinger eller sammenligningstal')
    years = {m.aar for m in indikator.maalinger if m.aar is not None}
    body = _series(indikator) if len(years) >= 2 else _bars(indikator)
    caption = [_sources(indikator)]
    if indikator.definition:
        caption += textwrap.wrap(indikator.definition, 90)
    subtitle = indikator.gaelder + (f" · {indikator.indsatsomraade}" if indikator.indsatsomraade else "")
    return Chart(
        spec(
            with_caption(body, caption),
            title={"text": textwrap.wrap(indikator.navn, 60), "subtitle": subtitle},
        )
    )

"""Charts for the pages, as inline SVG.

The charts of the documents (`boligsocial.reports.charts`: Vega-Lite rendered to SVG on the server)
are used when that module provides the chart; otherwise a plain SVG drawn here stands in, so the
page never lacks its chart. Rendering a Vega-Lite chart takes ~0.1 s, so the app caches the SVG per
data version (see `state.py`), and draws it in a process of its own (`drawing`: vl-convert holds
the GIL while it draws, which would stop every other request).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from markupsafe import Markup, escape

from boligsocial.danish import number, short_number
from boligsocial.law.verdicts import UnitResult, Verdict
from boligsocial.law.vocabulary import MEASURE_DIGITS
from boligsocial.plan.model import Helhedsplan, Indikator
from boligsocial.plan.status import IndicatorStatus
from boligsocial.web import drawing

log = logging.getLogger(__name__)

INK = "#1A1A1A"
MUTED = "#595959"
GRID = "#E6E6E6"
PRIMARY = "#1F4E79"
SECONDARY = "#8EA9C1"
MET = "#C65911"
UNKNOWN = "#BFBFBF"
FONT = "system-ui, 'DejaVu Sans', sans-serif"


def _report_chart(name: str) -> Callable[..., Any] | None:
    """`boligsocial.reports.charts.<name>` if the charts module provides it."""
    try:
        module = importlib.import_module("boligsocial.reports.charts")
    except ImportError:
        return None
    function = getattr(module, name, None)
    return function if callable(function) else None


def _render(name: str, *args: Any) -> Markup | None:
    function = _report_chart(name)
    if function is None:
        return None
    try:
        svg = drawing.draw(function(*args))
    except Exception:  # a chart must not take the page down; the plain chart stands in
        log.exception("diagrammet %s kunne ikke tegnes; bruger det enkle diagram", name)
        return None
    return Markup(_strip_xml_header(str(svg)))


def _strip_xml_header(svg: str) -> str:
    start = svg.find("<svg")
    return svg[start:] if start > 0 else svg


# --------------------------------------------------------------------------------------------------
# Criteria of one list for one unit


def criteria_svg(unit: UnitResult, list_name: str) -> Markup:
    rendered = _render("criteria_chart", unit, list_name)
    return rendered if rendered is not None else plain_criteria_svg(unit, list_name)


def plain_criteria_svg(unit: UnitResult, list_name: str) -> Markup:
    """One row per criterion: a bar for the value (coloured when met), a rule at the threshold."""
    result = unit.lists[list_name]
    label_w, bar_w, row_h, top = 250, 260, 30, 28
    height = top + row_h * len(result.criteria) + 12
    width = label_w + bar_w + 150
    title = f"{unit.name}: {result.label.lower()}, kriterierne"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" class="diagram" font-family="{FONT}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="14" font-weight="bold" fill="{INK}">{escape(result.label)}</text>',
    ]
    for i, c in enumerate(result.criteria):
        y = top + i * row_h
        threshold = c.threshold  # None: a multiple of an unknown national average, no rule drawn
        top_value = max(threshold or Fraction(0), c.value or Fraction(0)) * Fraction(13, 10) or Fraction(1)
        scale = Fraction(bar_w) / top_value
        colour = {Verdict.MET: MET, Verdict.NOT_MET: SECONDARY, Verdict.UNKNOWN: UNKNOWN}[c.verdict]
        parts.append(f'<text x="0" y="{y + 15}" font-size="12" fill="{INK}">{escape(_shorten(c.label, 38))}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="16" fill="{GRID}"/>')
        if c.value is not None:
            w = float(c.value * scale)
            parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="16" fill="{colour}"/>')
        if threshold is not None:
            tx = label_w + float(threshold * scale)
            parts.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{y}" y2="{y + 24}" stroke="{INK}" stroke-width="2"/>')
        digits = MEASURE_DIGITS[c.measure]
        value = "ikke oplyst" if c.value is None else ("~" if c.approximate else "") + number(c.value, digits)
        text = f"{value} (grænse {c.operator.symbol} {'ukendt' if threshold is None else short_number(threshold)})"
        parts.append(
            f'<text x="{label_w + bar_w + 8}" y="{y + 16}" font-size="12" fill="{MUTED}">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------------------------------
# An indicator's series with its comparison figures


def indicator_svg(indikator: Indikator) -> Markup:
    rendered = _render("indicator_chart", indikator)
    return rendered if rendered is not None else plain_indicator_svg(indikator)


def status_svg(status: IndicatorStatus) -> Markup:
    """The status chart of the documents (`reports.charts.status.status_chart`); the plain indicator
    chart stands in when it is missing or fails."""
    function: Callable[..., Any] | None
    try:
        from boligsocial.reports.charts.status import status_chart as function
    except ImportError:
        function = None
    if function is not None:
        try:
            return Markup(_strip_xml_header(drawing.draw(function(status))))
        except Exception:  # a chart must not take the page down
            log.exception("statusdiagrammet kunne ikke tegnes; bruger det enkle diagram")
    return indicator_svg(status.indikator)


def plain_indicator_svg(indikator: Indikator) -> Markup:
    """Bars for the measurements (by year), dashed lines for the comparison figures."""
    points = [(m.aar, m.vaerdi) for m in indikator.maalinger]
    comparisons = [(s.betegnelse, s.vaerdi) for s in indikator.sammenligninger]
    values: Sequence[Decimal] = [v for _, v in points] + [v for _, v in comparisons]
    width, height, left, bottom, top = 560, 220, 48, 30, 16
    title = f"{indikator.navn}: målinger og sammenligningstal"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" class="diagram" font-family="{FONT}">',
        f"<title>{escape(title)}</title>",
    ]
    if not values:
        parts.append(f'<text x="0" y="20" font-size="12" fill="{MUTED}">Ingen målinger endnu.</text></svg>')
        return Markup("".join(parts))
    top_value = max(max(values), Decimal(0)) * Decimal("1.15") or Decimal(1)
    plot_h = height - bottom - top
    plot_w = width - left - 170

    def y_of(v: Decimal) -> float:
        return top + plot_h - float(v / top_value) * plot_h

    parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{MUTED}"/>')
    n = max(len(points), 1)
    slot = plot_w / n
    for i, (aar, v) in enumerate(points):
        x = left + i * slot + slot * 0.2
        y = y_of(v)
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.6:.1f}" height="{top + plot_h - y:.1f}" fill="{PRIMARY}"/>'
        )
        parts.append(
            f'<text x="{x + slot * 0.3:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle" fill="{INK}">'
            f"{escape(number(v, _digits(v)))}</text>"
        )
        parts.append(
            f'<text x="{x + slot * 0.3:.1f}" y="{height - 10}" font-size="11" text-anchor="middle" '
            f'fill="{MUTED}">{escape(str(aar) if aar else "uden år")}</text>'
        )
    for j, (label, v) in enumerate(comparisons):
        y = y_of(v)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{MET}" '
            f'stroke-dasharray="5 3" stroke-width="1.5"/>'
        )
        parts.append(
            f'<text x="{left + plot_w + 6}" y="{y + 4 + j * 0:.1f}" font-size="11" fill="{MET}">'
            f"{escape(_shorten(label, 28))}: {escape(number(v, _digits(v)))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _digits(v: Decimal) -> int:
    exponent = v.normalize().as_tuple().exponent
    return min(max(-exponent, 0), 2) if isinstance(exponent, int) else 1


# --------------------------------------------------------------------------------------------------
# The organisation diagram


def org_svg(plan: Helhedsplan) -> Markup:
    rendered = _render("org_diagram", plan)
    return rendered if rendered is not None else plain_org_svg(plan)


def plain_org_svg(plan: Helhedsplan) -> Markup:
    """The fora in three bands (by, bydel, helhedsplan), the board marked; the local team below."""
    organisation = plan.organisation
    fora = list(organisation.fora) if organisation else []
    bands: list[tuple[str, list[Any]]] = [
        ("By", [f for f in fora if f.niveau is not None and f.niveau.value == "by"]),
        ("Bydel", [f for f in fora if f.niveau is not None and f.niveau.value == "bydel"]),
        ("Helhedsplan", [f for f in fora if f.niveau is None or f.niveau.value == "helhedsplan"]),
    ]
    team = organisation.team if organisation else None
    box_w, box_h, gap, band_h, left = 190, 54, 14, 84, 100
    widest = max([len(items) for _, items in bands] + [1])
    width = left + widest * (box_w + gap)
    rows = [b for b in bands if b[1]]
    height = 16 + band_h * (len(rows) + (1 if team else 0))
    title = f"Organisering af {plan.navn}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" class="diagram" font-family="{FONT}">',
        f"<title>{escape(title)}</title>",
    ]
    y = 8
    centres: list[float] = []
    for band, items in rows:
        parts.append(f'<text x="0" y="{y + box_h / 2 + 4}" font-size="12" fill="{MUTED}">{escape(band)}</text>')
        new_centres: list[float] = []
        for i, forum in enumerate(items):
            x = left + i * (box_w + gap)
            fill = "#FBE5D6" if forum.er_bestyrelse else "#DEEAF6"
            stroke = MET if forum.er_bestyrelse else PRIMARY
            parts.append(
                f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="6" fill="{fill}" stroke="{stroke}"/>'
            )
            name = forum.navn if not forum.forkortelse else f"{forum.navn} ({forum.forkortelse})"
            for k, line in enumerate(_wrap(name, 28)[:2]):
                parts.append(
                    f'<text x="{x + 8}" y="{y + 20 + k * 15}" font-size="12" fill="{INK}">{escape(line)}</text>'
                )
            if forum.er_bestyrelse:
                parts.append(f'<text x="{x + 8}" y="{y + box_h - 6}" font-size="10" fill="{MET}">bestyrelse</text>')
            new_centres.append(x + box_w / 2)
        if centres:
            for cx in new_centres:
                parts.append(
                    f'<line x1="{centres[0]:.0f}" y1="{y - band_h + box_h + 8}" x2="{cx:.0f}" y2="{y}" '
                    f'stroke="{UNKNOWN}"/>'
                )
        centres = new_centres
        y += band_h
    if team:
        parts.append(f'<text x="0" y="{y + box_h / 2 + 4}" font-size="12" fill="{MUTED}">Lokalt team</text>')
        label = "Lokalt team" + (f": {', '.join(team.baser)}" if team.baser else "")
        staff = ", ".join(f"{s.antal or ''} {s.titel}".strip() for s in team.stillinger)
        parts.append(
            f'<rect x="{left}" y="{y}" width="{box_w * 2 + gap}" height="{box_h}" rx="6" fill="#E2EFDA" '
            f'stroke="#548235"/>'
        )
        parts.append(f'<text x="{left + 8}" y="{y + 20}" font-size="12" fill="{INK}">{escape(label)}</text>')
        parts.append(
            f'<text x="{left + 8}" y="{y + 36}" font-size="11" fill="{MUTED}">{escape(_shorten(staff, 60))}</text>'
        )
        for cx in centres:
            parts.append(
                f'<line x1="{cx:.0f}" y1="{y - band_h + box_h + 8}" x2="{left + box_w:.0f}" y2="{y}" '
                f'stroke="{UNKNOWN}"/>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines

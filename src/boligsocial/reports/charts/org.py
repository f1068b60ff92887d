"""The organisation diagram: the plan's fora by level, and the local team with its bases.

Boxes and connectors are laid out here, in pixels, and drawn by Vega-Lite (`rect`, `rule`, `point`
and `text` layers with unscaled x/y), so the diagram is a `Chart` like the others: PNG and SVG on
the server, the same spec in the browser.

Levels from the top: the city (by), the bydel, the helhedsplan, and the local team. A forum
without a level is drawn at the helhedsplan level. Each level is a light band labelled on the
left; connectors run from every box of a level to every box of the next through one horizontal
bus, with an arrowhead at each box below. The plan's boligsociale bestyrelse is drawn darker and
tagged. Text is wrapped by measuring it in the font the renderer uses (DejaVu Sans).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from matplotlib.ft2font import FT2Font

from boligsocial.plan.model import Forum, ForumNiveau, Helhedsplan, LokaltTeam
from boligsocial.reports.charts.base import PALETTE, Chart, font_directory, spec

__all__ = ["org_diagram"]

WIDTH: Final = 680
LABEL_COLUMN: Final = 96  # the level labels on the left
MARGIN: Final = 12
GAP: Final = 12  # between boxes in a row
MAX_PER_ROW: Final = 4
BOX_MAX_WIDTH: Final = 250
PAD_X: Final = 9
PAD_Y: Final = 8
BAND_PAD: Final = 14
LEVEL_GAP: Final = 26  # between bands (room for the connectors)
ROW_GAP: Final = 30  # between rows inside a level (e.g. team -> bases)

TITLE_SIZE: Final = 12.0
TITLE_LINE: Final = 15.0
SUB_SIZE: Final = 10.5
SUB_LINE: Final = 13.5
SUB_GAP: Final = 3  # between a box's title and its other lines

LEVEL_LABELS: Final = {
    ForumNiveau.BY: "Byniveau",
    ForumNiveau.BYDEL: "Bydelsniveau",
    ForumNiveau.HELHEDSPLAN: "Helhedsplan",
}
TEAM_LABEL: Final = "Lokalt team"


@dataclass(frozen=True)
class _Style:
    fill: str
    stroke: str
    text: str
    sub: str
    dash: tuple[int, ...] = ()
    stroke_width: float = 1.2


STYLES: Final = {
    "by": _Style(fill="#1F4E79", stroke="#1F4E79", text="#FFFFFF", sub="#DCE6F0"),
    "bydel": _Style(fill="#2E75B6", stroke="#2E75B6", text="#FFFFFF", sub="#E6EEF7"),
    "bestyrelse": _Style(fill="#1F4E79", stroke="#C65911", text="#FFFFFF", sub="#F8CBAD", stroke_width=2.5),
    "helhedsplan": _Style(fill="#DEEBF7", stroke="#2E75B6", text="#1A1A1A", sub="#404040"),
    "team": _Style(fill="#E2F0D9", stroke="#548235", text="#1A1A1A", sub="#404040"),
    "base": _Style(fill="#FFFFFF", stroke="#548235", text="#1A1A1A", sub="#595959", dash=(4, 3)),
}


# ---- text measurement ----------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _font(bold: bool) -> FT2Font:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return FT2Font(str(font_directory() / name))


_FONT_LOCK: Final = threading.Lock()  # one FT2Font is shared; it is not thread-safe (the web app's pool)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width in pixels of `text` set in DejaVu Sans at `size` px."""
    font = _font(bold)
    with _FONT_LOCK:
        font.set_size(size, 72)
        font.set_text(text, 0.0)
        return font.get_width_height()[0] / 64


def _pieces(word: str, width: float, size: float, bold: bool) -> list[str]:
    """A word too wide for a line, split after its hyphens and slashes ("styre-/", "følgegrupper")."""
    if text_width(word, size, bold) <= width:
        return [word]
    parts = re.findall(r"[^-/]+[-/]*|[-/]+", word)
    pieces: list[str] = []
    for part in parts:
        if pieces and text_width(pieces[-1] + part, size, bold) <= width:
            pieces[-1] += part
        else:
            pieces.append(part)
    return pieces


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Break `text` into lines no wider than `width` px: at spaces, and inside a word that is too
    wide after a hyphen or slash (a word without either may still exceed the width)."""
    return list(_wrapped(text, width, size, bold))


@lru_cache(maxsize=2048)
def _wrapped(text: str, width: float, size: float, bold: bool) -> tuple[str, ...]:
    """`wrap`'s lines, kept by what they depend on: measuring text is most of a diagram's layout,
    and the web app lays the same diagram out again after every write (the text editor's preview)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in (p for w in paragraph.split() for p in _pieces(w, width, size, bold)):
            glue = "" if current.endswith(("-", "/")) and not current.endswith(" -") else " "
            candidate = f"{current}{glue}{word}" if current else word
            if current and text_width(candidate, size, bold) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        if current:
            lines.append(current)
    return tuple(lines) or ("",)


# ---- layout --------------------------------------------------------------------------------------


@dataclass
class _Box:
    title: str
    sub: list[str]
    style: str
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0
    title_lines: list[str] = field(default_factory=list)
    sub_lines: list[str] = field(default_factory=list)

    @property
    def content_height(self) -> float:
        sub = len(self.sub_lines) * SUB_LINE + SUB_GAP if self.sub_lines else 0
        return len(self.title_lines) * TITLE_LINE + sub

    @property
    def text_top(self) -> float:
        """Where the first line starts, so that the text block sits in the middle of the box."""
        return self.y + (self.height - self.content_height) / 2

    @property
    def centre(self) -> float:
        return self.x + self.width / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass
class _Level:
    label: str
    rows: list[list[_Box]]
    rows_connected: bool = False  # True when a row leads to the next (team -> bases), not a wrap
    top: float = 0
    bottom: float = 0


def _forum_box(forum: Forum) -> _Box:
    title = forum.navn
    if forum.forkortelse and forum.forkortelse not in title:
        title += f" ({forum.forkortelse})"
    sub: list[str] = []
    if forum.er_bestyrelse:
        sub.append("Boligsocial bestyrelse")
    if forum.moedefrekvens:
        sub.append(f"Mødes {forum.moedefrekvens}")
    style = "bestyrelse" if forum.er_bestyrelse else (forum.niveau or ForumNiveau.HELHEDSPLAN).value
    return _Box(title, sub, style)


def _team_rows(team: LokaltTeam) -> list[list[_Box]]:
    positions = [f"{s.antal} × {s.titel}" if s.antal and s.antal > 1 else s.titel for s in team.stillinger]
    rows = [[_Box("Lokalt boligsocialt team", positions, "team")]]
    if team.baser:
        rows.append([_Box(f"Base i {base}", [], "base") for base in team.baser])
    return rows


def _chunks(boxes: list[_Box]) -> list[list[_Box]]:
    return [boxes[i : i + MAX_PER_ROW] for i in range(0, len(boxes), MAX_PER_ROW)]


def _levels(plan: Helhedsplan) -> list[_Level]:
    organisation = plan.organisation
    fora = organisation.fora if organisation is not None else []
    levels: list[_Level] = []
    for niveau in (ForumNiveau.BY, ForumNiveau.BYDEL, ForumNiveau.HELHEDSPLAN):
        boxes = [_forum_box(f) for f in fora if (f.niveau or ForumNiveau.HELHEDSPLAN) is niveau]
        if boxes:
            levels.append(_Level(LEVEL_LABELS[niveau], _chunks(boxes)))
    if organisation is not None and organisation.team is not None:
        levels.append(_Level(TEAM_LABEL, _team_rows(organisation.team), rows_connected=True))
    return levels


def _place_row(row: list[_Box], y: float) -> float:
    """Size and position the boxes of one row (centred in the content area); returns its height."""
    content_left = LABEL_COLUMN + MARGIN
    content_width = WIDTH - content_left - MARGIN
    count = len(row)
    width = min(BOX_MAX_WIDTH, (content_width - (count - 1) * GAP) / count)
    if row[0].style == "base":
        width = min(width, 160)
    text_width_px = width - 2 * PAD_X
    for box in row:
        box.title_lines = wrap(box.title, text_width_px, TITLE_SIZE, bold=True)
        box.sub_lines = [line for s in box.sub for line in wrap(s, text_width_px, SUB_SIZE)]
    height = max(2 * PAD_Y + b.content_height for b in row)
    total = count * width + (count - 1) * GAP
    x = content_left + (content_width - total) / 2
    for box in row:
        box.x, box.y, box.width, box.height = x, y, width, height
        x += width + GAP
    return height


def _layout(levels: list[_Level]) -> float:
    """Position every level and box; returns the diagram's height."""
    y: float = MARGIN
    for level in levels:
        level.top = y
        y += BAND_PAD
        for index, row in enumerate(level.rows):
            if index:
                y += ROW_GAP
            y += _place_row(row, y)
        y += BAND_PAD
        level.bottom = y
        y += LEVEL_GAP
    return y - LEVEL_GAP + MARGIN


def _connect(upper: list[_Box], lower: list[_Box]) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    """Rules from each upper box down to a bus and from the bus to each lower box, and the
    arrowheads on the lower boxes."""
    top_of_lower = min(b.y for b in lower)
    bus = (max(b.bottom for b in upper) + top_of_lower) / 2
    rules: list[dict[str, float]] = []
    for box in upper:
        rules.append({"x": box.centre, "y": box.bottom, "x2": box.centre, "y2": bus})
    xs = [b.centre for b in upper + lower]
    if max(xs) - min(xs) > 0.5:
        rules.append({"x": min(xs), "y": bus, "x2": max(xs), "y2": bus})
    heads: list[dict[str, float]] = []
    for box in lower:
        rules.append({"x": box.centre, "y": bus, "x2": box.centre, "y2": box.y - 5})
        heads.append({"x": box.centre, "y": box.y - 4})
    return rules, heads


# ---- the chart -----------------------------------------------------------------------------------


def _unscaled(name: str) -> dict[str, Any]:
    return {"field": name, "type": "quantitative", "scale": None, "axis": None}


def org_diagram(plan: Helhedsplan) -> Chart:
    """The organisation diagram of `plan`: fora by level (by, bydel, helhedsplan) and the local
    team with its bases, as boxes and arrows. About 680 px wide; `save_png` at the default scale
    gives print quality at 16 cm."""
    levels = _levels(plan)
    if not levels:
        raise ValueError("planen beskriver ingen organisering (fora eller lokalt team)")
    height = _layout(levels)

    bands = [
        {
            "x": MARGIN / 2,
            "x2": WIDTH - MARGIN / 2,
            "y": level.top,
            "y2": level.bottom,
            "fill": "#F3F6FA" if index % 2 == 0 else "#FAFBFD",
        }
        for index, level in enumerate(levels)
    ]
    band_labels = [
        {"x": MARGIN + 2, "y": (level.top + level.bottom) / 2, "lines": wrap(level.label, LABEL_COLUMN - 8, 11, True)}
        for level in levels
    ]
    # Connectors: from each level's last row to the next level's first row, and inside the team
    # from the team to its bases. Fora that wrap onto a second row are peers, not connected.
    pairs: list[tuple[list[_Box], list[_Box]]] = []
    for index, level in enumerate(levels):
        if level.rows_connected:
            pairs += list(zip(level.rows, level.rows[1:], strict=False))
        if index + 1 < len(levels):
            pairs.append((level.rows[-1], levels[index + 1].rows[0]))
    rules: list[dict[str, float]] = []
    heads: list[dict[str, float]] = []
    for upper, lower in pairs:
        more_rules, more_heads = _connect(upper, lower)
        rules += more_rules
        heads += more_heads

    boxes = [box for level in levels for row in level.rows for box in row]
    box_rows = []
    title_rows = []
    sub_rows = []
    for box in boxes:
        style = STYLES[box.style]
        box_rows.append(
            {
                "x": box.x,
                "x2": box.x + box.width,
                "y": box.y,
                "y2": box.bottom,
                "fill": style.fill,
                "stroke": style.stroke,
                "strokeWidth": style.stroke_width,
                "dash": list(style.dash),
                "navn": box.title,
            }
        )
        title_rows.append({"x": box.centre, "y": box.text_top, "lines": box.title_lines, "color": style.text})
        if box.sub_lines:
            sub_y = box.text_top + len(box.title_lines) * TITLE_LINE + SUB_GAP
            sub_rows.append({"x": box.centre, "y": sub_y, "lines": box.sub_lines, "color": style.sub})

    x, y, x2, y2 = _unscaled("x"), _unscaled("y"), {"field": "x2"}, {"field": "y2"}
    colour = {"field": "color", "type": "nominal", "scale": None}
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": bands},
            "mark": {"type": "rect", "cornerRadius": 6, "aria": False},
            "encoding": {
                "x": x,
                "x2": x2,
                "y": y,
                "y2": y2,
                "fill": {"field": "fill", "type": "nominal", "scale": None},
            },
        },
        {
            "data": {"values": band_labels},
            "mark": {
                "type": "text",
                "aria": False,
                "align": "left",
                "baseline": "middle",
                "fontSize": 11,
                "fontWeight": "bold",
                "color": PALETTE["muted"],
                "lineHeight": 14,
            },
            "encoding": {"x": x, "y": y, "text": {"field": "lines"}},
        },
        {
            "data": {"values": rules},
            "mark": {"type": "rule", "color": "#7F7F7F", "strokeWidth": 1.4, "aria": False},
            "encoding": {"x": x, "y": y, "x2": x2, "y2": y2},
        },
        {
            "data": {"values": heads},
            "mark": {
                "type": "point",
                "shape": "triangle-down",
                "filled": True,
                "size": 55,
                "color": "#7F7F7F",
                "aria": False,
            },
            "encoding": {"x": x, "y": y},
        },
        {
            "data": {"values": box_rows},
            "mark": {"type": "rect", "cornerRadius": 5},
            "encoding": {
                "x": x,
                "x2": x2,
                "y": y,
                "y2": y2,
                "fill": {"field": "fill", "type": "nominal", "scale": None},
                "stroke": {"field": "stroke", "type": "nominal", "scale": None},
                "strokeWidth": {"field": "strokeWidth", "type": "quantitative", "scale": None},
                "strokeDash": {"field": "dash", "type": "nominal", "scale": None},
                "description": {"field": "navn"},
            },
        },
        {
            "data": {"values": title_rows},
            "mark": {
                "type": "text",
                "aria": False,
                "align": "center",
                "baseline": "top",
                "fontSize": TITLE_SIZE,
                "fontWeight": "bold",
                "lineHeight": TITLE_LINE,
            },
            "encoding": {"x": x, "y": y, "text": {"field": "lines"}, "color": colour},
        },
    ]
    if sub_rows:
        layers.append(
            {
                "data": {"values": sub_rows},
                "mark": {
                    "type": "text",
                    "aria": False,
                    "align": "center",
                    "baseline": "top",
                    "fontSize": SUB_SIZE,
                    "lineHeight": SUB_LINE,
                },
                "encoding": {"x": x, "y": y, "text": {"field": "lines"}, "color": colour},
            }
        )
    return Chart(
        spec(
            {"layer": layers},
            width=WIDTH,
            height=round(height),
            autosize={"type": "none"},
            padding=0,
            description=f"Organisering af {plan.navn}",
        )
    )

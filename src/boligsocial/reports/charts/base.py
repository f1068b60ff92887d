"""A chart is a Vega-Lite spec (a plain dict) plus server-side rendering with vl-convert.

The same spec serves the documents (PNG/SVG rendered here, without a browser) and the web app
(which can embed the SVG or hand the spec to vega-embed). Text is set in DejaVu Sans, which
matplotlib ships, so rendering works on a machine without system fonts (the specs name sans-serif
fallbacks after it, for browsers). Numbers use the Danish locale (`1.964`, `8,21`) through the
spec's own `config.locale`, so a browser renders them the same.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import matplotlib
import vl_convert

from boligsocial.danish import MONTHS_DA
from boligsocial.files import write_atomically

__all__ = [
    "FONT",
    "FONT_FAMILY",
    "PALETTE",
    "Chart",
    "base_config",
    "font_directory",
]

FONT: Final = "DejaVu Sans"
FONT_FAMILY: Final = f"{FONT}, Helvetica, Arial, sans-serif"
"""What the specs name: DejaVu Sans, which the server renders with (registered from matplotlib),
then sans-serif fallbacks for a browser that shows the SVG or spec without DejaVu Sans."""
VEGA_LITE_SCHEMA: Final = "https://vega.github.io/schema/vega-lite/v6.json"  # vl-convert renders with 6.4

PALETTE: Final = {
    "ink": "#1A1A1A",
    "muted": "#595959",
    "faint": "#8C8C8C",
    "rule": "#BFBFBF",
    "grid": "#E6E6E6",
    "primary": "#1F4E79",  # the plan's own values
    "secondary": "#8EA9C1",  # comparison figures, criteria not met
    "met": "#C65911",  # a criterion met (a problem indicator)
    "unknown": "#BFBFBF",
    "threshold": "#1A1A1A",
}

DANISH_NUMBER_LOCALE: Final = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", "\u00a0kr."]}
DANISH_TIME_LOCALE: Final = {
    "dateTime": "%A den %d. %B %Y %X",
    "date": "%d.%m.%Y",
    "time": "%H:%M:%S",
    "periods": ["AM", "PM"],
    "days": ["søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"],
    "shortDays": ["søn", "man", "tir", "ons", "tor", "fre", "lør"],
    "months": list(MONTHS_DA),
    "shortMonths": ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
}

_fonts_lock = threading.Lock()
_fonts_registered = False


def font_directory() -> Path:
    """matplotlib's bundled TrueType fonts (DejaVu Sans among them)."""
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _register_fonts() -> None:
    global _fonts_registered
    with _fonts_lock:
        if not _fonts_registered:
            vl_convert.register_font_directory(str(font_directory()))
            _fonts_registered = True


def base_config() -> dict[str, Any]:
    """The house style: font, Danish locale, quiet axes, no view frame."""
    return {
        "font": FONT_FAMILY,
        "locale": {"number": DANISH_NUMBER_LOCALE, "time": DANISH_TIME_LOCALE},
        "background": "white",
        "padding": 8,
        "view": {"stroke": None},
        "title": {
            "anchor": "start",
            "font": FONT_FAMILY,
            "fontSize": 15,
            "fontWeight": "bold",
            "color": PALETTE["ink"],
            "subtitleFont": FONT_FAMILY,
            "subtitleFontSize": 11,
            "subtitleColor": PALETTE["muted"],
            "subtitlePadding": 4,
            "offset": 12,
        },
        "axis": {
            "labelFont": FONT_FAMILY,
            "titleFont": FONT_FAMILY,
            "labelFontSize": 11,
            "titleFontSize": 11,
            "titleFontWeight": "normal",
            "labelColor": PALETTE["muted"],
            "titleColor": PALETTE["muted"],
            "domainColor": PALETTE["rule"],
            "tickColor": PALETTE["rule"],
            "gridColor": PALETTE["grid"],
        },
        "header": {"labelFont": FONT_FAMILY, "titleFont": FONT_FAMILY},
        "legend": {
            "labelFont": FONT_FAMILY,
            "titleFont": FONT_FAMILY,
            "labelFontSize": 11,
            "titleFontSize": 11,
            "labelColor": PALETTE["ink"],
            "titleColor": PALETTE["muted"],
            "titleFontWeight": "normal",
        },
        "text": {"font": FONT_FAMILY, "fontSize": 11, "color": PALETTE["ink"]},
    }


@dataclass(frozen=True)
class Chart:
    """A Vega-Lite chart. `spec` is the complete spec (data inlined, house style in `config`)."""

    spec: dict[str, Any]

    def to_json(self) -> str:
        """The spec as JSON, e.g. for vega-embed in the web app."""
        return json.dumps(self.spec, ensure_ascii=False, indent=2)

    def svg(self) -> str:
        _register_fonts()
        return str(vl_convert.vegalite_to_svg(self.spec))

    def png(self, scale: float = 2) -> bytes:
        """PNG bytes; `scale` multiplies the spec's pixel size (2 gives print quality at ~16 cm)."""
        _register_fonts()
        return bytes(vl_convert.vegalite_to_png(self.spec, scale=scale))

    def save_svg(self, path: Path) -> None:
        write_atomically(path, self.svg().encode("utf-8"), create_folder=True)

    def save_png(self, path: Path, scale: float = 2) -> None:
        write_atomically(path, self.png(scale), create_folder=True)


def spec(body: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A complete spec: schema, house config, and `body`; `top` adds top-level properties."""
    return {"$schema": VEGA_LITE_SCHEMA, "config": base_config(), **top, **body}


def with_caption(view: dict[str, Any], text: str | list[str]) -> dict[str, Any]:
    """`view` with a small caption (e.g. the source) below it, left-aligned with the view's outer
    edge (axis labels included). Returns a `vconcat` holding the view, so that the caller can give
    the whole chart its own title above."""
    lines = [text] if isinstance(text, str) else text
    captioned = {
        **view,
        "title": {
            "text": lines,
            "orient": "bottom",
            "anchor": "start",
            "frame": "bounds",
            "fontSize": 10,
            "fontWeight": "normal",
            "color": PALETTE["muted"],
            "lineHeight": 14,
            "offset": 14,
        },
    }
    return {"vconcat": [captioned]}

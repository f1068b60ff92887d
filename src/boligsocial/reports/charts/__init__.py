"""Charts for the documents and the web app, rendered on the server without a browser.

Every chart is a `Chart`: a Vega-Lite spec (`.spec`, `.to_json()`) that vl-convert renders to
SVG (`.svg()`, `.save_svg(path)`) and PNG (`.png(scale)`, `.save_png(path)`). See `docs/reports.md`.
"""

from boligsocial.reports.charts.base import Chart
from boligsocial.reports.charts.criteria import criteria_chart
from boligsocial.reports.charts.indicator import indicator_chart
from boligsocial.reports.charts.org import org_diagram

__all__ = ["Chart", "criteria_chart", "indicator_chart", "org_diagram"]

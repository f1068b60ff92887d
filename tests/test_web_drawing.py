"""The pages' charts are drawn by vl-convert in a child process (web/drawing.py), because
vl-convert holds the GIL while it draws: the SVG must be the one `Chart.svg` draws in process, a
refused spec must fail as it would in process, and a child that dies must cost no chart. (What the
child gains, the other requests going on meanwhile, is measured by bench/web.py --uncached.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from boligsocial.plan.folder import load_plan
from boligsocial.reports.charts.base import Chart
from boligsocial.reports.charts.indicator import indicator_chart
from boligsocial.web.drawing import Drawer, DrawingFailed

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter"


@pytest.fixture(scope="module")
def chart() -> Chart:
    plan = load_plan(EXAMPLE)
    return indicator_chart(next(i for i in plan.indikatorer if i.maalinger))


@pytest.fixture
def drawer() -> Iterator[Drawer]:
    found = Drawer()
    yield found
    found.close()


def test_the_child_draws_the_same_svg_as_the_server_process(chart: Chart, drawer: Drawer) -> None:
    assert drawer.draw(chart) == chart.svg()
    assert drawer._child is not None and drawer._child.poll() is None  # drawn by the child, which stays


def test_a_spec_vl_convert_refuses_fails_as_in_process(drawer: Drawer) -> None:
    refused = Chart({"mark": "nonsense"})
    with pytest.raises(ValueError):
        refused.svg()
    with pytest.raises(DrawingFailed, match="ValueError"):
        drawer.draw(refused)


def test_a_dead_child_costs_no_chart_and_is_replaced(chart: Chart, drawer: Drawer) -> None:
    expected = chart.svg()
    drawer.draw(chart)
    first = drawer._child
    assert first is not None
    first.kill()
    first.wait()
    assert drawer.draw(chart) == expected  # drawn in process this once
    assert drawer.draw(chart) == expected  # and by a new child
    assert drawer._child is not None and drawer._child is not first and drawer._child.poll() is None

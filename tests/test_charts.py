"""Server-side charts: Vega-Lite specs rendered to SVG and PNG by vl-convert, without a browser."""

from __future__ import annotations

import html
import json
import re
import struct
from pathlib import Path

import pytest

from boligsocial.plan.assessment import PlanAssessment, load_assessment
from boligsocial.plan.model import Helhedsplan, Indikator
from boligsocial.reports.charts import Chart, criteria_chart, indicator_chart, org_diagram
from boligsocial.reports.charts.base import FONT, PALETTE, font_directory
from boligsocial.reports.charts.org import wrap

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def ctx() -> PlanAssessment:
    return load_assessment(EXAMPLE)


@pytest.fixture(scope="module")
def plan(ctx: PlanAssessment) -> Helhedsplan:
    return ctx.plan


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def svg_text(svg: str) -> str:
    """All text of an SVG (text elements and aria labels), unescaped, whitespace collapsed."""
    parts = re.findall(r">([^<>]+)<", svg) + re.findall(r'aria-label="([^"]*)"', svg)
    return " ".join(html.unescape(" ".join(parts)).replace("\u00a0", " ").split())


def test_fonts_come_with_matplotlib() -> None:
    assert (font_directory() / "DejaVuSans.ttf").is_file()
    assert (font_directory() / "DejaVuSans-Bold.ttf").is_file()


def test_criteria_chart_png_and_svg(ctx: PlanAssessment, tmp_path: Path) -> None:
    chart = criteria_chart(ctx.result.unit("Folehaven"), "forebyggelsesomraade")
    assert isinstance(chart, Chart)
    assert chart.spec["config"]["font"].startswith(FONT)  # "DejaVu Sans, ..., sans-serif"
    json.loads(chart.to_json())  # the spec is plain JSON, ready for vega-embed

    png = chart.png()
    width, height = png_size(png)
    assert 700 < width < 2000 and 400 < height < 2000
    assert len(png) > 10_000

    svg = chart.svg()
    text = svg_text(svg)
    assert "Folehaven: forebyggelsesområde" in text
    assert "grænse ≥ 1,45 %" in text  # the threshold, with a Danish decimal comma
    for value in ("1,79 %", "30,9 %", "47,5 %", "57,3 %", "59,3 %"):
        assert value in text
    assert "Status: på listen" in text
    assert "§ 61 b" in text
    # Met criteria in the distinct colour, the one not met (kun grundskole) in the other.
    assert svg.lower().count(f'fill="{PALETTE["met"].lower()}"') >= 4
    assert f'fill="{PALETTE["secondary"].lower()}"' in svg.lower()

    chart.save_png(tmp_path / "kriterier.png")
    chart.save_svg(tmp_path / "kriterier.svg")
    assert (tmp_path / "kriterier.png").read_bytes().startswith(PNG_SIGNATURE)
    assert (tmp_path / "kriterier.svg").read_text(encoding="utf-8").startswith("<svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kriterier.png", "kriterier.svg"]


def test_criteria_chart_unknown_value_and_small_unit(ctx: PlanAssessment) -> None:
    text = svg_text(criteria_chart(ctx.result.unit("Hammelstruphus"), "forebyggelsesomraade").svg())
    assert "ikke oplyst" in text
    assert "Færre beboere end lovens minimum" in text
    assert "som område: ubestemt" in text


def test_criteria_chart_area_marks_approximate_values(ctx: PlanAssessment) -> None:
    text = svg_text(criteria_chart(ctx.result.unit("Sjælør Boulevard", "omraade"), "forebyggelsesomraade").svg())
    assert "Sjælør Boulevard (område)" in text
    assert "~2,09 %" in text
    assert "tilnærmet tal" in text


def test_criteria_chart_unknown_list(ctx: PlanAssessment) -> None:
    with pytest.raises(KeyError, match="ghetto"):
        criteria_chart(ctx.result.unit("Folehaven"), "ghetto")


def test_indicator_with_comparison_shows_both_values(plan: Helhedsplan) -> None:
    indikator = plan.find_indikator("fravaer-grundskole")
    assert indikator is not None
    # The application's single value (the example also has synthetic follow-up values).
    indikator = indikator.model_copy(update={"maalinger": [m for m in indikator.maalinger if m.aar == 2021]})
    text = svg_text(indicator_chart(indikator).svg())
    assert "Fravær blandt børn i grundskolen" in text
    assert "8,21 %" in text
    assert "7,68 %" in text
    assert "Gennemsnit for de øvrige almene" in text
    assert "Mit Kvarter (2021)" in text
    assert "Kilde: ikke angivet." in text


def test_indicator_series_with_reference_line_and_source(plan: Helhedsplan) -> None:
    indikator = plan.find_indikator("uddannelse-18-29")
    assert indikator is not None
    # The application's series (the example also has a synthetic follow-up value).
    indikator = indikator.model_copy(update={"maalinger": [m for m in indikator.maalinger if (m.aar or 0) <= 2022]})
    chart = indicator_chart(indikator)
    text = svg_text(chart.svg())
    assert "56,7 %" in text and "60,8 %" in text
    assert "Gennemsnit for kommunen: 86 %" in text
    assert "Kilde: LBF beboerdata." in text
    assert "2018" in text and "2022" in text and "2.018" not in text  # years are not grouped
    layers = chart.spec["vconcat"][0]["layer"]
    assert any(layer["mark"]["type"] == "line" for layer in layers)
    assert any(layer["mark"].get("strokeDash") for layer in layers)  # the comparison as a reference line


def test_indicator_dated_comparisons_are_points() -> None:
    indikator = Indikator.model_validate(
        {
            "id": "beskaeftigelse",
            "navn": "Beskæftigede",
            "enhed": "pct",
            "gaelder": "Mit Kvarter",
            "kilde": "LBF beboerdata",
            "maalinger": [{"vaerdi": "55,1", "aar": 2019}, {"vaerdi": "58,7", "aar": 2023, "kvalifikator": "ca."}],
            "sammenligninger": [{"betegnelse": "Almene i kommunen", "vaerdi": "60", "aar": 2021, "kilde": "KK"}],
        }
    )
    text = svg_text(indicator_chart(indikator).svg())
    assert "ca. 58,7 %" in text
    assert "Almene i kommunen: 60 %" in text
    assert "sammenligning: KK" in text


def test_indicator_without_values_is_refused() -> None:
    indikator = Indikator.model_validate({"id": "tom", "navn": "Tom", "enhed": "antal", "gaelder": "Mit Kvarter"})
    with pytest.raises(ValueError, match="hverken målinger"):
        indicator_chart(indikator)


def test_org_diagram_holds_every_forum_and_the_team(plan: Helhedsplan, tmp_path: Path) -> None:
    chart = org_diagram(plan)
    svg = chart.svg()
    text = svg_text(svg)
    assert plan.organisation is not None and plan.organisation.team is not None
    for forum in plan.organisation.fora:
        assert forum.navn in text, forum.navn
    for label in ("Byniveau", "Bydelsniveau", "Helhedsplan", "Lokalt team", "Boligsocial bestyrelse"):
        assert label in text
    for base in plan.organisation.team.baser:
        assert f"Base i {base}" in text
    assert "Faglig udviklingskonsulent" in text
    assert "Mødes 3-4 gange årligt" in text
    # Danish letters are text in the SVG, in the bundled font.
    assert "Københavns Bydelsbestyrelse" in text
    assert 'font-family="DejaVu Sans, ' in svg

    path = tmp_path / "organisering.png"
    chart.save_png(path)
    width, height = png_size(path.read_bytes())
    assert width == 2 * chart.spec["width"] and height == 2 * chart.spec["height"]
    assert 1.0 < width / height < 2.0
    assert path.stat().st_size > 20_000


def test_org_diagram_without_organisation_is_refused(plan: Helhedsplan) -> None:
    bare = plan.model_copy(update={"organisation": None})
    with pytest.raises(ValueError, match="organisering"):
        org_diagram(bare)


def test_wrap_breaks_long_words_after_a_slash() -> None:
    lines = wrap("Boligsociale styre-/følgegrupper (Politiske følgegrupper)", 110, 12, bold=True)
    assert lines[0] == "Boligsociale"
    assert "styre-/" in lines
    assert " ".join(lines).replace("-/ ", "-/") == "Boligsociale styre-/følgegrupper (Politiske følgegrupper)"

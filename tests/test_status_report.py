"""The yearly status report: its tables and charts hold the values they should; DOCX and PDF."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from boligsocial.plan.folder import load_plan
from boligsocial.plan.status import PlanStatus, plan_status
from boligsocial.reports.charts.status import status_chart
from boligsocial.reports.document import Figure, Table
from boligsocial.reports.status_report import build_status_report, report_command, write_status_report

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter"


@pytest.fixture(scope="module")
def status() -> PlanStatus:
    return plan_status(load_plan(EXAMPLE), 2026)


def _layer_rows(spec: dict[str, object], serie: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict):
                for row in data.get("values", []):
                    if row.get("serie") == serie and row not in rows:
                        rows.append(row)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return rows


def test_chart_holds_values_milestones_target_comparisons_and_projection(status: PlanStatus) -> None:
    s = next(x for x in status.indikatorer if x.indikator.id == "uddannelse-18-29")
    spec = status_chart(s).spec
    assert [(r["aar"], r["vaerdi"]) for r in _layer_rows(spec, "maaling")] == [
        (2018, 56.7),
        (2022, 60.8),
        (2025, 62.8),
    ]
    milestones = {r["aar"]: (r["vaerdi"], r["art"]) for r in _layer_rows(spec, "milepael")}
    assert milestones[2026] == (63.5, "milepael") and milestones[2027] == (65.0, "milepael")
    assert milestones[2022] == (60.8, "baseline") and milestones[2028] == (66.0, "maal")
    assert milestones[2025] == (pytest.approx(62.825), "interpoleret")  # 60.8 + 2.7 * 3/4
    (target,) = _layer_rows(spec, "maal")
    assert (target["aar"], target["vaerdi"]) == (2028, 66.0) and "illustrativt" in str(target["tekst"])
    assert [r["vaerdi"] for r in _layer_rows(spec, "sammenligning")] == [86.0]
    band = _layer_rows(spec, "fremskrivning")
    assert [r["aar"] for r in band] == [2025, 2026, 2027, 2028]
    assert s.fremskrivning is not None
    assert band[-1]["vaerdi"] == s.fremskrivning.end.vaerdi
    assert "Fremskrivning" in status_chart(s).to_json()


def test_chart_leaves_out_values_after_the_status_year() -> None:
    s = next(x for x in plan_status(load_plan(EXAMPLE), 2025).indikatorer if x.indikator.id == "fravaer-grundskole")
    assert [r["aar"] for r in _layer_rows(status_chart(s).spec, "maaling")] == [2021, 2025]


def test_report_tables_hold_the_status(status: PlanStatus) -> None:
    document = build_status_report(status.plan, status)
    (overview,) = document.tables("status-oversigt")
    body = overview.body_rows()
    assert len(body) == 16
    first = [c.text for c in body[0].cells]
    assert first == [
        "Fravær blandt børn i grundskolen",
        "8,21\u00a0% (2021)",
        "7,9\u00a0% (2026)",  # as measured: one decimal
        "7,70\u00a0% (2026)",  # interpolated: the indicator's two decimals, not three
        "7,5\u00a0% (2028)*",  # as the plan sets it
        "Bagud",
    ]
    ssp = next(r for r in body if r.cells[0].text == "SSP-sager i kategori 1-2")
    assert [c.text for c in ssp.cells[1:]] == ["309 (2022)", "281 (2025)", "280 (2025)", "250 (2028)*", "På sporet"]
    (figures,) = document.tables("indikator-uddannelse-18-29")
    labels = [(r.cells[0].text, r.cells[1].text, r.cells[2].text) for r in figures.rows[1:]]
    assert ("Baseline (fastfrosset)", "2022", "60,8\u00a0%") in labels
    assert ("Milepæl", "2026", "63,5\u00a0%") in labels
    assert ("Milepæl (interpoleret)", "2025", "62,8\u00a0%") in labels
    assert ("Mål (illustrativt)", "2028", "66\u00a0%") in labels  # as the plan writes it
    assert ("Måling", "2025", "62,8\u00a0%") in labels
    assert any(label.startswith("Fremskrivning") for label, _, _ in labels)
    charts = [b for b in document.blocks if isinstance(b, Figure)]
    with_values = [s for s in status.indikatorer if s.indikator.maalinger or s.indikator.sammenligninger]
    assert len(charts) == len(with_values)  # one chart per indicator with figures
    assert all(isinstance(b, Table) for b in document.tables("status-oversigt"))


def test_report_files(tmp_path: Path) -> None:
    result = write_status_report(EXAMPLE, 2026, tmp_path / "ud")
    docx_path, pdf_path = result.files
    assert (docx_path.name, pdf_path.name) == ("statusrapport-2026.docx", "statusrapport-2026.pdf")
    text = "\n".join(p.text for p in docx.Document(str(docx_path)).paragraphs)
    assert "Statusrapport 2026" in text and "Sådan vurderes status" in text
    pdf_text = "".join(page.extract_text() for page in PdfReader(pdf_path).pages)
    assert "Fravær blandt børn i grundskolen" in pdf_text and "Bagud" in pdf_text
    assert result.pdf_pages == len(PdfReader(pdf_path).pages)
    out, code = report_command(EXAMPLE, 2030, tmp_path / "ud2")
    assert code == 2 and "uden for planens periode" in out
    assert not (tmp_path / "ud2").exists() or not any((tmp_path / "ud2").iterdir())


def test_the_comparison_keeps_its_decimals_and_sources_have_no_stray_comma(status: PlanStatus) -> None:
    document = build_status_report(status.plan, status)
    (social,) = document.tables("indikator-socialsager")
    values = {r.cells[0].text: r.cells[2].text for r in social.rows[1:]}
    assert values["Sammenligning: Gennemsnit i de almene afdelinger (København)"] == "338,4 pr. 1.000 børn"
    (fravaer,) = document.tables("indikator-fravaer-grundskole")
    baseline = next(r for r in fravaer.rows if r.cells[0].text == "Baseline (fastfrosset)")
    assert not baseline.cells[3].text.startswith(",") and "definition v1" in baseline.cells[3].text

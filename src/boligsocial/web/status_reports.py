"""The yearly status report (`reports/status_report.py`: every indicator's status, chart and
figures) built from the stored plan for a chosen year, as DOCX or PDF, for download.

Rendering takes seconds (the charts), so a file is built once per plan data version, year and
format and kept in a small cache on the app (`AppState.status_reports`): every write to the plan
changes the data version, so a cached report is never stale, and two people asking at once wait
for one build."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Final

from fastapi import HTTPException, Request

from boligsocial.plan.model import Helhedsplan
from boligsocial.plan.status import StatusError, plan_status
from boligsocial.reports.docx_render import render_docx
from boligsocial.reports.pdf_render import render_pdf
from boligsocial.reports.status_report import build_status_report
from boligsocial.web.pages import app_state, overview

MEDIA_TYPES: Final = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def check_year(plan: Helhedsplan, text: str) -> int:
    """The year asked for, inside the plan period (else 400 in Danish)."""
    years = plan.periode.aar
    if not text.isdigit() or int(text) not in years:
        raise HTTPException(
            400, f'Statusrapporten kan laves for et år i planens periode ({years[0]}-{years[-1]}), ikke "{text}".'
        )
    return int(text)


def render(plan: Helhedsplan, year: int, kind: str) -> bytes:
    """The status report for `year` as `kind` ("docx" or "pdf")."""
    try:
        document = build_status_report(plan, plan_status(plan, year))
    except StatusError as error:
        raise HTTPException(422, f"Statusrapporten kan ikke laves: {error}") from None
    with tempfile.TemporaryDirectory(prefix="boligsocial-status-") as tmp:
        path = Path(tmp) / f"statusrapport-{year}.{kind}"
        if kind == "docx":
            render_docx(document, path)
        else:
            render_pdf(document, path)
        return path.read_bytes()


def status_report(request: Request, plan_id: int, year_text: str, kind: str) -> tuple[Helhedsplan, int, bytes]:
    """The plan, the checked year and the report's bytes, built once per data version. Refused
    (403) to a user without a role on the plan before anything is built."""
    if kind not in MEDIA_TYPES:
        raise HTTPException(404, "Statusrapporten findes som .docx og .pdf.")
    view = overview(request, plan_id)  # the role check, and the data version of this request
    year = check_year(view.plan, year_text)
    key = (plan_id, request.state.data_version, year, kind)
    return view.plan, year, app_state(request).status_reports.get(key, lambda: render(view.plan, year, kind))

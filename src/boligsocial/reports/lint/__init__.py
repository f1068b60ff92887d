"""The application lint: what an LBF case officer would catch in a helhedsplan application.

```python
report = lint_folder(Path("examples/mit-kvarter"))       # never raises for a bad plan
report.errors()                                          # the findings of severity "fejl"
print(report.to_text())                                  # Danish, grouped, with a summary line
report.to_json()                                         # the machine format
report = run_lint(load_assessment(folder), pdf_pages=4)     # when the plan is already loaded
```

Each rule group is a module; the codes are listed in `RULES` and described in `docs/lint.md`:

* BS0xx  the plan, its key figures or its prose cannot be read (`problems`, `common`)
* BS1xx  counts in the text that differ from the data (`counts`)
* BS2xx  an afdeling spelled differently from the plan (`names`)
* BS3xx  list claims that the law contradicts or cannot decide (`lists`)
* BS4xx  indsatsomraader (`problems`, `structure`)
* BS5xx  the budget and local co-financing (`budget`)
* BS6xx  the length of the projektbeskrivelse (`pages`)
* BS7xx  the key figures (`keyfigures`)
* BS8xx  conditional afdelinger (`structure`)
* BS9xx  indicators without source, year or values (`structure`)
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from boligsocial.plan.assessment import PlanAssessment, assess, load_assessment
from boligsocial.plan.folder import PlanError, load_plan, noegletal_path, plan_file
from boligsocial.plan.keyfigures import KeyFigureError, read_key_figures
from boligsocial.reports.lint.budget import check_budget
from boligsocial.reports.lint.common import LintInput, Place, all_passages, finding, read_prose
from boligsocial.reports.lint.counts import check_counts
from boligsocial.reports.lint.findings import RULES, Finding, LintReport, Rule, Severity
from boligsocial.reports.lint.keyfigures import check_key_figures
from boligsocial.reports.lint.lists import check_lists
from boligsocial.reports.lint.names import check_names
from boligsocial.reports.lint.pages import MAX_PAGES, check_pages
from boligsocial.reports.lint.problems import key_figure_findings, plan_error_findings
from boligsocial.reports.lint.structure import (
    check_afdelinger,
    check_indikatorer,
    check_indsatsomraader,
    check_prose_headings,
)

__all__ = [
    "MAX_PAGES",
    "RULES",
    "Finding",
    "LintReport",
    "Rule",
    "Severity",
    "lint_folder",
    "run_lint",
]


def run_lint(assessment: PlanAssessment, *, pdf_pages: int | None = None) -> LintReport:
    """Lint an assessed plan folder. `pdf_pages` is the page count of the rendered
    projektbeskrivelse (the package builder passes it); without it the length is reported as not
    checked."""
    folder = assessment.folder
    assert folder is not None, "the lint reads the plan folder's own text"
    prose, prose_problems = read_prose(folder, assessment.plan)
    inp = LintInput(
        folder=folder,
        plan=assessment.plan,
        plan_text=_plan_text(folder),
        assessment=assessment,
        noegletal_file=assessment.plan.noegletal,
        prose=prose,
    )
    reason = None if pdf_pages is not None else "antallet af sider er ikke oplyst"
    return LintReport(prose_problems + _run_rules(inp, pdf_pages, reason), title=assessment.plan.navn)


def lint_folder(folder: Path, *, pdf_pages: int | None = None) -> LintReport:
    """Lint a plan folder. Never raises for a bad plan: what cannot be read becomes findings, and
    the rules that need it are skipped. Without `pdf_pages` the projektbeskrivelse is rendered to
    count its pages if the PDF renderer is available."""
    folder = Path(folder)
    try:
        plan = load_plan(folder)
    except PlanError as error:
        return LintReport(plan_error_findings(error, folder))

    findings: list[Finding] = []
    assessment: PlanAssessment | None = None
    path = noegletal_path(plan, folder)
    if path is None:
        findings.append(
            finding(
                "BS002",
                'Planen angiver ingen nøgletalsfil (feltet "noegletal"), så nøgletal, lister og beboertal er ikke '
                "kontrolleret.",
                Place("noegletal", plan_file(folder).name),
            )
        )
    else:
        try:
            assessment = assess(plan, read_key_figures(path), folder=folder)
        except KeyFigureError as error:
            findings += key_figure_findings(error)
    if assessment is not None:
        if plan.liste_aar is None:
            findings.append(
                finding(
                    "BS003",
                    'Planen angiver intet listeår (feltet "liste_aar"), så lovens kriterier er ikke anvendt.',
                    Place("liste_aar", plan_file(folder).name),
                )
            )
        elif assessment.law_error is not None:
            findings.append(finding("BS003", str(assessment.law_error), Place("nøgletallene", plan.noegletal)))

    prose, prose_problems = read_prose(folder, plan)
    findings += prose_problems
    inp = LintInput(
        folder=folder,
        plan=plan,
        plan_text=_plan_text(folder),
        assessment=assessment,
        noegletal_file=plan.noegletal,
        prose=prose,
    )
    reason = None
    if pdf_pages is None:
        pdf_pages, reason = _render_page_count(folder, assessment)
    return LintReport(findings + _run_rules(inp, pdf_pages, reason), title=plan.navn)


def _run_rules(inp: LintInput, pdf_pages: int | None, reason: str | None) -> list[Finding]:
    passages = all_passages(inp)
    findings: list[Finding] = []
    findings += check_counts(inp, passages)
    findings += check_names(inp, passages)
    findings += check_lists(inp, passages)
    findings += check_indsatsomraader(inp)
    findings += check_prose_headings(inp.prose)
    findings += check_budget(inp)
    findings += check_pages(pdf_pages, reason)
    findings += check_key_figures(inp)
    findings += check_afdelinger(inp)
    findings += check_indikatorer(inp)
    return findings


def _plan_text(folder: Path) -> str:
    try:
        return plan_file(folder).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ""


def _render_page_count(folder: Path, assessment: PlanAssessment | None) -> tuple[int | None, str | None]:
    """Build the projektbeskrivelse and render it to PDF to count its pages. Returns the count, or
    None and the reason (Danish) when it cannot be rendered; the lint goes on either way."""
    try:
        from boligsocial.reports.pdf_render import render_pdf
        from boligsocial.reports.projektbeskrivelse import build_projektbeskrivelse
    except ImportError:  # pragma: no cover - the renderer is part of the package
        return None, "PDF-dannelsen er ikke tilgængelig"
    try:
        if assessment is None or assessment.result is None:
            assessment = load_assessment(folder)  # raises what stops the document, as the package would
        document = build_projektbeskrivelse(assessment)
        with tempfile.TemporaryDirectory(prefix="boligsocial-lint-") as tmp:
            return render_pdf(document, Path(tmp) / "projektbeskrivelse.pdf"), None
    except Exception as error:  # whatever stops the rendering is reported, not raised: the lint goes on
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return None, f"projektbeskrivelsen kunne ikke dannes som PDF: {reason}"

"""The application package: everything `boligsocial application PLAN --out DIR` writes.

    projektbeskrivelse.docx   the kortfattet projektbeskrivelse as Word (restylable template)
    projektbeskrivelse.pdf    the same on A4, at most five pages
    bilag-noegletal.xlsx      the key-figure annex
    lint.json, lint.txt       what a case officer would catch, incl. the PDF's page count

All files are written to a temporary folder next to `out` and moved into place only when every one
of them was written, so a failure never leaves half a package (nor replaces a previous one).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docx.opc.exceptions import PackageNotFoundError

from boligsocial.plan.assessment import PlanAssessment, load_assessment
from boligsocial.plan.inputs import InputError
from boligsocial.reports.annex import write_annex
from boligsocial.reports.document import Document
from boligsocial.reports.docx_render import render_docx
from boligsocial.reports.lint import LintReport, run_lint
from boligsocial.reports.pdf_render import render_pdf
from boligsocial.reports.projektbeskrivelse import build_projektbeskrivelse

__all__ = [
    "ANNEX",
    "DOCX",
    "LINT_JSON",
    "LINT_TXT",
    "PACKAGE_FILES",
    "PDF",
    "PackageResult",
    "build_package",
    "write_package",
]

DOCX = "projektbeskrivelse.docx"
PDF = "projektbeskrivelse.pdf"
ANNEX = "bilag-noegletal.xlsx"
LINT_JSON = "lint.json"
LINT_TXT = "lint.txt"
PACKAGE_FILES = (DOCX, PDF, ANNEX, LINT_JSON, LINT_TXT)


@dataclass(frozen=True)
class PackageResult:
    out: Path
    files: tuple[Path, ...]
    pdf_pages: int
    lint: LintReport
    document: Document


def build_package(folder: Path, out: Path, template: Path | None = None) -> PackageResult:
    """Load a plan folder and write its application package to `out` (created if missing).

    Raises `InputError` (Danish) when the plan, its key figures or the template cannot be read,
    `ProseError` for problems in the prose (file and line), `LawError` when the law cannot be
    applied. Existing files in `out` other than the package's are left alone."""
    assessment = load_assessment(folder)
    assessment.require_result()  # a law gap stops the package before anything is written
    return write_package(assessment, out, template)


def write_package(ctx: PlanAssessment, out: Path, template: Path | None = None) -> PackageResult:
    """Write the package of an already loaded plan (see `build_package`)."""
    if template is not None and not template.is_file():
        raise InputError(f"{template}: skabelonen findes ikke (angiv en .docx-fil)")
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: findes og er ikke en mappe")
    document = build_projektbeskrivelse(ctx)
    parent = out.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=parent))
    try:
        try:
            render_docx(document, staging / DOCX, template)
        except (KeyError, ValueError, OSError, zipfile.BadZipFile, PackageNotFoundError) as error:
            if template is None:
                raise
            raise InputError(f"{template}: skabelonen kan ikke bruges ({error})") from error
        pages = render_pdf(document, staging / PDF)
        write_annex(ctx, staging / ANNEX)
        report = run_lint(ctx, pdf_pages=pages)
        (staging / LINT_JSON).write_text(report.to_json() + "\n", encoding="utf-8")
        (staging / LINT_TXT).write_text(report.to_text().rstrip("\n") + "\n", encoding="utf-8")
        _move_into_place(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return PackageResult(
        out=out,
        files=tuple(out / name for name in PACKAGE_FILES),
        pdf_pages=pages,
        lint=report,
        document=document,
    )


def _move_into_place(staging: Path, out: Path) -> None:
    if not out.exists():
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; the package folder is not
        try:
            os.replace(staging, out)  # one atomic rename of the whole folder
            return
        except OSError:
            out.mkdir(parents=True, exist_ok=True)
    for name in PACKAGE_FILES:
        os.replace(staging / name, out / name)

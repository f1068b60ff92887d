"""Downloads: the plan folder (zip), the key figures (XLSX, CSV), the yearly status report (DOCX,
PDF; linked from the indicators page) and, when the reports package is installed, the
application package (zip)."""

from __future__ import annotations

import importlib
import importlib.util
import io
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from boligsocial.law.errors import LawError
from boligsocial.plan.inputs import InputError
from boligsocial.web.pages import overview, respond, service
from boligsocial.web.status_reports import MEDIA_TYPES, status_report

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def package_builder() -> Callable[..., Any] | None:
    """`boligsocial.reports.package.build_package` when that module exists."""
    try:
        if importlib.util.find_spec("boligsocial.reports.package") is None:
            return None
        module = importlib.import_module("boligsocial.reports.package")
    except ImportError:
        return None
    builder = getattr(module, "build_package", None)
    return builder if callable(builder) else None


def _slug(text: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})
    return re.sub(r"[^A-Za-z0-9]+", "-", text.translate(table)).strip("-").lower() or "plan"


def _download(data: bytes, filename: str, media_type: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@router.get("/plan/{plan_id}/eksport")
def eksport_side(request: Request, plan_id: int) -> Response:
    view = overview(request, plan_id)
    slug = _slug(view.plan.navn)
    files = [
        (
            "Planmappen",
            f"/plan/{plan_id}/eksport/planmappe.zip",
            f"{slug}.zip",
            "helhedsplan.toml, nøgletal og tekster",
        ),
        ("Nøgletal (Excel)", f"/plan/{plan_id}/eksport/noegletal.xlsx", f"{slug}-noegletal.xlsx", "alle listeår"),
        (
            "Nøgletal (CSV)",
            f"/plan/{plan_id}/eksport/noegletal.csv",
            f"{slug}-noegletal.csv",
            "semikolon, decimalkomma",
        ),
    ]
    if package_builder() is not None:
        files.append(
            (
                "Ansøgningspakken",
                f"/plan/{plan_id}/eksport/ansoegning.zip",
                f"{slug}-ansoegning.zip",
                "kortfattet projektbeskrivelse og bilag",
            )
        )
    data = {
        "plan_id": plan_id,
        "filer": [{"navn": n, "url": u, "filnavn": f, "indhold": d} for n, u, f, d in files],
    }
    return respond(
        request, "eksport.html", {"plan_id": plan_id, "plan": view.plan, "files": files, "page": "eksport"}, data=data
    )


@router.get("/plan/{plan_id}/eksport/planmappe.zip")
def planmappe(request: Request, plan_id: int) -> Response:
    svc = service(request)
    name = _slug(svc.plans.get_plan(plan_id).navn)
    return _download(svc.exports.export_plan_archive(plan_id), f"{name}.zip", "application/zip")


@router.get("/plan/{plan_id}/eksport/noegletal.xlsx")
def noegletal_xlsx(request: Request, plan_id: int) -> Response:
    svc = service(request)
    name = _slug(svc.plans.get_plan(plan_id).navn)
    return _download(svc.exports.export_key_figures_xlsx(plan_id), f"{name}-noegletal.xlsx", XLSX)


@router.get("/plan/{plan_id}/eksport/noegletal.csv")
def noegletal_csv(request: Request, plan_id: int) -> Response:
    svc = service(request)
    name = _slug(svc.plans.get_plan(plan_id).navn)
    return _download(svc.exports.export_key_figures_csv(plan_id), f"{name}-noegletal.csv", "text/csv; charset=utf-8")


@router.get("/plan/{plan_id}/eksport/ansoegning.zip")
def ansoegning(request: Request, plan_id: int) -> Response:
    builder = package_builder()
    if builder is None:
        raise HTTPException(404, "Ansøgningspakken kan ikke laves her: rapportmodulet er ikke installeret.")
    svc = service(request)
    name = _slug(svc.plans.get_plan(plan_id).navn)
    with tempfile.TemporaryDirectory(prefix="boligsocial-") as tmp:
        folder = svc.exports.export_plan_folder(plan_id, Path(tmp) / name)
        out = Path(tmp) / "ansoegning"
        out.mkdir()
        try:
            builder(folder, out)
        except (InputError, LawError, ValueError) as error:  # Danish messages (ProseError is a ValueError)
            raise HTTPException(422, f"Ansøgningspakken kunne ikke laves: {error}") from error
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(out.rglob("*")):
                if path.is_file():
                    archive.write(path, f"{name}-ansoegning/{path.relative_to(out).as_posix()}")
    return _download(buffer.getvalue(), f"{name}-ansoegning.zip", "application/zip")


@router.get("/plan/{plan_id}/eksport/statusrapport-{aar}.{filtype}")
def statusrapport(request: Request, plan_id: int, aar: str, filtype: str) -> Response:
    """The status report for year `aar` as DOCX or PDF (built once per data version)."""
    plan, year, data = status_report(request, plan_id, aar, filtype)
    return _download(data, f"{_slug(plan.navn)}-statusrapport-{year}.{filtype}", MEDIA_TYPES[filtype])

"""`ExportService`: a stored plan written out as a plan folder, a ZIP file of one, or its
key-figure file (XLSX/CSV). Importing an export gives identical data."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from sqlalchemy import select

from boligsocial.plan.folder import PlanError, save_plan
from boligsocial.plan.keyfigures import KeyFigureError, write_key_figures
from boligsocial.plan.national_averages import AVERAGES_FILE, averages_csv
from boligsocial.store.errors import ExportError
from boligsocial.store.key_figures import KeyFigureService
from boligsocial.store.mapping import plan_from_rows
from boligsocial.store.models import TekstRow
from boligsocial.store.national_averages import entered_averages
from boligsocial.store.plan_folders import TEXT_FOLDER
from boligsocial.store.unit_of_work import UnitOfWork, figure_rows, plan_row, units_of

__all__ = ["ExportService"]


def _slug(name: str) -> str:
    text_ = name.casefold().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return re.sub(r"[^a-z0-9]+", "-", text_).strip("-") or "plan"


class ExportService(UnitOfWork):
    """Exports of stored plans, on behalf of one `Actor` (reads only)."""

    def export_plan_folder(self, plan_id: int, folder: Path) -> Path:
        """Write the plan as a plan folder: `helhedsplan.toml`, the key-figure file the plan names,
        `tekst/*.md` and the entered national averages (`landsgennemsnit.csv`, when there are
        any). Importing the folder again gives identical data. Existing files of the
        same names are replaced; write into a new or empty folder. Returns the folder."""
        folder = Path(folder)
        with self._reading(plan_id) as session:
            plan = plan_from_rows(plan_row(session, plan_id, full=True))
            units = units_of(figure_rows(session, plan_id))
            texts = {
                row.navn: row.indhold
                for row in session.scalars(select(TekstRow).where(TekstRow.plan_id == plan_id).order_by(TekstRow.navn))
            }
            averages = entered_averages(session, plan_id)
        target: Path | None = None
        if plan.noegletal is not None:
            relative = PurePosixPath(plan.noegletal.replace("\\", "/"))
            if relative.is_absolute() or ".." in relative.parts:
                raise ExportError(f'Nøgletalsfilen "{plan.noegletal}" skal ligge i plan-mappen')
            target = folder.joinpath(*relative.parts)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            save_plan(plan, folder)
            if units:
                if target is None:  # pragma: no cover - commit_import always names the file
                    raise ExportError("Planen angiver ingen nøgletalsfil (feltet 'noegletal')")
                target.parent.mkdir(parents=True, exist_ok=True)
                write_key_figures(units, target)
            if texts:
                (folder / TEXT_FOLDER).mkdir(exist_ok=True)
                for name, body in texts.items():
                    (folder / TEXT_FOLDER / name).write_bytes(body.encode("utf-8"))
            if averages:
                (folder / AVERAGES_FILE).write_bytes(averages_csv(averages).encode("utf-8"))
        except (PlanError, KeyFigureError) as error:
            raise ExportError(str(error)) from None
        except OSError as error:
            raise ExportError(f"Plan-mappen kunne ikke skrives i {folder} ({error.strerror or error})") from None
        return folder

    def export_plan_archive(self, plan_id: int) -> bytes:
        """The plan folder as a ZIP file (one top folder named after the plan), for download."""
        with self._reading(plan_id) as session:
            top = _slug(plan_row(session, plan_id).navn)
        with tempfile.TemporaryDirectory(prefix="boligsocial-export-") as temporary:
            folder = self.export_plan_folder(plan_id, Path(temporary) / top)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in sorted(folder.rglob("*")):
                    if path.is_file():
                        archive.write(path, PurePosixPath(top, *path.relative_to(folder).parts).as_posix())
            return buffer.getvalue()

    def export_key_figures_xlsx(self, plan_id: int, list_year: int | None = None) -> bytes:
        """The key figures as an XLSX workbook in the key-figure format (all years by default)."""
        return self._export_key_figures(plan_id, list_year, ".xlsx")

    def export_key_figures_csv(self, plan_id: int, list_year: int | None = None) -> bytes:
        """The key figures as CSV (';', Danish numbers, UTF-8 with BOM)."""
        return self._export_key_figures(plan_id, list_year, ".csv")

    def _export_key_figures(self, plan_id: int, list_year: int | None, suffix: str) -> bytes:
        units = KeyFigureService(self.sessions, self.actor).key_figures(plan_id, list_year)
        if not units:
            raise ExportError("Planen har ingen nøgletal at eksportere.")
        with tempfile.TemporaryDirectory(prefix="boligsocial-export-") as temporary:
            path = Path(temporary) / f"noegletal{suffix}"
            try:
                write_key_figures(units, path)
            except KeyFigureError as error:
                raise ExportError(str(error)) from None
            return path.read_bytes()

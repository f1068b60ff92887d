"""`KeyFigureImportService`: importing a key-figure file (CSV/XLSX) into a stored plan: a dry run
that shows, per row, what would change, and the commit of all rows or none. The file is read
with the import's own rules (`store/importing.py`)."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from boligsocial.law.figures import UnitFigures
from boligsocial.plan.keyfigures import ImportIssue, KeyFigureError
from boligsocial.store.errors import ConflictError, ImportRefused
from boligsocial.store.importing import MatchedUnit, match_units, read_upload, safe_filename
from boligsocial.store.key_figures import FIELD_LABELS, next_figure_position
from boligsocial.store.mapping import figure_columns, figure_texts, plan_from_rows
from boligsocial.store.models import AfdelingRow, KeyFigureRow
from boligsocial.store.records import KEY_FIGURE_FIELDS, FieldChange, ImportPreview, PreviewRow
from boligsocial.store.unit_of_work import UnitOfWork, figure_rows, plan_row

__all__ = ["KeyFigureImportService"]

_Planned = tuple[MatchedUnit, KeyFigureRow | None, dict[str, Any]]
"""One row of the file: the afdeling it matched, its stored row (None: new) and its new columns."""


class KeyFigureImportService(UnitOfWork):
    """Key-figure file imports into stored plans, on behalf of one `Actor`."""

    def preview_import(self, plan_id: int, filename: str, data: bytes) -> ImportPreview:
        """Dry run of importing a key-figure file (CSV/XLSX, chosen by `filename`'s ending): every
        problem by row and column (the import's own checks, then the plan's: every row must be an
        afdeling of the plan, once per list year) and, per row, what would change. Changes nothing.
        A row without a list year belongs to the plan's `liste_aar`."""
        file = safe_filename(filename)
        try:
            units = read_upload(file, data)
        except KeyFigureError as error:
            with self._reading(plan_id) as session:
                plan_row(session, plan_id)
            return ImportPreview(file, (), tuple(error.issues), "")
        with self._reading(plan_id) as session:
            preview, _ = _preview(session, plan_id, file, units, data)
            return preview

    def commit_import(self, plan_id: int, filename: str, data: bytes, token: str | None = None) -> ImportPreview:
        """Import a key-figure file: all rows or none, in one transaction. Refuses with
        ImportRefused if the preview has issues, and with ConflictError if `token` (from
        `preview_import`) is given and the data or the affected rows changed since. Updates the
        rows the file holds; key figures of afdelinger not in the file are kept. Returns the
        preview that was committed."""
        file = safe_filename(filename)
        try:
            units = read_upload(file, data)
        except KeyFigureError as error:
            raise ImportRefused(error.issues, f"{file} er ikke importeret ({len(error.issues)} fejl):") from None
        with self._writing(plan_id) as session:
            preview, planned = _preview(session, plan_id, file, units, data)
            if preview.issues:
                raise ImportRefused(preview.issues, f"{file} er ikke importeret ({len(preview.issues)} fejl):")
            if token is not None and token != preview.token:
                raise ConflictError(
                    "Nøgletallene er ændret, efter forhåndsvisningen blev lavet. Intet er importeret; "
                    "lav forhåndsvisningen igen."
                )
            plan = plan_row(session, plan_id)
            self._write_rows(session, plan_id, file, preview, planned)
            if plan.noegletal is None and preview.rows:
                plan.noegletal = "noegletal.csv"  # so that the plan folder export names the file
                self._touch(plan)
            session.flush()
            self._audit(
                session,
                "importer_noegletalsfil",
                "plan",
                plan_id,
                plan_id,
                f"{file} er importeret: {sum(r.status == 'ny' for r in preview.rows)} nye, "
                f"{sum(r.status == 'ændret' for r in preview.rows)} ændrede og "
                f"{sum(r.status == 'uændret' for r in preview.rows)} uændrede rækker",
                after={"fil": file, "raekker": len(preview.rows)},
            )
            return preview

    def _write_rows(
        self, session: Session, plan_id: int, file: str, preview: ImportPreview, planned: list[_Planned]
    ) -> None:
        """Insert or update every new or changed row, each with its audit event."""
        next_position = next_figure_position(session, plan_id)
        afdeling_ids = {
            (row.organisation.kortnavn, row.navn): row.id
            for row in session.scalars(
                select(AfdelingRow).where(AfdelingRow.plan_id == plan_id).options(joinedload(AfdelingRow.organisation))
            )
        }
        for (match, row, columns), shown in zip(planned, preview.rows, strict=True):
            if shown.status == "uændret":
                continue
            if row is None:
                row = KeyFigureRow(
                    plan_id=plan_id,
                    afdeling_id=afdeling_ids[match.afdeling],
                    position=next_position,
                    listeaar=match.list_year,
                    updated_by=self.actor.name,
                    **columns,
                )
                next_position += 1
                session.add(row)
            else:
                for name, value in columns.items():
                    setattr(row, name, value)
                self._touch(row)
            session.flush()
            self._audit(
                session,
                "importer_noegletal",
                "noegletal",
                row.id,
                plan_id,
                f'Nøgletal for "{shown.afdeling}" ({shown.boligorganisation}) importeret fra {file}',
                before={c.field: c.old for c in shown.changes},
                after={c.field: c.new for c in shown.changes},
            )


def _preview(
    session: Session, plan_id: int, file: str, units: list[UnitFigures], data: bytes
) -> tuple[ImportPreview, list[_Planned]]:
    """What importing `units` would change, and the token that pins the data and the rows."""
    plan = plan_from_rows(plan_row(session, plan_id, full=True))
    matched, issues = match_units(plan, units, file)
    existing = {
        (row.afdeling.organisation.kortnavn, row.afdeling.navn, row.listeaar): row
        for row in figure_rows(session, plan_id)
    }
    rows: list[PreviewRow] = []
    planned: list[_Planned] = []
    digest = hashlib.sha256(data)
    digest.update(f"|plan:{plan_id}".encode())
    for match in matched:
        row = existing.get((*match.afdeling, match.list_year))
        source_row = match.unit.source.row if match.unit.source is not None else None
        try:
            columns = figure_columns(match.unit)
        except ValueError as error:
            issues.append(ImportIssue(file, source_row, None, str(error)))
            continue
        new_texts = figure_texts(KeyFigureRow(listeaar=match.list_year, **columns))
        old_texts = figure_texts(row)
        # Compared by value: "24,30" stored and "24,3" in the file is no change.
        changed = [name for name in columns if row is None or getattr(row, name) != columns[name]]
        changes = tuple(
            FieldChange(name, FIELD_LABELS[name], old_texts[name], new_texts[name])
            for name in (spec.name for spec in KEY_FIGURE_FIELDS)
            if name in changed and (row is not None or new_texts[name] not in ("-", ""))
        )
        status = "ny" if row is None else ("ændret" if changes else "uændret")
        rows.append(PreviewRow(source_row, match.afdeling[1], match.afdeling[0], match.list_year, status, changes))
        planned.append((match, row, columns))
        digest.update(
            f"|{match.afdeling}:{match.list_year}:{row.id if row else 0}:{row.version if row else 0}".encode()
        )
    preview = ImportPreview(file, tuple(rows), tuple(issues), digest.hexdigest())
    return preview, planned

"""`PlanService`: the stored plans as a whole: list, read, import a plan folder (or a ZIP file of
one) as a new plan, delete."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from boligsocial.plan.model import Helhedsplan
from boligsocial.store.importing import safe_filename
from boligsocial.store.mapping import figure_columns, new_plan_rows, plan_from_rows
from boligsocial.store.models import AfdelingRow, KeyFigureRow, PlanRow, TekstRow
from boligsocial.store.plan_folders import FolderContent, read_plan_folder, unpack_plan_archive
from boligsocial.store.records import PlanSummary
from boligsocial.store.unit_of_work import UnitOfWork, aware, changed_by, plan_row

__all__ = ["PlanService"]

_FIRST_PLAN_LOCK = 7310091
"""PostgreSQL advisory lock taken while loading the first plan: two servers starting at once."""


class PlanService(UnitOfWork):
    """The stored plans as a whole, on behalf of one `Actor`."""

    def list_plans(self) -> list[PlanSummary]:
        """All stored plans, by name."""
        with self._reading() as session:
            plans = list(session.scalars(select(PlanRow).order_by(PlanRow.navn, PlanRow.id)))
            counts = {
                plan_id: count
                for plan_id, count in session.execute(
                    select(AfdelingRow.plan_id, func.count()).group_by(AfdelingRow.plan_id)
                )
            }
            years: dict[int, set[int]] = {}
            for plan_id, year in session.execute(select(KeyFigureRow.plan_id, KeyFigureRow.listeaar).distinct()):
                if year is not None:
                    years.setdefault(plan_id, set()).add(year)
            return [
                PlanSummary(
                    id=row.id,
                    navn=row.navn,
                    kommune=row.kommune,
                    ansoeger=row.ansoeger,
                    periode_start=row.periode_start,
                    periode_slut=row.periode_slut,
                    liste_aar=row.liste_aar,
                    afdelinger=counts.get(row.id, 0),
                    list_years=tuple(sorted(years.get(row.id, ()))),
                    version=row.version,
                    updated_at=aware(row.updated_at),
                    updated_by=row.updated_by,
                )
                for row in plans
            ]

    def has_plans(self) -> bool:
        """Whether the database holds any plan."""
        with self._reading() as session:
            return bool(session.scalar(select(func.count()).select_from(PlanRow)))

    def get_plan(self, plan_id: int) -> Helhedsplan:
        """The plan rebuilt from its rows; equal to the `Helhedsplan` that was imported or last
        saved (`load_plan` of an exported folder gives the same). Raises NotFound."""
        with self._reading() as session:
            return plan_from_rows(plan_row(session, plan_id, full=True))

    def plan_version(self, plan_id: int) -> int:
        """The plan row's version (changes when plan-level data such as the key-figure file name
        changes)."""
        with self._reading() as session:
            return plan_row(session, plan_id).version

    def import_plan_folder(self, folder: Path) -> int:
        """Store a plan folder as a new plan and return its id: `helhedsplan.toml`, the key-figure
        file it names (every row must be an afdeling of the plan; a row without a list year takes
        the plan's `liste_aar`) and `tekst/*.md` if present. All or nothing: raises ImportRefused
        (with the problems by file, row and column) and stores nothing if anything is wrong."""
        content = read_plan_folder(Path(folder))
        with self._writing() as session:
            return self._insert_plan(session, content, source=Path(folder).name)

    def import_plan_archive(self, data: bytes, filename: str = "plan.zip") -> int:
        """Like `import_plan_folder`, from a ZIP file holding a plan folder (as
        `export_plan_archive` makes it; the folder may be at the top or one level down)."""
        name = safe_filename(filename)
        with tempfile.TemporaryDirectory(prefix="boligsocial-plan-") as temporary:
            content = read_plan_folder(unpack_plan_archive(data, name, Path(temporary)))
        with self._writing() as session:
            return self._insert_plan(session, content, source=name)

    def import_first_plan(self, folder: Path, source: str) -> int | None:
        """Store a plan folder as a new plan if the database holds no plan yet (start-up: loading
        the example); returns the new plan's id, or None when there were plans already."""
        content = read_plan_folder(Path(folder))
        with self._writing() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text(f"SELECT pg_advisory_xact_lock({_FIRST_PLAN_LOCK})"))
            if session.scalar(select(func.count()).select_from(PlanRow)):
                return None
            return self._insert_plan(session, content, source=source)

    def _insert_plan(self, session: Session, content: FolderContent, source: str) -> int:
        actor = self.actor.name
        row, afdelinger = new_plan_rows(content.plan, actor)
        session.add(row)
        for position, match in enumerate(content.matched):
            figures = KeyFigureRow(
                position=position, listeaar=match.list_year, updated_by=actor, **figure_columns(match.unit)
            )
            figures.plan = row
            figures.afdeling = afdelinger[match.afdeling]
            session.add(figures)
        for name, body in content.texts.items():
            row.tekster.append(TekstRow(navn=name, indhold=body, updated_by=actor))
        session.flush()
        self._audit(
            session,
            "importer_plan",
            "plan",
            row.id,
            row.id,
            f'Planen "{row.navn}" er importeret fra {source} ({len(afdelinger)} afdelinger, '
            f"{len(content.matched)} rækker nøgletal, {len(content.texts)} tekster)",
            after={"navn": row.navn, "afdelinger": len(afdelinger), "noegletal": len(content.matched)},
        )
        return row.id

    def delete_plan(self, plan_id: int, expected_version: int) -> None:
        """Delete a plan with everything in it (the audit trail is kept)."""
        with self._writing() as session:
            row = plan_row(session, plan_id)
            if row.version != expected_version:
                raise changed_by("Planen", row.updated_by, row.updated_at)
            navn = row.navn
            session.delete(row)
            session.flush()
            self._audit(session, "slet_plan", "plan", plan_id, plan_id, f'Planen "{navn}" er slettet', {"navn": navn})

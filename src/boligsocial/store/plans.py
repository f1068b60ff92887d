"""`PlanService`: the stored plans as a whole: list, read, import a plan folder (or a ZIP file of
one) as a new plan, delete."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVarTuple

from sqlalchemy import Row, Select, func, select, text
from sqlalchemy.orm import Session

from boligsocial.plan.model import Helhedsplan
from boligsocial.plan.national_averages import EnteredAverage
from boligsocial.reports.wording import join_da
from boligsocial.store.errors import NotFound, ValidationFailed
from boligsocial.store.importing import safe_filename
from boligsocial.store.mapping import figure_columns, new_plan_rows, plan_from_rows
from boligsocial.store.models import (
    AfdelingRow,
    AuditEvent,
    KeyFigureRow,
    PlanRow,
    TekstRow,
    utcnow,
)
from boligsocial.store.national_averages import new_average_row
from boligsocial.store.plan_folders import FolderContent, read_plan_folder, unpack_plan_archive
from boligsocial.store.records import PlanPreview, PlanSummary
from boligsocial.store.unit_of_work import UnitOfWork, aware, changed_by, plan_row

__all__ = ["ListedPlan", "ListingVersion", "PlanService"]

_FIRST_PLAN_LOCK = 7310091
"""PostgreSQL advisory lock taken while loading the first plan: two servers starting at once."""


def _read_archive(data: bytes, filename: str) -> tuple[FolderContent, str]:
    name = safe_filename(filename)
    with tempfile.TemporaryDirectory(prefix="boligsocial-plan-") as temporary:
        return read_plan_folder(unpack_plan_archive(data, name, Path(temporary))), name


@dataclass(frozen=True)
class ListedPlan:
    """A plan as the front page lists it: its summary and its newest audit event's time and
    actor (None when it has none)."""

    summary: PlanSummary
    last_changed_at: datetime | None
    last_changed_by: str | None


@dataclass(frozen=True)
class ListingVersion:
    """The version of every plan's listing: `newest_event` (the id of the newest audit event of
    all) changes with every committed write. `settled` is False while another write may still
    commit an event numbered below it (PostgreSQL): a listing read then may be shown, but must
    not be kept under this version, for that write would not change it."""

    newest_event: int
    settled: bool


_SUMMARY_COLUMNS = (
    PlanRow.id,
    PlanRow.navn,
    PlanRow.kommune,
    PlanRow.ansoeger,
    PlanRow.periode_start,
    PlanRow.periode_slut,
    PlanRow.liste_aar,
    PlanRow.version,
    PlanRow.updated_at,
    PlanRow.updated_by,
    PlanRow.archived_at,
)
"""The plan's columns a `PlanSummary` shows (not the JSON document or the long texts)."""

_SummaryRow = PlanRow | Row[*tuple[Any, ...]]
"""A plan row, or a row of `_SUMMARY_COLUMNS`."""

_Columns = TypeVarTuple("_Columns")


def _years(averages: list[EnteredAverage]) -> str:
    return "listeår " + join_da([str(year) for year in sorted(a.list_year for a in averages)])


class PlanService(UnitOfWork):
    """The stored plans as a whole, on behalf of one `Actor`."""

    def list_plans(self, archived: bool = False) -> list[PlanSummary]:
        """The plans the actor holds a role on, by name: the active ones, or with `archived` the
        archived ones."""
        with self._reading() as session:
            query = select(*_SUMMARY_COLUMNS).where(
                PlanRow.archived_at.is_not(None) if archived else PlanRow.archived_at.is_(None)
            )
            return self._summaries(session, list(session.execute(self._visible(query))))

    def listing(self) -> list[ListedPlan]:
        """The front page's list in one read: every plan the actor holds a role on, active and
        archived, by name, with its newest audit event (as `AuditService.audit_events(plan,
        limit=1)` finds it). Only the columns the summary shows are read (not the plan's JSON
        document or long texts), and the newest events of all plans in the same query."""
        with self._reading() as session:
            newest = (
                select(AuditEvent.id)
                .where(AuditEvent.plan_id == PlanRow.id)
                .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                .limit(1)
                .correlate(PlanRow)
                .scalar_subquery()
            )
            query = select(*_SUMMARY_COLUMNS, AuditEvent.at, AuditEvent.actor).outerjoin(
                AuditEvent, AuditEvent.id == newest
            )
            rows = list(session.execute(self._visible(query)))
            return [
                ListedPlan(summary=summary, last_changed_at=aware(row.at), last_changed_by=row.actor)
                for row, summary in zip(rows, self._summaries(session, rows), strict=True)
            ]

    def listing_version(self) -> ListingVersion:
        """What tells whether `listing` may have changed, in one cheap query: the newest audit
        event of all (every write records one in its own transaction, see
        tests/test_store_audit.py), and whether no other write was in progress (see
        `ListingVersion.settled`). Anyone may ask: it is a number, no plan's data."""
        with self._reading() as session:
            if session.get_bind().dialect.name != "postgresql":
                # SQLite: one writer at a time (BEGIN IMMEDIATE), so ids are committed in order.
                return ListingVersion(session.scalar(select(func.max(AuditEvent.id))) or 0, settled=True)
            # PostgreSQL numbers events when they are written, not when committed: a write still
            # in progress may commit an event below the newest. Both from one statement's snapshot.
            newest, in_progress = session.execute(
                text("SELECT (SELECT max(id) FROM audit_event), EXISTS (SELECT pg_snapshot_xip(pg_current_snapshot()))")
            ).one()
            return ListingVersion(newest or 0, settled=not in_progress)

    def _visible(self, query: Select[*_Columns]) -> Select[*_Columns]:
        """`query` of plans limited to those the actor holds a role on, by name."""
        if not self.actor.sees_every_plan():
            query = query.where(PlanRow.id.in_(self.actor.plan_ids()))
        return query.order_by(PlanRow.navn, PlanRow.id)

    def _summaries(self, session: Session, plans: Sequence[_SummaryRow]) -> list[PlanSummary]:
        """The summaries of these plans (their counts of afdelinger and list years read at once)."""
        ids = [row.id for row in plans]
        counted = select(AfdelingRow.plan_id, func.count()).where(AfdelingRow.plan_id.in_(ids))
        counts = {plan_id: count for plan_id, count in session.execute(counted.group_by(AfdelingRow.plan_id))}
        years: dict[int, set[int]] = {}
        figures = select(KeyFigureRow.plan_id, KeyFigureRow.listeaar).where(KeyFigureRow.plan_id.in_(ids))
        for plan_id, year in session.execute(figures.distinct()):
            if year is not None:
                years.setdefault(plan_id, set()).add(year)
        return [self._summary(row, counts.get(row.id, 0), years.get(row.id, set())) for row in plans]

    def summary(self, plan_id: int) -> PlanSummary:
        """One plan's summary, as `list_plans` gives it (archived or not), in one read. Raises
        NotFound, or NotAllowed when the actor holds no role on the plan."""
        with self._reading(plan_id) as session:
            [found] = self._summaries(session, [plan_row(session, plan_id)])
            return found

    def _summary(self, row: _SummaryRow, afdelinger: int, years: set[int]) -> PlanSummary:
        return PlanSummary(
            id=row.id,
            navn=row.navn,
            kommune=row.kommune,
            ansoeger=row.ansoeger,
            periode_start=row.periode_start,
            periode_slut=row.periode_slut,
            liste_aar=row.liste_aar,
            afdelinger=afdelinger,
            list_years=tuple(sorted(years)),
            version=row.version,
            updated_at=aware(row.updated_at),
            updated_by=row.updated_by,
            archived_at=aware(row.archived_at),
            role=self.actor.role_on(row.id),
        )

    def has_plans(self) -> bool:
        """Whether the database holds any plan."""
        with self._reading() as session:
            return bool(session.scalar(select(func.count()).select_from(PlanRow)))

    def get_plan(self, plan_id: int) -> Helhedsplan:
        """The plan rebuilt from its rows; equal to the `Helhedsplan` that was imported or last
        saved (`load_plan` of an exported folder gives the same). Raises NotFound."""
        with self._reading(plan_id) as session:
            return plan_from_rows(plan_row(session, plan_id, full=True))

    def plan_version(self, plan_id: int) -> int:
        """The plan row's version (changes when plan-level data such as the key-figure file name
        changes)."""
        with self._reading(plan_id) as session:
            return plan_row(session, plan_id).version

    def archived_at(self, plan_id: int) -> datetime | None:
        """When the plan was archived (None: it is not archived); one small query, for the
        banner every page of an archived plan shows."""
        with self._reading(plan_id) as session:
            archived = session.execute(select(PlanRow.archived_at).where(PlanRow.id == plan_id)).first()
            if archived is None:
                raise NotFound(f"Planen (id {plan_id}) findes ikke.")
            return aware(archived[0])

    def import_plan_folder(self, folder: Path) -> int:
        """Store a plan folder as a new plan and return its id: `helhedsplan.toml`, the key-figure
        file it names (every row must be an afdeling of the plan; a row without a list year takes
        the plan's `liste_aar`) and `tekst/*.md` if present. All or nothing: raises ImportRefused
        (with the problems by file, row and column) and stores nothing if anything is wrong."""
        self._require(None, "administrator")
        content = read_plan_folder(Path(folder))
        with self._writing() as session:
            return self._insert_plan(session, content, source=Path(folder).name)

    def import_plan_archive(self, data: bytes, filename: str = "plan.zip") -> int:
        """Like `import_plan_folder`, from a ZIP file holding a plan folder (as
        `export_plan_archive` makes it; the folder may be at the top or one level down)."""
        self._require(None, "administrator")
        content, name = _read_archive(data, filename)
        with self._writing() as session:
            return self._insert_plan(session, content, source=name)

    def preview_plan_archive(self, data: bytes, filename: str = "plan.zip") -> PlanPreview:
        """Dry run of `import_plan_archive`: the checks of the import, nothing stored. Raises
        ImportRefused (the problems by file, row and column) like the import would."""
        self._require(None, "administrator")
        content, name = _read_archive(data, filename)
        plan = content.plan
        with self._reading() as session:
            same_name = session.scalar(select(func.count()).select_from(PlanRow).where(PlanRow.navn == plan.navn))
        return PlanPreview(
            filename=name,
            navn=plan.navn,
            kommune=plan.kommune,
            ansoeger=plan.ansoeger,
            periode_start=plan.periode.start,
            periode_slut=plan.periode.slut,
            afdelinger=len(plan.afdelinger),
            omraader=len(plan.omraader),
            indikatorer=len(plan.indikatorer),
            noegletal=len(content.matched),
            list_years=tuple(sorted({m.list_year for m in content.matched if m.list_year is not None})),
            tekster=tuple(sorted(content.texts)),
            same_name=bool(same_name),
        )

    def import_first_plan(self, folder: Path, source: str) -> int | None:
        """Store a plan folder as a new plan if the database holds no plan yet (start-up: loading
        the example); returns the new plan's id, or None when there were plans already."""
        self._require(None, "administrator")
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
        session.add_all(new_average_row(row.id, average, actor) for average in content.averages)
        session.flush()
        self._audit(
            session,
            "importer_plan",
            "plan",
            row.id,
            row.id,
            f'Planen "{row.navn}" er importeret fra {source} ({len(afdelinger)} afdelinger, '
            f"{len(content.matched)} rækker nøgletal, {len(content.texts)} tekster"
            + (f", landsgennemsnit for {_years(content.averages)}" if content.averages else "")
            + ")",
            after={
                "navn": row.navn,
                "afdelinger": len(afdelinger),
                "noegletal": len(content.matched),
                "landsgennemsnit": len(content.averages),
            },
        )
        return row.id

    def archive_plan(self, plan_id: int, archived: bool, expected_version: int) -> PlanSummary:
        """Archive a plan (kept, readable, refuses changes) or take it back (`archived` False).
        Only an administrator of the plan may."""
        self._require(plan_id, "administrator")
        with self._writing() as session:
            row = plan_row(session, plan_id)
            if row.version != expected_version:
                raise changed_by("Planen", row.updated_by, row.updated_at)
            if (row.archived_at is not None) == archived:
                raise ValidationFailed(
                    {"arkiveret": "Planen er allerede arkiveret." if archived else "Planen er ikke arkiveret."}
                )
            before = None if row.archived_at is None else aware(row.archived_at).isoformat()  # type: ignore[union-attr]
            row.archived_at = utcnow() if archived else None
            self._touch(row)
            session.flush()
            after = None if row.archived_at is None else aware(row.archived_at).isoformat()  # type: ignore[union-attr]
            verb = "arkiveret" if archived else "taget tilbage fra arkivet"
            self._audit(
                session,
                "arkiver_plan" if archived else "genaabn_plan",
                "plan",
                plan_id,
                plan_id,
                f'Planen "{row.navn}" er {verb}',
                {"arkiveret": before},
                {"arkiveret": after},
            )
        summary = next((s for s in self.list_plans(archived) if s.id == plan_id), None)
        if summary is None:  # pragma: no cover - deleted between the two transactions
            raise NotFound(f"Planen (id {plan_id}) findes ikke.")
        return summary

    def delete_plan(self, plan_id: int, expected_version: int) -> None:
        """Delete a plan with everything in it (the audit trail is kept). Only an administrator
        of the plan may."""
        self._require(plan_id, "administrator")
        with self._writing() as session:
            row = plan_row(session, plan_id)
            if row.version != expected_version:
                raise changed_by("Planen", row.updated_by, row.updated_at)
            navn = row.navn
            session.delete(row)
            session.flush()
            self._audit(session, "slet_plan", "plan", plan_id, plan_id, f'Planen "{navn}" er slettet', {"navn": navn})

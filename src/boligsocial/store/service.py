"""The service layer: every read and write of stored plans goes through `PlanService`.

Pages (web/), commands and scripts never touch the ORM or a session themselves. They build one
`PlanService` per request with the session factory and the acting person, and call its methods::

    from boligsocial.store import Actor, PlanService, bootstrap

    sessions = bootstrap("sqlite:///boligsocial.db")      # migrations + example plan on first start
    service = PlanService(sessions, Actor("Mette", "redaktoer"))
    plan_id = service.list_plans()[0].id
    record = service.get_afdeling_figures(plan_id, afdeling_id)
    try:
        service.update_key_figures(plan_id, afdeling_id, {"ikke_vestlige_pct": "29,0"}, record.version)
    except ValidationFailed as error:
        error.errors            # {"ikke_vestlige_pct": '"abc" er ikke et tal'}: show by the field
    except ConflictError as error:
        str(error)              # "Afdelingen er ændret af Jens kl. 14.05, efter du åbnede den. ..."

Rules every method follows:

* **One call = one transaction.** A method either commits everything it changed or, on any
  error, rolls back and leaves the database as it was. There is no half-written state.
* **Optimistic locking.** Editable rows carry a `version` (SQLAlchemy `version_id_col`). Read
  methods return it; write methods take `expected_version` and raise `ConflictError` (Danish message
  naming who changed the record and when) if the record changed since it was read. Version `0`
  means "does not exist yet" (e.g. key figures of an afdeling that has none for that list year).
* **Who acts.** The service knows its `Actor`. Every write records an `AuditEvent` (actor, time,
  action, entity, entity id, before/after as JSON); `audit_events()` reads them back. A role that
  may not write (`"laeser"`) gets `NotAllowed`.
* **Danish messages.** Every error is a `StoreError` (see `store/errors.py`) whose text is for
  the user; `ValidationFailed.errors` holds one message per form field.
* **Values as the user types them.** Forms send strings ("1.964", "29,0", "-" for suppressed);
  the service parses them with the same rules as the key-figure import (`docs/key-figures.md`).

Ids: `plan_id`, `afdeling_id` and `maaling_id` are database ids (ints); an indicator is addressed
by its plan id string (`Indikator.id`, e.g. "fravaer-grundskole"), unique within the plan.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from boligsocial.danish import format_danish_number, parse_danish_number
from boligsocial.law.classify import Options, classify
from boligsocial.law.errors import LawError
from boligsocial.law.figures import Measure, Measurement, UnitFigures
from boligsocial.plan.folder import PlanError, load_plan, noegletal_path, plan_file, save_plan
from boligsocial.plan.keyfigures import PCT_COLUMN, ImportIssue, KeyFigureError, read_key_figures, write_key_figures
from boligsocial.plan.model import Enhed, Helhedsplan, Maaling, Sammenligning
from boligsocial.store.db import WRITE, create_engine_for, session_factory, upgrade_to_head
from boligsocial.store.errors import (
    ConflictError,
    ExampleNotFound,
    ExportError,
    ImportRefused,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from boligsocial.store.importing import MatchedUnit, match_units, read_upload, safe_filename, validate_figure_texts
from boligsocial.store.mapping import (
    COUNT_COLUMNS,
    figure_columns,
    figure_texts,
    indikator_from_row,
    new_plan_rows,
    plan_from_rows,
    unit_from_row,
)
from boligsocial.store.models import (
    AfdelingRow,
    AuditEvent,
    IndikatorRow,
    KeyFigureRow,
    MaalingRow,
    PlanRow,
    TekstRow,
    utcnow,
)
from boligsocial.store.records import (
    KEY_FIGURE_FIELDS,
    Actor,
    AfdelingRecord,
    AuditRecord,
    FieldChange,
    ImportPreview,
    IndikatorRecord,
    KeyFigureRecord,
    MaalingRecord,
    PlanOverview,
    PlanSummary,
    PreviewRow,
    ProseRecord,
    SessionFactory,
)

__all__ = [
    "EXAMPLE_ENV",
    "SYSTEM_ACTOR",
    "PlanService",
    "bootstrap",
    "danish_time",
    "example_candidates",
    "example_plan_folder",
]

SYSTEM_ACTOR: Final = Actor("system", "system")
EXAMPLE_ENV: Final = "BOLIGSOCIAL_EXAMPLE_PLAN"
"""Environment variable that may point to the example plan folder loaded on first start."""

TEXT_FOLDER: Final = "tekst"
MIN_MAALING_AAR: Final = 1950
MAX_ARCHIVE_BYTES: Final = 50 * 1024 * 1024
MAX_ARCHIVE_FILES: Final = 1000

_FIELD_NAMES: Final = frozenset(spec.name for spec in KEY_FIGURE_FIELDS)
_FIELD_LABELS: Final = {spec.name: spec.label for spec in KEY_FIGURE_FIELDS}
_PROSE_NAME = re.compile(r"[^\W_][\w\-]*(?:\.[\w\-]+)*\.md", re.UNICODE)
_RETRY_TEXT: Final = "Dine ændringer er ikke gemt; genindlæs og prøv igen."
_CONCURRENT_TEXT: Final = "Data er ændret af en anden samtidig med din ændring. " + _RETRY_TEXT
_MONTHS: Final = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)


# --------------------------------------------------------------------------------------------------
# Small helpers


def _aware(moment: datetime | None) -> datetime | None:
    """Timestamps are stored in UTC; SQLite gives them back without a zone."""
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _local_zone() -> Any:
    try:
        return ZoneInfo("Europe/Copenhagen")
    except ZoneInfoNotFoundError:  # pragma: no cover - a system without time-zone data
        return UTC


def danish_time(moment: datetime | None, now: datetime | None = None) -> str:
    """A moment in Danish time: "kl. 14.05" today, else "den 3. februar 2025 kl. 14.05"."""
    if moment is None:
        return "på et ukendt tidspunkt"
    zone = _local_zone()
    local = _aware(moment).astimezone(zone)  # type: ignore[union-attr]
    today = (now or datetime.now(UTC)).astimezone(zone).date()
    clock = f"kl. {local:%H.%M}"
    if local.date() == today:
        return clock
    return f"den {local.day}. {_MONTHS[local.month - 1]} {local.year} {clock}"


def _changed_by(subject: str, who: str | None, when: datetime | None) -> ConflictError:
    by = f" af {who}" if who else ""
    return ConflictError(
        f"{subject} er ændret{by} {danish_time(when)}, efter du åbnede den. {_RETRY_TEXT}",
        changed_by=who,
        changed_at=_aware(when),
    )


def _norm(value: str) -> str:
    return " ".join(value.split())


def _slug(name: str) -> str:
    text_ = name.casefold().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return re.sub(r"[^a-z0-9]+", "-", text_).strip("-") or "plan"


def _issues_from_plan_error(error: PlanError) -> list[ImportIssue]:
    return [
        ImportIssue(error.path.name, problem.line, problem.location or None, problem.message)
        for problem in error.problems
    ]


def _parse_year(value: int | str) -> int | str:
    """The year, or a Danish message."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text_ = str(value).strip()
    if not re.fullmatch(r"\d{4}", text_, re.ASCII):
        return f'"{text_}" er ikke et årstal; skriv fx 2024' if text_ else "Året skal udfyldes, fx 2024"
    return int(text_)


@dataclass(frozen=True)
class _FolderContent:
    plan: Helhedsplan
    matched: list[MatchedUnit]
    texts: dict[str, str]


# --------------------------------------------------------------------------------------------------
# The service


class PlanService:
    """All reads and writes of stored plans, on behalf of one `Actor`. Cheap to create: make one
    per request. Thread-safe as long as each thread uses its own instance."""

    def __init__(self, session_factory: SessionFactory, actor: Actor) -> None:
        self.sessions = session_factory
        self.actor = actor

    # ---- transactions and audit --------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back on any error."""
        if self.actor.role == "laeser":
            raise NotAllowed("Du har kun læseadgang og kan ikke ændre planen.")
        try:
            with self.sessions() as session, session.begin():
                session.connection(execution_options=WRITE)  # SQLite: BEGIN IMMEDIATE
                yield session
        except StaleDataError:
            raise ConflictError(_CONCURRENT_TEXT) from None
        except IntegrityError:
            raise ConflictError(_CONCURRENT_TEXT) from None

    def _audit(
        self,
        session: Session,
        action: str,
        entity: str,
        entity_id: object,
        plan_id: int | None,
        summary: str,
        before: Any = None,
        after: Any = None,
    ) -> None:
        session.add(
            AuditEvent(
                at=utcnow(),
                actor=self.actor.name,
                role=self.actor.role,
                action=action,
                entity=entity,
                entity_id=None if entity_id is None else str(entity_id),
                plan_id=plan_id,
                summary=summary,
                before=before,
                after=after,
            )
        )

    def _touch(self, row: Any) -> None:
        row.updated_at = utcnow()
        row.updated_by = self.actor.name

    # ---- loading rows --------------------------------------------------------------------------

    @staticmethod
    def _plan_row(session: Session, plan_id: int, *, full: bool = False) -> PlanRow:
        query = select(PlanRow).where(PlanRow.id == plan_id)
        if full:
            query = query.options(
                selectinload(PlanRow.boligorganisationer),
                selectinload(PlanRow.afdelinger).joinedload(AfdelingRow.organisation),
                selectinload(PlanRow.omraader),
                selectinload(PlanRow.indikatorer).selectinload(IndikatorRow.vaerdier),
            )
        row = session.scalars(query).one_or_none()
        if row is None:
            raise NotFound(f"Planen (id {plan_id}) findes ikke.")
        return row

    @staticmethod
    def _figure_rows(session: Session, plan_id: int) -> list[KeyFigureRow]:
        query = (
            select(KeyFigureRow)
            .where(KeyFigureRow.plan_id == plan_id)
            .options(joinedload(KeyFigureRow.afdeling).joinedload(AfdelingRow.organisation))
            .order_by(KeyFigureRow.position, KeyFigureRow.id)
        )
        return list(session.scalars(query))

    @staticmethod
    def _units(rows: Sequence[KeyFigureRow]) -> list[UnitFigures]:
        return [unit_from_row(row, row.afdeling.navn, row.afdeling.organisation.kortnavn) for row in rows]

    @staticmethod
    def _afdeling_row(session: Session, plan_id: int, afdeling_id: int) -> AfdelingRow:
        query = (
            select(AfdelingRow)
            .where(AfdelingRow.id == afdeling_id, AfdelingRow.plan_id == plan_id)
            .options(joinedload(AfdelingRow.organisation))
        )
        row = session.scalars(query).one_or_none()
        if row is None:
            raise NotFound(f"Afdelingen (id {afdeling_id}) findes ikke i planen.")
        return row

    @staticmethod
    def _figure_row(session: Session, afdeling_id: int, list_year: int | None) -> KeyFigureRow | None:
        year_test = KeyFigureRow.listeaar.is_(None) if list_year is None else KeyFigureRow.listeaar == list_year
        query = select(KeyFigureRow).where(KeyFigureRow.afdeling_id == afdeling_id, year_test)
        return session.scalars(query).first()

    @staticmethod
    def _indikator_row(session: Session, plan_id: int, indikator_id: str) -> IndikatorRow:
        query = (
            select(IndikatorRow)
            .where(IndikatorRow.plan_id == plan_id, IndikatorRow.ident == indikator_id)
            .options(selectinload(IndikatorRow.vaerdier))
        )
        row = session.scalars(query).one_or_none()
        if row is None:
            raise NotFound(f'Indikatoren "{indikator_id}" findes ikke i planen.')
        return row

    @staticmethod
    def _maaling_row(session: Session, plan_id: int, maaling_id: int) -> MaalingRow:
        query = (
            select(MaalingRow)
            .join(MaalingRow.indikator)
            .where(MaalingRow.id == maaling_id, IndikatorRow.plan_id == plan_id)
            .options(joinedload(MaalingRow.indikator))
        )
        row = session.scalars(query).one_or_none()
        if row is None:
            raise NotFound(f"Målingen (id {maaling_id}) findes ikke i planen.")
        return row

    # ---- plans ------------------------------------------------------------------------------

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
                    updated_at=_aware(row.updated_at),
                    updated_by=row.updated_by,
                )
                for row in plans
            ]

    def get_plan(self, plan_id: int) -> Helhedsplan:
        """The plan rebuilt from its rows; equal to the `Helhedsplan` that was imported or last
        saved (`load_plan` of an exported folder gives the same). Raises NotFound."""
        with self._reading() as session:
            return plan_from_rows(self._plan_row(session, plan_id, full=True))

    def plan_version(self, plan_id: int) -> int:
        """The plan row's version (changes when plan-level data such as the key-figure file name
        changes)."""
        with self._reading() as session:
            return self._plan_row(session, plan_id).version

    def import_plan_folder(self, folder: Path) -> int:
        """Store a plan folder as a new plan and return its id: `helhedsplan.toml`, the key-figure
        file it names (every row must be an afdeling of the plan; a row without a list year takes
        the plan's `liste_aar`) and `tekst/*.md` if present. All or nothing: raises ImportRefused
        (with the problems by file, row and column) and stores nothing if anything is wrong."""
        content = self._read_folder(Path(folder))
        with self._writing() as session:
            return self._insert_plan(session, content, source=Path(folder).name)

    def _read_folder(self, folder: Path) -> _FolderContent:
        try:
            plan = load_plan(folder)
        except PlanError as error:
            raise ImportRefused(_issues_from_plan_error(error), f"Planen i {folder.name} er ikke importeret:") from None
        issues: list[ImportIssue] = []
        matched: list[MatchedUnit] = []
        path = noegletal_path(plan, folder)
        if path is not None:
            if not path.is_file():
                issues.append(
                    ImportIssue(
                        plan.noegletal or path.name,
                        None,
                        None,
                        "filen findes ikke i plan-mappen; planen angiver den i feltet 'noegletal'",
                    )
                )
            else:
                try:
                    units = read_key_figures(path)
                except KeyFigureError as error:
                    issues.extend(error.issues)
                else:
                    matched, match_issues = match_units(plan, units, path.name)
                    issues.extend(match_issues)
        texts: dict[str, str] = {}
        text_folder = plan_file(folder).parent / TEXT_FOLDER
        if text_folder.is_dir():
            for text_path in sorted(text_folder.glob("*.md")):
                shown = f"{TEXT_FOLDER}/{text_path.name}"
                if not _PROSE_NAME.fullmatch(text_path.name):
                    issues.append(ImportIssue(shown, None, None, "filnavnet er ikke gyldigt for en tekstfil"))
                    continue
                try:
                    texts[text_path.name] = text_path.read_bytes().decode("utf-8")
                except UnicodeDecodeError:
                    issues.append(ImportIssue(shown, None, None, "filen er ikke gemt som UTF-8"))
                except OSError as error:
                    issues.append(ImportIssue(shown, None, None, f"filen kan ikke læses ({error.strerror or error})"))
        if issues:
            raise ImportRefused(issues, f"Planen i {folder.name} er ikke importeret ({len(issues)} fejl):")
        return _FolderContent(plan, matched, texts)

    def _insert_plan(self, session: Session, content: _FolderContent, source: str) -> int:
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

    def import_plan_archive(self, data: bytes, filename: str = "plan.zip") -> int:
        """Like `import_plan_folder`, from a ZIP file holding a plan folder (as
        `export_plan_archive` makes it; the folder may be at the top or one level down)."""
        name = safe_filename(filename)

        def refuse(message: str) -> ImportRefused:
            return ImportRefused([ImportIssue(name, None, None, message)], "Planen er ikke importeret:")

        with tempfile.TemporaryDirectory(prefix="boligsocial-plan-") as temporary:
            root = Path(temporary)
            try:
                archive = zipfile.ZipFile(io.BytesIO(data))
            except zipfile.BadZipFile:
                raise refuse("filen er ikke en gyldig ZIP-fil") from None
            with archive:
                members = [m for m in archive.infolist() if not m.is_dir()]
                if len(members) > MAX_ARCHIVE_FILES or sum(m.file_size for m in members) > MAX_ARCHIVE_BYTES:
                    raise refuse("ZIP-filen er for stor til at være en plan-mappe")
                for member in members:
                    parts = PurePosixPath(member.filename.replace("\\", "/")).parts
                    if not parts or parts[0] == "/" or ".." in parts or ":" in parts[0]:
                        raise refuse(f'ZIP-filen indeholder et ugyldigt filnavn: "{member.filename}"')
                    if parts[0] == "__MACOSX":
                        continue
                    target = root.joinpath(*parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(archive.read(member))
            if (root / "helhedsplan.toml").is_file():
                folder = root
            else:
                candidates = [p for p in root.iterdir() if (p / "helhedsplan.toml").is_file()]
                if len(candidates) != 1:
                    raise refuse("ZIP-filen indeholder ingen plan-mappe med helhedsplan.toml")
                folder = candidates[0]
            content = self._read_folder(folder)
        with self._writing() as session:
            return self._insert_plan(session, content, source=name)

    def delete_plan(self, plan_id: int, expected_version: int) -> None:
        """Delete a plan with everything in it (the audit trail is kept)."""
        with self._writing() as session:
            row = self._plan_row(session, plan_id)
            if row.version != expected_version:
                raise _changed_by("Planen", row.updated_by, row.updated_at)
            navn = row.navn
            session.delete(row)
            session.flush()
            self._audit(session, "slet_plan", "plan", plan_id, plan_id, f'Planen "{navn}" er slettet', {"navn": navn})

    def plan_context(self, plan_id: int, list_year: int | None = None) -> PlanOverview:
        """The plan, its key figures and the verdicts for `list_year` (default: the plan's
        `liste_aar`, else the latest year with key figures). Classifies once per call."""
        with self._reading() as session:
            plan_row = self._plan_row(session, plan_id, full=True)
            plan = plan_from_rows(plan_row)
            version = plan_row.version
            ids = {(afd.organisation.kortnavn, afd.navn): afd.id for afd in plan_row.afdelinger}
            units = self._units(self._figure_rows(session, plan_id))
        years = sorted({u.list_year for u in units if u.list_year is not None})
        year = list_year or plan.liste_aar or (years[-1] if years else None)
        result = as_areas = None
        problem: str | None = None
        if not units:
            problem = "Planen har ingen nøgletal endnu; importér en nøgletalsfil."
        elif year is None:
            problem = "Planen angiver intet listeår (feltet 'liste_aar'), og nøgletallene har intet listeår."
        else:
            try:
                result = classify(units, year, Options())
                as_areas = classify(units, year, Options(ignore_min_residents=True))
            except LawError as error:
                problem = str(error)
        return PlanOverview(
            plan_id=plan_id,
            version=version,
            plan=plan,
            list_year=year,
            units=units,
            result=result,
            as_areas=as_areas,
            problem=problem,
            afdeling_ids=ids,
        )

    # ---- afdelinger and key figures ----------------------------------------------------------

    def afdelinger(self, plan_id: int) -> list[AfdelingRecord]:
        """The plan's afdelinger in plan order, with their ids."""
        with self._reading() as session:
            self._plan_row(session, plan_id)
            query = (
                select(AfdelingRow)
                .where(AfdelingRow.plan_id == plan_id)
                .options(joinedload(AfdelingRow.organisation))
                .order_by(AfdelingRow.position)
            )
            return [
                AfdelingRecord(
                    id=row.id,
                    navn=row.navn,
                    boligorganisation=row.organisation.kortnavn,
                    afdelingsnummer=row.afdelingsnummer,
                    boliger=row.boliger,
                    status=row.status,
                    version=row.version,
                )
                for row in session.scalars(query)
            ]

    def key_figures(self, plan_id: int, list_year: int | None = None) -> list[UnitFigures]:
        """The stored key figures as the law reads them; all list years when `list_year` is None
        (else that year's rows and rows without a year). In the order of the imported file, new
        rows last. `source` is None; `boligorganisation` is the afdeling's kortnavn."""
        with self._reading() as session:
            self._plan_row(session, plan_id)
            rows = self._figure_rows(session, plan_id)
            if list_year is not None:
                rows = [row for row in rows if row.listeaar in (list_year, None)]
            return self._units(rows)

    def _default_year(self, session: Session, plan_id: int, list_year: int | None) -> int | None:
        return list_year if list_year is not None else self._plan_row(session, plan_id).liste_aar

    def _figure_record(
        self, plan_id: int, afdeling: AfdelingRow, list_year: int | None, row: KeyFigureRow | None
    ) -> KeyFigureRecord:
        kortnavn = afdeling.organisation.kortnavn
        if row is None:
            figures = UnitFigures(
                name=afdeling.navn,
                kind="afdeling",
                list_year=list_year,
                residents=None,
                measures={measure: Measurement.unknown() for measure in Measure},
                boligorganisation=kortnavn,
            )
        else:
            figures = unit_from_row(row, afdeling.navn, kortnavn)
        return KeyFigureRecord(
            plan_id=plan_id,
            afdeling_id=afdeling.id,
            afdeling=afdeling.navn,
            boligorganisation=kortnavn,
            list_year=list_year,
            version=0 if row is None else row.version,
            values=figure_texts(row),
            figures=figures,
            updated_at=None if row is None else _aware(row.updated_at),
            updated_by=None if row is None else row.updated_by,
        )

    def get_afdeling_figures(self, plan_id: int, afdeling_id: int, list_year: int | None = None) -> KeyFigureRecord:
        """An afdeling's key figures for a list year (default: the plan's list year), with the
        version to send back. Version 0 when there are none yet."""
        with self._reading() as session:
            afdeling = self._afdeling_row(session, plan_id, afdeling_id)
            year = self._default_year(session, plan_id, list_year)
            return self._figure_record(plan_id, afdeling, year, self._figure_row(session, afdeling_id, year))

    def update_key_figures(
        self,
        plan_id: int,
        afdeling_id: int,
        changes: Mapping[str, str],
        expected_version: int,
        list_year: int | None = None,
    ) -> KeyFigureRecord:
        """Change some fields of an afdeling's key figures (keys: `KEY_FIGURE_FIELDS` names; values
        as typed: "1.964", "29,0", "-" for suppressed). Fields sent unchanged are ignored, so a form
        may send all of them. Validated with the key-figure import's rules; raises ValidationFailed
        (messages by field) or ConflictError (record changed since `expected_version`); on success
        returns the new record (new version).

        A percentage is decided by its counts when they are filled in: changing a count without
        typing the percentage recomputes it; a typed percentage must agree with the counts."""
        unknown = [name for name in changes if name not in _FIELD_NAMES]
        if unknown:
            raise ValidationFailed({name: "Ukendt felt" for name in unknown})
        with self._writing() as session:
            afdeling = self._afdeling_row(session, plan_id, afdeling_id)
            year = self._default_year(session, plan_id, list_year)
            row = self._figure_row(session, afdeling_id, year)
            if (0 if row is None else row.version) != expected_version:
                if row is None:
                    raise ConflictError(
                        f"Afdelingens nøgletal er slettet, efter du åbnede dem. {_RETRY_TEXT}",
                    )
                raise _changed_by("Afdelingen", row.updated_by, row.updated_at)
            before = figure_texts(row)
            effective = {name: value for name, value in changes.items() if _norm(value) != _norm(before[name])}
            if not effective:
                return self._figure_record(plan_id, afdeling, year, row)
            texts = {**before, **effective}
            for measure in Measure:
                pct = PCT_COLUMN[measure]
                if pct not in effective and any(name in effective for name in COUNT_COLUMNS[measure]):
                    texts[pct] = "-"  # the counts decide the share
            checked = validate_figure_texts(afdeling.navn, afdeling.organisation.kortnavn, year, texts)
            if isinstance(checked, dict):
                raise ValidationFailed(checked)
            columns = figure_columns(checked)
            for measure in Measure:  # keep a typed percentage's precision ("29,0" stays 29,0)
                pct = PCT_COLUMN[measure]
                if columns[pct] is not None and pct in effective:
                    typed = parse_danish_number(texts[pct])
                    if typed == columns[pct]:
                        columns[pct] = typed
            if row is None:
                position = session.scalar(
                    select(func.coalesce(func.max(KeyFigureRow.position), -1)).where(KeyFigureRow.plan_id == plan_id)
                )
                row = KeyFigureRow(
                    plan_id=plan_id,
                    afdeling_id=afdeling.id,
                    position=(position if position is not None else -1) + 1,
                    listeaar=year,
                    updated_by=self.actor.name,
                    **columns,
                )
                session.add(row)
                action = "opret_noegletal"
            elif any(getattr(row, name) != value for name, value in columns.items()):
                for name, value in columns.items():
                    setattr(row, name, value)
                self._touch(row)
                action = "ret_noegletal"
            else:
                return self._figure_record(plan_id, afdeling, year, row)
            session.flush()
            after = figure_texts(row)
            changed = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
            self._audit(
                session,
                action,
                "noegletal",
                row.id,
                plan_id,
                f'Nøgletal for "{afdeling.navn}" ({afdeling.organisation.kortnavn}'
                + (f", listeår {year}" if year is not None else "")
                + "): "
                + ", ".join(f"{_FIELD_LABELS[name]} {old} → {new}" for name, (old, new) in changed.items()),
                before={name: old for name, (old, _) in changed.items()},
                after={name: new for name, (_, new) in changed.items()},
            )
            return self._figure_record(plan_id, afdeling, year, row)

    def _preview(
        self, session: Session, plan_id: int, file: str, units: list[UnitFigures], data: bytes
    ) -> tuple[ImportPreview, list[tuple[MatchedUnit, KeyFigureRow | None, dict[str, Any]]]]:
        plan_row = self._plan_row(session, plan_id, full=True)
        plan = plan_from_rows(plan_row)
        matched, issues = match_units(plan, units, file)
        existing = {
            (row.afdeling.organisation.kortnavn, row.afdeling.navn, row.listeaar): row
            for row in self._figure_rows(session, plan_id)
        }
        rows: list[PreviewRow] = []
        plans: list[tuple[MatchedUnit, KeyFigureRow | None, dict[str, Any]]] = []
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
                FieldChange(name, _FIELD_LABELS[name], old_texts[name], new_texts[name])
                for name in (spec.name for spec in KEY_FIGURE_FIELDS)
                if name in changed and (row is not None or new_texts[name] not in ("-", ""))
            )
            status = "ny" if row is None else ("ændret" if changes else "uændret")
            rows.append(PreviewRow(source_row, match.afdeling[1], match.afdeling[0], match.list_year, status, changes))
            plans.append((match, row, columns))
            digest.update(
                f"|{match.afdeling}:{match.list_year}:{row.id if row else 0}:{row.version if row else 0}".encode()
            )
        preview = ImportPreview(file, tuple(rows), tuple(issues), digest.hexdigest())
        return preview, plans

    def preview_import(self, plan_id: int, filename: str, data: bytes) -> ImportPreview:
        """Dry run of importing a key-figure file (CSV/XLSX, chosen by `filename`'s ending): every
        problem by row and column (the import's own checks, then the plan's: every row must be an
        afdeling of the plan, once per list year) and, per row, what would change. Changes nothing.
        A row without a list year belongs to the plan's `liste_aar`."""
        file = safe_filename(filename)
        try:
            units = read_upload(file, data)
        except KeyFigureError as error:
            with self._reading() as session:
                self._plan_row(session, plan_id)
            return ImportPreview(file, (), tuple(error.issues), "")
        with self._reading() as session:
            preview, _ = self._preview(session, plan_id, file, units, data)
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
        with self._writing() as session:
            preview, plans = self._preview(session, plan_id, file, units, data)
            if preview.issues:
                raise ImportRefused(preview.issues, f"{file} er ikke importeret ({len(preview.issues)} fejl):")
            if token is not None and token != preview.token:
                raise ConflictError(
                    "Nøgletallene er ændret, efter forhåndsvisningen blev lavet. Intet er importeret; "
                    "lav forhåndsvisningen igen."
                )
            plan_row = self._plan_row(session, plan_id)
            position = session.scalar(
                select(func.coalesce(func.max(KeyFigureRow.position), -1)).where(KeyFigureRow.plan_id == plan_id)
            )
            next_position = (position if position is not None else -1) + 1
            afdeling_ids = {
                (row.organisation.kortnavn, row.navn): row.id
                for row in session.scalars(
                    select(AfdelingRow)
                    .where(AfdelingRow.plan_id == plan_id)
                    .options(joinedload(AfdelingRow.organisation))
                )
            }
            for (match, row, columns), shown in zip(plans, preview.rows, strict=True):
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
            if plan_row.noegletal is None and preview.rows:
                plan_row.noegletal = "noegletal.csv"  # so that the plan folder export names the file
                self._touch(plan_row)
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

    # ---- indicators ------------------------------------------------------------------------

    @staticmethod
    def _maaling_record(row: MaalingRow) -> MaalingRecord:
        return MaalingRecord(
            id=row.id,
            kind=row.art,
            vaerdi=row.vaerdi,
            vaerdi_text=format_danish_number(row.vaerdi),
            aar=row.aar,
            til_aar=row.til_aar,
            kvalifikator=row.kvalifikator,
            kilde=row.kilde,
            betegnelse=row.betegnelse,
            version=row.version,
            updated_at=_aware(row.updated_at),
            updated_by=row.updated_by,
        )

    def _indikator_record(self, row: IndikatorRow) -> IndikatorRecord:
        return IndikatorRecord(
            indikator=indikator_from_row(row),
            version=row.version,
            maalinger=tuple(self._maaling_record(v) for v in row.vaerdier if v.art == "maaling"),
            sammenligninger=tuple(self._maaling_record(v) for v in row.vaerdier if v.art == "sammenligning"),
        )

    def indikatorer(self, plan_id: int) -> list[IndikatorRecord]:
        """The plan's indicators in plan order with their values."""
        with self._reading() as session:
            self._plan_row(session, plan_id)
            query = (
                select(IndikatorRow)
                .where(IndikatorRow.plan_id == plan_id)
                .options(selectinload(IndikatorRow.vaerdier))
                .order_by(IndikatorRow.position)
            )
            return [self._indikator_record(row) for row in session.scalars(query)]

    def get_indikator(self, plan_id: int, indikator_id: str) -> IndikatorRecord:
        """One indicator by its id string. Raises NotFound."""
        with self._reading() as session:
            return self._indikator_record(self._indikator_row(session, plan_id, indikator_id))

    @staticmethod
    def _check_value(enhed: str, vaerdi: str, errors: dict[str, str]) -> Decimal | None:
        try:
            value = parse_danish_number(vaerdi)
        except ValueError as error:
            errors["vaerdi"] = str(error)
            return None
        if value is None:
            errors["vaerdi"] = "Værdien skal udfyldes med et tal, fx 8,21"
            return None
        shown = vaerdi.strip()
        if enhed == Enhed.PCT.value and not 0 <= value <= 100:
            errors["vaerdi"] = f'"{shown}" ligger ikke mellem 0 og 100 %'
        elif value < 0:
            errors["vaerdi"] = f'"{shown}" er negativt; værdien kan ikke være negativ'
        return value

    @staticmethod
    def _check_year(aar: int | str, plan: PlanRow, errors: dict[str, str]) -> int | None:
        year = _parse_year(aar)
        if isinstance(year, str):
            errors["aar"] = year
            return None
        latest = plan.periode_slut.year + 1
        if not MIN_MAALING_AAR <= year <= latest:
            errors["aar"] = f"Året skal ligge mellem {MIN_MAALING_AAR} og {latest}"
            return None
        return year

    @staticmethod
    def _validate_maaling(row: MaalingRow, errors: dict[str, str]) -> None:
        """The model's own rules (e.g. a period's end after its start) as the last check."""
        model = Sammenligning if row.art == "sammenligning" else Maaling
        data: dict[str, Any] = {
            "vaerdi": row.vaerdi,
            "aar": row.aar,
            "til_aar": row.til_aar,
            "kvalifikator": row.kvalifikator,
            "kilde": row.kilde,
        }
        if row.art == "sammenligning":
            data["betegnelse"] = row.betegnelse
        try:
            model.model_validate(data)
        except ValidationError as error:
            for detail in error.errors():
                field = str(detail["loc"][0]) if detail["loc"] else "aar"
                message = str(detail.get("ctx", {}).get("error", detail["msg"]))
                errors.setdefault(field if field in ("aar", "vaerdi") else "aar", message)

    def add_or_update_maaling(
        self,
        plan_id: int,
        indikator_id: str,
        aar: int | str,
        vaerdi: str,
        expected_version: int | None,
        *,
        kvalifikator: str | None = None,
        kilde: str | None = None,
    ) -> MaalingRecord:
        """Set the indicator's measurement for year `aar` (a single year, not a period).
        `expected_version` is the measurement's version when the form was opened, or None when the
        user adds a year that had no measurement. `vaerdi` as typed ("8,21"; "1.964" = 1964).
        Raises ValidationFailed (keys "aar", "vaerdi") or ConflictError (changed, or added by
        someone else, since the form was opened). `kvalifikator`/`kilde`, when given, are set too."""
        with self._writing() as session:
            plan = self._plan_row(session, plan_id)
            indikator = self._indikator_row(session, plan_id, indikator_id)
            errors: dict[str, str] = {}
            year = self._check_year(aar, plan, errors)
            value = self._check_value(indikator.enhed, vaerdi, errors)
            if errors:
                raise ValidationFailed(errors)
            assert year is not None and value is not None
            same_year = [v for v in indikator.vaerdier if v.art == "maaling" and v.aar == year and v.til_aar is None]
            if len(same_year) > 1:
                raise ValidationFailed({"aar": f"Der er flere målinger for {year}; ret dem enkeltvis"})
            existing = same_year[0] if same_year else None
            if expected_version is None and existing is not None:
                who = f" af {existing.updated_by}" if existing.updated_by else ""
                when = danish_time(existing.updated_at)
                raise ConflictError(
                    f"Der er allerede en måling for {year}, gemt{who} {when}. {_RETRY_TEXT}",
                    changed_by=existing.updated_by,
                    changed_at=_aware(existing.updated_at),
                )
            if expected_version is not None:
                if existing is None:
                    raise ConflictError(f"Målingen for {year} er slettet, efter du åbnede den. {_RETRY_TEXT}")
                if existing.version != expected_version:
                    raise _changed_by(f"Målingen for {year}", existing.updated_by, existing.updated_at)
            before = None if existing is None else self._audit_maaling(existing)
            if existing is None:
                position = max((v.position for v in indikator.vaerdier), default=-1) + 1
                existing = MaalingRow(
                    art="maaling",
                    position=position,
                    vaerdi=value,
                    aar=year,
                    kvalifikator=kvalifikator or None,
                    kilde=kilde or None,
                    updated_by=self.actor.name,
                )
                indikator.vaerdier.append(existing)
                action = "opret_maaling"
            else:
                existing.vaerdi = value
                if kvalifikator is not None:
                    existing.kvalifikator = kvalifikator or None
                if kilde is not None:
                    existing.kilde = kilde or None
                self._touch(existing)
                action = "ret_maaling"
            self._validate_maaling(existing, errors)
            if errors:
                raise ValidationFailed(errors)
            session.flush()
            self._audit(
                session,
                action,
                "maaling",
                existing.id,
                plan_id,
                f'"{indikator.navn}" ({indikator.ident}), {year}: '
                + (f"{before['vaerdi']} → " if before else "")
                + format_danish_number(value),
                before=before,
                after=self._audit_maaling(existing),
            )
            return self._maaling_record(existing)

    @staticmethod
    def _audit_maaling(row: MaalingRow) -> dict[str, Any]:
        return {
            "indikator": row.indikator.ident if row.indikator is not None else None,
            "art": row.art,
            "vaerdi": format_danish_number(row.vaerdi),
            "aar": row.aar,
            "til_aar": row.til_aar,
            "kvalifikator": row.kvalifikator,
            "kilde": row.kilde,
            "betegnelse": row.betegnelse,
        }

    def update_maaling(
        self, plan_id: int, maaling_id: int, vaerdi: str, expected_version: int, aar: int | str | None = None
    ) -> MaalingRecord:
        """Change the value (and, with `aar`, the year; "" or "-" removes the year) of a measurement
        or comparison figure by its id. Same validation and locking as `add_or_update_maaling`."""
        with self._writing() as session:
            plan = self._plan_row(session, plan_id)
            row = self._maaling_row(session, plan_id, maaling_id)
            if row.version != expected_version:
                raise _changed_by("Målingen", row.updated_by, row.updated_at)
            errors: dict[str, str] = {}
            value = self._check_value(row.indikator.enhed, vaerdi, errors)
            year: int | None = row.aar
            if aar is not None:
                year = None if str(aar).strip() in ("", "-") else self._check_year(aar, plan, errors)
            if errors:
                raise ValidationFailed(errors)
            assert value is not None
            before = self._audit_maaling(row)
            row.vaerdi = value
            row.aar = year
            self._validate_maaling(row, errors)
            if errors:
                raise ValidationFailed(errors)
            self._touch(row)
            session.flush()
            self._audit(
                session,
                "ret_maaling",
                "maaling",
                row.id,
                plan_id,
                f'"{row.indikator.navn}" ({row.indikator.ident}): {before["vaerdi"]} → {format_danish_number(value)}',
                before=before,
                after=self._audit_maaling(row),
            )
            return self._maaling_record(row)

    def delete_maaling(self, plan_id: int, maaling_id: int, expected_version: int) -> None:
        """Delete a measurement or comparison figure."""
        with self._writing() as session:
            row = self._maaling_row(session, plan_id, maaling_id)
            if row.version != expected_version:
                raise _changed_by("Målingen", row.updated_by, row.updated_at)
            before = self._audit_maaling(row)
            summary = f'"{row.indikator.navn}" ({row.indikator.ident}): måling {before["vaerdi"]} slettet'
            session.delete(row)
            session.flush()
            self._audit(session, "slet_maaling", "maaling", maaling_id, plan_id, summary, before=before)

    # ---- prose ---------------------------------------------------------------------------------

    def prose(self, plan_id: int) -> list[ProseRecord]:
        """The plan's prose files (`tekst/*.md`), by name."""
        with self._reading() as session:
            self._plan_row(session, plan_id)
            query = select(TekstRow).where(TekstRow.plan_id == plan_id).order_by(TekstRow.navn)
            return [ProseRecord(row.navn, row.indhold, row.version) for row in session.scalars(query)]

    def save_prose(self, plan_id: int, name: str, text_: str, expected_version: int) -> ProseRecord:
        """Create (expected_version 0) or replace a prose file. `name` is a file name such as
        "problemkompleks.md" (letters, digits, '-', '_', ending in .md)."""
        if not _PROSE_NAME.fullmatch(name):
            raise ValidationFailed(
                {"name": 'Filnavnet skal bestå af bogstaver, cifre, - og _ og ende på .md, fx "problemkompleks.md"'}
            )
        with self._writing() as session:
            self._plan_row(session, plan_id)
            row = session.scalars(select(TekstRow).where(TekstRow.plan_id == plan_id, TekstRow.navn == name)).first()
            if (0 if row is None else row.version) != expected_version:
                if row is None:
                    raise ConflictError(f"Teksten {name} er slettet, efter du åbnede den. {_RETRY_TEXT}")
                raise _changed_by(f"Teksten {name}", row.updated_by, row.updated_at)
            before = None if row is None else row.indhold
            if row is None:
                row = TekstRow(plan_id=plan_id, navn=name, indhold=text_, updated_by=self.actor.name)
                session.add(row)
            elif row.indhold != text_:
                row.indhold = text_
                self._touch(row)
            else:
                return ProseRecord(row.navn, row.indhold, row.version)
            session.flush()
            self._audit(session, "gem_tekst", "tekst", row.id, plan_id, f"Teksten {name} er gemt", before, text_)
            return ProseRecord(row.navn, row.indhold, row.version)

    # ---- exports -------------------------------------------------------------------------------

    def export_plan_folder(self, plan_id: int, folder: Path) -> Path:
        """Write the plan as a plan folder: `helhedsplan.toml`, the key-figure file the plan names
        and `tekst/*.md`. Importing the folder again gives identical data. Existing files of the
        same names are replaced; write into a new or empty folder. Returns the folder."""
        folder = Path(folder)
        with self._reading() as session:
            plan = plan_from_rows(self._plan_row(session, plan_id, full=True))
            units = self._units(self._figure_rows(session, plan_id))
            texts = {
                row.navn: row.indhold
                for row in session.scalars(select(TekstRow).where(TekstRow.plan_id == plan_id).order_by(TekstRow.navn))
            }
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
        except (PlanError, KeyFigureError) as error:
            raise ExportError(str(error)) from None
        except OSError as error:
            raise ExportError(f"Plan-mappen kunne ikke skrives i {folder} ({error.strerror or error})") from None
        return folder

    def export_plan_archive(self, plan_id: int) -> bytes:
        """The plan folder as a ZIP file (one top folder named after the plan), for download."""
        with self._reading() as session:
            top = _slug(self._plan_row(session, plan_id).navn)
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
        units = self.key_figures(plan_id, list_year)
        if not units:
            raise ExportError("Planen har ingen nøgletal at eksportere.")
        with tempfile.TemporaryDirectory(prefix="boligsocial-export-") as temporary:
            path = Path(temporary) / f"noegletal{suffix}"
            try:
                write_key_figures(units, path)
            except KeyFigureError as error:
                raise ExportError(str(error)) from None
            return path.read_bytes()

    # ---- audit -------------------------------------------------------------------------------

    def audit_events(self, plan_id: int | None = None, limit: int = 200) -> list[AuditRecord]:
        """The latest audit events (newest first), of one plan or all."""
        with self._reading() as session:
            query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
            if plan_id is not None:
                query = query.where(AuditEvent.plan_id == plan_id)
            return [
                AuditRecord(
                    id=row.id,
                    at=_aware(row.at) or row.at,
                    actor=row.actor,
                    role=row.role,
                    action=row.action,
                    entity=row.entity,
                    entity_id=row.entity_id,
                    plan_id=row.plan_id,
                    summary=row.summary,
                    before=row.before,
                    after=row.after,
                )
                for row in session.scalars(query)
            ]

    # ---- start-up ----------------------------------------------------------------------------

    def ensure_example_loaded(self, example_folder: Path | None = None) -> int | None:
        """Load the bundled example plan (Mit Kvarter) if the database holds no plan yet; returns
        the new plan's id, or None when there were plans already."""
        with self._reading() as session:
            if session.scalar(select(func.count()).select_from(PlanRow)):
                return None
        content = self._read_folder(example_folder or example_plan_folder())
        with self._writing() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(7310091)"))  # two servers starting at once
            if session.scalar(select(func.count()).select_from(PlanRow)):
                return None
            return self._insert_plan(session, content, source="eksemplet")


# --------------------------------------------------------------------------------------------------
# Start-up


def example_candidates() -> list[Path]:
    """Where `example_plan_folder` looks, in order."""
    candidates: list[Path] = []
    configured = os.environ.get(EXAMPLE_ENV)
    if configured:
        candidates.append(Path(configured).expanduser())
    package = Path(__file__).resolve().parents[1]  # .../boligsocial
    candidates += [
        package / "examples" / "mit-kvarter",  # bundled inside an installed package
        package.parents[1] / "examples" / "mit-kvarter",  # the root of a source checkout (src layout)
        Path.cwd() / "examples" / "mit-kvarter",
    ]
    return candidates


def example_plan_folder(candidates: Sequence[Path] | None = None) -> Path:
    """The bundled example plan folder (examples/mit-kvarter): the first of `example_candidates()`
    (the folder named by $BOLIGSOCIAL_EXAMPLE_PLAN, then inside the installed package, the source
    checkout the package runs from, the current directory) that holds a helhedsplan.toml. Raises
    ExampleNotFound (Danish, listing where it looked)."""
    places = list(example_candidates() if candidates is None else candidates)
    for candidate in places:
        if (candidate / "helhedsplan.toml").is_file():
            return candidate
    tried = "\n".join(f"  {c}" for c in places)
    raise ExampleNotFound(
        f"Eksempelplanen (Mit Kvarter) blev ikke fundet. Der blev ledt i:\n{tried}\n"
        f"Angiv mappen med miljøvariablen {EXAMPLE_ENV}."
    )


def bootstrap(
    url: str = "sqlite:///boligsocial.db", example_folder: Path | None = None, *, load_example: bool = True
) -> SessionFactory:
    """Start-up of the app: create or upgrade the schema (migrations), load the example plan when
    the database holds no plan (unless `load_example` is False), and return the session factory to
    build `PlanService`s with."""
    engine = create_engine_for(url)
    upgrade_to_head(engine)
    sessions = session_factory(engine)
    if load_example:
        PlanService(sessions, SYSTEM_ACTOR).ensure_example_loaded(example_folder)
    return sessions

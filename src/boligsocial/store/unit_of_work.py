"""The one gate to the database: `UnitOfWork`, the base of every entity service.

Each entity service (`PlanService`, `KeyFigureService`, `IndicatorService`, ...) is a
`UnitOfWork` for one `Actor`, and reads and writes only through it:

* `_reading()` / `_writing()`: one call = one transaction. `_writing()` refuses a reading role
  (`NotAllowed`), takes SQLite's write lock up front and turns a lost race (stale version, unique
  key) into a Danish `ConflictError`; on any error everything is rolled back.
* `_audit(session, ...)`: the audit event of a write, added in the write's own transaction, so the
  change and its trail are committed together or not at all.
* `_touch(row)`: who changed an editable row and when (SQLAlchemy bumps its `version`).
* `changed_by(...)`: the optimistic-lock conflict ("... er ændret af Jens kl. 14.05, ...").

The row look-ups every service shares (`plan_row`, `afdeling_row`, ...) raise `NotFound` with a
Danish message.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Final, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from boligsocial.danish import as_utc, local_time_text
from boligsocial.law.figures import UnitFigures
from boligsocial.store.db import WRITE
from boligsocial.store.errors import ConflictError, NotAllowed, NotFound
from boligsocial.store.mapping import unit_from_row
from boligsocial.store.models import AfdelingRow, AuditEvent, IndikatorRow, KeyFigureRow, MaalingRow, PlanRow, utcnow
from boligsocial.store.records import ROLE_NAME_DA, Actor, SessionFactory

__all__ = [
    "CONCURRENT_TEXT",
    "RETRY_TEXT",
    "UnitOfWork",
    "afdeling_row",
    "aware",
    "changed_by",
    "check_version",
    "figure_row",
    "figure_rows",
    "indikator_row",
    "maaling_row",
    "plan_row",
    "units_of",
]

RETRY_TEXT: Final = "Dine ændringer er ikke gemt; genindlæs og prøv igen."
CONCURRENT_TEXT: Final = "Data er ændret af en anden samtidig med din ændring. " + RETRY_TEXT


# --------------------------------------------------------------------------------------------------
# Times and conflicts


def aware(moment: datetime | None) -> datetime | None:
    """A stored timestamp with its zone (UTC), or None."""
    return None if moment is None else as_utc(moment)


def changed_by(subject: str, who: str | None, when: datetime | None) -> ConflictError:
    """The conflict of a record whose version is not the one the user opened."""
    by = f" af {who}" if who else ""
    return ConflictError(
        f"{subject} er ændret{by} {local_time_text(when)}, efter du åbnede den. {RETRY_TEXT}",
        changed_by=who,
        changed_at=aware(when),
    )


class Versioned(Protocol):
    """A stored record under optimistic locking."""

    version: int
    updated_by: str | None
    updated_at: datetime


def check_version(row: Versioned | None, expected_version: int, subject: str, gone: str) -> None:
    """Optimistic locking of a record the user may have opened before it existed: it must be as
    the user opened it (version 0: not there yet). ConflictError naming who changed `subject`
    and when, or saying `gone` (a sentence: the record was deleted since)."""
    if (0 if row is None else row.version) == expected_version:
        return
    if row is None:
        raise ConflictError(f"{gone} {RETRY_TEXT}")
    raise changed_by(subject, row.updated_by, row.updated_at)


# --------------------------------------------------------------------------------------------------
# Transactions and audit


class UnitOfWork:
    """Reads and writes on behalf of one `Actor`. Cheap to create: make one per request.
    Thread-safe as long as each thread uses its own instance."""

    def __init__(self, session_factory: SessionFactory, actor: Actor) -> None:
        self.sessions = session_factory
        self.actor = actor

    def _require(self, plan_id: int | None, need: str) -> None:
        """Refuse (NotAllowed, in Danish) unless the actor's role on the plan is `need` or above.
        `plan_id` None asks for the role held on every plan (creating plans, managing all users).
        Every public method calls this first: the role is checked here, not in the pages."""
        if self.actor.may(plan_id, need):
            return
        held = self.actor.role_on(plan_id)
        if held is None:
            raise NotAllowed(
                "Du har ikke adgang til denne plan." if plan_id is not None else "Det kræver adgang til alle planer."
            )
        if need == "redaktoer":
            raise NotAllowed(f"Du er {ROLE_NAME_DA.get(held, held)} og har kun læseadgang; du kan ikke ændre planen.")
        where = "af planen" if plan_id is not None else "af alle planer"
        raise NotAllowed(f"Det kan kun en {ROLE_NAME_DA[need]} {where}; du er {ROLE_NAME_DA.get(held, held)}.")

    @contextmanager
    def _reading(self, plan_id: int | None = None) -> Iterator[Session]:
        """One read transaction. With `plan_id`, the actor must hold a role on the plan."""
        if plan_id is not None:
            self._require(plan_id, "laeser")
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def _writing(self, plan_id: int | None = None) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back on any error. With
        `plan_id`, the actor must be a redaktoer of the plan and the plan must not be archived."""
        if plan_id is not None:
            self._require(plan_id, "redaktoer")
        elif self.actor.role == "laeser":
            raise NotAllowed("Du har kun læseadgang og kan ikke ændre planen.")
        try:
            with self.sessions() as session, session.begin():
                session.connection(execution_options=WRITE)  # SQLite: BEGIN IMMEDIATE
                if plan_id is not None:
                    _refuse_archived(session, plan_id)
                yield session
        except StaleDataError:
            raise ConflictError(CONCURRENT_TEXT) from None
        except IntegrityError:
            raise ConflictError(CONCURRENT_TEXT) from None

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
        *,
        actor: Actor | None = None,
    ) -> None:
        """Record a write (by `actor`, else the service's own) in the write's transaction."""
        who = actor or self.actor
        session.add(
            AuditEvent(
                at=utcnow(),
                actor=who.name,
                user_id=who.user_id,
                role=who.role_on(plan_id) or "",
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


# --------------------------------------------------------------------------------------------------
# Row look-ups shared by the services


def _refuse_archived(session: Session, plan_id: int) -> None:
    archived = session.execute(select(PlanRow.archived_at).where(PlanRow.id == plan_id)).first()
    if archived is None:
        raise NotFound(f"Planen (id {plan_id}) findes ikke.")
    if archived[0] is not None:
        raise NotAllowed(
            f"Planen er arkiveret {local_time_text(archived[0])} og kan ikke ændres. "
            "En administrator kan tage den tilbage fra arkivet."
        )


def plan_row(session: Session, plan_id: int, *, full: bool = False) -> PlanRow:
    """The plan's row (with everything `plan_from_rows` needs when `full`). Raises NotFound."""
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


def figure_rows(session: Session, plan_id: int) -> list[KeyFigureRow]:
    """The plan's key-figure rows with their afdelinger, in the imported file's order."""
    query = (
        select(KeyFigureRow)
        .where(KeyFigureRow.plan_id == plan_id)
        .options(joinedload(KeyFigureRow.afdeling).joinedload(AfdelingRow.organisation))
        .order_by(KeyFigureRow.position, KeyFigureRow.id)
    )
    return list(session.scalars(query))


def units_of(rows: Sequence[KeyFigureRow]) -> list[UnitFigures]:
    """Key-figure rows as the law reads them."""
    return [unit_from_row(row, row.afdeling.navn, row.afdeling.organisation.kortnavn) for row in rows]


def afdeling_row(session: Session, plan_id: int, afdeling_id: int) -> AfdelingRow:
    query = (
        select(AfdelingRow)
        .where(AfdelingRow.id == afdeling_id, AfdelingRow.plan_id == plan_id)
        .options(joinedload(AfdelingRow.organisation))
    )
    row = session.scalars(query).one_or_none()
    if row is None:
        raise NotFound(f"Afdelingen (id {afdeling_id}) findes ikke i planen.")
    return row


def figure_row(session: Session, afdeling_id: int, list_year: int | None) -> KeyFigureRow | None:
    """An afdeling's key figures for a list year (None: the row without a year), if any."""
    year_test = KeyFigureRow.listeaar.is_(None) if list_year is None else KeyFigureRow.listeaar == list_year
    query = select(KeyFigureRow).where(KeyFigureRow.afdeling_id == afdeling_id, year_test)
    return session.scalars(query).first()


def indikator_rows(session: Session, plan_id: int) -> list[IndikatorRow]:
    """The plan's indicators in plan order, with their values loaded."""
    query = (
        select(IndikatorRow)
        .where(IndikatorRow.plan_id == plan_id)
        .options(selectinload(IndikatorRow.vaerdier))
        .order_by(IndikatorRow.position)
    )
    return list(session.scalars(query))


def indikator_row(session: Session, plan_id: int, indikator_id: str) -> IndikatorRow:
    query = (
        select(IndikatorRow)
        .where(IndikatorRow.plan_id == plan_id, IndikatorRow.ident == indikator_id)
        .options(selectinload(IndikatorRow.vaerdier))
    )
    row = session.scalars(query).one_or_none()
    if row is None:
        raise NotFound(f'Indikatoren "{indikator_id}" findes ikke i planen.')
    return row


def maaling_row(session: Session, plan_id: int, maaling_id: int) -> MaalingRow:
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

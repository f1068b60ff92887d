"""`AuditService`: reading the audit trail back (every write records its event through
`UnitOfWork._audit`, in the write's own transaction), filtered in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from boligsocial.danish import as_utc
from boligsocial.store.models import AuditEvent
from boligsocial.store.records import AuditRecord
from boligsocial.store.unit_of_work import UnitOfWork, aware

__all__ = ["AuditChoices", "AuditService"]

SEARCHED = (AuditEvent.summary, AuditEvent.actor, AuditEvent.action, AuditEvent.entity, AuditEvent.entity_id)
"""The columns the free-text filter looks in (not the JSON before/after)."""


@dataclass(frozen=True)
class AuditChoices:
    """What a plan's trail can be filtered by: the people, actions and entities in it (sorted)."""

    actors: list[str]
    actions: list[str]
    entities: list[str]


class AuditService(UnitOfWork):
    """The audit trail, on behalf of one `Actor` (reads only)."""

    def audit_events(
        self,
        plan_id: int | None = None,
        limit: int = 200,
        *,
        actor: str | None = None,
        action: str | None = None,
        entity: str | None = None,
        text: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        offset: int = 0,
    ) -> list[AuditRecord]:
        """The latest audit events (newest first), of one plan (its readers may see them) or of
        the whole installation (administrators of every plan only).

        Filters (all optional, combined with "and"): `actor`, `action` and `entity` exactly;
        `text` anywhere in the summary, actor, action, entity or entity id (ignoring case);
        `since` <= time < `until` (a time without zone is UTC). `offset` skips that many of the
        newest events (pages)."""
        if plan_id is None:
            self._require(None, "administrator")
        with self._reading(plan_id) as session:
            query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            query = _filtered(query, plan_id, actor, action, entity, text, since, until)
            query = query.limit(max(0, limit)).offset(max(0, offset))
            return [_record(row) for row in session.scalars(query)]

    def audit_choices(self, plan_id: int) -> AuditChoices:
        """The distinct people, actions and entities in a plan's trail, for filter menus."""
        with self._reading(plan_id) as session:

            def distinct(column: InstrumentedAttribute[str]) -> list[str]:
                query = select(column).where(AuditEvent.plan_id == plan_id).distinct()
                return sorted(value for value in session.scalars(query) if value)

            return AuditChoices(
                actors=distinct(AuditEvent.actor),
                actions=distinct(AuditEvent.action),
                entities=distinct(AuditEvent.entity),
            )


def _filtered(
    query: Select[AuditEvent],
    plan_id: int | None,
    actor: str | None,
    action: str | None,
    entity: str | None,
    text: str | None,
    since: datetime | None,
    until: datetime | None,
) -> Select[AuditEvent]:
    if plan_id is not None:
        query = query.where(AuditEvent.plan_id == plan_id)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if action:
        query = query.where(AuditEvent.action == action)
    if entity:
        query = query.where(AuditEvent.entity == entity)
    if text and text.strip():
        needle = text.strip().lower()
        query = query.where(or_(*(func.lower(column).contains(needle, autoescape=True) for column in SEARCHED)))
    if since is not None:
        # In UTC: SQLite compares the digits (the zone is dropped); PostgreSQL converts either way.
        query = query.where(AuditEvent.at >= as_utc(since).astimezone(UTC))
    if until is not None:
        query = query.where(AuditEvent.at < as_utc(until).astimezone(UTC))
    return query


def _record(row: AuditEvent) -> AuditRecord:
    return AuditRecord(
        id=row.id,
        at=aware(row.at) or row.at,
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

"""`AuditService`: reading the audit trail back (every write records its event through
`UnitOfWork._audit`, in the write's own transaction)."""

from __future__ import annotations

from sqlalchemy import select

from boligsocial.store.models import AuditEvent
from boligsocial.store.records import AuditRecord
from boligsocial.store.unit_of_work import UnitOfWork, aware

__all__ = ["AuditService"]


class AuditService(UnitOfWork):
    """The audit trail, on behalf of one `Actor` (reads only)."""

    def audit_events(self, plan_id: int | None = None, limit: int = 200) -> list[AuditRecord]:
        """The latest audit events (newest first), of one plan (its readers may see them) or of
        the whole installation (administrators of every plan only)."""
        if plan_id is None:
            self._require(None, "administrator")
        with self._reading(plan_id) as session:
            query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
            if plan_id is not None:
                query = query.where(AuditEvent.plan_id == plan_id)
            return [
                AuditRecord(
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
                for row in session.scalars(query)
            ]

"""`ProseService`: the plan's prose files (`tekst/*.md` of the plan folder), read and saved whole."""

from __future__ import annotations

from sqlalchemy import select

from boligsocial.store.errors import ValidationFailed
from boligsocial.store.models import TekstRow
from boligsocial.store.plan_folders import PROSE_NAME
from boligsocial.store.records import ProseRecord
from boligsocial.store.unit_of_work import UnitOfWork, aware, check_version, plan_row

__all__ = ["ProseService"]


class ProseService(UnitOfWork):
    """The prose texts of stored plans, on behalf of one `Actor`."""

    def prose(self, plan_id: int) -> list[ProseRecord]:
        """The plan's prose files (`tekst/*.md`), by name."""
        with self._reading(plan_id) as session:
            plan_row(session, plan_id)
            query = select(TekstRow).where(TekstRow.plan_id == plan_id).order_by(TekstRow.navn)
            return [_record(row) for row in session.scalars(query)]

    def save_prose(self, plan_id: int, name: str, text_: str, expected_version: int) -> ProseRecord:
        """Create (expected_version 0) or replace a prose file. `name` is a file name such as
        "problemkompleks.md" (letters, digits, '-', '_', ending in .md)."""
        if not PROSE_NAME.fullmatch(name):
            raise ValidationFailed(
                {"name": 'Filnavnet skal bestå af bogstaver, cifre, - og _ og ende på .md, fx "problemkompleks.md"'}
            )
        with self._writing(plan_id) as session:
            plan_row(session, plan_id)
            row = session.scalars(select(TekstRow).where(TekstRow.plan_id == plan_id, TekstRow.navn == name)).first()
            check_version(row, expected_version, f"Teksten {name}", f"Teksten {name} er slettet, efter du åbnede den.")
            before = None if row is None else row.indhold
            if row is None:
                row = TekstRow(plan_id=plan_id, navn=name, indhold=text_, updated_by=self.actor.name)
                session.add(row)
            elif row.indhold != text_:
                row.indhold = text_
                self._touch(row)
            else:
                return _record(row)
            session.flush()
            self._audit(session, "gem_tekst", "tekst", row.id, plan_id, f"Teksten {name} er gemt", before, text_)
            return _record(row)


def _record(row: TekstRow) -> ProseRecord:
    return ProseRecord(row.navn, row.indhold, row.version, aware(row.updated_at), row.updated_by)

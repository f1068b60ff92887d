"""`KeyFigureService`: the afdelinger of a stored plan and their key figures, read and edited in
the key-figure form (values as typed, validated with the key-figure import's rules, optimistic
locking)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from boligsocial.danish import parse_danish_number
from boligsocial.law.figures import Measure, Measurement, UnitFigures
from boligsocial.plan.keyfigures import PCT_COLUMN
from boligsocial.store.errors import ValidationFailed
from boligsocial.store.importing import validate_figure_texts
from boligsocial.store.mapping import COUNT_COLUMNS, figure_columns, figure_texts, unit_from_row
from boligsocial.store.models import AfdelingRow, KeyFigureRow
from boligsocial.store.records import KEY_FIGURE_FIELDS, AfdelingRecord, KeyFigureRecord
from boligsocial.store.unit_of_work import (
    UnitOfWork,
    afdeling_row,
    aware,
    check_version,
    figure_row,
    figure_rows,
    plan_row,
    units_of,
)

__all__ = ["FIELD_LABELS", "KeyFigureService", "next_figure_position"]

_FIELD_NAMES: Final = frozenset(spec.name for spec in KEY_FIGURE_FIELDS)
FIELD_LABELS: Final = {spec.name: spec.label for spec in KEY_FIGURE_FIELDS}
"""The Danish label of each key-figure field, for audit summaries and import previews."""


def _norm(value: str) -> str:
    return " ".join(value.split())


def next_figure_position(session: Session, plan_id: int) -> int:
    """The position after the plan's last key-figure row: new rows come last."""
    position = session.scalar(
        select(func.coalesce(func.max(KeyFigureRow.position), -1)).where(KeyFigureRow.plan_id == plan_id)
    )
    return (position if position is not None else -1) + 1


class KeyFigureService(UnitOfWork):
    """The afdelinger and their key figures, on behalf of one `Actor`."""

    def afdelinger(self, plan_id: int) -> list[AfdelingRecord]:
        """The plan's afdelinger in plan order, with their ids."""
        with self._reading(plan_id) as session:
            plan_row(session, plan_id)
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
        with self._reading(plan_id) as session:
            plan_row(session, plan_id)
            return [u for u in units_of(figure_rows(session, plan_id)) if u.applies_to(list_year)]

    def get_afdeling_figures(self, plan_id: int, afdeling_id: int, list_year: int | None = None) -> KeyFigureRecord:
        """An afdeling's key figures for a list year (default: the plan's list year), with the
        version to send back. Version 0 when there are none yet."""
        with self._reading(plan_id) as session:
            afdeling = afdeling_row(session, plan_id, afdeling_id)
            year = _default_year(session, plan_id, list_year)
            return _figure_record(plan_id, afdeling, year, figure_row(session, afdeling_id, year))

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
        with self._writing(plan_id) as session:
            afdeling = afdeling_row(session, plan_id, afdeling_id)
            year = _default_year(session, plan_id, list_year)
            row = figure_row(session, afdeling_id, year)
            check_version(row, expected_version, "Afdelingen", "Afdelingens nøgletal er slettet, efter du åbnede dem.")
            before = figure_texts(row)
            effective = {name: value for name, value in changes.items() if _norm(value) != _norm(before[name])}
            if not effective:
                return _figure_record(plan_id, afdeling, year, row)
            columns = _validated_columns(afdeling, year, before, effective)
            if row is None:
                row = self._new_figure_row(session, plan_id, afdeling, year, columns)
                action = "opret_noegletal"
            elif any(getattr(row, name) != value for name, value in columns.items()):
                for name, value in columns.items():
                    setattr(row, name, value)
                self._touch(row)
                action = "ret_noegletal"
            else:
                return _figure_record(plan_id, afdeling, year, row)
            session.flush()
            self._audit_figures(session, action, plan_id, row, afdeling, year, before)
            return _figure_record(plan_id, afdeling, year, row)

    def _new_figure_row(
        self, session: Session, plan_id: int, afdeling: AfdelingRow, year: int | None, columns: dict[str, Any]
    ) -> KeyFigureRow:
        row = KeyFigureRow(
            plan_id=plan_id,
            afdeling_id=afdeling.id,
            position=next_figure_position(session, plan_id),
            listeaar=year,
            updated_by=self.actor.name,
            **columns,
        )
        session.add(row)
        return row

    def _audit_figures(
        self,
        session: Session,
        action: str,
        plan_id: int,
        row: KeyFigureRow,
        afdeling: AfdelingRow,
        year: int | None,
        before: dict[str, str],
    ) -> None:
        """The audit event of a form save: every field that changed, old → new."""
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
            + ", ".join(f"{FIELD_LABELS[name]} {old} → {new}" for name, (old, new) in changed.items()),
            before={name: old for name, (old, _) in changed.items()},
            after={name: new for name, (_, new) in changed.items()},
        )


def _default_year(session: Session, plan_id: int, list_year: int | None) -> int | None:
    return list_year if list_year is not None else plan_row(session, plan_id).liste_aar


def _validated_columns(
    afdeling: AfdelingRow, year: int | None, before: dict[str, str], effective: dict[str, str]
) -> dict[str, Any]:
    """The row's new columns from the form's changed fields, read through the key-figure import.
    Raises ValidationFailed with the messages by field."""
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
    return columns


def _figure_record(
    plan_id: int, afdeling: AfdelingRow, list_year: int | None, row: KeyFigureRow | None
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
        updated_at=None if row is None else aware(row.updated_at),
        updated_by=None if row is None else row.updated_by,
    )

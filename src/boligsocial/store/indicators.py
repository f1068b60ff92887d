"""`IndicatorService`: the plan's indicators (indikatorer) and their values: the plan's own
measurements (maalinger) and comparison figures, edited one value at a time with optimistic
locking."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Final

from pydantic import ValidationError

from boligsocial.danish import format_danish_number, local_time_text, parse_danish_number
from boligsocial.plan.model import Enhed, Maaling, Sammenligning
from boligsocial.store.errors import ConflictError, ValidationFailed
from boligsocial.store.mapping import indikator_from_row, maaling_from_row
from boligsocial.store.models import IndikatorRow, MaalingRow, PlanRow
from boligsocial.store.records import IndikatorRecord, MaalingRecord
from boligsocial.store.unit_of_work import (
    RETRY_TEXT,
    UnitOfWork,
    aware,
    changed_by,
    indikator_row,
    indikator_rows,
    maaling_row,
    plan_row,
)

__all__ = ["IndicatorService"]

MIN_MAALING_AAR: Final = 1950


def _parse_year(value: int | str) -> int | str:
    """The year, or a Danish message."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text_ = str(value).strip()
    if not re.fullmatch(r"\d{4}", text_, re.ASCII):
        return f'"{text_}" er ikke et årstal; skriv fx 2024' if text_ else "Året skal udfyldes, fx 2024"
    return int(text_)


class IndicatorService(UnitOfWork):
    """The indicators and their values, on behalf of one `Actor`."""

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
            updated_at=aware(row.updated_at),
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
        with self._reading(plan_id) as session:
            plan_row(session, plan_id)
            return [self._indikator_record(row) for row in indikator_rows(session, plan_id)]

    def get_indikator(self, plan_id: int, indikator_id: str) -> IndikatorRecord:
        """One indicator by its id string. Raises NotFound."""
        with self._reading(plan_id) as session:
            return self._indikator_record(indikator_row(session, plan_id, indikator_id))

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
        try:
            model.model_validate(maaling_from_row(row))
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
        with self._writing(plan_id) as session:
            plan = plan_row(session, plan_id)
            indikator = indikator_row(session, plan_id, indikator_id)
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
                when = local_time_text(existing.updated_at)
                raise ConflictError(
                    f"Der er allerede en måling for {year}, gemt{who} {when}. {RETRY_TEXT}",
                    changed_by=existing.updated_by,
                    changed_at=aware(existing.updated_at),
                )
            if expected_version is not None:
                if existing is None:
                    raise ConflictError(f"Målingen for {year} er slettet, efter du åbnede den. {RETRY_TEXT}")
                if existing.version != expected_version:
                    raise changed_by(f"Målingen for {year}", existing.updated_by, existing.updated_at)
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
        with self._writing(plan_id) as session:
            plan = plan_row(session, plan_id)
            row = maaling_row(session, plan_id, maaling_id)
            if row.version != expected_version:
                raise changed_by("Målingen", row.updated_by, row.updated_at)
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
        with self._writing(plan_id) as session:
            row = maaling_row(session, plan_id, maaling_id)
            if row.version != expected_version:
                raise changed_by("Målingen", row.updated_by, row.updated_at)
            before = self._audit_maaling(row)
            summary = f'"{row.indikator.navn}" ({row.indikator.ident}): måling {before["vaerdi"]} slettet'
            session.delete(row)
            session.flush()
            self._audit(session, "slet_maaling", "maaling", maaling_id, plan_id, summary, before=before)

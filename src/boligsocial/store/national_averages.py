"""`NationalAverageService`: the national average share of convicted residents per list year, as
an editor of a plan enters it in the browser when the law's parameters do not know it.

From 2018 the convicted criterion is a multiple (3 x, 2 x) of a national average that the ministry
publishes with each year's lists. The law ships the years it knows (law/parameters/
national-conviction-average.yaml, with citations); for any other year the plan's verdicts leave
every status that depends on the average undetermined until someone enters it. An entered average
is stored per plan and list year with its source and date, audited, locked optimistically like
every other edit, and given to the law by `OverviewService.plan_context` (`Options.
conviction_averages`), for its own year and for the look-back of later years.

A year whose thresholds the law already holds is refused: the plan's verdicts rest on the
published figures the lists were decided on, and a correction of those belongs in the law's
parameter files (with a citation), not in one plan. A what-if with another average is what
`boligsocial check --convicted-national-avg` is for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsocial.danish import format_danish_number
from boligsocial.plan.national_averages import (
    AVERAGE_FIELDS,
    MAX_AVERAGE_PCT,
    EnteredAverage,
    PublishedAverage,
    YearStatus,
    validated_fields,
    year_status,
)
from boligsocial.store.errors import ConflictError, ValidationFailed
from boligsocial.store.models import KeyFigureRow, NationalAverageRow
from boligsocial.store.unit_of_work import RETRY_TEXT, UnitOfWork, aware, check_version, plan_row

__all__ = [
    "AVERAGE_FIELDS",
    "MAX_AVERAGE_PCT",
    "NationalAverageRecord",
    "NationalAverageService",
    "PublishedAverage",
    "entered_averages",
    "new_average_row",
    "stored_averages",
]


@dataclass(frozen=True)
class NationalAverageRecord:
    """A list year of the plan and its national conviction average: the one entered for the plan
    (`doemte_pct`, version > 0), the law's published one (`published`), or neither.
    `needed` is False for a year whose convicted criterion is not relative to the average."""

    plan_id: int
    list_year: int
    needed: bool
    published: PublishedAverage | None
    doemte_pct: Decimal | None = None
    kilde: str = ""
    kilde_dato: date | None = None
    version: int = 0  # 0: none entered
    updated_at: datetime | None = None
    updated_by: str | None = None
    problem: str | None = None  # the law has no rules for the year (Danish)

    @property
    def entered(self) -> bool:
        return self.doemte_pct is not None

    @property
    def editable(self) -> bool:
        """Whether an average may be entered for the year (needed, not published, has rules)."""
        return self.needed and self.published is None and self.problem is None

    def texts(self) -> dict[str, str]:
        """The form's values as they are shown ("0,73", "01.12.2024")."""
        return {
            "doemte_pct": "" if self.doemte_pct is None else format_danish_number(self.doemte_pct),
            "kilde": self.kilde,
            "kilde_dato": "" if self.kilde_dato is None else self.kilde_dato.isoformat(),
        }


def _record(plan_id: int, list_year: int, row: NationalAverageRow | None) -> NationalAverageRecord:
    law = year_status(list_year)
    needed, published, problem = law.needed, law.published, law.problem
    if row is None:
        return NationalAverageRecord(plan_id, list_year, needed, published, problem=problem)
    return NationalAverageRecord(
        plan_id,
        list_year,
        needed,
        published,
        doemte_pct=row.doemte_pct,
        kilde=row.kilde,
        kilde_dato=row.kilde_dato,
        version=row.version,
        updated_at=aware(row.updated_at),
        updated_by=row.updated_by,
        problem=problem,
    )


def _row(session: Session, plan_id: int, list_year: int) -> NationalAverageRow | None:
    query = select(NationalAverageRow).where(
        NationalAverageRow.plan_id == plan_id, NationalAverageRow.listeaar == list_year
    )
    return session.scalars(query).one_or_none()


def new_average_row(plan_id: int, average: EnteredAverage, actor: str) -> NationalAverageRow:
    """A new row for an entered average (not yet added to a session)."""
    return NationalAverageRow(
        plan_id=plan_id,
        listeaar=average.list_year,
        doemte_pct=average.doemte_pct,
        kilde=average.kilde,
        kilde_dato=average.kilde_dato,
        updated_by=actor,
    )


def entered_averages(session: Session, plan_id: int) -> list[EnteredAverage]:
    """The averages entered for the plan with their sources, by list year (for the plan folder)."""
    query = (
        select(NationalAverageRow).where(NationalAverageRow.plan_id == plan_id).order_by(NationalAverageRow.listeaar)
    )
    return [EnteredAverage(r.listeaar, r.doemte_pct, r.kilde, r.kilde_dato) for r in session.scalars(query)]


def stored_averages(session: Session, plan_id: int) -> dict[int, Fraction]:
    """The averages entered for the plan, list year -> percent, as the law takes them."""
    query = select(NationalAverageRow.listeaar, NationalAverageRow.doemte_pct).where(
        NationalAverageRow.plan_id == plan_id
    )
    return {year: Fraction(value) for year, value in session.execute(query)}


# --------------------------------------------------------------------------------------------------
# Validation


def _validated(values: Mapping[str, str]) -> tuple[Decimal, str, date]:
    """The three fields read and checked; ValidationFailed with every problem by field."""
    unknown = [name for name in values if name not in AVERAGE_FIELDS]
    if unknown:
        raise ValidationFailed({name: f"{name}: er ikke et felt i formularen" for name in unknown})
    checked, errors = validated_fields(values)
    if checked is None:
        raise ValidationFailed(errors)
    return checked


def _refuse_year(record: NationalAverageRecord) -> None:
    """A year the form may not take an average for: why, under the field `listeaar`."""
    message = YearStatus(record.needed, record.published, record.problem).refusal(record.list_year)
    if message is not None:
        raise ValidationFailed({"listeaar": message})


_GONE: Final = "Landsgennemsnittet er slettet, efter du åbnede det."


def _shown(row: NationalAverageRow) -> str:
    return f"{format_danish_number(row.doemte_pct)} pct. (kilde: {row.kilde}, {row.kilde_dato.strftime('%d.%m.%Y')})"


def _snapshot(row: NationalAverageRow) -> dict[str, str]:
    """The row for the trail, as the user wrote and reads it ("0,73", "01.12.2024")."""
    return {
        "doemte_pct": format_danish_number(row.doemte_pct),
        "kilde": row.kilde,
        "kilde_dato": row.kilde_dato.strftime("%d.%m.%Y"),
    }


# --------------------------------------------------------------------------------------------------
# The service


class NationalAverageService(UnitOfWork):
    """The national conviction averages entered for a plan, on behalf of one `Actor`."""

    def national_averages(self, plan_id: int) -> list[NationalAverageRecord]:
        """Every list year the plan has key figures for, its own list year and every year with an
        entered average, in order, each with what the law knows and what was entered."""
        with self._reading(plan_id) as session:
            plan = plan_row(session, plan_id)
            query = select(NationalAverageRow).where(NationalAverageRow.plan_id == plan_id)
            rows = {row.listeaar: row for row in session.scalars(query)}
            figure_years = select(KeyFigureRow.listeaar).where(KeyFigureRow.plan_id == plan_id).distinct()
            years = set(rows) | {y for y in session.scalars(figure_years) if y is not None}
            if plan.liste_aar is not None:
                years.add(plan.liste_aar)
            return [_record(plan_id, year, rows.get(year)) for year in sorted(years)]

    def save_national_average(
        self, plan_id: int, list_year: int, values: Mapping[str, str], expected_version: int
    ) -> NationalAverageRecord:
        """Enter or change a list year's average (fields `AVERAGE_FIELDS`, as typed: "0,73",
        a source text, "2024-12-01" or "1.12.2024"). Raises ValidationFailed (messages by field;
        `listeaar` for a year that takes no entered average) or ConflictError (changed since
        `expected_version`, 0 when there was none). Returns the stored record (new version)."""
        with self._writing(plan_id) as session:
            plan_row(session, plan_id)
            row = _row(session, plan_id, list_year)
            check_version(row, expected_version, "Landsgennemsnittet", _GONE)
            _refuse_year(_record(plan_id, list_year, None))
            pct, source, when = _validated(values)
            if row is None:
                row = new_average_row(plan_id, EnteredAverage(list_year, pct, source, when), self.actor.name)
                session.add(row)
                session.flush()
                self._audit(
                    session,
                    "opret_landsgennemsnit",
                    "landsgennemsnit",
                    row.id,
                    plan_id,
                    f"Landsgennemsnit for dømte, listeår {list_year}: {_shown(row)}",
                    after=_snapshot(row),
                )
                return _record(plan_id, list_year, row)
            if (row.doemte_pct, row.kilde, row.kilde_dato) == (pct, source, when):
                return _record(plan_id, list_year, row)
            before, before_text = _snapshot(row), _shown(row)
            row.doemte_pct, row.kilde, row.kilde_dato = pct, source, when
            self._touch(row)
            session.flush()
            self._audit(
                session,
                "ret_landsgennemsnit",
                "landsgennemsnit",
                row.id,
                plan_id,
                f"Landsgennemsnit for dømte, listeår {list_year}: {before_text} → {_shown(row)}",
                before=before,
                after=_snapshot(row),
            )
            return _record(plan_id, list_year, row)

    def delete_national_average(self, plan_id: int, list_year: int, expected_version: int) -> NationalAverageRecord:
        """Remove a list year's entered average (its verdicts become undetermined again where they
        depend on it). ConflictError when it changed since `expected_version` or is gone."""
        with self._writing(plan_id) as session:
            plan_row(session, plan_id)
            row = _row(session, plan_id, list_year)
            if row is None:
                raise ConflictError(f"Der er intet landsgennemsnit for listeår {list_year} at slette. {RETRY_TEXT}")
            check_version(row, expected_version, "Landsgennemsnittet", _GONE)
            before, before_text, row_id = _snapshot(row), _shown(row), row.id
            session.delete(row)
            session.flush()
            self._audit(
                session,
                "slet_landsgennemsnit",
                "landsgennemsnit",
                row_id,
                plan_id,
                f"Landsgennemsnit for dømte, listeår {list_year}, slettet (var {before_text})",
                before=before,
            )
            return _record(plan_id, list_year, None)

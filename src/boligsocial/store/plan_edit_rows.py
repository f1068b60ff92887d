"""Writing an edited plan back to its rows: the plan row's columns and JSON document, and the
rows of organisations, afdelinger, omraader and indicators, each changed only where it differs.

Organisation and afdeling rows are matched by id (the edit form carries them), so a renamed
afdeling keeps its row and its key figures; omraader by position. Removed rows are deleted
first, then renamed rows are given their new names (through a temporary name when two rows swap
names, which the unique constraints would otherwise refuse), then new rows are added.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from boligsocial.plan.model import Helhedsplan
from boligsocial.store.errors import ValidationFailed
from boligsocial.store.mapping import maalstyring_document, plan_document
from boligsocial.store.models import AfdelingRow, BoligorganisationRow, OmraadeRow, PlanRow, utcnow

__all__ = ["RowCounts", "write_plan"]


@dataclass(frozen=True)
class RowCounts:
    """How many rows of the edited list were added, changed and removed."""

    added: int = 0
    changed: int = 0
    removed: int = 0


def _set(row: Any, values: dict[str, Any], actor: str) -> bool:
    """Assign the values that differ (and who/when); True when anything but the position did."""
    changed = [key for key, value in values.items() if getattr(row, key) != value]
    for key in changed:
        setattr(row, key, values[key])
    if changed:
        row.updated_at = utcnow()
        row.updated_by = actor
    return bool(set(changed) - {"position"})


@dataclass
class _Sync:
    """Bring a collection of rows to the wanted rows (existing row or None for a new one)."""

    session: Session
    actor: str
    key: Callable[[Any], Any]  # the unique key of a row
    wanted_key: Callable[[dict[str, Any]], Any]  # ... of wanted values
    rename: Callable[[Any], None]  # give a row a temporary, unique name

    def run(self, rows: list[Any], wanted: Sequence[tuple[Any | None, dict[str, Any]]], make: type) -> RowCounts:
        keep = {id(r) for r, _ in wanted if r is not None}
        removed = [r for r in rows if id(r) not in keep]
        for r in removed:
            rows.remove(r)
        if removed:
            self.session.flush()
        moving = [(r, values) for r, values in wanted if r is not None and self.key(r) != self.wanted_key(values)]
        old_keys = {self.key(r) for r, _ in moving}
        if any(self.wanted_key(values) in old_keys for _, values in moving):
            for r, _ in moving:
                self.rename(r)
            self.session.flush()
        added = changed = 0
        for r, values in wanted:
            if r is None:
                rows.append(make(**values, updated_by=self.actor))
                added += 1
            elif _set(r, values, self.actor):
                changed += 1
        return RowCounts(added, changed, len(removed))


def _temporary(attribute: str) -> Callable[[Any], None]:
    def rename(row: Any) -> None:
        setattr(row, attribute, f"~{row.id}~")

    return rename


def _organisations(session: Session, row: PlanRow, plan: Helhedsplan, ids: list[int | None], actor: str) -> RowCounts:
    by_id = {o.id: o for o in row.boligorganisationer}
    for gone in set(by_id) - set(ids):
        if by_id[gone].afdelinger:
            navn = by_id[gone].kortnavn
            raise ValidationFailed(
                {"": f'Boligorganisationen "{navn}" har stadig afdelinger; flyt eller fjern dem, før den fjernes'}
            )
    wanted = [
        (
            None if i is None else by_id[i],
            {
                "position": position,
                "kortnavn": org.kortnavn,
                "navn": org.navn,
                "administrator": org.administrator,
                "aliaser": list(org.aliaser),
                "noter": list(org.noter),
            },
        )
        for position, (org, i) in enumerate(zip(plan.boligorganisationer, ids, strict=True))
    ]
    sync = _Sync(session, actor, lambda r: r.kortnavn, lambda v: v["kortnavn"], _temporary("kortnavn"))
    return sync.run(row.boligorganisationer, wanted, BoligorganisationRow)


def _afdelinger(session: Session, row: PlanRow, plan: Helhedsplan, ids: list[int | None], actor: str) -> RowCounts:
    by_id = {a.id: a for a in row.afdelinger}
    organisations = {o.kortnavn: o for o in row.boligorganisationer}
    wanted = [
        (
            None if i is None else by_id[i],
            {
                "position": position,
                "navn": afd.navn,
                "organisation": organisations[afd.boligorganisation],
                "afdelingsnummer": afd.afdelingsnummer,
                "boliger": afd.boliger,
                "status": afd.status.value,
                "betingelse": afd.betingelse,
                "aliaser": list(afd.aliaser),
                "oplyst_paa_lister": [liste.value for liste in afd.oplyst_paa_lister],
                "noter": list(afd.noter),
            },
        )
        for position, (afd, i) in enumerate(zip(plan.afdelinger, ids, strict=True))
    ]
    sync = _Sync(
        session,
        actor,
        lambda r: (r.organisation.id, r.navn),
        lambda v: (v["organisation"].id, v["navn"]),
        _temporary("navn"),
    )
    return sync.run(row.afdelinger, wanted, AfdelingRow)


def _omraader(session: Session, row: PlanRow, plan: Helhedsplan, actor: str) -> RowCounts:
    rows = sorted(row.omraader, key=lambda o: o.position)
    wanted = [
        (
            rows[position] if position < len(rows) else None,
            {
                "position": position,
                "navn": omr.navn,
                "afdelinger": [ref.model_dump(mode="json") for ref in omr.afdelinger],
                "afgraensning": omr.afgraensning,
                "oplyst_paa_lister": [liste.value for liste in omr.oplyst_paa_lister],
                "noter": list(omr.noter),
            },
        )
        for position, omr in enumerate(plan.omraader)
    ]
    sync = _Sync(session, actor, lambda r: r.navn, lambda v: v["navn"], _temporary("navn"))
    return sync.run(row.omraader, wanted, OmraadeRow)


def _indikatorer(row: PlanRow, plan: Helhedsplan, actor: str) -> RowCounts:
    changed = 0
    by_ident = {r.ident: r for r in row.indikatorer}
    for indikator in plan.indikatorer:
        values = {
            "afdelinger": [ref.model_dump(mode="json") for ref in indikator.afdelinger],
            "retning": None if indikator.retning is None else indikator.retning.value,
            "maalstyring": maalstyring_document(indikator),
        }
        changed += _set(by_ident[indikator.id], values, actor)
    return RowCounts(changed=changed)


def _plan_columns(row: PlanRow, plan: Helhedsplan) -> None:
    values = {
        "navn": plan.navn,
        "kommune": plan.kommune,
        "ansoeger": plan.ansoeger,
        "periode_start": plan.periode.start,
        "periode_slut": plan.periode.slut,
        "liste_aar": plan.liste_aar,
        "beboere_dato": plan.beboere_dato,
        "baggrund": plan.baggrund,
        "kriterier_tekst": plan.kriterier_tekst,
    }
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
    document = plan_document(plan)
    if document != row.dokument:
        row.dokument = document


def write_plan(
    session: Session, row: PlanRow, plan: Helhedsplan, section: str, ids: list[int | None], actor: str
) -> RowCounts:
    """Write `plan` (the stored plan with `section` edited) to the plan's rows; the counts of
    the edited section's rows. `ids` are the organisation or afdeling rows the edited list's rows
    were opened from (None: new)."""
    counts = {
        "boligorganisationer": lambda: _organisations(session, row, plan, ids, actor),
        "afdelinger": lambda: _afdelinger(session, row, plan, ids, actor),
    }
    own = counts[section]() if section in counts else RowCounts()
    omraader = _omraader(session, row, plan, actor)
    indikatorer = _indikatorer(row, plan, actor)
    _plan_columns(row, plan)  # last: the flushes above must not write (and version) the plan row
    return {"omraader": omraader, "maalstyring": indikatorer}.get(section, own)

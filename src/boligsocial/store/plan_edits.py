"""`PlanEditService`: the structured sections of a plan (stamdata, organisations, afdelinger,
omraader, themes, partners, organisation, abbreviations, budget, indicator targets) read and
saved a section at a time, as the edit pages in the browser do.

A save is checked by rebuilding the whole `Helhedsplan` with the new section (the model's own
rules and `structural_problems`), so a section can never leave the plan in a state that
`get_plan` could not load; a refused value raises `ValidationFailed` with Danish messages that
name the row and the field. The write is all or nothing, with one audit event holding the
section before and after.

Locking: every section is locked by the plan row's `version` (also for the indicator targets):
each save bumps it, and a save with an older `expected_version` is refused with `ConflictError`.
One version for the whole plan is coarse, but a section edit can touch other sections (renaming
an afdeling renames it in omraader, themes and indicators too), and the cross-references are
checked over the whole plan.

Rows of organisations and afdelinger are matched by their `id`, not their name, so renaming an
afdeling keeps its key figures; removing one deletes its key figures (FK cascade).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boligsocial.plan.model import Helhedsplan, Loc
from boligsocial.store.errors import NotFound, ValidationFailed
from boligsocial.store.mapping import plan_from_rows
from boligsocial.store.models import KeyFigureRow, PlanRow
from boligsocial.store.plan_edit_rows import RowCounts, write_plan
from boligsocial.store.plan_sections import (
    SECTIONS,
    STAMDATA_KEYS,
    SectionRecord,
    problem_messages,
    section_value,
)
from boligsocial.store.unit_of_work import UnitOfWork, changed_by, plan_row

__all__ = ["PlanEditService"]

_ID_SECTIONS = ("boligorganisationer", "afdelinger")
_MAALSTYRING_KEYS = ("retning", "baseline", "maal", "milepaele")


def _ids_of(row: PlanRow) -> tuple[list[int], list[int]]:
    """The ids of the plan's organisation and afdeling rows, in plan order."""
    organisations = [o.id for o in sorted(row.boligorganisationer, key=lambda o: o.position)]
    afdelinger = [a.id for a in sorted(row.afdelinger, key=lambda a: a.position)]
    return organisations, afdelinger


def _section(name: str) -> None:
    if name not in SECTIONS:
        raise NotFound(f'Planen har intet afsnit "{name}", der kan redigeres.')


# --------------------------------------------------------------------------------------------------
# The new section into the plan's data


def _refuse(key: str, message: str) -> ValidationFailed:
    return ValidationFailed({key: message})


def _rows(name: str, value: Any) -> list[dict[str, Any]]:
    """A list section's rows (copies), or ValidationFailed if the value has another shape."""
    table = SECTIONS[name].tables[0]
    if not isinstance(value, list):
        raise _refuse("", f"{SECTIONS[name].title}: skal være en liste af rækker")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise _refuse(str(index), f"{table.row_label} {index + 1}: skal være en række med felter")
    return [dict(item) for item in value]


def _split_ids(name: str, items: list[dict[str, Any]], known: list[int]) -> list[int | None]:
    """Take the `id` out of each row: the row it edits (None: a new row)."""
    label = SECTIONS[name].tables[0].row_label
    ids: list[int | None] = []
    for index, item in enumerate(items):
        raw = item.pop("id", None)
        text = str(raw).strip() if raw is not None else ""
        if text == "":
            ids.append(None)
            continue
        if not text.isdigit() or int(text) not in known or int(text) in ids:
            raise _refuse(
                f"{index}.id",
                f"{label} {index + 1}: findes ikke længere i planen (eller står der to gange); genindlæs siden",
            )
        ids.append(int(text))
    return ids


def _text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _rename_refs(data: dict[str, Any], organisations: dict[Any, Any], afdelinger: dict[Any, Any]) -> None:
    """Let the references to renamed organisations (old kortnavn -> new) and afdelinger ((old
    kortnavn, old navn) -> (new kortnavn, new navn)) follow them, everywhere in the plan."""
    for afd in data["afdelinger"]:
        afd["boligorganisation"] = organisations.get(afd["boligorganisation"], afd["boligorganisation"])
    holders = [*data["omraader"], *data["indsatsomraader"], *data["opmaerksomhedspunkter"], *data["indikatorer"]]
    for holder in holders:
        for ref in holder["afdelinger"]:
            org = ref.get("boligorganisation")
            hits = [new for (o, n), new in afdelinger.items() if n == ref["afdeling"] and org in (None, o)]
            if len(hits) == 1:
                ref["afdeling"] = hits[0][1]
                if org is not None:
                    ref["boligorganisation"] = hits[0][0]
            elif org is not None:
                ref["boligorganisation"] = organisations.get(org, org)


def _renames(name: str, items: list[dict[str, Any]], ids: list[int | None], row: PlanRow) -> dict[str, Any]:
    if name == "boligorganisationer":
        old = {o.id: o.kortnavn for o in row.boligorganisationer}
        return {
            old[i]: _text(item.get("kortnavn"))
            for item, i in zip(items, ids, strict=True)
            if i is not None and isinstance(_text(item.get("kortnavn")), str) and old[i] != _text(item.get("kortnavn"))
        }
    before = {a.id: (a.organisation.kortnavn, a.navn) for a in row.afdelinger}
    renamed: dict[str, Any] = {}
    for item, i in zip(items, ids, strict=True):
        new = (_text(item.get("boligorganisation")), _text(item.get("navn")))
        if i is not None and all(isinstance(part, str) for part in new) and before[i] != new:
            renamed[before[i]] = new  # type: ignore[index]
    return renamed


def _forkortelser(items: list[dict[str, Any]]) -> dict[str, str]:
    found: dict[str, str] = {}
    errors: dict[str, str] = {}
    for index, item in enumerate(items):
        where = f"Forkortelse {index + 1}"
        short, meaning = _text(item.get("forkortelse")), _text(item.get("betydning"))
        if set(item) - {"forkortelse", "betydning"}:
            errors[f"{index}"] = f"{where}: har andre felter end forkortelse og betydning"
        if not isinstance(short, str) or not short:
            errors[f"{index}.forkortelse"] = f"{where}, forkortelse: skal udfyldes"
        elif short in found:
            errors[f"{index}.forkortelse"] = f'{where}, forkortelse: "{short}" er nævnt før'
        if not isinstance(meaning, str) or not meaning:
            errors[f"{index}.betydning"] = f"{where}, betydning: skal udfyldes"
        if isinstance(short, str) and isinstance(meaning, str):
            found.setdefault(short, meaning)
    if errors:
        raise ValidationFailed(errors)
    return found


def _targets(items: list[dict[str, Any]], indikatorer: list[dict[str, Any]]) -> dict[int, int]:
    """Apply the target rows to the indicators by id; the indicators' plan index -> row index."""
    by_id = {ind["id"]: position for position, ind in enumerate(indikatorer)}
    places: dict[int, int] = {}
    for index, item in enumerate(items):
        position = by_id.get(str(item.get("id")))
        if position is None or position in places:
            raise _refuse(f"{index}.id", f'Indikator {index + 1}: "{item.get("id")}" er ikke en af planens indikatorer')
        unknown = set(item) - {"id", "navn", *_MAALSTYRING_KEYS}
        if unknown:
            raise _refuse(f"{index}", f"Indikator {index + 1}: ukendte felter ({', '.join(sorted(unknown))})")
        places[position] = index
        indikator = indikatorer[position]
        for key in _MAALSTYRING_KEYS:
            indikator[key] = item.get(key) or ([] if key == "milepaele" else None)
    return places


def _stamdata(value: Any, data: dict[str, Any]) -> None:
    if not isinstance(value, dict):
        raise _refuse("", "Stamdata: skal være et objekt med felterne " + ", ".join(STAMDATA_KEYS))
    unknown = sorted(set(value) - set(STAMDATA_KEYS))
    if unknown:
        raise _refuse(unknown[0], f"{unknown[0]}: er ikke et felt i stamdata")
    for key in STAMDATA_KEYS:
        data[key] = value.get(key)


class _Candidate:
    """The plan's data with the new section in it, and what is needed to write and explain it."""

    def __init__(self, name: str, value: Any, current: Helhedsplan, row: PlanRow) -> None:
        self.name = name
        self.data: dict[str, Any] = current.model_dump()
        self.ids: list[int | None] = []
        self.indicator_rows: dict[int, int] = {}
        section = SECTIONS[name]
        if name == "stamdata":
            _stamdata(value, self.data)
        elif section.optional:
            if value is not None and not isinstance(value, dict):
                raise _refuse("", f"{section.title}: skal være et objekt med felter eller null")
            self.data[name] = value
        else:
            self._rows(value, row)

    def _rows(self, value: Any, row: PlanRow) -> None:
        name = self.name
        items = _rows(name, value)
        if name in _ID_SECTIONS:
            known = (
                [o.id for o in row.boligorganisationer] if name == _ID_SECTIONS[0] else [a.id for a in row.afdelinger]
            )
            self.ids = _split_ids(name, items, known)
            renames = _renames(name, items, self.ids, row)
            _rename_refs(
                self.data, renames if name == _ID_SECTIONS[0] else {}, renames if name != _ID_SECTIONS[0] else {}
            )
            self.data[name] = items
        elif name == "forkortelser":
            self.data[name] = _forkortelser(items)
        elif name == "maalstyring":
            self.indicator_rows = _targets(items, self.data["indikatorer"])
        else:
            self.data[name] = items

    def locate(self, loc: Loc) -> tuple[str, Loc]:
        """A location in the plan as (section, location in the section)."""
        head = str(loc[0]) if loc else ""
        if head == "indikatorer" and len(loc) > 1 and isinstance(loc[1], int):
            return "maalstyring", (self.indicator_rows.get(loc[1], loc[1]), *loc[2:])
        if head == "forkortelser":
            keys = list(self.data["forkortelser"])
            return "forkortelser", ((keys.index(loc[1]) if loc[1:] and loc[1] in keys else 0), "betydning")
        if head in SECTIONS and head not in ("stamdata", "maalstyring"):
            return head, loc[1:]
        return "stamdata", loc

    def validated(self, value: Any) -> Helhedsplan:
        try:
            return Helhedsplan.model_validate(self.data)
        except ValidationError as error:
            values = {
                **{n: self.data.get(n) for n in SECTIONS},
                "maalstyring": self.data["indikatorer"],
                self.name: value,
            }
            raise ValidationFailed(problem_messages(error, self.locate, self.name, values)) from None


# --------------------------------------------------------------------------------------------------
# The service


def _summary(title: str, before: Any, after: Any, counts: RowCounts, figures: int) -> str:
    text = f"{title} er ændret"
    if isinstance(before, list) and isinstance(after, list):
        parts = [f"{len(before)} → {len(after)} rækker"]
        if counts.added or counts.changed or counts.removed:
            parts = [f"{counts.added} tilføjet, {counts.changed} rettet, {counts.removed} fjernet"]
        text += f" ({'; '.join(parts)})"
    if figures:
        rows = "række" if figures == 1 else "rækker"
        text += f"; {figures} {rows} nøgletal er slettet med de fjernede afdelinger"
    return text


class PlanEditService(UnitOfWork):
    """The plan's structured sections, read and saved whole, on behalf of one `Actor`."""

    def section(self, plan_id: int, name: str) -> SectionRecord:
        """The section's current value (JSON-able) and the plan's version. Raises NotFound."""
        _section(name)
        with self._reading(plan_id) as session:
            row = plan_row(session, plan_id, full=True)
            organisations, afdelinger = _ids_of(row)
            value = section_value(name, plan_from_rows(row), organisations, afdelinger)
            return SectionRecord(name, value, row.version)

    def update_section(self, plan_id: int, name: str, value: Any, expected_version: int) -> SectionRecord:
        """Replace the section with `value` (the shape `section` gives). Checked against the whole
        plan; raises ValidationFailed (Danish messages by field key, e.g. "2.boliger"; keys
        starting with "@" are problems in other sections the change causes), ConflictError when
        the plan changed since `expected_version`, NotFound for an unknown section."""
        _section(name)
        with self._writing(plan_id) as session:
            row = plan_row(session, plan_id, full=True)
            if row.version != expected_version:
                raise changed_by("Planen", row.updated_by, row.updated_at)
            current = plan_from_rows(row)
            organisations, afdelinger = _ids_of(row)
            before = section_value(name, current, organisations, afdelinger)
            candidate = _Candidate(name, value, current, row)
            plan = candidate.validated(value)
            old_ids = organisations if name == _ID_SECTIONS[0] else afdelinger
            if plan == current and (name not in _ID_SECTIONS or candidate.ids == old_ids):
                return SectionRecord(name, before, row.version)
            figures = self._removed_figures(session, row, candidate) if name == "afdelinger" else 0
            counts = write_plan(session, row, plan, name, candidate.ids, self.actor.name)
            self._touch(row)
            session.flush()
            after = section_value(name, plan, *_ids_of(row))
            title = SECTIONS[name].title
            summary = _summary(title, before, after, counts, figures)
            self._audit(session, f"ret_{name}", "plan", plan_id, plan_id, summary, before, after)
            return SectionRecord(name, after, row.version)

    @staticmethod
    def _removed_figures(session: Session, row: PlanRow, candidate: _Candidate) -> int:
        removed = [a.id for a in row.afdelinger if a.id not in candidate.ids]
        if not removed:
            return 0
        query = select(func.count()).select_from(KeyFigureRow).where(KeyFigureRow.afdeling_id.in_(removed))
        return int(session.scalar(query) or 0)

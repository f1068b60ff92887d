"""The atlas in the database: national list statuses and criteria per unit and list year.

National data belongs to no plan: every signed-in user may read it (an actor who is a user or
holds any role); loading a source needs the administrator role on every plan. A source
("persondata", "noegletal", "officiel") is replaced as a whole in one transaction with its audit
event, so a reader sees the old atlas or the new one, never a mix, and a failed load leaves the
old one as it was.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import SQLAlchemyError

from boligsocial.law.figures import UnitKind
from boligsocial.register.atlas import Atlas, AtlasEntry
from boligsocial.register.atlas_files import criterion_from_record, criterion_record
from boligsocial.store.errors import ConflictError, NotAllowed, NotFound, StoreError
from boligsocial.store.models import AtlasEntryRow, AtlasSourceRow
from boligsocial.store.records import Actor
from boligsocial.store.startup import SYSTEM_ACTOR, bootstrap
from boligsocial.store.unit_of_work import UnitOfWork, aware

__all__ = ["LOAD_ROLE", "NO_SOURCE_TOKEN", "SOURCE_NAMES_DA", "AtlasService", "AtlasSource", "load_atlas"]

SOURCE_NAMES_DA: Final[dict[str, str]] = {
    "persondata": "Beregnet fra persondata",
    "noegletal": "Fra nøgletalsfiler",
    "officiel": "Officielle lister",
}
SOURCE_ORDER: Final = ("persondata", "noegletal", "officiel")
"""Which source a page shows when none is asked for: the computed ones carry the criteria."""

_BATCH: Final = 5_000
LOAD_ROLE: Final = "administrator"
"""Loading a source needs this role on every plan (`needs(LOAD_ROLE)` on the web's upload)."""
NO_SOURCE_TOKEN: Final = "ingen"
"""`source_token` of a source that is not loaded."""


@dataclass(frozen=True)
class AtlasSource:
    name: str
    description: str
    years: tuple[int, ...]
    notes: tuple[str, ...]
    units: int
    loaded_at: datetime | None
    loaded_by: str

    @property
    def title(self) -> str:
        return SOURCE_NAMES_DA.get(self.name, self.name)


def _source(row: AtlasSourceRow) -> AtlasSource:
    return AtlasSource(
        name=row.navn,
        description=row.beskrivelse,
        years=tuple(int(y) for y in row.listeaar),
        notes=tuple(str(n) for n in row.noter),
        units=row.enheder,
        loaded_at=aware(row.indlaest_at),
        loaded_by=row.indlaest_af,
    )


def _token(row: AtlasSourceRow | None) -> str:
    """What pins a loaded source: every load makes a new row with its own time and loader."""
    if row is None:
        return NO_SOURCE_TOKEN
    loaded = aware(row.indlaest_at)
    fields = (row.id, row.navn, loaded.isoformat() if loaded else "", row.indlaest_af, row.enheder, row.beskrivelse)
    pinned = "|".join(str(f) for f in fields)
    return hashlib.sha256(pinned.encode()).hexdigest()[:32]


def _row_values(source_id: int, e: AtlasEntry) -> dict[str, Any]:
    return {
        "kilde_id": source_id,
        "enhedstype": e.kind,
        "navn": e.name,
        "listeaar": e.list_year,
        "boligorganisation": e.boligorganisation,
        "omraade": e.omraade,
        "kommune": e.kommune,
        "region": e.region,
        "beboere": e.residents,
        "vurderet": e.eligible,
        "lister": dict(e.lists),
        "kriterier": [criterion_record(c) for c in e.criteria],
    }


def _entry(row: Any, criteria: list[Any] | None) -> AtlasEntry:
    kind: UnitKind = "omraade" if row.enhedstype == "omraade" else "afdeling"
    return AtlasEntry(
        kind=kind,
        name=row.navn,
        list_year=row.listeaar,
        lists=dict(row.lister),
        boligorganisation=row.boligorganisation,
        omraade=row.omraade,
        kommune=row.kommune,
        region=row.region,
        residents=row.beboere,
        eligible=row.vurderet,
        criteria=tuple(criterion_from_record(c) for c in criteria or ()),
    )


class AtlasService(UnitOfWork):
    """Loads and reads the atlas. Reads need a signed-in user; a load the administrator of every plan."""

    def _require_user(self) -> None:
        actor = self.actor
        if actor.role is None and not actor.plan_roles and actor.user_id is None:
            raise NotAllowed("Atlasset kan kun ses af brugere, der er logget ind.")

    def may_load(self) -> bool:
        """Whether the actor may load (replace) a source: the role on every plan."""
        return self.actor.may(None, LOAD_ROLE)

    def source_token(self, source: str) -> str:
        """What the source holds now, as a short digest (`NO_SOURCE_TOKEN` when not loaded): a
        preview carries it, and `replace_atlas(..., expected_token=...)` refuses once it changed."""
        self._require(None, LOAD_ROLE)
        with self._reading() as session:
            return _token(session.scalars(select(AtlasSourceRow).where(AtlasSourceRow.navn == source)).one_or_none())

    def replace_atlas(self, atlas: Atlas, expected_token: str | None = None) -> AtlasSource:
        """Replace the source `atlas.source` with `atlas`, all or nothing, audited. With
        `expected_token` (`source_token` when the load was previewed), ConflictError if the source
        was loaded again since."""
        self._require(None, LOAD_ROLE)
        if not atlas.entries:
            raise StoreError("Atlasset er tomt; intet er indlæst.")
        with self._writing() as session:
            # FOR UPDATE (PostgreSQL): two loads of one source take turns, so the second sees the first's token.
            old = session.scalars(
                select(AtlasSourceRow).where(AtlasSourceRow.navn == atlas.source).with_for_update()
            ).one_or_none()
            if expected_token is not None and _token(old) != expected_token:
                who = f" af {old.indlaest_af}" if old is not None else ""
                raise ConflictError(
                    f"{SOURCE_NAMES_DA.get(atlas.source, atlas.source)} er indlæst igen{who}, efter "
                    "forhåndsvisningen blev lavet. Intet er indlæst; lav forhåndsvisningen igen.",
                    changed_by=old.indlaest_af if old is not None else None,
                    changed_at=aware(old.indlaest_at) if old is not None else None,
                )
            before = None
            if old is not None:
                before = {"beskrivelse": old.beskrivelse, "listeaar": old.listeaar, "enheder": old.enheder}
                session.execute(delete(AtlasEntryRow).where(AtlasEntryRow.kilde_id == old.id))
                session.delete(old)
                session.flush()
            row = AtlasSourceRow(
                navn=atlas.source,
                beskrivelse=atlas.description,
                listeaar=list(atlas.years),
                noter=list(atlas.notes),
                enheder=len(atlas.entries),
                indlaest_af=self.actor.name,
            )
            session.add(row)
            session.flush()
            for start in range(0, len(atlas.entries), _BATCH):
                chunk = atlas.entries[start : start + _BATCH]
                session.execute(insert(AtlasEntryRow), [_row_values(row.id, e) for e in chunk])
            after = {"beskrivelse": row.beskrivelse, "listeaar": row.listeaar, "enheder": row.enheder}
            title = SOURCE_NAMES_DA.get(atlas.source, atlas.source)
            summary = f"Atlas indlæst ({title}): {atlas.description}, {len(atlas.entries)} enheder"
            self._audit(session, "indlaes", "atlas", atlas.source, None, summary, before, after)
            session.flush()
            return _source(row)

    def sources(self) -> list[AtlasSource]:
        """The loaded sources, the one a page shows by default first."""
        self._require_user()
        with self._reading() as session:
            rows = list(session.scalars(select(AtlasSourceRow)))
        order = {name: i for i, name in enumerate(SOURCE_ORDER)}
        return sorted((_source(r) for r in rows), key=lambda s: order.get(s.name, len(order)))

    def entries(self, source: str, kind: UnitKind = "omraade") -> list[AtlasEntry]:
        """Every unit-year of a kind in a source, without criteria (the table of paths)."""
        self._require_user()
        columns = [c for c in AtlasEntryRow.__table__.c if c.name not in ("kriterier", "id", "kilde_id")]
        with self._reading() as session:
            source_id = self._source_id(session, source)
            query = (
                select(*columns)
                .where(AtlasEntryRow.kilde_id == source_id, AtlasEntryRow.enhedstype == kind)
                .order_by(AtlasEntryRow.navn, AtlasEntryRow.boligorganisation, AtlasEntryRow.listeaar)
            )
            return [_entry(row, None) for row in session.execute(query)]

    def unit_history(self, source: str, name: str, kind: UnitKind = "omraade") -> list[AtlasEntry]:
        """One unit (by name) in every list year of a source, with its criteria. Raises NotFound."""
        self._require_user()
        with self._reading() as session:
            source_id = self._source_id(session, source)
            query = (
                select(AtlasEntryRow)
                .where(
                    AtlasEntryRow.kilde_id == source_id, AtlasEntryRow.enhedstype == kind, AtlasEntryRow.navn == name
                )
                .order_by(AtlasEntryRow.kommune, AtlasEntryRow.listeaar)
            )
            found = [_entry(row, row.kriterier) for row in session.scalars(query)]
        if not found:
            raise NotFound(
                f'Atlasset har intet {"boligområde" if kind == "omraade" else "afdeling"} ved navn "{name}".'
            )
        return found

    @staticmethod
    def _source_id(session: Any, source: str) -> int:
        found = session.scalar(select(AtlasSourceRow.id).where(AtlasSourceRow.navn == source))
        if found is None:
            raise NotFound(f'Der er ikke indlæst noget atlas fra kilden "{source}".')
        return int(found)


def load_atlas(atlas: Atlas, db_url: str, actor: Actor | None = None) -> str:
    """`boligsocial atlas --db URL`: load an atlas into the web app's database (creating or
    upgrading its schema), as the command line (the system). Returns a Danish line; raises
    ValueError with a Danish message when it cannot."""
    try:
        sessions = bootstrap(db_url, load_example=False)
        source = AtlasService(sessions, actor or SYSTEM_ACTOR).replace_atlas(atlas)
    except StoreError as error:
        raise ValueError(str(error)) from None
    except SQLAlchemyError as error:
        raise ValueError(f"databasen {db_url} kan ikke bruges ({type(error).__name__})") from None
    return f"Indlæste atlasset ({source.title}, {len(source.years)} listeår, {source.units} enheder) i {db_url}."

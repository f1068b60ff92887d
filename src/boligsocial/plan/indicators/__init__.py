"""The indicator catalogue: versioned definitions of the indicators a plan follows.

`catalogue.yaml` (next to this module) holds one entry per version of a definition: its Danish
name, unit, numerator and denominator, direction (higher is better, lower is better, or none for a
context indicator), source, the levels it exists at and the range a value may take. A plan's
`Indikator` points to a definition with `katalog` (the id) and `katalog_version`; its frozen
baseline records the version it was computed with (see `boligsocial.plan.status`).

A change of meaning is a new version, never an edit of an old one: baselines computed with the old
version stay comparable with what they were computed from. `default_catalogue()` is the packaged
catalogue; `active_catalogue()` is the one plan validation uses (the packaged one unless a test or
a caller has set another with `use_catalogue`).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from importlib import resources
from typing import Annotated, Any, Final

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

__all__ = [
    "CATALOGUE_FILE",
    "Catalogue",
    "CatalogueError",
    "Definition",
    "Niveau",
    "Retning",
    "active_catalogue",
    "default_catalogue",
    "load_catalogue",
    "use_catalogue",
]

CATALOGUE_FILE: Final = "catalogue.yaml"


class CatalogueError(ValueError):
    """The catalogue file is not valid (Danish message naming the entry)."""


class Retning(StrEnum):
    """Which way is better for an indicator."""

    HOEJERE_ER_BEDRE = "hoejere_er_bedre"
    LAVERE_ER_BEDRE = "lavere_er_bedre"
    INGEN = "ingen"  # a context indicator: no target is set for it

    @property
    def label(self) -> str:
        return {
            "hoejere_er_bedre": "højere er bedre",
            "lavere_er_bedre": "lavere er bedre",
            "ingen": "kontekstindikator (ingen retning)",
        }[self.value]

    @property
    def sign(self) -> int:
        """+1 when a higher value is better, -1 when lower is better, 0 for none."""
        return {"hoejere_er_bedre": 1, "lavere_er_bedre": -1, "ingen": 0}[self.value]


class Niveau(StrEnum):
    """The level an indicator exists at."""

    AFDELING = "afdeling"
    OMRAADE = "omraade"
    HELHEDSPLAN = "helhedsplan"
    KOMMUNE = "kommune"
    ALMEN_GENNEMSNIT = "almen_gennemsnit"


_ID = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]


class Definition(BaseModel):
    """One version of an indicator definition."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: _ID
    version: int = Field(ge=1)
    gyldig_fra: date
    navn: str
    enhed: str  # an `Enhed` value; checked against the plan model's units by the tests
    taeller: str
    naevner: str
    retning: Retning
    kilde: str
    niveauer: tuple[Niveau, ...]
    interval: tuple[Decimal | None, Decimal | None] = (None, None)
    seed_ids: tuple[str, ...] = ()
    noter: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _interval(self) -> Definition:
        low, high = self.interval
        if low is not None and high is not None and low > high:
            raise ValueError(f"intervallets nedre grænse ({low}) er større end den øvre ({high})")
        return self

    @property
    def ref(self) -> str:
        return f"{self.id} v{self.version}"

    def out_of_range(self, value: Decimal) -> str | None:
        """A Danish message if `value` lies outside the definition's range, else None."""
        low, high = self.interval
        if low is not None and value < low:
            return f"{value} er under definitionens mindste værdi {low} ({self.ref})"
        if high is not None and value > high:
            return f"{value} er over definitionens største værdi {high} ({self.ref})"
        return None


@dataclass(frozen=True)
class Catalogue:
    """All versions of all definitions, looked up by id and version."""

    definitions: tuple[Definition, ...]

    def __post_init__(self) -> None:
        seen: set[tuple[str, int]] = set()
        for d in self.definitions:
            if (d.id, d.version) in seen:
                raise CatalogueError(f'definitionen "{d.id}" version {d.version} står to gange i kataloget')
            seen.add((d.id, d.version))
        for ident in {d.id for d in self.definitions}:
            versions = sorted(d.version for d in self.definitions if d.id == ident)
            if versions != list(range(1, len(versions) + 1)):
                raise CatalogueError(f'definitionen "{ident}" har huller i versionsnumrene: {versions}')

    @property
    def ids(self) -> list[str]:
        return list(dict.fromkeys(d.id for d in self.definitions))

    def versions(self, ident: str) -> list[Definition]:
        return sorted((d for d in self.definitions if d.id == ident), key=lambda d: d.version)

    def latest(self, ident: str) -> Definition | None:
        versions = self.versions(ident)
        return versions[-1] if versions else None

    def get(self, ident: str, version: int | None = None) -> Definition:
        """The definition `ident` in `version` (latest if None). Raises KeyError with a Danish
        message naming what is missing."""
        versions = self.versions(ident)
        if not versions:
            raise KeyError(f'indikatorkataloget har ingen definition "{ident}"')
        if version is None:
            return versions[-1]
        for d in versions:
            if d.version == version:
                return d
        known = ", ".join(str(d.version) for d in versions)
        raise KeyError(f'definitionen "{ident}" findes ikke i version {version} (kendte versioner: {known})')

    def problem(self, ident: str, version: int | None) -> str | None:
        """The Danish message `get` would raise, or None when the reference resolves."""
        try:
            self.get(ident, version)
        except KeyError as exc:
            return str(exc.args[0])
        return None

    def for_seed_id(self, seed_id: str) -> Definition | None:
        """The latest definition that lists `seed_id` among its seed ids."""
        hits = [d for d in self.definitions if seed_id in d.seed_ids]
        return max(hits, key=lambda d: d.version) if hits else None


def load_catalogue(data: Mapping[str, Any] | str) -> Catalogue:
    """A catalogue from its YAML text or the parsed mapping. Raises CatalogueError."""
    if isinstance(data, str):
        data = yaml.safe_load(data)
    if not isinstance(data, Mapping) or not isinstance(data.get("definitions"), list):
        raise CatalogueError("indikatorkataloget skal have en liste 'definitions'")
    definitions: list[Definition] = []
    for number, entry in enumerate(data["definitions"], start=1):
        try:
            definitions.append(Definition.model_validate(entry))
        except ValidationError as exc:
            name = entry.get("id", "?") if isinstance(entry, Mapping) else "?"
            raise CatalogueError(f'definition nr. {number} ("{name}") i indikatorkataloget: {exc}') from None
    return Catalogue(tuple(definitions))


@functools.cache
def default_catalogue() -> Catalogue:
    """The catalogue packaged with boligsocial (`catalogue.yaml`)."""
    text = resources.files(__name__).joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    return load_catalogue(text)


_ACTIVE: ContextVar[Catalogue | None] = ContextVar("boligsocial_catalogue", default=None)


def active_catalogue() -> Catalogue:
    """The catalogue plan validation uses: the one set by `use_catalogue`, else the packaged one."""
    return _ACTIVE.get() or default_catalogue()


@contextlib.contextmanager
def use_catalogue(catalogue: Catalogue) -> Iterator[Catalogue]:
    """Validate plans against `catalogue` inside the block (tests, an organisation's own catalogue)."""
    token = _ACTIVE.set(catalogue)
    try:
        yield catalogue
    finally:
        _ACTIVE.reset(token)

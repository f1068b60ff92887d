"""The plan itself: `Helhedsplan`, what a plan folder's `helhedsplan.toml` holds, with the
corrections made to the source text, its derived figures and the look-ups by name."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import PurePosixPath, PureWindowsPath
from typing import Annotated, Self

from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from boligsocial.plan.model.areas import (
    Afdeling,
    AfdelingRef,
    Boligorganisation,
    Indsatsomraade,
    Omraade,
    Opmaerksomhedspunkt,
)
from boligsocial.plan.model.budget import Budget
from boligsocial.plan.model.indicator import Indikator
from boligsocial.plan.model.organisation import Organisation, Partner
from boligsocial.plan.model.validation import resolve_index, structural_problems
from boligsocial.plan.model.values import (
    PLAN_REFERENCE_ERROR,
    Aar,
    AfdelingStatus,
    Loc,
    Navn,
    Periode,
    RettelseArt,
    StrictModel,
    Tekst,
    name_key,
    quote_list,
)


class Rettelse(StrictModel):
    """An evident error in the source text, corrected in the plan and recorded here."""

    original: Navn
    rettet: Navn
    art: RettelseArt
    sted: Tekst | None = None
    begrundelse: Tekst | None = None

    @model_validator(mode="after")
    def _differs(self) -> Self:
        if self.original == self.rettet:
            raise ValueError("den rettede tekst er den samme som originalen")
        return self


def _relative_path(value: str) -> str:
    if PurePosixPath(value).is_absolute() or PureWindowsPath(value).is_absolute() or value.startswith("\\"):
        raise ValueError(
            f'stien "{value}" skal være relativ til plan-mappen, fx "noegletal.csv" (brug / som skilletegn)'
        )
    return value


class Helhedsplan(StrictModel):
    """A boligsocial helhedsplan: the content of a plan folder's `helhedsplan.toml`."""

    navn: Navn
    kommune: Navn
    ansoeger: Navn
    periode: Periode
    liste_aar: Aar | None = None
    beboere_dato: date | None = None
    noegletal: Annotated[Navn, AfterValidator(_relative_path)] | None = None
    baggrund: Tekst | None = None
    kriterier_tekst: Tekst | None = None
    boligorganisationer: list[Boligorganisation] = Field(default_factory=list)
    afdelinger: list[Afdeling] = Field(default_factory=list)
    omraader: list[Omraade] = Field(default_factory=list)
    indsatsomraader: list[Indsatsomraade] = Field(default_factory=list)
    opmaerksomhedspunkter: list[Opmaerksomhedspunkt] = Field(default_factory=list)
    indikatorer: list[Indikator] = Field(default_factory=list)
    partnere: list[Partner] = Field(default_factory=list)
    organisation: Organisation | None = None
    forkortelser: dict[Navn, Tekst] = Field(default_factory=dict)
    budget: Budget | None = None
    rettelser: list[Rettelse] = Field(default_factory=list)

    # ---- validation -------------------------------------------------------------------------

    @model_validator(mode="after")
    def _references(self) -> Self:
        problems = self.structural_problems()
        if problems:
            text = "; ".join(f"{_loc_text(loc)}: {msg}" for loc, msg in problems)
            raise PydanticCustomError(PLAN_REFERENCE_ERROR, "{besked}", {"besked": text, "problems": problems})
        return self

    def structural_problems(self) -> list[tuple[Loc, str]]:
        """Cross-reference and uniqueness errors, each with its location. Empty for a valid plan.

        Useful after the plan has been changed in memory (the model is mutable and does not
        re-validate on assignment)."""
        return structural_problems(self)

    # ---- derived figures ----------------------------------------------------------------------

    @property
    def total_boliger(self) -> int:
        return sum(afd.boliger for afd in self.afdelinger)

    @property
    def afdelinger_i_plan(self) -> list[Afdeling]:
        return [afd for afd in self.afdelinger if afd.status is AfdelingStatus.I_PLAN]

    @property
    def afdelinger_betinget(self) -> list[Afdeling]:
        return [afd for afd in self.afdelinger if afd.status is AfdelingStatus.BETINGET]

    @property
    def betingede_uden_betingelse(self) -> list[Afdeling]:
        """Conditional afdelinger whose condition is not stated (a lint finding, not an error)."""
        return [afd for afd in self.afdelinger_betinget if not (afd.betingelse or "").strip()]

    def afdelinger_by_boligorganisation(self) -> dict[str, list[Afdeling]]:
        """Afdelinger grouped by organisation kortnavn, in the plan's order of organisations."""
        grouped: dict[str, list[Afdeling]] = {org.kortnavn: [] for org in self.boligorganisationer}
        for afd in self.afdelinger:
            grouped.setdefault(afd.boligorganisation, []).append(afd)
        return grouped

    def boliger_by_boligorganisation(self) -> dict[str, int]:
        return {k: sum(a.boliger for a in v) for k, v in self.afdelinger_by_boligorganisation().items()}

    # ---- look-ups ----------------------------------------------------------------------------

    def find_boligorganisation(self, name: str) -> Boligorganisation | None:
        """The organisation with this kortnavn, navn or alias (case-insensitive), tried in that order."""
        key = name_key(name)
        for names in (
            lambda o: [o.kortnavn],
            lambda o: [o.navn],
            lambda o: o.aliaser,
        ):
            for org in self.boligorganisationer:
                if any(name_key(n) == key for n in names(org)):
                    return org
        return None

    def find_afdelinger(self, name: str, boligorganisation: str | None = None) -> list[Afdeling]:
        """All afdelinger matching `name` (case-insensitive): by navn first, then by alias, then
        through a recorded `Rettelse` (so "Stubmøllevvej" finds "Stubmøllevej").
        `boligorganisation` may be a kortnavn, navn or alias."""
        pool: list[Afdeling] = self.afdelinger
        if boligorganisation is not None:
            org = self.find_boligorganisation(boligorganisation)
            if org is None:
                return []
            pool = [a for a in pool if a.boligorganisation == org.kortnavn]
        return self._match(pool, name, follow_corrections=True)

    def _match(self, pool: list[Afdeling], name: str, *, follow_corrections: bool) -> list[Afdeling]:
        key = name_key(name)
        by_name = [a for a in pool if name_key(a.navn) == key]
        if by_name:
            return by_name
        by_alias = [a for a in pool if any(name_key(alias) == key for alias in a.aliaser)]
        if by_alias or not follow_corrections:
            return by_alias
        for rettelse in self.rettelser:
            if name_key(rettelse.original) == key:
                found = self._match(pool, rettelse.rettet, follow_corrections=False)
                if found:
                    return found
        return []

    def find_afdeling(self, name: str, boligorganisation: str | None = None) -> Afdeling | None:
        """The one afdeling matching `name` (see `find_afdelinger`), None if there is none.
        Raises LookupError (Danish message) if the name is ambiguous."""
        hits = self.find_afdelinger(name, boligorganisation)
        if len(hits) > 1:
            orgs = quote_list(a.boligorganisation for a in hits)
            raise LookupError(f'"{name}" passer på flere afdelinger (i {orgs}); angiv boligorganisation')
        return hits[0] if hits else None

    def resolve(self, ref: AfdelingRef) -> Afdeling:
        """The afdeling a reference points to (exact navn). Raises LookupError if it does not resolve."""
        index, message = resolve_index(self, ref)
        if index is None:
            raise LookupError(message)
        return self.afdelinger[index]

    def find_omraade(self, name: str) -> Omraade | None:
        key = name_key(name)
        return next((o for o in self.omraader if name_key(o.navn) == key), None)

    def omraade_afdelinger(self, omraade: Omraade) -> list[Afdeling]:
        return [self.resolve(ref) for ref in omraade.afdelinger]

    def find_indsatsomraade(self, name: str) -> Indsatsomraade | None:
        key = name_key(name)
        return next((i for i in self.indsatsomraader if name_key(i.navn) == key), None)

    def find_indikator(self, indikator_id: str) -> Indikator | None:
        return next((i for i in self.indikatorer if i.id == indikator_id), None)

    def indikatorer_for(self, indsatsomraade: str) -> list[Indikator]:
        return [i for i in self.indikatorer if i.indsatsomraade == indsatsomraade]

    def iter_afdelinger(self, refs: Iterable[AfdelingRef]) -> Iterator[Afdeling]:
        for ref in refs:
            yield self.resolve(ref)


Plan = Helhedsplan
"""`Plan` is the name the plan-folder functions use for a `Helhedsplan`."""


def _loc_text(loc: Loc) -> str:
    """A short Danish rendering of a location: `afdelinger nr. 12 › boligorganisation`."""
    parts: list[str] = []
    for element in loc:
        if isinstance(element, int) and parts:
            parts[-1] = f"{parts[-1]} nr. {element + 1}"
        else:
            parts.append(str(element))
    return " › ".join(parts) or "planen"

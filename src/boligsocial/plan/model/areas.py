"""Where the plan works: housing organisations, their afdelinger, omraader, and the themes
(indsatsomraader and further points of attention) that single afdelinger out."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from boligsocial.plan.model.values import (
    Afdelingsnummer,
    AfdelingStatus,
    Liste,
    Navn,
    StrictModel,
    Tekst,
    check_indsatsomraade,
)


class Boligorganisation(StrictModel):
    """A housing organisation. `kortnavn` is the id afdelinger refer to; it is also the
    `boligorganisation` column of the key-figure file."""

    kortnavn: Navn
    navn: Navn
    administrator: Navn | None = None
    aliaser: list[Navn] = Field(default_factory=list)
    noter: list[Tekst] = Field(default_factory=list)

    @property
    def alle_navne(self) -> list[str]:
        return [self.kortnavn, self.navn, *self.aliaser]


class Afdeling(StrictModel):
    """A department (afdeling) of a boligorganisation.

    `navn` is the name used in the key-figure file. `aliaser` are other spellings of the same
    afdeling found in the application (not typos: those are `Rettelse`s). A `betinget` afdeling
    should state its `betingelse`; the model allows it to be missing so that the lint can report it.
    """

    navn: Navn
    boligorganisation: Navn
    afdelingsnummer: Afdelingsnummer | None = None
    boliger: int = Field(ge=0)
    status: AfdelingStatus = AfdelingStatus.I_PLAN
    betingelse: Tekst | None = None
    aliaser: list[Navn] = Field(default_factory=list)
    oplyst_paa_lister: list[Liste] = Field(default_factory=list)
    noter: list[Tekst] = Field(default_factory=list)

    @property
    def i_plan(self) -> bool:
        return self.status is AfdelingStatus.I_PLAN

    @property
    def betinget(self) -> bool:
        return self.status is AfdelingStatus.BETINGET


class AfdelingRef(StrictModel):
    """A reference to an afdeling by its `navn`. `boligorganisation` (kortnavn) is needed only when
    two organisations have afdelinger of the same name. In the TOML file a bare string is short for
    `{ afdeling = "..." }`."""

    afdeling: Navn
    boligorganisation: Navn | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"afdeling": data}
        return data

    def __str__(self) -> str:
        if self.boligorganisation is None:
            return self.afdeling
        return f"{self.boligorganisation}: {self.afdeling}"


class Omraade(StrictModel):
    """A boligomraade made of several afdelinger, e.g. the state's delineation of an area."""

    navn: Navn
    afdelinger: list[AfdelingRef] = Field(min_length=1)
    afgraensning: Tekst | None = None
    oplyst_paa_lister: list[Liste] = Field(default_factory=list)
    noter: list[Tekst] = Field(default_factory=list)


class _Tema(StrictModel):
    """Shared shape of an indsatsomraade and of a further point of attention."""

    navn: Navn
    beskrivelse: Tekst | None = None
    fokusomraader: list[Navn] = Field(default_factory=list)
    maalgrupper: list[Tekst] = Field(default_factory=list)
    problemstillinger: list[Tekst] = Field(default_factory=list)
    indsatser: list[Tekst] = Field(default_factory=list)
    afdelinger: list[AfdelingRef] = Field(default_factory=list)
    """Afdelinger the text singles out; empty means the plan as a whole."""
    noter: list[Tekst] = Field(default_factory=list)


class Indsatsomraade(_Tema):
    """One of LBF's four indsatsomraader with the plan's target groups and problem statements."""

    @field_validator("navn")
    @classmethod
    def _one_of_four(cls, value: str) -> str:
        return check_indsatsomraade(value)


class Opmaerksomhedspunkt(_Tema):
    """A further point of attention outside the four indsatsomraader (a target group, a part of the
    area, urban renewal), e.g. the application's "Øvrige opmærksomhedspunkter"."""

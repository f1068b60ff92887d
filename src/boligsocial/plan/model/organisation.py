"""Who works with the plan: partners, the fora of its organisation and the local team."""

from __future__ import annotations

from pydantic import Field

from boligsocial.plan.model.values import ForumNiveau, Navn, StrictModel, Tekst


class Partner(StrictModel):
    """A partner (samarbejdspartner) and its contribution (bidrag) as the application words it."""

    navn: Navn
    gruppe: Navn | None = None
    medlemmer: list[Navn] = Field(default_factory=list)
    bidrag: Tekst | None = None
    noter: list[Tekst] = Field(default_factory=list)


class Forum(StrictModel):
    """A body in the plan's organisation. `er_bestyrelse` marks the plan's boligsociale bestyrelse."""

    navn: Navn
    forkortelse: Navn | None = None
    niveau: ForumNiveau | None = None
    er_bestyrelse: bool = False
    deltagere: list[Tekst] = Field(default_factory=list)
    ansvar: Tekst | None = None
    moedefrekvens: Navn | None = None
    noter: list[Tekst] = Field(default_factory=list)


class Stilling(StrictModel):
    """A position in the local team."""

    titel: Navn
    antal: int | None = Field(default=None, ge=0)
    opgaver: Tekst | None = None


class LokaltTeam(StrictModel):
    """The local boligsocial team: its bases (offices) and positions."""

    baser: list[Navn] = Field(default_factory=list)
    stillinger: list[Stilling] = Field(default_factory=list)
    beskrivelse: Tekst | None = None


class Organisation(StrictModel):
    """How the plan is organised: fora (boards, steering and follow-up groups) and the local team."""

    beskrivelse: Tekst | None = None
    fora: list[Forum] = Field(default_factory=list)
    team: LokaltTeam | None = None

    @property
    def bestyrelse(self) -> Forum | None:
        return next((f for f in self.fora if f.er_bestyrelse), None)

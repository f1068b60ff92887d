"""The budget estimate: the financing by source and the expense lines, exact amounts in kroner."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field

from boligsocial.danish import parse_ungrouped_number
from boligsocial.plan.model.values import Aar, FinansieringKilde, Navn, StrictModel, Tekst


def _lower(value: object) -> object:
    return value.strip().casefold() if isinstance(value, str) else value


Beloeb = Annotated[Decimal, BeforeValidator(parse_ungrouped_number), Field(ge=0)]
"""An amount in kroner, not negative. In the TOML file a whole number (`2500000`) or a text with
decimal comma (`"2500000,50"`); no thousands separator."""


class Finansiering(StrictModel):
    """One source of financing in the budget: who pays (`kilde`) and how much (`beloeb`, kr.).
    `aar` is the year the amount is for; without it the amount covers the whole period."""

    kilde: Annotated[FinansieringKilde, BeforeValidator(_lower)]
    beloeb: Beloeb
    betegnelse: Navn | None = None
    aar: Aar | None = None
    noter: list[Tekst] = Field(default_factory=list)


class Udgift(StrictModel):
    """One expense line of the budget (a post such as "Personale" and its amount in kr.)."""

    post: Navn
    beloeb: Beloeb
    aar: Aar | None = None
    noter: list[Tekst] = Field(default_factory=list)


class Budget(StrictModel):
    """The budget estimate (budgetoverslag) with the proposed local co-financing. LBF pays at most
    75 %; the lint checks the local share and that expenses and financing balance."""

    finansiering: list[Finansiering] = Field(default_factory=list)
    udgifter: list[Udgift] = Field(default_factory=list)
    noter: list[Tekst] = Field(default_factory=list)

    @property
    def finansiering_i_alt(self) -> Decimal:
        return sum((f.beloeb for f in self.finansiering), Decimal(0))

    @property
    def lbf_finansiering(self) -> Decimal:
        return sum((f.beloeb for f in self.finansiering if f.kilde is FinansieringKilde.LBF), Decimal(0))

    @property
    def lokal_finansiering(self) -> Decimal:
        """Everything not paid by LBF: kommune, boligorganisationer, fonde and others."""
        return self.finansiering_i_alt - self.lbf_finansiering

    @property
    def udgifter_i_alt(self) -> Decimal:
        return sum((u.beloeb for u in self.udgifter), Decimal(0))

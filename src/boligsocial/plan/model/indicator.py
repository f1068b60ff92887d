"""The plan's indicators: measured values, comparison figures, and the frozen baseline, the
target and the milestones the status is judged against."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from boligsocial.plan.indicators import Retning
from boligsocial.plan.model.areas import AfdelingRef
from boligsocial.plan.model.values import (
    ID_PATTERN,
    Aar,
    Enhed,
    IndsatsomraadeNavn,
    Navn,
    StrictModel,
    Tal,
    Tekst,
)


def _check_years(aar: int | None, til_aar: int | None) -> None:
    if til_aar is not None:
        if aar is None:
            raise ValueError("til_aar kræver, at aar også er angivet")
        if til_aar <= aar:
            raise ValueError(f"til_aar ({til_aar}) skal være efter aar ({aar})")


class Maaling(StrictModel):
    """One value of an indicator. `aar` is the year the application gives for it (in the text or
    in the source label); `aar` + `til_aar` is a period. `kvalifikator` keeps words such as "godt"
    or "ca." that the text puts before the number. `kilde` overrides the indicator's source."""

    vaerdi: Tal
    aar: Aar | None = None
    til_aar: Aar | None = None
    kvalifikator: Navn | None = None
    kilde: Tekst | None = None

    @model_validator(mode="after")
    def _years(self) -> Self:
        _check_years(self.aar, self.til_aar)
        return self


class Sammenligning(Maaling):
    """A comparison figure (benchmark) for an indicator, e.g. the almene average in the kommune."""

    betegnelse: Navn


class Baseline(StrictModel):
    """The indicator's value at the time of the grant, frozen: it is written once, together with the
    catalogue version of the definition it was computed with (`katalog_version`), and never
    recomputed. When the plan later follows another version of the definition, the status reports
    the mismatch instead of changing the baseline."""

    vaerdi: Tal
    aar: Aar
    katalog_version: int | None = Field(default=None, ge=1)
    kilde: Tekst | None = None


class Maal(StrictModel):
    """The target (`vaerdi`) the plan aims to reach by `aar`. `illustrativ` marks a target that is
    only an example (the Mit Kvarter example's targets), which the status and the report say."""

    vaerdi: Tal
    aar: Aar
    illustrativ: bool = False
    begrundelse: Tekst | None = None


class Milepael(StrictModel):
    """A milestone: the value the plan expects to have reached in `aar` on the way to the target."""

    aar: Aar
    vaerdi: Tal


class Indikator(StrictModel):
    """An indicator the plan quotes or follows: its measured values (one or a series) and the
    figures it is compared with. `gaelder` says which population/part of the area the figure is
    about, as the text says it ("Mit Kvarter", "Frederiksholm Karréerne", "Sjælør/Sydhavn")."""

    id: Annotated[str, StringConstraints(pattern=ID_PATTERN)]
    navn: Navn
    enhed: Enhed
    gaelder: Navn
    indsatsomraade: IndsatsomraadeNavn | None = None
    kilde: Tekst | None = None
    definition: Tekst | None = None
    afsnit: Navn | None = None
    afdelinger: list[AfdelingRef] = Field(default_factory=list)
    maalinger: list[Maaling] = Field(default_factory=list)
    sammenligninger: list[Sammenligning] = Field(default_factory=list)
    noter: list[Tekst] = Field(default_factory=list)
    katalog: Annotated[str, StringConstraints(pattern=ID_PATTERN)] | None = None
    """The id of the definition in the indicator catalogue (`plan/indicators/catalogue.yaml`)."""
    katalog_version: int | None = Field(default=None, ge=1)
    """The version of the catalogue definition the indicator's values follow."""
    retning: Retning | None = None
    """Which way is better; taken from the catalogue definition when not given here."""
    baseline: Baseline | None = None
    maal: Maal | None = None
    milepaele: list[Milepael] = Field(default_factory=list)

    @model_validator(mode="after")
    def _targets(self) -> Self:
        if (self.katalog is None) != (self.katalog_version is None):
            raise ValueError("katalog og katalog_version skal angives sammen")
        if self.maal is not None and self.baseline is None:
            raise ValueError("et mål (maal) kræver en baseline, som målet regnes fra")
        if self.milepaele and self.maal is None:
            raise ValueError("milepæle (milepaele) kræver et mål (maal)")
        if self.maal is not None and self.baseline is not None and self.maal.aar <= self.baseline.aar:
            raise ValueError(f"målets år ({self.maal.aar}) skal ligge efter baselineåret ({self.baseline.aar})")
        seen: set[int] = set()
        for m in self.milepaele:
            if m.aar in seen:
                raise ValueError(f"der er to milepæle for {m.aar}")
            seen.add(m.aar)
            if self.baseline is not None and self.maal is not None and not self.baseline.aar < m.aar < self.maal.aar:
                raise ValueError(
                    f"milepælen for {m.aar} skal ligge mellem baselineåret ({self.baseline.aar}) "
                    f"og målets år ({self.maal.aar})"
                )
        return self

    @property
    def seneste(self) -> Maaling | None:
        """The latest measurement (by year; among equal or missing years, the last listed)."""
        if not self.maalinger:
            return None
        ordered = sorted(enumerate(self.maalinger), key=lambda im: (im[1].aar or 0, im[0]))
        return ordered[-1][1]

    @property
    def foerste(self) -> Maaling | None:
        """The earliest measurement, i.e. the baseline of a series."""
        if not self.maalinger:
            return None
        ordered = sorted(enumerate(self.maalinger), key=lambda im: (im[1].aar or 0, im[0]))
        return ordered[0][1]

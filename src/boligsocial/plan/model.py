"""The helhedsplan model: organisations, afdelinger, omraader, indsatsomraader, indicators, partners,
organisation and the corrections made to the source text.

The model is what a plan folder's `helhedsplan.toml` holds (see `docs/plan-folder.md`); the key
figures per afdeling live in a separate file the plan points to (`noegletal`). Field names are the
TOML keys, so they are Danish (ASCII): the file is edited by hand by Danish users.

Validation is split in two:

* **Structural errors** make the plan unusable and are raised as pydantic `ValidationError`s with
  Danish messages: wrong types, missing required fields, unknown keys, an indsatsomraade outside
  LBF's four, a period that ends before it starts, references to organisations, afdelinger or
  indsatsomraader that do not exist, duplicate names. Cross-reference errors are collected by
  `Helhedsplan.structural_problems()` and raised together as one error of type
  `PLAN_REFERENCE_ERROR` whose context carries every problem with its location.
* **Content issues** that a case officer would catch (a conditional afdeling with no condition
  stated, an indicator without a baseline, ...) do not stop loading; the model exposes them
  (e.g. `Helhedsplan.betingede_uden_betingelse`) and the application lint reports them.

Numbers are `Decimal`, never float: what the application says is stored exactly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import PurePosixPath, PureWindowsPath
from typing import Annotated, Any, Final, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from boligsocial.plan.indicators import Retning, active_catalogue

__all__ = [
    "INDSATSOMRAADER",
    "PLAN_REFERENCE_ERROR",
    "Afdeling",
    "AfdelingRef",
    "AfdelingStatus",
    "Baseline",
    "Boligorganisation",
    "Budget",
    "Enhed",
    "Finansiering",
    "FinansieringKilde",
    "Forum",
    "ForumNiveau",
    "Helhedsplan",
    "Indikator",
    "Indsatsomraade",
    "Liste",
    "Loc",
    "LokaltTeam",
    "Maal",
    "Maaling",
    "Milepael",
    "Omraade",
    "Opmaerksomhedspunkt",
    "Organisation",
    "Partner",
    "Periode",
    "Plan",
    "Retning",
    "Rettelse",
    "RettelseArt",
    "Sammenligning",
    "Stilling",
    "Tal",
    "Udgift",
    "format_tal",
    "parse_tal",
]

INDSATSOMRAADER: Final[tuple[str, ...]] = (
    "Uddannelse og livschancer",
    "Beskæftigelse",
    "Kriminalitetsforebyggelse",
    "Sammenhængskraft og medborgerskab",
)
"""LBF's four indsatsomraader for the 2019-26 funds, spelled as LBF spells them."""

PLAN_REFERENCE_ERROR: Final = "plan_reference"
"""The pydantic error type of the plan-level cross-reference check. Its `ctx["problems"]` is a
list of `(loc, message)` pairs, `loc` being a pydantic-style location inside the plan."""

Loc = tuple[str | int, ...]


# --------------------------------------------------------------------------------------------------
# Value types


def _normalize_newlines(value: str) -> str:
    # Line endings are not content; TOML multi-line strings cannot keep "\r\n" anyway.
    return value.replace("\r\n", "\n").replace("\r", "\n")


Navn = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_normalize_newlines)]
"""A name or short label: surrounding whitespace is removed and it may not be empty."""

Tekst = Annotated[str, AfterValidator(_normalize_newlines)]
"""Free text, possibly several lines and paragraphs."""

Aar = Annotated[int, Field(ge=1900, le=2100)]

_TAL_RE = re.compile(r"[+-]?\d+(?:[.,]\d+)?", re.ASCII)
_THOUSANDS_RE = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}", re.ASCII)


def parse_tal(value: object) -> object:
    """Read a number as the plan file may write it: a TOML integer or float, or a string with a
    decimal comma or point ("8,21", "8.21"). Thousands separators are not accepted, and a string
    such as "1.964" is refused as ambiguous (Danish thousands separator or decimal point?)."""
    if isinstance(value, bool):
        raise ValueError("skal være et tal, ikke true/false")
    if isinstance(value, Decimal | int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("skal være et endeligt tal")
        # repr gives the shortest text that reads back as the same float, i.e. what the file says.
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip().replace("\u2212", "-")
        if not _TAL_RE.fullmatch(text):
            raise ValueError(
                f'"{value}" er ikke et tal; skriv fx "8,21" (decimalkomma eller -punktum, ingen tusindtalsseparator)'
            )
        if _THOUSANDS_RE.fullmatch(text):
            raise ValueError(
                f'"{value}" er tvetydigt; skriv "{text.replace(".", "")}" uden tusindtalsseparator '
                f'eller "{text.replace(".", ",")}" med decimalkomma'
            )
        return Decimal(text.replace(",", "."))
    raise ValueError('skal være et tal, fx "8,21"')


def format_tal(value: Decimal) -> str:
    """The plan file's text for a number: fixed-point with a decimal comma ("8,21", "439")."""
    return format(value, "f").replace(".", ",")


Tal = Annotated[Decimal, BeforeValidator(parse_tal)]
"""An exact number. In the TOML file written as a string with decimal comma, e.g. "8,21"."""


def _afdelingsnummer(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


Afdelingsnummer = Annotated[Navn, BeforeValidator(_afdelingsnummer)]

_ID_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _key(text: str) -> str:
    """Comparison key for names: case-insensitive, whitespace collapsed."""
    return " ".join(text.split()).casefold()


def _check_indsatsomraade(value: str) -> str:
    if value in INDSATSOMRAADER:
        return value
    allowed = ", ".join(f'"{n}"' for n in INDSATSOMRAADER)
    message = f'"{value}" er ikke et af LBF\'s fire indsatsområder ({allowed})'
    hint = next((n for n in INDSATSOMRAADER if _key(n) == _key(value)), None)
    if hint is not None:
        message += f'; mente du "{hint}"?'
    raise ValueError(message)


IndsatsomraadeNavn = Annotated[Navn, AfterValidator(_check_indsatsomraade)]


def _quote_list(names: Iterable[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------------------------------
# Enumerations


class AfdelingStatus(StrEnum):
    """Whether an afdeling is part of the plan now or only on a condition."""

    I_PLAN = "i_plan"
    BETINGET = "betinget"

    @property
    def label(self) -> str:
        return {"i_plan": "I helhedsplanen", "betinget": "Betinget deltagelse"}[self.value]


class Liste(StrEnum):
    """The statutory area lists, named as in the `check` command's JSON output."""

    UDSAT_BOLIGOMRAADE = "udsat_boligomraade"
    PARALLELSAMFUND = "parallelsamfund"
    OMDANNELSESOMRAADE = "omdannelsesomraade"
    FOREBYGGELSESOMRAADE = "forebyggelsesomraade"


class Enhed(StrEnum):
    """Unit of an indicator value."""

    PCT = "pct"
    PR_1000_BOERN = "pr_1000_boern"
    PR_1000_BEBOERE = "pr_1000_beboere"
    ANTAL = "antal"
    KR = "kr"

    @property
    def label(self) -> str:
        """Danish label to print after a value ("" for plain counts)."""
        return {
            "pct": "%",
            "pr_1000_boern": "pr. 1.000 børn",
            "pr_1000_beboere": "pr. 1.000 beboere",
            "antal": "",
            "kr": "kr.",
        }[self.value]


class ForumNiveau(StrEnum):
    """Where a forum sits: the whole city, a bydel, or the single helhedsplan."""

    BY = "by"
    BYDEL = "bydel"
    HELHEDSPLAN = "helhedsplan"


class RettelseArt(StrEnum):
    """What a correction of the source text concerns."""

    NAVN = "navn"  # a name of an afdeling, organisation, place
    BEGREB = "begreb"  # a domain term (lejeboliger, lommepengejob, an indsatsomraade)
    SPROG = "sprog"  # other spelling or grammar


class FinansieringKilde(StrEnum):
    """Who pays a line of the budget. Everything but LBF counts as local co-financing."""

    LBF = "lbf"
    KOMMUNE = "kommune"
    BOLIGORGANISATION = "boligorganisation"
    FOND = "fond"
    ANDET = "andet"

    @property
    def label(self) -> str:
        return {
            "lbf": "Landsbyggefonden",
            "kommune": "Kommunen",
            "boligorganisation": "Boligorganisationer",
            "fond": "Fonde",
            "andet": "Andet",
        }[self.value]


# --------------------------------------------------------------------------------------------------
# Parts of the plan


class Periode(_Base):
    """The plan period, both dates inclusive."""

    start: date
    slut: date

    @model_validator(mode="after")
    def _start_before_slut(self) -> Self:
        if self.start >= self.slut:
            raise ValueError(
                f"periodens start ({self.start.isoformat()}) skal ligge før dens slut ({self.slut.isoformat()})"
            )
        return self

    @property
    def aar(self) -> list[int]:
        """The calendar years the period touches."""
        return list(range(self.start.year, self.slut.year + 1))


class Boligorganisation(_Base):
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


class Afdeling(_Base):
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


class AfdelingRef(_Base):
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


class Omraade(_Base):
    """A boligomraade made of several afdelinger, e.g. the state's delineation of an area."""

    navn: Navn
    afdelinger: list[AfdelingRef] = Field(min_length=1)
    afgraensning: Tekst | None = None
    oplyst_paa_lister: list[Liste] = Field(default_factory=list)
    noter: list[Tekst] = Field(default_factory=list)


class _Tema(_Base):
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
        return _check_indsatsomraade(value)


class Opmaerksomhedspunkt(_Tema):
    """A further point of attention outside the four indsatsomraader (a target group, a part of the
    area, urban renewal), e.g. the application's "Øvrige opmærksomhedspunkter"."""


def _check_years(aar: int | None, til_aar: int | None) -> None:
    if til_aar is not None:
        if aar is None:
            raise ValueError("til_aar kræver, at aar også er angivet")
        if til_aar <= aar:
            raise ValueError(f"til_aar ({til_aar}) skal være efter aar ({aar})")


class Maaling(_Base):
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


class Baseline(_Base):
    """The indicator's value at the time of the grant, frozen: it is written once, together with the
    catalogue version of the definition it was computed with (`katalog_version`), and never
    recomputed. When the plan later follows another version of the definition, the status reports
    the mismatch instead of changing the baseline."""

    vaerdi: Tal
    aar: Aar
    katalog_version: int | None = Field(default=None, ge=1)
    kilde: Tekst | None = None


class Maal(_Base):
    """The target (`vaerdi`) the plan aims to reach by `aar`. `illustrativ` marks a target that is
    only an example (the Mit Kvarter example's targets), which the status and the report say."""

    vaerdi: Tal
    aar: Aar
    illustrativ: bool = False
    begrundelse: Tekst | None = None


class Milepael(_Base):
    """A milestone: the value the plan expects to have reached in `aar` on the way to the target."""

    aar: Aar
    vaerdi: Tal


class Indikator(_Base):
    """An indicator the plan quotes or follows: its measured values (one or a series) and the
    figures it is compared with. `gaelder` says which population/part of the area the figure is
    about, as the text says it ("Mit Kvarter", "Frederiksholm Karréerne", "Sjælør/Sydhavn")."""

    id: Annotated[str, StringConstraints(pattern=_ID_RE)]
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
    katalog: Annotated[str, StringConstraints(pattern=_ID_RE)] | None = None
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


class Partner(_Base):
    """A partner (samarbejdspartner) and its contribution (bidrag) as the application words it."""

    navn: Navn
    gruppe: Navn | None = None
    medlemmer: list[Navn] = Field(default_factory=list)
    bidrag: Tekst | None = None
    noter: list[Tekst] = Field(default_factory=list)


class Forum(_Base):
    """A body in the plan's organisation. `er_bestyrelse` marks the plan's boligsociale bestyrelse."""

    navn: Navn
    forkortelse: Navn | None = None
    niveau: ForumNiveau | None = None
    er_bestyrelse: bool = False
    deltagere: list[Tekst] = Field(default_factory=list)
    ansvar: Tekst | None = None
    moedefrekvens: Navn | None = None
    noter: list[Tekst] = Field(default_factory=list)


class Stilling(_Base):
    """A position in the local team."""

    titel: Navn
    antal: int | None = Field(default=None, ge=0)
    opgaver: Tekst | None = None


class LokaltTeam(_Base):
    """The local boligsocial team: its bases (offices) and positions."""

    baser: list[Navn] = Field(default_factory=list)
    stillinger: list[Stilling] = Field(default_factory=list)
    beskrivelse: Tekst | None = None


class Organisation(_Base):
    """How the plan is organised: fora (boards, steering and follow-up groups) and the local team."""

    beskrivelse: Tekst | None = None
    fora: list[Forum] = Field(default_factory=list)
    team: LokaltTeam | None = None

    @property
    def bestyrelse(self) -> Forum | None:
        return next((f for f in self.fora if f.er_bestyrelse), None)


class Rettelse(_Base):
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


def _lower(value: object) -> object:
    return value.strip().casefold() if isinstance(value, str) else value


Beloeb = Annotated[Decimal, BeforeValidator(parse_tal), Field(ge=0)]
"""An amount in kroner, not negative. In the TOML file a whole number (`2500000`) or a text with
decimal comma (`"2500000,50"`); no thousands separator."""


class Finansiering(_Base):
    """One source of financing in the budget: who pays (`kilde`) and how much (`beloeb`, kr.).
    `aar` is the year the amount is for; without it the amount covers the whole period."""

    kilde: Annotated[FinansieringKilde, BeforeValidator(_lower)]
    beloeb: Beloeb
    betegnelse: Navn | None = None
    aar: Aar | None = None
    noter: list[Tekst] = Field(default_factory=list)


class Udgift(_Base):
    """One expense line of the budget (a post such as "Personale" and its amount in kr.)."""

    post: Navn
    beloeb: Beloeb
    aar: Aar | None = None
    noter: list[Tekst] = Field(default_factory=list)


class Budget(_Base):
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


# --------------------------------------------------------------------------------------------------
# The plan


def _relative_path(value: str) -> str:
    if PurePosixPath(value).is_absolute() or PureWindowsPath(value).is_absolute() or value.startswith("\\"):
        raise ValueError(
            f'stien "{value}" skal være relativ til plan-mappen, fx "noegletal.csv" (brug / som skilletegn)'
        )
    return value


class Helhedsplan(_Base):
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
        problems: list[tuple[Loc, str]] = []
        add = problems.append

        # Organisations: kortnavn unique; an alias names no other organisation.
        org_names: dict[str, int] = {}
        for i, org in enumerate(self.boligorganisationer):
            if _key(org.kortnavn) in org_names:
                add((("boligorganisationer", i, "kortnavn"), f'kortnavnet "{org.kortnavn}" er brugt før'))
            org_names.setdefault(_key(org.kortnavn), i)
        other_names: dict[str, set[int]] = {}
        for i, org in enumerate(self.boligorganisationer):
            for name in org.alle_navne:
                other_names.setdefault(_key(name), set()).add(i)
        for i, org in enumerate(self.boligorganisationer):
            for j, alias in enumerate(org.aliaser):
                if other_names.get(_key(alias), set()) - {i}:
                    add(
                        (
                            ("boligorganisationer", i, "aliaser", j),
                            f'aliaset "{alias}" er også navn eller alias for en anden boligorganisation',
                        )
                    )
        kortnavne = {org.kortnavn for org in self.boligorganisationer}

        # Afdelinger: organisation exists, name unique per organisation, aliases unambiguous.
        seen: dict[tuple[str, str], int] = {}
        for i, afd in enumerate(self.afdelinger):
            if afd.boligorganisation not in kortnavne:
                add((("afdelinger", i, "boligorganisation"), self._unknown_org(afd.boligorganisation)))
            ident = (afd.boligorganisation, _key(afd.navn))
            if ident in seen:
                add(
                    (
                        ("afdelinger", i, "navn"),
                        f'boligorganisationen "{afd.boligorganisation}" har allerede en afdeling ved navn '
                        f'"{afd.navn}" (nr. {seen[ident] + 1})',
                    )
                )
            seen.setdefault(ident, i)
        names: dict[str, set[int]] = {}
        for i, afd in enumerate(self.afdelinger):
            names.setdefault(_key(afd.navn), set()).add(i)
        alias_owner: dict[str, int] = {}
        for i, afd in enumerate(self.afdelinger):
            for j, alias in enumerate(afd.aliaser):
                loc: Loc = ("afdelinger", i, "aliaser", j)
                k = _key(alias)
                if k == _key(afd.navn):
                    add((loc, f'aliaset "{alias}" er det samme som afdelingens navn'))
                elif names.get(k, set()) - {i}:
                    add((loc, f'aliaset "{alias}" er navnet på en anden afdeling'))
                elif k in alias_owner and alias_owner[k] != i:
                    other_navn = self.afdelinger[alias_owner[k]].navn
                    add((loc, f'aliaset "{alias}" er også alias for afdelingen "{other_navn}"'))
                alias_owner.setdefault(k, i)

        # Omraader.
        omr_seen: set[str] = set()
        for i, omr in enumerate(self.omraader):
            if _key(omr.navn) in omr_seen:
                add((("omraader", i, "navn"), f'området "{omr.navn}" er nævnt før'))
            omr_seen.add(_key(omr.navn))
            members: set[int] = set()
            for j, ref in enumerate(omr.afdelinger):
                index, message = self._resolve_index(ref)
                if message is not None:
                    add((("omraader", i, "afdelinger", j), message))
                elif index in members:
                    add((("omraader", i, "afdelinger", j), f'afdelingen "{ref}" er nævnt to gange'))
                if index is not None:
                    members.add(index)

        # Indsatsomraader and points of attention.
        ind_seen: set[str] = set()
        for i, ind in enumerate(self.indsatsomraader):
            if ind.navn in ind_seen:
                add((("indsatsomraader", i, "navn"), f'indsatsområdet "{ind.navn}" er nævnt før'))
            ind_seen.add(ind.navn)
            self._check_refs(("indsatsomraader", i, "afdelinger"), ind.afdelinger, add)
        for i, punkt in enumerate(self.opmaerksomhedspunkter):
            self._check_refs(("opmaerksomhedspunkter", i, "afdelinger"), punkt.afdelinger, add)

        # Indicators.
        ids: set[str] = set()
        for i, indikator in enumerate(self.indikatorer):
            if indikator.id in ids:
                add((("indikatorer", i, "id"), f'id "{indikator.id}" er brugt før'))
            ids.add(indikator.id)
            if indikator.indsatsomraade is not None and indikator.indsatsomraade not in ind_seen:
                add(
                    (
                        ("indikatorer", i, "indsatsomraade"),
                        f'indsatsområdet "{indikator.indsatsomraade}" er ikke med i planens indsatsomraader',
                    )
                )
            self._check_refs(("indikatorer", i, "afdelinger"), indikator.afdelinger, add)
            self._target_problems(i, indikator, add)
        return problems

    def _target_problems(self, i: int, indikator: Indikator, add: Callable[[tuple[Loc, str]], None]) -> None:
        """The catalogue reference, the value ranges and the years of baseline, target and milestones."""
        loc: Loc = ("indikatorer", i)
        retning = indikator.retning
        if indikator.katalog is not None:
            catalogue = active_catalogue()
            message = catalogue.problem(indikator.katalog, indikator.katalog_version)
            if message is not None:
                field = "katalog" if not catalogue.versions(indikator.katalog) else "katalog_version"
                add(((*loc, field), message))
            else:
                definition = catalogue.get(indikator.katalog, indikator.katalog_version)
                retning = retning or definition.retning
                if definition.enhed != indikator.enhed.value:
                    add(
                        (
                            (*loc, "enhed"),
                            f'enheden "{indikator.enhed.value}" passer ikke med katalogets definition '
                            f'{definition.ref} ("{definition.enhed}")',
                        )
                    )
                values: list[tuple[Loc, Decimal]] = [
                    *(((*loc, "maalinger", j, "vaerdi"), m.vaerdi) for j, m in enumerate(indikator.maalinger)),
                    *(
                        ((*loc, "sammenligninger", j, "vaerdi"), s.vaerdi)
                        for j, s in enumerate(indikator.sammenligninger)
                    ),
                    *(((*loc, "milepaele", j, "vaerdi"), m.vaerdi) for j, m in enumerate(indikator.milepaele)),
                ]
                if indikator.baseline is not None:
                    values.append(((*loc, "baseline", "vaerdi"), indikator.baseline.vaerdi))
                if indikator.maal is not None:
                    values.append(((*loc, "maal", "vaerdi"), indikator.maal.vaerdi))
                for value_loc, value in values:
                    out_of_range = definition.out_of_range(value)
                    if out_of_range is not None:
                        add((value_loc, out_of_range))
                baseline = indikator.baseline
                if baseline is not None:
                    if baseline.katalog_version is None:
                        add(
                            (
                                (*loc, "baseline", "katalog_version"),
                                "angiv den version af definitionen, som baseline er beregnet efter "
                                f"(indikatoren følger version {indikator.katalog_version})",
                            )
                        )
                    else:
                        message = catalogue.problem(indikator.katalog, baseline.katalog_version)
                        if message is not None:
                            add(((*loc, "baseline", "katalog_version"), message))
        elif indikator.baseline is not None and indikator.baseline.katalog_version is not None:
            add(
                ((*loc, "baseline", "katalog_version"), "baseline har en katalogversion, men indikatoren intet katalog")
            )
        if indikator.maal is not None:
            if retning is None:
                add(((*loc, "retning"), "et mål kræver en retning: angiv katalog eller retning"))
            elif retning is Retning.INGEN:
                add(((*loc, "maal"), 'indikatoren er en kontekstindikator (retning "ingen") og kan ikke have et mål'))
            years = self.periode.aar
            if indikator.maal.aar not in years:
                add(
                    (
                        (*loc, "maal", "aar"),
                        f"målets år ({indikator.maal.aar}) ligger uden for planens periode ({years[0]}-{years[-1]})",
                    )
                )
            for j, m in enumerate(indikator.milepaele):
                if m.aar not in years:
                    add(
                        (
                            (*loc, "milepaele", j, "aar"),
                            f"milepælens år ({m.aar}) ligger uden for planens periode ({years[0]}-{years[-1]})",
                        )
                    )
        if indikator.baseline is not None and indikator.baseline.aar > self.periode.start.year:
            add(
                (
                    (*loc, "baseline", "aar"),
                    f"baseline er fra {indikator.baseline.aar}, efter planens start ({self.periode.start.year}); "
                    "baseline er tallet på tilsagnstidspunktet",
                )
            )

    def _unknown_org(self, name: str) -> str:
        message = f'boligorganisationen "{name}" findes ikke i planens boligorganisationer'
        match = self.find_boligorganisation(name)
        if match is not None:
            return message + f'; brug kortnavnet "{match.kortnavn}"'
        known = _quote_list(org.kortnavn for org in self.boligorganisationer)
        return message + (f" (kendte kortnavne: {known})" if known else "")

    def _check_refs(self, loc: Loc, refs: list[AfdelingRef], add: Callable[[tuple[Loc, str]], None]) -> None:
        for j, ref in enumerate(refs):
            _, message = self._resolve_index(ref)
            if message is not None:
                add(((*loc, j), message))

    def _resolve_index(self, ref: AfdelingRef) -> tuple[int | None, str | None]:
        """Index of the afdeling a reference points to, or a Danish error message."""
        if ref.boligorganisation is not None and ref.boligorganisation not in {
            o.kortnavn for o in self.boligorganisationer
        }:
            return None, self._unknown_org(ref.boligorganisation)
        hits = [
            i
            for i, afd in enumerate(self.afdelinger)
            if afd.navn == ref.afdeling
            and (ref.boligorganisation is None or afd.boligorganisation == ref.boligorganisation)
        ]
        if len(hits) == 1:
            return hits[0], None
        if len(hits) > 1:
            orgs = _quote_list(self.afdelinger[i].boligorganisation for i in hits)
            return None, (f'der er flere afdelinger ved navn "{ref.afdeling}" (i {orgs}); angiv boligorganisation')
        message = f'afdelingen "{ref}" findes ikke i planens afdelinger'
        try:
            candidate = self.find_afdeling(ref.afdeling, ref.boligorganisation)
        except LookupError:
            candidate = None
        if candidate is not None:
            message += f'; brug navnet "{candidate.navn}"'
        return None, message

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
        key = _key(name)
        for names in (
            lambda o: [o.kortnavn],
            lambda o: [o.navn],
            lambda o: o.aliaser,
        ):
            for org in self.boligorganisationer:
                if any(_key(n) == key for n in names(org)):
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
        key = _key(name)
        by_name = [a for a in pool if _key(a.navn) == key]
        if by_name:
            return by_name
        by_alias = [a for a in pool if any(_key(alias) == key for alias in a.aliaser)]
        if by_alias or not follow_corrections:
            return by_alias
        for rettelse in self.rettelser:
            if _key(rettelse.original) == key:
                found = self._match(pool, rettelse.rettet, follow_corrections=False)
                if found:
                    return found
        return []

    def find_afdeling(self, name: str, boligorganisation: str | None = None) -> Afdeling | None:
        """The one afdeling matching `name` (see `find_afdelinger`), None if there is none.
        Raises LookupError (Danish message) if the name is ambiguous."""
        hits = self.find_afdelinger(name, boligorganisation)
        if len(hits) > 1:
            orgs = _quote_list(a.boligorganisation for a in hits)
            raise LookupError(f'"{name}" passer på flere afdelinger (i {orgs}); angiv boligorganisation')
        return hits[0] if hits else None

    def resolve(self, ref: AfdelingRef) -> Afdeling:
        """The afdeling a reference points to (exact navn). Raises LookupError if it does not resolve."""
        index, message = self._resolve_index(ref)
        if index is None:
            raise LookupError(message)
        return self.afdelinger[index]

    def find_omraade(self, name: str) -> Omraade | None:
        key = _key(name)
        return next((o for o in self.omraader if _key(o.navn) == key), None)

    def omraade_afdelinger(self, omraade: Omraade) -> list[Afdeling]:
        return [self.resolve(ref) for ref in omraade.afdelinger]

    def find_indsatsomraade(self, name: str) -> Indsatsomraade | None:
        key = _key(name)
        return next((i for i in self.indsatsomraader if _key(i.navn) == key), None)

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

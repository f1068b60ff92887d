"""The model's building blocks: value types (names, texts, years, exact numbers), the shared base
class, the enumerations and the plan period."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Final, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from boligsocial.danish import parse_ungrouped_number

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

Tal = Annotated[Decimal, BeforeValidator(parse_ungrouped_number)]
"""An exact number. In the TOML file written as a string with decimal comma, e.g. "8,21"."""


def _afdelingsnummer(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


Afdelingsnummer = Annotated[Navn, BeforeValidator(_afdelingsnummer)]

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def name_key(text: str) -> str:
    """Comparison key for names: case-insensitive, whitespace collapsed."""
    return " ".join(text.split()).casefold()


def check_indsatsomraade(value: str) -> str:
    if value in INDSATSOMRAADER:
        return value
    allowed = ", ".join(f'"{n}"' for n in INDSATSOMRAADER)
    message = f'"{value}" er ikke et af LBF\'s fire indsatsområder ({allowed})'
    hint = next((n for n in INDSATSOMRAADER if name_key(n) == name_key(value)), None)
    if hint is not None:
        message += f'; mente du "{hint}"?'
    raise ValueError(message)


IndsatsomraadeNavn = Annotated[Navn, AfterValidator(check_indsatsomraade)]


def quote_list(names: Iterable[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


class StrictModel(BaseModel):
    """The base of every part of the model: unknown keys are errors, not silently dropped."""

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
# The plan period


class Periode(StrictModel):
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

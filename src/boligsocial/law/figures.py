"""The figures the law is applied to: one unit (afdeling or boligomraade) in one list year.

This is the contract between the layers that produce figures (key-figure import in `plan/`,
register computation in `register/`) and the rules in `law/`. All values are exact: counts are
integers and shares are `Fraction`s in percent, so a threshold test never suffers float drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Literal


class Measure(StrEnum):
    """The five statistical measures behind the lists, named as the key-figure columns."""

    UDEN_FOR_ARBEJDSMARKED = "uden_for_arbejdsmarked"
    IKKE_VESTLIGE = "ikke_vestlige"
    DOEMTE = "doemte"
    KUN_GRUNDSKOLE = "kun_grundskole"
    INDKOMST = "indkomst"


UnitKind = Literal["afdeling", "omraade"]


@dataclass(frozen=True)
class Measurement:
    """One measure for one unit.

    `value` is the share in percent (income: percent of the region's average). `None` means the
    figure is suppressed or missing, which the rules treat as unknown, never as zero.
    `numerator`/`denominator` are kept when the source gives them (register data, exact area sums);
    `approximate` marks values derived by weighting published percentages.
    """

    value: Fraction | None
    numerator: Fraction | None = None
    denominator: Fraction | None = None
    approximate: bool = False

    @classmethod
    def unknown(cls) -> Measurement:
        return cls(value=None)

    @classmethod
    def from_counts(cls, numerator: Fraction | int, denominator: Fraction | int) -> Measurement:
        """Share in percent from a numerator and a denominator; unknown when the denominator is 0."""
        num, den = Fraction(numerator), Fraction(denominator)
        if den == 0:
            return cls(value=None, numerator=num, denominator=den)
        return cls(value=100 * num / den, numerator=num, denominator=den)

    @property
    def known(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class SourceRef:
    """Where a unit's figures came from, so that messages can point back to the file and row."""

    file: str
    row: int | None = None


@dataclass(frozen=True)
class UnitFigures:
    """Figures for one afdeling or boligomraade in one list year.

    `residents` is the number of residents at 1 January of the list year (the resident minimum, `min_residents`);
    `None` when suppressed. `members` lists the afdelinger an area was built from.
    """

    name: str
    kind: UnitKind
    list_year: int | None
    residents: int | None
    measures: dict[Measure, Measurement]
    boligorganisation: str | None = None
    omraade: str | None = None
    kommune: str | None = None
    dwellings: int | None = None
    members: tuple[str, ...] = ()
    source: SourceRef | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def measurement(self, measure: Measure) -> Measurement:
        return self.measures.get(measure, Measurement.unknown())

    def applies_to(self, list_year: int | None) -> bool:
        """Whether the row counts in `list_year`. A row without a list year (a file with no
        `listeaar` column) counts in every year; `list_year` None asks for every row."""
        return list_year is None or self.list_year is None or self.list_year == list_year

    @property
    def approximate(self) -> bool:
        return any(m.approximate for m in self.measures.values())

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity of a unit across list years: kind, boligorganisation and name (department
        names such as "Afd. 1" repeat across organisations). An area is identified by its name
        alone: its organisations are those of the members a year happens to report, and a
        published area row names none."""
        organisation = "" if self.kind == "omraade" else self.boligorganisation or ""
        return (self.kind, organisation, self.name)

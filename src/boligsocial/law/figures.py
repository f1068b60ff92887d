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

    `lower`/`upper` bound the value the rules compare: it lies in [lower, upper], `None` meaning
    open on that side. A known value is exact as given, so both default to `value`; an unknown
    value with no other knowledge has neither (the whole axis). An area built from rounded or
    suppressed member figures has a range (`law/areas.py`), with or without a point `value`.

    `precision` is how the value was written: the half-width of its last digit (`52,0` -> 0,05,
    `52` -> 0,5), `None` for a value from counts or of unknown writing. The unit's own value is
    compared as given (docs/law.md, open point 1); the precision is what an area built from it
    must allow for. It describes the writing, not the figure, so it takes no part in equality.
    """

    value: Fraction | None
    numerator: Fraction | None = None
    denominator: Fraction | None = None
    approximate: bool = False
    lower: Fraction | None = None
    upper: Fraction | None = None
    precision: Fraction | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.value is not None and self.lower is None and self.upper is None:
            object.__setattr__(self, "lower", self.value)
            object.__setattr__(self, "upper", self.value)
            return  # [value, value]: nothing to check (a national file makes tens of thousands)
        if self.lower is not None and self.upper is not None and self.lower > self.upper:
            raise ValueError(f"lower bound {self.lower} above upper bound {self.upper}")
        inside = self.value is None or (
            (self.lower is None or self.lower <= self.value) and (self.upper is None or self.value <= self.upper)
        )
        if not inside:
            raise ValueError(f"value {self.value} outside its bounds [{self.lower}, {self.upper}]")

    @classmethod
    def unknown(cls) -> Measurement:
        return cls(value=None)

    @classmethod
    def published(cls, value: Fraction, decimals: int) -> Measurement:
        """A published percentage written with `decimals` decimals: exact as given, with the
        precision of its last digit (never coarser than a whole percent)."""
        return cls(value=value, precision=Fraction(1, 2 * 10 ** max(decimals, 0)))

    @property
    def written_decimals(self) -> int | None:
        """The decimals the value was written with (`52,0` -> 1), None when it was not written."""
        if self.precision is None:
            return None
        decimals = 0
        while Fraction(1, 2 * 10**decimals) > self.precision:
            decimals += 1
        return decimals

    @classmethod
    def from_counts(cls, numerator: Fraction | int, denominator: Fraction | int) -> Measurement:
        """Share in percent from a numerator and a denominator; unknown when the denominator is 0."""
        num = numerator if type(numerator) is Fraction else Fraction(numerator)
        den = denominator if type(denominator) is Fraction else Fraction(denominator)
        if den == 0:
            return cls(value=None, numerator=num, denominator=den)
        # 100 * num / den in one normalisation (the same Fraction; a national file has 35.000)
        share = Fraction(100 * num.numerator * den.denominator, num.denominator * den.numerator)
        return cls(value=share, numerator=num, denominator=den)

    @property
    def known(self) -> bool:
        return self.value is not None

    @property
    def exact(self) -> bool:
        """Whether the value the rules compare is one number (known, with no range around it)."""
        value = self.value
        if value is None:
            return False
        # Bounds defaulted to the value are the value itself: no Fraction comparison (a national
        # check asks this hundreds of thousands of times).
        return (self.lower is value and self.upper is value) or self.lower == value == self.upper


_UNKNOWN = Measurement.unknown()  # one for every missing measure (frozen, so it can be shared)


@dataclass(frozen=True)
class SourceRef:
    """Where a unit's figures came from, so that messages can point back to the file and row."""

    file: str
    row: int | None = None


@dataclass(frozen=True)
class UnitFigures:
    """Figures for one afdeling or boligomraade in one list year.

    `residents` is the number of residents at 1 January of the list year (the resident minimum, `min_residents`);
    `None` when suppressed. `residents_lower` is, when `residents` is unknown, the least it can
    be (an area whose members' residents are partly suppressed: the sum of the known ones); the
    count is then open above. `members` lists the afdelinger an area was built from.
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
    residents_lower: int | None = None

    def measurement(self, measure: Measure) -> Measurement:
        found = self.measures.get(measure)
        return _UNKNOWN if found is None else found

    def applies_to(self, list_year: int | None) -> bool:
        """Whether the row counts in `list_year`. A row without a list year (a file with no
        `listeaar` column) counts in every year; `list_year` None asks for every row."""
        return list_year is None or self.list_year is None or self.list_year == list_year

    @property
    def residents_bounds(self) -> tuple[int | None, int | None]:
        """The resident count as (least, most); `None` is open on that side."""
        if self.residents is not None:
            return self.residents, self.residents
        return self.residents_lower, None

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

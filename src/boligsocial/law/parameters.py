"""The law's dated parameters: YAML files in `parameters/`, each value with its citation.

One file per era of rules (a range of list years), one file of known national conviction
averages, and one file of sources. Loading validates everything up front so that a broken
parameter file fails on start-up, not halfway through a classification.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from boligsocial.law.errors import LawError
from boligsocial.law.figures import Measure


class Operator(StrEnum):
    """Comparison operators exactly as the law words them."""

    GT = "gt"  # "overstiger"
    GE = "ge"  # "udgør mindst"
    LT = "lt"  # "mindre end"

    @property
    def symbol(self) -> str:
        return {"gt": ">", "ge": "≥", "lt": "<"}[self.value]

    @property
    def wording_da(self) -> str:
        return {"gt": "overstiger", "ge": "udgør mindst", "lt": "er mindre end"}[self.value]

    def holds(self, value: Fraction, threshold: Fraction) -> bool:
        if self is Operator.GT:
            return value > threshold
        if self is Operator.GE:
            return value >= threshold
        return value < threshold

    def margin(self, value: Fraction, threshold: Fraction) -> Fraction:
        """Signed distance inside (+) or outside (-) the criterion, in the value's unit."""
        return threshold - value if self is Operator.LT else value - threshold


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


ValueCertainty = Literal["stated", "derived", "inferred", "assumed"]
"""How a parameter's value follows from the source its citation names (docs/law.md, "Sources"):

- `stated`: the source gives this value for this parameter in so many words;
- `derived`: computed from values the source states (270 per 10,000 as 2,70 pct.);
- `inferred`: deduced from sources, none of which states it for this parameter (a value quoted
  without its list year, a threshold computed from another one);
- `assumed`: no source gives it; the program needs a value and uses this one.

Every citation in the parameter files says which; all but `stated` explain why in a `note`."""

VALUE_CERTAINTIES: tuple[str, ...] = ("stated", "derived", "inferred", "assumed")


class Source(_Frozen):
    """A source, with how far it can be trusted: `solid` (law text or a ministry text), `reported`
    (a secondary source: news, BL, a law firm, an application), `inferred` (computed, not read)."""

    title: str
    url: str
    certainty: Literal["solid", "reported", "inferred"]


class CitationRef(_Frozen):
    """A parameter's citation as written in the files. `note_source` cites the claim of `note`
    when another source makes it; `assumption` states what the program assumes in using the value.
    `certainty` is required in the parameter files (checked on loading); citations built at run
    time (a user's average, one computed from person data) leave it unset."""

    source: str
    paragraph: str
    certainty: ValueCertainty | None = None
    note: str | None = None
    note_source: CitationRef | None = None
    assumption: str | None = None


class Citation(_Frozen):
    """A resolved citation: the source's title and URL plus the paragraph. `certainty` is the
    source's (or "user"); `value_certainty` is how the value follows from it (None for a value
    that is not a shipped parameter). `note` includes the note's own source and the assumption."""

    source_id: str
    title: str
    paragraph: str
    url: str
    certainty: Literal["solid", "reported", "inferred", "user"]
    note: str | None = None
    value_certainty: ValueCertainty | None = None
    assumption: str | None = None

    @property
    def short_da(self) -> str:
        return f"{self.paragraph} ({self.title})"


def _to_fraction(value: Any) -> Fraction:
    # YAML thresholds are strings ("2.70") so that no binary float ever enters the rules.
    if isinstance(value, float):
        raise ValueError(f'tærskel {value!r} skal angives som tekst, fx "2.70", ikke som kommatal')
    return Fraction(Decimal(str(value)))


class CriterionParam(_Frozen):
    measure: Measure
    operator: Operator
    threshold: Fraction | None = None
    national_average_multiple: int | None = None
    wording: str
    population: str
    averaging_years: int | None = None
    citation: CitationRef

    @field_validator("threshold", mode="before")
    @classmethod
    def _exact_threshold(cls, value: Any) -> Fraction | None:
        return None if value is None else _to_fraction(value)

    @model_validator(mode="after")
    def _one_threshold_kind(self) -> CriterionParam:
        if (self.threshold is None) == (self.national_average_multiple is None):
            raise ValueError("angiv enten 'threshold' eller 'national_average_multiple'")
        return self


class ListParam(_Frozen):
    label: str
    reported_as: str
    rule: dict[str, Any]
    citation: CitationRef

    @field_validator("reported_as")
    @classmethod
    def _known_list(cls, value: str) -> str:
        from boligsocial.law.vocabulary import REPORTED_LISTS  # local: the vocabulary reads the parameters

        if value not in REPORTED_LISTS:
            raise ValueError(f"ukendt liste {value!r}; kendte: {', '.join(REPORTED_LISTS)}")
        return value


class YearRange(_Frozen):
    first: int
    last: int | None

    def contains(self, year: int) -> bool:
        return self.first <= year and (self.last is None or year <= self.last)


class MinResidents(_Frozen):
    value: int
    citation: CitationRef


class DateParam(_Frozen):
    """A date rule in words ("1. januar i listeåret") with its citation."""

    value: str
    citation: CitationRef


class RuleSet(_Frozen):
    """The rules in force for a range of list years."""

    file: str = ""
    name: str
    list_years: YearRange
    list_date: DateParam  # the date the lists are published as of
    residents_date: DateParam  # the date the residents (the 1,000 test) are counted on
    min_residents: MinResidents
    criteria: dict[str, CriterionParam]
    lists: dict[str, ListParam]

    def list_by_reported_name(self, reported: str) -> tuple[str, ListParam] | None:
        for list_id, param in self.lists.items():
            if param.reported_as == reported:
                return list_id, param
        return None

    @property
    def needs_national_average(self) -> tuple[int, ...]:
        """The multiples of the national conviction average this rule set uses, e.g. (3, 2)."""
        return tuple(
            sorted(
                {c.national_average_multiple for c in self.criteria.values() if c.national_average_multiple},
                reverse=True,
            )
        )


class ConvictionYear(_Frozen):
    """A list year's known conviction thresholds (per multiple of the national average) or the
    average itself. `citation` cites them all, except a multiple in `threshold_citations`."""

    thresholds: dict[int, Fraction] = Field(default_factory=dict)
    average: Fraction | None = None
    citation: CitationRef
    threshold_citations: dict[int, CitationRef] = Field(default_factory=dict)

    def citation_for(self, multiple: int) -> CitationRef:
        return self.threshold_citations.get(multiple, self.citation)

    @field_validator("thresholds", mode="before")
    @classmethod
    def _exact_thresholds(cls, value: Any) -> dict[int, Fraction]:
        return {int(k): _to_fraction(v) for k, v in dict(value).items()}

    @field_validator("average", mode="before")
    @classmethod
    def _exact_average(cls, value: Any) -> Fraction | None:
        return None if value is None else _to_fraction(value)


class Law(_Frozen):
    """All parameter files, loaded and cross-checked."""

    sources: dict[str, Source]
    rule_sets: tuple[RuleSet, ...]
    conviction_years: dict[int, ConvictionYear]

    def cite(self, ref: CitationRef) -> Citation:
        source = self.sources[ref.source]
        note = [ref.note] if ref.note else []
        if ref.note_source is not None:
            note.append(
                f"Kilde til bemærkningen: {self.sources[ref.note_source.source].title}, {ref.note_source.paragraph}."
            )
        if ref.assumption:
            note.append(f"Antagelse: {ref.assumption}")
        return Citation(
            source_id=ref.source,
            title=source.title,
            paragraph=ref.paragraph,
            url=source.url,
            certainty=source.certainty,
            note=" ".join(note) or None,
            value_certainty=ref.certainty,
            assumption=ref.assumption,
        )

    def citation_refs(self) -> list[tuple[str, CitationRef]]:
        """Every citation in the parameter files (notes' sources included), each with where it is."""
        found: list[tuple[str, CitationRef]] = []
        for rs in self.rule_sets:
            found += [(f"{rs.file}: min_residents", rs.min_residents.citation)]
            found += [(f"{rs.file}: list_date", rs.list_date.citation)]
            found += [(f"{rs.file}: residents_date", rs.residents_date.citation)]
            found += [(f"{rs.file}: kriterium {key}", c.citation) for key, c in rs.criteria.items()]
            for key, lst in rs.lists.items():
                found.append((f"{rs.file}: liste {key}", lst.citation))
                found += [
                    (f"{rs.file}: liste {key}, regel", CitationRef.model_validate(r)) for r in _rule_citations(lst)
                ]
        for year, cy in sorted(self.conviction_years.items()):
            where = f"national-conviction-average.yaml: {year}"
            found.append((where, cy.citation))
            found += [(f"{where}, {k} gange", ref) for k, ref in sorted(cy.threshold_citations.items())]
        notes = [(f"{where}, bemærkning", ref.note_source) for where, ref in found if ref.note_source is not None]
        return found + notes

    def rule_sets_for(self, year: int) -> list[RuleSet]:
        return [rs for rs in self.rule_sets if rs.list_years.contains(year)]

    def rule_set(self, year: int) -> RuleSet:
        """The one rule set in force for a list year; a gap or an overlap is an error."""
        found = self.rule_sets_for(year)
        if not found:
            first = min(rs.list_years.first for rs in self.rule_sets)
            raise LawError(
                f"Ingen regler i kraft for listeår {year}: de første lister er fra {first}. "
                "Der findes ingen parameterfil for dette år."
            )
        if len(found) > 1:
            names = ", ".join(rs.file for rs in found)
            raise LawError(f"Flere regelsæt gælder for listeår {year} ({names}); parametrene er i konflikt.")
        return found[0]


def _rule_citations(lst: ListParam) -> list[dict[str, Any]]:
    from boligsocial.law.rules import parse_rule  # local: rules imports parameters

    return parse_rule(lst.rule).citations()


def _check_cross_references(law: Law) -> None:
    """Every cited source exists, and every citation says how certain its value is (and why,
    unless the source states it)."""
    for rs in law.rule_sets:
        for key, lst in rs.lists.items():
            _check_rule(lst.rule, rs, f"{rs.file}: liste {key}")
    for where, ref in law.citation_refs():
        if ref.source not in law.sources:
            raise LawError(f"{where}: ukendt kilde {ref.source!r} i parameterfilerne")
        if ref.certainty is None:
            raise LawError(f"{where}: angiv 'certainty' ({', '.join(VALUE_CERTAINTIES)})")
        if ref.certainty != "stated" and not ref.note:
            raise LawError(f"{where}: en værdi med 'certainty: {ref.certainty}' skal forklares i 'note'")


def _check_rule(rule: dict[str, Any], rs: RuleSet, where: str) -> None:
    from boligsocial.law.rules import parse_rule  # local: rules imports parameters

    parsed = parse_rule(rule)
    for criterion in parsed.criteria():
        if criterion not in rs.criteria:
            raise LawError(f"{where}: reglen nævner ukendt kriterium {criterion!r}")
    for list_id in parsed.lists():
        if list_id not in rs.lists:
            raise LawError(f"{where}: reglen nævner ukendt liste {list_id!r}")


def _read_yaml(name: str) -> Any:
    text = resources.files("boligsocial.law").joinpath("parameters", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def load_law() -> Law:
    """Load and validate every parameter file shipped with the package."""
    folder = resources.files("boligsocial.law").joinpath("parameters")
    sources = _read_yaml("sources.yaml")["sources"]
    rule_sets = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yaml") or entry.name in ("sources.yaml", "national-conviction-average.yaml"):
            continue
        data = yaml.safe_load(entry.read_text(encoding="utf-8"))
        rule_sets.append(RuleSet.model_validate({**data, "file": entry.name}))
    conviction = _read_yaml("national-conviction-average.yaml")["years"]
    law = Law.model_validate({"sources": sources, "rule_sets": tuple(rule_sets), "conviction_years": conviction})
    _check_cross_references(law)
    return law

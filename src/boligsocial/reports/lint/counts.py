"""BS101/BS102: totals and counts stated in the text (afdelinger, boliger, beboere) that differ from
the plan's data.

A stated count is accepted when it equals any figure it can legitimately mean: all afdelinger,
those in the plan, the conditional ones, those of one organisation or area, one afdeling's
dwellings or residents, an area's residents, the law's 1,000-resident limit. Numbers after
comparatives ("mere end 1.000 beboere"), approximations ("ca. 6.000 boliger"), ranges and
placeholders are not claims.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from boligsocial.plan.model import Afdeling, AfdelingRef
from boligsocial.reports.lint.common import LintInput, Passage, finding, fmt
from boligsocial.reports.lint.findings import Finding

__all__ = ["check_counts", "find_count_claims"]

DEFAULT_MIN_RESIDENTS = 1000


@dataclass(frozen=True)
class CountClaim:
    kind: str  # "afdelinger", "boliger" or "beboere"
    value: int
    text: str  # as written, e.g. "5.890 lejeboliger"
    position: int


_NUMBER = r"(?<![\w.,\-–/§])(?P<number>[1-9]\d{0,2}(?:\.\d{3})+|\d+)(?![\w]|[.,]\d|-|–)"
_MID = r"(?P<mid>(?:\s+[a-zæøåäöüé][\wæøå-]*){0,2}?)"
_NOUN = (
    r"\s+(?:(?P<afdelinger>(?:bolig)?afdeling(?:er|erne)?)"
    r"|(?P<boliger>(?:leje)?bolig(?:er|erne)?|lejebolige|lejligheder(?:ne)?|lejemål(?:ene)?)"
    r"|(?P<beboere>beboere(?:n|ne)?))(?![\wæøå])"
)
_CLAIM = re.compile(_NUMBER + _MID + _NOUN, re.IGNORECASE)

_QUALIFIER = re.compile(
    r"(?<![\wæøå])(?:mere end|mindre end|færre end|flere end|over|under|mindst|højst|op til|op mod|ned til|ca\.|cirka|"
    r"omkring|knap|godt|næsten|pr\.|per|nr\.|afd\.|afdeling|§|kl\.)\s*$",
    re.IGNORECASE,
)
_NOT_ADJECTIVES = frozenset(
    [
        "af",
        "at",
        "blandt",
        "de",
        "den",
        "der",
        "det",
        "eller",
        "er",
        "for",
        "fra",
        "har",
        "hos",
        "i",
        "med",
        "mod",
        "og",
        "om",
        "over",
        "på",
        "som",
        "til",
        "under",
        "ved",
        "var",
        "blev",
        "lå",
    ]
)


def find_count_claims(text: str) -> list[CountClaim]:
    """The counts of afdelinger, boliger and beboere that a text states."""
    claims: list[CountClaim] = []
    for match in _CLAIM.finditer(text):
        raw = match.group("number")
        value = int(raw.replace(".", ""))
        mid = match.group("mid").split()
        if any(word.casefold() in _NOT_ADJECTIVES for word in mid):
            continue
        if mid and "." not in raw and 1900 <= value <= 2100:
            continue  # a year: "i 2021 almene boliger" is no count
        if _QUALIFIER.search(text, max(0, match.start() - 20), match.start()):
            continue
        kind = next(k for k in ("afdelinger", "boliger", "beboere") if match.group(k))
        claims.append(CountClaim(kind, value, match.group(0).strip(), match.start("number")))
    return claims


@dataclass(frozen=True)
class _Sum:
    known: int  # the sum of the known values
    complete: bool  # False when some values are unknown (suppressed): `known` is then a lower bound


@dataclass
class _Figures:
    values: dict[int, list[str]] = field(default_factory=dict)
    lower_bounds: list[tuple[int, str]] = field(default_factory=list)

    def add(self, value: int | None, label: str) -> None:
        if value is not None:
            self.values.setdefault(value, []).append(label)

    def add_sum(self, total: _Sum, label: str) -> None:
        if total.complete:
            self.add(total.known, label)
        else:
            self.lower_bounds.append((total.known, label))

    def closest(self, claimed: int) -> tuple[int, str] | None:
        if not self.values:
            return None
        value = min(self.values, key=lambda v: (abs(v - claimed), v))
        return value, self.values[value][0]

    def undecided(self, claimed: int) -> str | None:
        """The label of a total with unknown parts that the claim could still equal."""
        return next((label for known, label in self.lower_bounds if claimed > known), None)


def _split(afdelinger: Iterable[Afdeling], measure: Callable[[Afdeling], int | None]) -> tuple[_Sum, _Sum, _Sum]:
    """Sums over all, the in-plan and the conditional afdelinger."""
    known, complete = [0, 0, 0], [True, True, True]
    for afdeling in afdelinger:
        value = measure(afdeling)
        for index, include in enumerate((True, afdeling.i_plan, afdeling.betinget)):
            if include:
                if value is None:
                    complete[index] = False
                else:
                    known[index] += value
    return _Sum(known[0], complete[0]), _Sum(known[1], complete[1]), _Sum(known[2], complete[2])


def _add_plan_sums(inp: LintInput, target: _Figures, measure: Callable[[Afdeling], int | None]) -> None:
    """The totals a count of the plan's afdelinger can mean: all, in the plan, conditional; per
    organisation, area and theme."""
    plan = inp.plan

    def members(refs: Iterable[AfdelingRef]) -> list[Afdeling]:
        return [a for ref in refs for a in plan.find_afdelinger(ref.afdeling, ref.boligorganisation)]

    alle, i_plan, betinget = _split(plan.afdelinger, measure)
    target.add_sum(alle, "alle afdelinger")
    target.add_sum(i_plan, "afdelingerne i planen")
    target.add_sum(betinget, "de betingede afdelinger")
    for org, group in plan.afdelinger_by_boligorganisation().items():
        alle, i_plan, betinget = _split(group, measure)
        target.add_sum(alle, f"afdelingerne i {org}")
        target.add_sum(i_plan, f"afdelingerne i planen i {org}")
        target.add_sum(betinget, f"de betingede afdelinger i {org}")
    for omraade in plan.omraader:
        target.add_sum(_split(members(omraade.afdelinger), measure)[0], f"området {omraade.navn}")
    for tema in [*plan.indsatsomraader, *plan.opmaerksomhedspunkter]:
        if tema.afdelinger:
            target.add_sum(_split(members(tema.afdelinger), measure)[0], f"afdelingerne under {tema.navn}")


def _add_plan_figures(inp: LintInput, figures: dict[str, _Figures]) -> None:
    """Counts of afdelinger and sums of their dwellings (and residents, given key figures), and each
    afdeling's own dwellings and residents."""

    def residents(afdeling: Afdeling) -> int | None:
        unit = inp.figures_for(afdeling)
        return unit.residents if unit is not None else None

    measures: list[tuple[str, Callable[[Afdeling], int | None]]] = [
        ("afdelinger", lambda a: 1),
        ("boliger", lambda a: a.boliger),
    ]
    if inp.units is not None:
        measures.append(("beboere", residents))
    for kind, measure in measures:
        target = figures[kind]
        _add_plan_sums(inp, target, measure)
        if kind != "afdelinger":
            for afdeling in inp.plan.afdelinger:
                target.add(measure(afdeling), afdeling.navn)


def _known_sum(values: list[int | None]) -> _Sum:
    return _Sum(sum(v for v in values if v is not None), None not in values)


def _add_key_figures(inp: LintInput, figures: dict[str, _Figures]) -> None:
    """The key figures' totals and each unit's dwellings and residents."""
    units = inp.year_units()
    if not units:
        return
    figures["afdelinger"].add(len(units), "afdelingerne i nøgletallene")
    figures["boliger"].add_sum(_known_sum([u.dwellings for u in units]), "boligerne i nøgletallene")
    figures["beboere"].add_sum(_known_sum([u.residents for u in units]), "beboerne i nøgletallene")
    for unit in units:
        figures["boliger"].add(unit.dwellings, unit.name)
        figures["beboere"].add(unit.residents, unit.name)


def _add_law_figures(inp: LintInput, figures: dict[str, _Figures]) -> None:
    """The areas' residents from the evaluation and the law's resident minimum."""
    if inp.result is None:
        figures["beboere"].add(DEFAULT_MIN_RESIDENTS, "lovens grænse for et boligområde")
        return
    for result in inp.result.units:
        if result.kind == "omraade":
            figures["beboere"].add(result.residents, f"området {result.name}")
    figures["beboere"].add(inp.result.min_residents, "lovens grænse for et boligområde")


def _figures(inp: LintInput) -> dict[str, _Figures]:
    """Every figure a stated count of each kind may legitimately mean, with what it is."""
    figures = {kind: _Figures() for kind in ("afdelinger", "boliger", "beboere")}
    _add_plan_figures(inp, figures)
    _add_key_figures(inp, figures)
    _add_law_figures(inp, figures)
    return figures


def _reference(inp: LintInput, kind: str) -> str:
    plan = inp.plan
    if kind == "afdelinger":
        return (
            f"planen har {fmt(len(plan.afdelinger))} afdelinger ({fmt(len(plan.afdelinger_i_plan))} i planen, "
            f"{fmt(len(plan.afdelinger_betinget))} betingede)"
        )
    if kind == "boliger":
        alle, i_plan, betinget = _split(plan.afdelinger, lambda a: a.boliger)
        return (
            f"planens afdelinger har {fmt(alle.known)} boliger i alt "
            f"({fmt(i_plan.known)} i planen, {fmt(betinget.known)} i de betingede)"
        )
    known = [u.residents for u in inp.year_units() if u.residents is not None]
    return f"nøgletallene har {fmt(sum(known))} beboere i de afdelinger, hvor tallet er kendt"


def check_counts(inp: LintInput, passages: list[Passage]) -> list[Finding]:
    figures = _figures(inp)
    out: list[Finding] = []
    for passage in passages:
        for claim in find_count_claims(passage.text):
            if claim.value in figures[claim.kind].values:
                continue
            if claim.kind == "beboere" and inp.units is None:
                continue  # no key figures to compare with; BS002 says why
            undecided = figures[claim.kind].undecided(claim.value)
            if undecided is not None:
                message = (
                    f'Teksten siger "{claim.text}". Det kan ikke bekræftes, fordi tallet er diskretioneret for en '
                    f"eller flere afdelinger ({undecided}); kontrollér det mod kilden."
                )
                out.append(finding("BS102", message, passage.place(claim.position)))
                continue
            closest = figures[claim.kind].closest(claim.value)
            hint = f" Nærmeste tal i planen: {fmt(closest[0])} ({closest[1]})." if closest else ""
            message = (
                f'Teksten siger "{claim.text}", men det passer ikke med planens tal: '
                f"{_reference(inp, claim.kind)}.{hint}"
            )
            out.append(finding("BS101", message, passage.place(claim.position)))
    return out

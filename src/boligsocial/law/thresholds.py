"""The rules of one list year made concrete: every threshold a number, every rule a tree.

The convicted criterion from 2018 is relative to a national average that is only known for some
list years. A user-supplied average wins over a known one (so that a what-if can be run); where
neither exists, the convicted criteria have no threshold (`CompiledRules.average_known` is False)
and the evaluation treats their outcomes as unknown (`law/evaluate.py`): a status that does not
depend on the average stays determined, and `needs_average` (evaluate.py) says which units'
statuses do depend on it. No default average is ever used.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from boligsocial.law.errors import LawError
from boligsocial.law.figures import Measure
from boligsocial.law.parameters import Citation, CriterionParam, Law, RuleSet
from boligsocial.law.rules import AllOf, History, ListRule, Not, Rule, parse_rule


@dataclass(frozen=True)
class CompiledRules:
    year: int
    rule_set: RuleSet
    rules: dict[str, Rule]  # list_id -> rule, with history rules bound to this year's list
    thresholds: dict[str, Fraction]  # criterion key -> threshold in percent; absent when unknown
    threshold_notes: dict[str, str]
    citations: dict[str, Citation]  # criterion key -> citation
    list_citations: dict[str, Citation]
    conviction: dict[int, tuple[Fraction, Citation]]
    min_residents: int
    # False when the rule set needs the national conviction average and it is not known: the
    # criteria with a `national_average_multiple` then have no entry in `thresholds`.
    average_known: bool = True
    # Memos of the evaluation (`law/evaluate.py`), which a national file asks the same questions
    # thousands of times. A world's statuses depend only on the rule trees and the year, so every
    # resolution of an unknown average (`with_average`, a `replace`) shares `shared`; what depends
    # on the thresholds goes in `local`, new for every instance.
    shared: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    local: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def threshold(self, key: str) -> Fraction | None:
        """The criterion's threshold, or None when it is a multiple of an unknown national average."""
        return self.thresholds.get(key)

    def multiple(self, key: str) -> int | None:
        return self.param(key).national_average_multiple

    def with_average(self, average: Fraction) -> CompiledRules:
        """The same rules with the national average set (thresholds k × average): one resolution
        of an unknown average."""
        filled = dict(self.thresholds)
        for key, param in self.rule_set.criteria.items():
            if param.national_average_multiple is not None:
                filled[key] = param.national_average_multiple * average
        return replace(self, thresholds=filled, average_known=True)

    def criteria_for(self, measure: Measure) -> list[str]:
        found = self.shared.get(("criteria_for", measure))
        if found is None:
            found = [key for key, c in self.rule_set.criteria.items() if c.measure is measure]
            self.shared["criteria_for", measure] = found
        return list(found)

    def param(self, key: str) -> CriterionParam:
        return self.rule_set.criteria[key]

    def holds(self, key: str, value: Fraction) -> bool:
        return self.param(key).operator.holds(value, self.thresholds[key])

    def outcomes_at(self, measure: Measure, value: Fraction) -> Mapping[str, bool]:
        """The measure's criteria outcomes at `value` ({key: holds}), every threshold known.

        Each operator (>, >=, <) depends only on which side of its threshold the value lies, so
        the outcomes are the same at each threshold and on each open interval between them: they
        are computed once per interval and found by bisection (a national file asks 30.000 times).
        The mapping is shared: read it, do not change it."""
        points, at, between = self._regions(measure)
        place, hit = points.place(value)
        return at[place] if hit else between[place]

    def _regions(self, measure: Measure) -> tuple[Points, list[dict[str, bool]], list[dict[str, bool]]]:
        found = self.local.get(("regions", measure))
        if found is None:
            keys = self.criteria_for(measure)
            points = sorted({self.thresholds[key] for key in keys})
            # A point inside each open interval: below the first threshold, between each two, above the last.
            inside = [Fraction(0)]  # no thresholds: one interval, the whole axis
            if points:
                inside = [points[0] - 1, *((a + b) / 2 for a, b in itertools.pairwise(points)), points[-1] + 1]
            found = self.local["regions", measure] = (
                Points(points),
                [{key: self.holds(key, p) for key in keys} for p in points],
                [{key: self.holds(key, p) for key in keys} for p in inside],
            )
        return found

    def list_id_for(self, reported: str) -> str | None:
        found = self.rule_set.list_by_reported_name(reported)
        return found[0] if found else None

    def history_rule(self, list_id: str) -> History | None:
        rule = self.rules[list_id]
        return rule if isinstance(rule, History) else None


class Points:
    """Ascending exact numbers, among which a value's place is found in integers.

    `bisect` over Fractions compares through `Fraction`'s generic operators, a few microseconds
    each, and a national file places each of its 45.000 values twice. Here the points are
    integers over one common denominator `scale`, and a value n/d is placed by the integer part
    of n × scale / d: exactly where `bisect_left` over the Fractions places it
    (tests/test_law_points.py)."""

    def __init__(self, points: list[Fraction]) -> None:
        self.points = points
        self.scale = math.lcm(*(p.denominator for p in points)) if points else 1
        self.scaled = [p.numerator * (self.scale // p.denominator) for p in points]

    def __len__(self) -> int:
        return len(self.points)

    def place(self, value: Fraction) -> tuple[int, bool]:
        """(`bisect_left(points, value)`, whether the point there equals `value`)."""
        whole, rest = divmod(value.numerator * self.scale, value.denominator)
        if rest:  # strictly between whole / scale and (whole + 1) / scale: no point equals it
            return bisect.bisect_left(self.scaled, whole + 1), False
        place = bisect.bisect_left(self.scaled, whole)
        return place, place < len(self.scaled) and self.scaled[place] == whole

    def lower_is_nearer(self, value: Fraction, lower: int, upper: int) -> bool:
        """`value - points[lower] <= points[upper] - value`: 2 × value <= the two points' sum."""
        return 2 * value.numerator * self.scale <= (self.scaled[lower] + self.scaled[upper]) * value.denominator


def conviction_thresholds(
    law: Law, rule_set: RuleSet, year: int, user_averages: Mapping[int, Fraction]
) -> dict[int, tuple[Fraction, Citation]]:
    """Threshold per multiple of the national average (e.g. {3: 2.18, 2: 1.45}) for a list year;
    empty when the rule set needs the average and it is neither given nor known."""
    multiples = rule_set.needs_national_average
    if not multiples:
        return {}
    if year in user_averages:
        average = user_averages[year]
        citation = Citation(
            source_id="user",
            title="Landsgennemsnit angivet af brugeren",
            paragraph=f"{float(average):.4g} pct.".replace(".", ","),
            url="",
            certainty="user",
        )
        return {k: (k * average, citation) for k in multiples}
    known = law.conviction_years.get(year)
    if known is None:
        return {}  # unknown: the convicted criteria are evaluated as unknown outcomes
    result: dict[int, tuple[Fraction, Citation]] = {}
    for k in multiples:
        if k in known.thresholds:
            result[k] = (known.thresholds[k], law.cite(known.citation_for(k)))
        elif known.average is not None:
            result[k] = (k * known.average, law.cite(known.citation_for(k)))
        else:
            raise LawError(
                f"Tærsklen ved {k} gange landsgennemsnittet for dømte er ikke kendt for listeår {year}, "
                f"og landsgennemsnittet selv er ikke kendt. Angiv landsgennemsnittet."
            )
    return result


def _bind_history(rule: Rule, list_ids: Mapping[str, str]) -> Rule:
    if isinstance(rule, History):
        target = list_ids.get(rule.reported_list)
        if target is None:
            raise LawError(f"historikreglen henviser til listen {rule.reported_list!r}, som ikke findes")
        return replace(rule, current=ListRule(target))
    if isinstance(rule, AllOf):
        return AllOf(tuple(_bind_history(p, list_ids) for p in rule.parts))
    if isinstance(rule, Not):
        return replace(rule, part=_bind_history(rule.part, list_ids))
    return rule


def compile_rules(law: Law, year: int, user_averages: Mapping[int, Fraction] | None = None) -> CompiledRules:
    rule_set = law.rule_set(year)
    conviction = conviction_thresholds(law, rule_set, year, user_averages or {})
    thresholds: dict[str, Fraction] = {}
    notes: dict[str, str] = {}
    citations: dict[str, Citation] = {}
    for key, param in rule_set.criteria.items():
        citations[key] = law.cite(param.citation)
        if param.threshold is not None:
            thresholds[key] = param.threshold
        elif not conviction:
            notes[key] = (
                f"{param.national_average_multiple} gange landsgennemsnittet; afhænger af landsgennemsnittet, "
                f"som ikke er kendt for listeår {year}"
            )
        else:
            assert param.national_average_multiple is not None
            value, source = conviction[param.national_average_multiple]
            thresholds[key] = value
            notes[key] = f"{param.national_average_multiple} gange landsgennemsnittet; kilde: {source.title}" + (
                f", {source.paragraph}" if source.certainty != "user" else f" ({source.paragraph})"
            )
    reported_to_id = {p.reported_as: list_id for list_id, p in rule_set.lists.items()}
    rules = {list_id: _bind_history(parse_rule(p.rule), reported_to_id) for list_id, p in rule_set.lists.items()}
    return CompiledRules(
        year=year,
        rule_set=rule_set,
        rules=rules,
        thresholds=thresholds,
        threshold_notes=notes,
        citations=citations,
        list_citations={list_id: law.cite(p.citation) for list_id, p in rule_set.lists.items()},
        conviction=conviction,
        min_residents=rule_set.min_residents.value,
        average_known=bool(conviction) or not rule_set.needs_national_average,
    )

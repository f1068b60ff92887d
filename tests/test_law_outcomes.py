"""`CompiledRules.outcomes_at` (the outcomes found by the value's interval among the thresholds)
gives what testing every criterion at the value gives, in every era, at the thresholds, a hair
either side of them and anywhere else."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from boligsocial.law.evaluate import outcomes_for_value
from boligsocial.law.figures import Measure
from boligsocial.law.parameters import load_law
from boligsocial.law.thresholds import CompiledRules, compile_rules

LAW = load_law()
YEARS = [2010, 2014, 2018, 2019, 2021, 2024]
RULES = {year: compile_rules(LAW, year, {year: Fraction("0.73"), year - 1: Fraction("0.7")}) for year in YEARS}


def near_thresholds(rules: CompiledRules, measure: Measure) -> list[Fraction]:
    tiny = Fraction(1, 10**12)
    return [
        t + d
        for key in rules.criteria_for(measure)
        for t in (rules.thresholds[key],)
        for d in (-tiny, Fraction(0), tiny)
    ]


def test_at_and_beside_every_threshold() -> None:
    checked = 0
    for rules in RULES.values():
        for measure in Measure:
            if not rules.criteria_for(measure):
                continue
            for value in [Fraction(0), Fraction(100), *near_thresholds(rules, measure)]:
                assert rules.outcomes_at(measure, value) == outcomes_for_value(rules, measure, value)
                checked += 1
    assert checked > 100


@settings(max_examples=300, deadline=None)
@given(
    year=st.sampled_from(YEARS),
    measure=st.sampled_from(list(Measure)),
    value=st.fractions(min_value=-10, max_value=200, max_denominator=10**6),
)
def test_anywhere(year: int, measure: Measure, value: Fraction) -> None:
    rules = RULES[year]
    if rules.criteria_for(measure):
        assert rules.outcomes_at(measure, value) == outcomes_for_value(rules, measure, value)

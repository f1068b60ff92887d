"""Whether a unit's list statuses wait for the national conviction average (`needs_average`):
the check names those units, so that a user knows which statuses giving the average would settle."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from boligsocial.law.evaluate import (
    Part,
    _assemble,
    _measure_part,
    _outcomes_at,
    _parts,
    average_resolutions,
    eligibility,
    history_statuses,
    statuses,
)
from boligsocial.law.figures import Measure, Measurement, UnitFigures
from boligsocial.law.thresholds import CompiledRules
from boligsocial.law.verdicts import HistoryYear, Status


def needs_average(
    rules: CompiledRules, unit: UnitFigures, ignore_min_residents: bool, history: Mapping[str, tuple[HistoryYear, ...]]
) -> bool:
    """Whether some list status of the unit is undetermined because the national conviction
    average is unknown: it differs between the averages that resolve the convicted criteria
    differently (`average_resolutions` of the unit's convicted value). False when it is known.

    A convicted value that is wholly unknown needs no average: whatever it is, the value could lie
    on either side of any threshold, so knowing the average would settle nothing."""
    if rules.average_known:
        return False
    measures = {rules.param(key).measure for key in rules.rule_set.criteria if rules.threshold(key) is None}
    merged = history_statuses(rules, history)
    parts = _parts(rules, unit)
    eligible = eligibility(rules, unit, ignore_min_residents)
    seen: set[tuple[tuple[Status, Status], ...]] = set()
    tried: set[tuple[object, ...]] = set()
    for measure in measures:
        m = unit.measurement(measure)
        for average in average_resolutions(rules, measure, m.lower, m.upper):
            resolved = {other: _resolved_part(rules, other, unit.measurement(other), average) for other in measures}
            resolved_key = tuple((other, tuple(tuple(o.items()) for o in part)) for other, part in resolved.items())
            if resolved_key in tried:
                continue  # the same outcomes as an earlier average: the same statuses
            tried.add(resolved_key)
            # A world's statuses do not depend on the thresholds, so `rules` serves every average.
            current = statuses(rules, _assemble({**parts, **resolved}.values(), eligible, merged))
            seen.add(tuple(current[lid] for lid in sorted(current)))
            if len(seen) > 1:
                return True
    return False


def _resolved_part(rules: CompiledRules, measure: Measure, measurement: Measurement, average: Fraction) -> Part:
    """`_measure_part` under `rules.with_average(average)`; a known value needs no resolved rules."""
    if measurement.exact:
        assert measurement.value is not None
        return (_outcomes_at(rules, measure, measurement.value, average),)
    return _measure_part(rules.with_average(average), measure, measurement)

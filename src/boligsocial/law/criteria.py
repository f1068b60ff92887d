"""A unit's result on one criterion (`CriterionResult`), from the outcomes its state already holds.

A national file makes 90.000 of them (9.000 units, 10 criteria), so what is the same for every
unit (the criterion's wording, threshold, citation) is gathered once per compiled rules, and
each result is made from those fields and the unit's own without the frozen dataclass's
field-by-field `__init__` (a tenth of `check`'s classification).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from boligsocial.law.figures import Measure, UnitFigures
from boligsocial.law.parameters import Operator
from boligsocial.law.thresholds import CompiledRules
from boligsocial.law.verdicts import CriterionResult, Verdict
from boligsocial.law.vocabulary import MEASURE_LABELS_DA

Outcomes = Sequence[Mapping[str, bool]]  # the measure's outcome at its value, or every alternative


def part_verdict(part: Outcomes, key: str) -> Verdict:
    """Met or not met when every outcome the measure may have agrees on the criterion; else unknown."""
    if len(part) == 1:
        return Verdict.MET if part[0][key] else Verdict.NOT_MET
    found = {o[key] for o in part}
    if len(found) != 1:
        return Verdict.UNKNOWN
    return Verdict.MET if found.pop() else Verdict.NOT_MET


def _fixed_fields(rules: CompiledRules, key: str) -> tuple[Measure, Operator, dict[str, Any]]:
    memo_key = ("criterion fields", key)
    found = rules.local.get(memo_key)
    if found is None:
        param = rules.param(key)
        fields = {
            "key": key,
            "measure": param.measure,
            "label": MEASURE_LABELS_DA[param.measure],
            "wording": param.wording,
            "population": param.population,
            "operator": param.operator,
            "threshold": rules.threshold(key),  # None: a multiple of an unknown national average
            "threshold_note": rules.threshold_notes.get(key),
            "citation": rules.citations[key],
        }
        found = rules.local[memo_key] = (param.measure, param.operator, fields)
    return found


def criterion_result(
    rules: CompiledRules, key: str, unit: UnitFigures, parts: Mapping[Measure, Outcomes]
) -> CriterionResult:
    """`parts`: the unit's outcomes per measure (`evaluate._parts`), which decide the verdict."""
    measure, operator, fixed = _fixed_fields(rules, key)
    measurement = unit.measurement(measure)
    threshold = fixed["threshold"]
    value = measurement.value
    ranged = not measurement.exact and (measurement.lower is not None or measurement.upper is not None)
    result = object.__new__(CriterionResult)
    # Equal to CriterionResult(**fields): the dataclass has no __post_init__ and no slots.
    result.__dict__.update(fixed)
    result.__dict__.update(
        value=value,
        numerator=measurement.numerator,
        denominator=measurement.denominator,
        approximate=measurement.approximate,
        verdict=part_verdict(parts[measure], key),
        margin_pp=None if value is None or threshold is None else operator.margin(value, threshold),
        lower=measurement.lower if ranged else None,
        upper=measurement.upper if ranged else None,
        ranged=ranged,
    )
    return result

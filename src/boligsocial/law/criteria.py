"""A unit's result on one criterion (`CriterionResult`), from the outcomes its state already holds.

A national file makes 90.000 of them (9.000 units, 10 criteria), so what is the same for every
unit (the criterion's wording, threshold, citation) is gathered once per compiled rules, what
comes from the unit's measurement once per measure, and each result is made from those fields
without the frozen dataclass's field-by-field `__init__` (a tenth of `check`'s classification).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from boligsocial.law.figures import Measure, Measurement, UnitFigures
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


def _fixed_fields(rules: CompiledRules) -> list[tuple[str, Measure, bool, dict[str, Any]]]:
    """Per criterion of the rule set, in its order: key, measure, whether the operator is `<`
    (the margin's sign), and the result's fields that are the same for every unit."""
    memo_key = ("criterion fields",)
    found = rules.local.get(memo_key)
    if found is None:
        found = rules.local[memo_key] = []
        for key in rules.rule_set.criteria:
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
            found.append((key, param.measure, param.operator is Operator.LT, fields))
    return found


def _measurement_fields(measurement: Measurement) -> dict[str, Any]:
    """The result's fields that come from the unit's measurement (shared by the measure's criteria)."""
    ranged = not measurement.exact and (measurement.lower is not None or measurement.upper is not None)
    return {
        "value": measurement.value,
        "numerator": measurement.numerator,
        "denominator": measurement.denominator,
        "approximate": measurement.approximate,
        "lower": measurement.lower if ranged else None,
        "upper": measurement.upper if ranged else None,
        "ranged": ranged,
    }


def criterion_results(
    rules: CompiledRules,
    unit: UnitFigures,
    parts: Mapping[Measure, Outcomes],
    verdicts: Sequence[Verdict] | None = None,
) -> dict[str, CriterionResult]:
    """The unit's result on every criterion of the rule set, by key, in the rule set's order.

    `parts`: the unit's outcomes per measure (`evaluate._parts`), which decide the verdicts;
    `verdicts`: those verdicts in the rule set's order, when the caller has them from a unit
    with the same outcomes."""
    results: dict[str, CriterionResult] = {}
    by_measure: dict[Measure, dict[str, Any]] = {}
    fixed_fields = _fixed_fields(rules)
    if verdicts is None:
        verdicts = [part_verdict(parts[measure], key) for key, measure, _, _ in fixed_fields]
    for (key, measure, below, fixed), verdict in zip(fixed_fields, verdicts, strict=True):
        own = by_measure.get(measure)
        if own is None:
            own = by_measure[measure] = _measurement_fields(unit.measurement(measure))
        threshold, value = fixed["threshold"], own["value"]
        result = object.__new__(CriterionResult)
        # Equal to CriterionResult(**fields): the dataclass has no __post_init__ and no slots,
        # and every field is given (tests/test_law_result_fields.py).
        fields = result.__dict__
        fields.update(fixed)
        fields.update(own)
        fields["verdict"] = verdict
        # `Operator.margin`: signed distance inside (+) or outside (-) the criterion
        fields["margin_pp"] = (
            None if value is None or threshold is None else threshold - value if below else value - threshold
        )
        results[key] = result
    return results

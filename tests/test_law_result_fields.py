"""The results `classify` makes without their dataclass's `__init__` (for speed on a national
file, issue 12) have every field the dataclass declares, as the `__init__` would set them."""

from __future__ import annotations

from dataclasses import fields

from boligsocial.law.classify import Options, classify
from boligsocial.law.given_averages import read_conviction_averages
from boligsocial.law.verdicts import CriterionResult, Flip, ListResult, UnitResult
from boligsocial.plan.inputs import load_key_figure_input
from check_national_golden import KEY_FIGURES


def _declared(cls: type) -> set[str]:
    return {f.name for f in fields(cls)}


def test_every_result_has_exactly_its_declared_fields() -> None:
    units = load_key_figure_input(KEY_FIGURES).units
    seen: dict[type, int] = {}
    for averages in ([], ["0,537964"]):
        result = classify(units, 2024, Options(False, read_conviction_averages(averages, 2024)))
        for unit in result.units:
            objects: list[object] = [unit]
            for listed in unit.lists.values():
                objects += [listed, *listed.criteria, *([listed.flip] if listed.flip else [])]
            for found in objects:
                assert set(vars(found)) == _declared(type(found)), type(found).__name__
                seen[type(found)] = seen.get(type(found), 0) + 1
    assert set(seen) == {UnitResult, ListResult, CriterionResult, Flip}
    # Equal to the dataclass made the ordinary way, field for field.
    flip = next(r.flip for u in result.units for r in u.lists.values() if r.flip)
    assert Flip(**vars(flip)) == flip

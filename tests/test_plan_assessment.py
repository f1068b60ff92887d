"""`plan.assessment`: the one place that classifies a plan, on the bundled example."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

import pytest

import boligsocial.plan.assessment as assessment_module
from boligsocial.law.errors import LawError
from boligsocial.law.figures import Measure, Measurement, UnitFigures
from boligsocial.plan.assessment import PlanAssessment, assess, load_assessment
from boligsocial.plan.inputs import InputError
from boligsocial.plan.model import AfdelingRef

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter"


@pytest.fixture(scope="module")
def example() -> PlanAssessment:
    return load_assessment(EXAMPLE)


def counted_classifications(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """From now on, each classification of the assessment module appends its
    `ignore_min_residents` (True: the evaluation as areas) to the list returned."""
    calls: list[bool] = []
    real = assessment_module.classify

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args[2].ignore_min_residents)
        return real(*args, **kwargs)

    monkeypatch.setattr(assessment_module, "classify", counting)
    return calls


def afdeling(assessment: PlanAssessment, name: str):  # type: ignore[no-untyped-def]
    return next(a for a in assessment.plan.afdelinger if a.navn == name)


def test_the_example_is_classified_once_and_as_areas_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = counted_classifications(monkeypatch)
    loaded = load_assessment(EXAMPLE)
    assert calls == [False]
    assert loaded.result is not None and loaded.list_year == 2022
    hammelstruphus = loaded.as_area_verdict(afdeling(loaded, "Hammelstruphus"))
    assert calls == [False, True]
    loaded.as_area_verdict(afdeling(loaded, "Elleparken"))
    assert calls == [False, True], "the evaluation as areas is made once"
    assert hammelstruphus is not None and hammelstruphus.eligible is True


def test_a_verdict_is_found_whatever_the_case_and_spacing(example: PlanAssessment) -> None:
    folehaven = afdeling(example, "Folehaven")
    renamed = folehaven.model_copy(update={"navn": "  FOLEHAVEN ", "boligorganisation": "3b"})
    assert example.verdict(folehaven) is example.verdict(renamed) is not None
    assert example.figures(renamed) is example.figures(folehaven) is not None
    assert example.area_verdict("sjælør  boulevard") is example.area_verdict("Sjælør Boulevard") is not None
    other_organisation = folehaven.model_copy(update={"boligorganisation": "AAB"})
    assert example.verdict(other_organisation) is None


def test_the_as_area_statuses_agree_with_the_full_evaluation_as_an_area(example: PlanAssessment) -> None:
    checked = 0
    for afd in example.plan.afdelinger:
        unit = example.verdict(afd)
        if unit is None or unit.eligible is not False:
            continue
        full = example.as_area_verdict(afd)
        assert full is not None and unit.as_area is not None
        assert {name: r.status for name, r in full.lists.items()} == unit.as_area
        checked += 1
    assert checked >= 20  # most of the example's departments are below 1,000 residents


def test_which_omraade_a_department_is_in(example: PlanAssessment) -> None:
    omraade = example.omraade_of(afdeling(example, "Afd. 50"))
    assert omraade is not None and omraade.navn == "Sjælør Boulevard"
    assert example.omraade_of(afdeling(example, "Folehaven")) is None


def test_the_indicators_of_a_department(example: PlanAssessment) -> None:
    folehaven = afdeling(example, "Folehaven")
    first, *rest = example.plan.indikatorer
    following = first.model_copy(update={"afdelinger": [AfdelingRef(boligorganisation="3B", afdeling="Folehaven")]})
    plan = example.plan.model_copy(update={"indikatorer": [following, *rest]})
    changed = dataclasses.replace(example, plan=plan)
    assert [i.id for i in changed.indicators_of(plan.afdelinger[plan.afdelinger.index(folehaven)])] == [first.id]
    assert example.indicators_of(folehaven) == []


def _with_measure(units: list[UnitFigures], name: str, measure: Measure, value: int) -> list[UnitFigures]:
    return [
        dataclasses.replace(u, measures={**u.measures, measure: Measurement(Fraction(value))}) if u.name == name else u
        for u in units
    ]


def test_what_changed_since_another_assessment(example: PlanAssessment) -> None:
    assert example.changes_since(example) == []
    # Folehaven is a forebyggelsesomraade on its non-western share (47,5 % > 30 %); at 20 % it is not.
    units = _with_measure(example.units, "Folehaven", Measure.IKKE_VESTLIGE, 20)
    after = assess(example.plan, units)
    changes = after.changes_since(example)
    assert [(c.unit.name, c.list_name, c.before, c.after) for c in changes] == [
        ("Folehaven", "forebyggelsesomraade", True, False)
    ]
    assert changes[0].afdeling is afdeling(example, "Folehaven")
    assert after.changes_since(after) == []


def test_an_assessment_says_why_it_has_no_verdicts(example: PlanAssessment) -> None:
    empty = assess(example.plan, [])
    assert empty.result is None and empty.problem is not None and "ingen nøgletal" in empty.problem
    no_year = assess(example.plan.model_copy(update={"liste_aar": None}), example.units)
    assert no_year.result is None and no_year.problem is not None and "listeår" in no_year.problem
    with pytest.raises(InputError):
        no_year.require_result()
    # No rules are in force before 2010: a law gap. (2023, whose national conviction average the
    # law files do not hold, is assessed: see tests/test_law_conviction_average.py.)
    gap = assess(example.plan, [dataclasses.replace(u, list_year=2009) for u in example.units], 2009)
    assert gap.result is None and isinstance(gap.law_error, LawError)
    with pytest.raises(LawError):
        gap.require_result()


def test_load_assessment_names_the_folder_when_the_plan_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=str(tmp_path)):
        load_assessment(tmp_path)


def test_an_assessment_is_reused_only_for_equal_key_figures_and_year(monkeypatch: pytest.MonkeyPatch) -> None:
    example = load_assessment(EXAMPLE)
    calls = counted_classifications(monkeypatch)
    renamed = example.plan.model_copy(update={"navn": "Mit Kvarter, rettet"})
    again = example.reused_for(renamed, list(example.units), None)
    assert again is not None and again.plan.navn == "Mit Kvarter, rettet" and again.result is example.result
    assert again.as_areas is example.as_areas and calls == [True], "the evaluation as areas is made once for both"
    assert example.reused_for(example.plan, example.units[1:], None) is None
    assert example.reused_for(example.plan, list(example.units), 2021) is None
    assert calls == [True]

"""The forecast of next year's lists (law/forecast.py): trends, the vectorised decision against
the law's own, determinism, suppressed figures, and the statuses it starts from."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest

from boligsocial.law.classify import Options, classify
from boligsocial.law.evaluate import statuses, unit_state
from boligsocial.law.figures import Measure, Measurement, UnitFigures
from boligsocial.law.forecast import (
    OFF,
    ON,
    UNDETERMINED,
    Settings,
    StatusBook,
    decide,
    fit_trend,
    forecast,
)
from boligsocial.law.parameters import load_law
from boligsocial.law.thresholds import compile_rules

AVERAGES = {y: Fraction(7, 10) for y in range(2018, 2027)}
OPTIONS = Options(conviction_averages=AVERAGES)
FAST = Settings(draws=2000)


def unit(
    year: int, values: dict[Measure, float | None], residents: int | None = 2500, name: str = "Testparken"
) -> UnitFigures:
    measures = {
        m: Measurement.unknown() if v is None else Measurement(value=Fraction(str(v))) for m, v in values.items()
    }
    return UnitFigures(name=name, kind="omraade", list_year=year, residents=residents, measures=measures)


PARALLEL = {
    Measure.UDEN_FOR_ARBEJDSMARKED: 60.0,
    Measure.IKKE_VESTLIGE: 80.0,
    Measure.DOEMTE: 5.0,
    Measure.KUN_GRUNDSKOLE: 85.0,
    Measure.INDKOMST: 30.0,
}
CALM = {
    Measure.UDEN_FOR_ARBEJDSMARKED: 10.0,
    Measure.IKKE_VESTLIGE: 8.0,
    Measure.DOEMTE: 0.5,
    Measure.KUN_GRUNDSKOLE: 15.0,
    Measure.INDKOMST: 110.0,
}


def test_trend_through_a_line_predicts_the_line_and_a_constant_its_value() -> None:
    line = fit_trend("x", [(2020, 10.0), (2021, 12.0), (2022, 14.0), (2023, 16.0)], 2024, 2.0)
    assert line.predicted == pytest.approx(18.0)
    assert line.slope == pytest.approx(2.0)
    # no residuals: the spread is the default pooled over 2 + 2 degrees of freedom
    assert line.spread == pytest.approx(2.0 * (2 / 4) ** 0.5)
    constant = fit_trend("x", [(2020, 60.0), (2021, 60.0), (2022, 60.0)], 2023, 2.5)
    assert constant.predicted == 60.0 and constant.slope == 0.0
    single = fit_trend("x", [(2022, 41.0)], 2023, 2.5)
    assert (single.predicted, single.slope, single.sd) == (41.0, 0.0, 2.5)
    assert fit_trend("x", [], 2023, 2.5).predicted is None


def test_far_above_every_threshold_with_a_flat_trend_stays_on_the_lists_it_is_on() -> None:
    units = [unit(y, PARALLEL) for y in (2021, 2022, 2023)] + [
        unit(y, CALM, name="Roparken") for y in (2021, 2022, 2023)
    ]
    result = forecast(units, 2024, OPTIONS, settings=FAST)
    assert (result.year, result.from_year) == (2024, 2023)
    on = result.unit(("omraade", "", "Testparken"))
    assert on is not None
    assert on.lists["udsat_boligomraade"].current is True
    assert on.lists["udsat_boligomraade"].p_on == 1.0
    assert on.lists["parallelsamfund"].p_on == 1.0
    assert on.lists["parallelsamfund"].p_change == 0.0
    assert on.lists["forebyggelsesomraade"].p_on == 0.0  # excluded while udsat (in practice)
    # omdannelse needs parallelsamfund in 2020, which the collection does not hold
    assert on.lists["omdannelsesomraade"].p_undetermined == 1.0
    calm = result.unit(("omraade", "", "Roparken"))
    assert calm is not None
    assert all(f.p_on == 0.0 and f.p_undetermined == 0.0 for f in calm.lists.values())


def test_a_unit_crossing_a_threshold_by_its_trend() -> None:
    """Outside work falls 44 -> 40 -> 36 -> 32 (forebyggelse needs > 30): the line says 28 next
    year, so the unit most likely leaves forebyggelse, where "as this year" keeps it on."""
    base = {
        Measure.IKKE_VESTLIGE: 40.0,
        Measure.DOEMTE: 0.5,
        Measure.KUN_GRUNDSKOLE: 20.0,
        Measure.INDKOMST: 60.0,  # < 65: one forebyggelse criterion met
    }
    path = [44.0, 40.0, 36.0, 32.0]
    units = [unit(2020 + i, base | {Measure.UDEN_FOR_ARBEJDSMARKED: v}) for i, v in enumerate(path)]
    result = forecast(units, 2024, OPTIONS, settings=FAST)
    found = result.units[0].lists["forebyggelsesomraade"]
    assert found.current is True  # 32 > 30 and income < 65: two criteria
    assert found.p_on < 0.2
    assert found.p_change > 0.8
    # the same figures without the fall: it stays
    flat = [unit(2020 + i, base | {Measure.UDEN_FOR_ARBEJDSMARKED: 32.0}) for i in range(4)]
    stays = forecast(flat, 2024, OPTIONS, settings=FAST).units[0].lists["forebyggelsesomraade"]
    assert stays.p_on > 0.75


def test_the_forecast_is_deterministic_and_independent_of_the_other_units() -> None:
    mixed = {m: v + 1.0 for m, v in CALM.items()} | {Measure.UDEN_FOR_ARBEJDSMARKED: 38.0, Measure.INDKOMST: 56.0}
    series = [unit(y, mixed | {Measure.KUN_GRUNDSKOLE: 55.0 + y - 2020}) for y in (2020, 2021, 2022)]
    others = [unit(y, PARALLEL, name=f"Anden {i}") for i in range(30) for y in (2020, 2021, 2022)]
    alone = forecast(series, 2023, OPTIONS, settings=FAST)
    again = forecast(series, 2023, OPTIONS, settings=FAST)
    among = forecast(others + series, 2023, OPTIONS, settings=dataclasses.replace(FAST, chunk=7))
    assert alone == again
    found = among.unit(alone.units[0].key)
    assert found is not None and found.lists == alone.units[0].lists
    assert 0.0 < alone.units[0].lists["udsat_boligomraade"].p_on < 1.0  # near thresholds: a real probability
    other_seed = forecast(series, 2023, OPTIONS, settings=dataclasses.replace(FAST, seed=7))
    assert other_seed.units[0].lists != alone.units[0].lists


def test_a_suppressed_figure_leaves_what_it_could_change_undetermined() -> None:
    # Outside work is suppressed every year; the other figures meet exactly one udsat criterion
    # (income < 55), so udsat depends on the suppressed figure (or on convictions, which are low).
    values = dict(CALM) | {Measure.INDKOMST: 40.0, Measure.UDEN_FOR_ARBEJDSMARKED: None}
    units = [unit(y, values) for y in (2021, 2022, 2023)]
    found = forecast(units, 2024, OPTIONS, settings=FAST).units[0]
    assert found.lists["udsat_boligomraade"].current is None
    assert found.lists["udsat_boligomraade"].p_undetermined == 1.0
    assert found.lists["parallelsamfund"].p_on == 0.0  # 8 % non-western: never parallelsamfund
    assert found.lists["parallelsamfund"].p_undetermined == 0.0
    assert not found.trends[0].known
    # Suppressed in some years only: the line is fitted on the years that have it
    partly = [unit(2021, values), *(unit(y, dict(CALM) | {Measure.INDKOMST: 40.0}) for y in (2022, 2023))]
    line = forecast(partly, 2024, OPTIONS, settings=FAST).units[0]
    assert [p[0] for p in line.trends[0].points] == [2022, 2023]
    assert line.lists["udsat_boligomraade"].p_undetermined == 0.0


def test_an_unknown_resident_count_and_a_shrinking_one() -> None:
    unknown = [unit(y, PARALLEL, residents=None) for y in (2022, 2023)]
    found = forecast(unknown, 2024, OPTIONS, settings=FAST).units[0]
    assert found.lists["udsat_boligomraade"].p_undetermined == 1.0
    shrinking = [unit(2020 + i, PARALLEL, residents=r) for i, r in enumerate((1300, 1200, 1100, 1000))]
    leaving = forecast(shrinking, 2024, OPTIONS, settings=FAST).units[0].lists["udsat_boligomraade"]
    assert leaving.current is True and leaving.p_change > 0.5


def test_no_earlier_year_is_a_danish_error() -> None:
    from boligsocial.law.errors import LawError

    with pytest.raises(LawError, match="intet listeår før 2021"):
        forecast([unit(2021, PARALLEL)], 2021, OPTIONS)


def test_an_unknown_average_is_carried_forward_and_said() -> None:
    units = [unit(y, PARALLEL) for y in (2022, 2023)]
    result = forecast(units, 2024, Options(), settings=FAST)
    assert any("listeår 2022" in note for note in result.notes)  # the law knows 2022's thresholds
    assert result.units[0].lists["parallelsamfund"].p_on == 1.0


@pytest.mark.parametrize("year", [2019, 2022])
def test_the_vectorised_decision_is_the_laws_decision_value_by_value(year: int) -> None:
    """Random values, many of them exactly at a threshold, decided by `decide` and one by one by
    `unit_state` + `statuses`: the same status on every list for every value."""
    rules = compile_rules(load_law(), year, AVERAGES)
    rng = np.random.default_rng(year)
    n = 3000
    points = {
        m: np.concatenate([[float(rules.thresholds[k]) for k in rules.criteria_for(m) if k in rules.thresholds], [0.0]])
        for m in Measure
    }
    values: dict[Measure, np.ndarray] = {}
    for m in Measure:
        spread = rng.uniform(0, 100 if m is not Measure.DOEMTE else 5, n)
        exact = rng.choice(points[m], n)
        values[m] = np.where(rng.random(n) < 0.3, exact, np.round(spread, 2))
    residents = rng.choice([999.0, 1000.0, 1500.0, 400.0], n)
    history = {year - k: bool(rng.random() < 0.5) for k in range(1, 5)}
    got = decide(rules, values, residents, history)
    codes = {True: ON, False: OFF, None: UNDETERMINED}
    for i in range(n):
        figures = UnitFigures(
            name="x",
            kind="omraade",
            list_year=year,
            residents=int(residents[i]),
            measures={m: Measurement(value=Fraction(float(values[m][i]))) for m in Measure},
        )
        expected = statuses(rules, unit_state(rules, figures, False, history))
        for list_id, (status, _) in expected.items():
            assert got[list_id][i] == codes[status], (i, list_id, {m.value: values[m][i] for m in Measure})


def test_the_status_book_agrees_with_classify() -> None:
    """The statuses the forecast starts from are classify's, history lists included."""
    rng = np.random.default_rng(5)
    units = []
    for i in range(40):
        for year in range(2019, 2024):
            values = {m: float(np.round(rng.uniform(*bounds), 1)) for m, bounds in _RANGES.items()}
            suppressed = rng.random() < 0.1
            if suppressed:
                values[Measure.DOEMTE] = None
            units.append(unit(year, values, residents=int(rng.choice([800, 1200, 3000])), name=f"Område {i}"))
    book = StatusBook(units, OPTIONS, load_law())
    for year in (2021, 2023):
        result = classify(units, year, OPTIONS)
        for u in result.units:
            mine = book.all(("omraade", "", u.name), year)
            assert mine == {name: r.status for name, r in u.lists.items()}, (u.name, year)


_RANGES = {
    Measure.UDEN_FOR_ARBEJDSMARKED: (20.0, 50.0),
    Measure.IKKE_VESTLIGE: (20.0, 70.0),
    Measure.DOEMTE: (0.5, 3.0),
    Measure.KUN_GRUNDSKOLE: (40.0, 70.0),
    Measure.INDKOMST: (45.0, 80.0),
}

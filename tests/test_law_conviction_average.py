"""A list year without a known national conviction average (issue 11, point 3).

The convicted criteria (k × the national average, k = 3 or 2) then have no threshold and are
unknown outcomes; a list status that does not depend on them stays determined, and the result
names exactly the units whose statuses depend on the average. Nothing is asked when nothing
depends on it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from boligsocial.cli import app
from boligsocial.law.classify import Options, classify
from boligsocial.law.figures import Measure, UnitFigures
from boligsocial.law.render import render_table
from boligsocial.law.verdicts import ListYearResult, Verdict, result_dict
from boligsocial.plan.assessment import assess
from boligsocial.plan.inputs import load_plan_and_figures
from builders import unit

YEAR = 2023  # rules of 2021 (3 × and 2 ×), no published average
AVERAGE = Fraction("0.7")
# Udsat by the convicted criterion alone (outside work + convicted: 2 of 4): depends on the average.
BY_CONVICTED = {"outside": "45", "nonwest": "20", "convicted": "2,50", "basic": "40", "income": "60"}
# Udsat and parallelsamfund by three other criteria, whatever the convicted share.
SETTLED = {"outside": "45", "nonwest": "55", "convicted": "2,50", "basic": "65", "income": "50"}
# On no list whatever the average: no other criterion of udsat met, non-western 20.
CALM = {"outside": "35", "nonwest": "20", "convicted": "2,50", "basic": "40", "income": "70"}


def statuses(result: ListYearResult) -> dict[str, dict[str, bool | None]]:
    return {u.name: {n: r.status for n, r in u.lists.items()} for u in result.units}


def with_average(units: list[UnitFigures], average: Fraction = AVERAGE) -> ListYearResult:
    return classify(units, YEAR, Options(conviction_averages={YEAR: average}))


def test_suppressed_convicted_cells_need_no_average() -> None:
    units = [
        unit("A", residents=1500, year=YEAR, **{**BY_CONVICTED, "convicted": None}),
        unit("B", residents=1500, year=YEAR, **{**SETTLED, "convicted": None}),
    ]
    result = classify(units, YEAR)
    assert not result.conviction_average_known
    assert result.needs_conviction_average == ()
    assert statuses(result) == statuses(with_average(units))  # verdicts as if it were known
    assert result.unit("A").lists["udsat_boligomraade"].status is None  # the value itself is unknown
    assert "Ingen enheds listestatus afhænger af det." in render_table(result)


def test_a_status_settled_by_the_other_criteria_stays_determined() -> None:
    result = classify([unit("B", residents=1500, year=YEAR, **SETTLED)], YEAR)
    lists = result.unit("B").lists
    assert lists["udsat_boligomraade"].status is True
    assert lists["parallelsamfund"].status is True
    assert result.needs_conviction_average == ()
    convicted = next(c for c in lists["udsat_boligomraade"].criteria if c.key == "doemte")
    assert convicted.verdict is Verdict.UNKNOWN and convicted.threshold is None and convicted.margin_pp is None
    assert convicted.threshold_note and "ikke er kendt for listeår 2023" in convicted.threshold_note


def test_a_status_that_depends_on_the_average_is_undetermined_and_the_unit_named() -> None:
    units = [
        unit("A", residents=1500, year=YEAR, boligorganisation="3B", **BY_CONVICTED),
        unit("C", residents=1500, year=YEAR, **CALM),
    ]
    result = classify(units, YEAR)
    assert result.unit("A").lists["udsat_boligomraade"].status is None
    assert result.unit("C").lists["udsat_boligomraade"].status is False
    assert result.needs_conviction_average == ("A (3B)",)
    # Either resolution happens for some average: 2,50 ≥ 3 × 0,7 = 2,1, not ≥ 3 × 0,9 = 2,7.
    assert with_average(units).unit("A").lists["udsat_boligomraade"].status is True
    assert with_average(units, Fraction("0.9")).unit("A").lists["udsat_boligomraade"].status is False
    table = render_table(result)
    assert "Dømte: landsgennemsnittet er ikke kendt for listeår 2023" in table
    assert "Listestatus afhænger af det for: A (3B). Angiv det med --convicted-national-avg 2023:PCT" in table


def test_a_convicted_share_of_zero_meets_no_multiple_of_a_positive_average() -> None:
    result = classify([unit("Z", residents=1500, year=YEAR, **{**BY_CONVICTED, "convicted": "0"})], YEAR)
    lists = result.unit("Z").lists
    assert lists["udsat_boligomraade"].status is False
    verdicts = {c.key: c.verdict for r in lists.values() for c in r.criteria if c.measure is Measure.DOEMTE}
    assert verdicts == {"doemte": Verdict.NOT_MET, "forebyggelse_doemte": Verdict.NOT_MET}
    assert result.needs_conviction_average == ()


def test_between_the_two_multiples_only_the_orders_2_before_3_are_tried() -> None:
    # Forebyggelse by 2 × alone (non-western > 30, outside > 30, convicted ≥ 2 ×), never udsat
    # by 3 × without also meeting 2 ×: the outcome "3 × met, 2 × not" never happens.
    figures = {"outside": "35", "nonwest": "35", "convicted": "2,50", "basic": "40", "income": "70"}
    result = classify([unit("F", residents=1500, year=YEAR, **figures)], YEAR)
    lists = result.unit("F").lists
    assert lists["forebyggelsesomraade"].status is None
    assert lists["udsat_boligomraade"].status is False  # 1 of 4 at most besides convicted
    assert result.needs_conviction_average == ("F",)


def test_history_rows_of_a_year_without_the_average_count_where_they_are_settled() -> None:
    # 2022 is checked (average known); the unit's 2018-2021 rows are history only. 2020 and 2021
    # have no known average, but the rows are parallelsamfund by the other criteria.
    rows = [unit("H", residents=1500, year=y, **SETTLED) for y in range(2018, 2023)]
    result = classify(rows, 2022)
    lists = result.unit("H").lists
    assert [h.status for h in lists["omdannelsesomraade"].history] == [True, True, True, True]
    assert lists["omdannelsesomraade"].status is True
    assert result.conviction_average_known and result.needs_conviction_average == ()


def test_the_json_says_the_average_is_unknown_and_who_needs_it() -> None:
    units = [unit("A", residents=1500, year=YEAR, **BY_CONVICTED), unit("B", residents=1500, year=YEAR, **SETTLED)]
    data = result_dict(classify(units, YEAR))
    assert data["conviction_average_known"] is False
    assert data["needs_conviction_average"] == ["A"]
    assert data["conviction_thresholds"] == {}
    convicted = next(c for c in data["units"][0]["criteria"] if c["key"] == "doemte")
    assert (convicted["threshold"], convicted["margin_pp"], convicted["verdict"]) == (None, None, "ukendt")
    # A known average adds nothing (the example's JSON is pinned).
    known = result_dict(with_average(units))
    assert "conviction_average_known" not in known and "needs_conviction_average" not in known


# --- The CLI ------------------------------------------------------------------------------------------

HEADER = "boligorganisation;afdeling;beboere;uden_for_arbejdsmarked_pct;ikke_vestlige_pct;doemte_pct;"
HEADER += "kun_grundskole_pct;indkomst_pct_af_region;listeaar"


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "noegletal.csv"
    rows = [HEADER, "3B;Afhængig;1500;45;20;2,50;40;60;2023", "3B;Afgjort;1500;45;55;2,50;65;50;2023"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_check_prints_the_verdicts_and_the_line_and_exits_0(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(_file(tmp_path))])
    assert result.exit_code == 0, result.stderr
    assert "Listestatus afhænger af det for: Afhængig (3B). Angiv det med --convicted-national-avg 2023:PCT" in (
        result.stdout
    )
    assert "Dømte, landsgennemsnittet:" not in result.stdout
    data = json.loads(CliRunner().invoke(app, ["check", str(_file(tmp_path)), "--format", "json"]).stdout)
    assert data["needs_conviction_average"] == ["Afhængig (3B)"]
    assert {u["name"]: u["lists"]["udsat_boligomraade"] for u in data["units"]} == {"Afhængig": None, "Afgjort": True}


def test_check_with_the_average_given_works_as_before(tmp_path: Path) -> None:
    args = ["check", str(_file(tmp_path)), "--convicted-national-avg", "2023:0,7"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert "Dømte, landsgennemsnittet: 3 × = 2,1 pct., 2 × = 1,4 pct." in result.stdout
    assert "ikke kendt" not in result.stdout
    data = json.loads(CliRunner().invoke(app, [*args, "--format", "json"]).stdout)
    assert data["conviction_thresholds"]["3"]["threshold"] == 2.1
    assert {u["name"]: u["lists"]["udsat_boligomraade"] for u in data["units"]} == {"Afhængig": True, "Afgjort": True}


# --- Exactness against known averages ----------------------------------------------------------------

SHARE = st.sampled_from(["20", "29", "31", "41", "49", "51", "59", "61", "70", None])
CONVICTED = st.sampled_from(["0", "0,5", "1,4", "1,45", "2,1", "2,18", "2,9", "4", None])
AVERAGES = st.lists(st.fractions(min_value=Fraction(1, 100), max_value=Fraction(3)), min_size=1, max_size=3)


@settings(max_examples=30, deadline=None)
@given(outside=SHARE, nonwest=SHARE, basic=SHARE, income=SHARE, convicted=CONVICTED, averages=AVERAGES)
def test_unknown_average_agrees_with_every_known_one(
    outside: str | None,
    nonwest: str | None,
    basic: str | None,
    income: str | None,
    convicted: str | None,
    averages: list[Fraction],
) -> None:
    """A determined status holds for every average; a unit not named gets the same statuses from
    every average; a named unit gets different statuses from some two averages."""
    figures = unit("U", residents=1500, year=YEAR, **{**_values(outside, nonwest, basic, income, convicted)})
    unknown = classify([figures], YEAR)
    if convicted is not None:
        value = Fraction(convicted.replace(",", "."))
        # Averages that put each multiple exactly on, just under and just over the value.
        near = [value / k * f for k in (2, 3) for f in (Fraction(99, 100), Fraction(1), Fraction(101, 100))]
        averages = [a for a in (*averages, *near) if a > 0]
    known = [statuses(with_average([figures], a))["U"] for a in averages]
    for name, status in statuses(unknown)["U"].items():
        if status is not None:
            assert all(k[name] is status for k in known), name
    if not unknown.needs_conviction_average:
        assert all(k == statuses(unknown)["U"] for k in known)
    elif convicted is not None:
        assert len({tuple(k.values()) for k in known}) > 1


def _values(*values: str | None) -> dict[str, str | None]:
    return dict(zip(("outside", "nonwest", "basic", "income", "convicted"), values, strict=True))


def test_a_plan_in_a_year_without_the_average_is_assessed_not_refused() -> None:
    """The store and the web show the verdicts (`PlanAssessment.result`), not a problem."""
    example = Path(__file__).parent.parent / "examples" / "mit-kvarter"
    plan, units = load_plan_and_figures(example)
    undated = [replace(u, list_year=None) for u in units]
    assessment = assess(plan, undated, 2023)
    assert assessment.problem is None and assessment.result is not None
    assert assessment.result.needs_conviction_average == ("Sjælør Boulevard (område)",)
    assert assessment.area_verdict("Sjælør Boulevard") is not None


# --- Earlier years without the average ----------------------------------------------------------------

# Parallelsamfund (2018 rules) by outside work + convicted only: depends on the average of its year.
HISTORY_BY_CONVICTED = {"outside": "45", "nonwest": "55", "convicted": "2,50", "basic": "40", "income": "70"}


def test_an_earlier_year_without_the_average_is_asked_for_when_a_status_looks_back_at_it() -> None:
    # 2022 is checked (average known). Omdannelsesomraade looks back at parallelsamfund in
    # 2018-2021; in 2020 (no published average) the unit is parallelsamfund only if its convicted
    # share passes the threshold: 2022's omdannelses status is open, and 2020's average is asked for.
    rows = [unit("H", residents=1500, year=y, **SETTLED) for y in (2018, 2019, 2021, 2022)]
    rows.append(unit("H", residents=1500, year=2020, **HISTORY_BY_CONVICTED))
    result = classify(rows, 2022)
    assert result.unit("H").lists["omdannelsesomraade"].status is None
    assert result.conviction_average_known and result.needs_conviction_average == ()
    assert dict(result.history_needs_conviction_average) == {2020: ("H",)}
    assert result_dict(result)["history_needs_conviction_average"] == {"2020": ["H"]}
    assert "ikke kendt for listeår 2020" in render_table(result) and "2020:PCT" in render_table(result)
    # Given 2020's average, the status is settled and nothing is asked.
    given_2020 = classify(rows, 2022, Options(conviction_averages={2020: Fraction("0.9")}))
    assert given_2020.unit("H").lists["omdannelsesomraade"].status is not None
    assert dict(given_2020.history_needs_conviction_average) == {}
    # A unit settled by the other criteria in 2020 asks nothing (the earlier test's case).
    settled = [unit("H", residents=1500, year=y, **SETTLED) for y in range(2018, 2023)]
    assert dict(classify(settled, 2022).history_needs_conviction_average) == {}

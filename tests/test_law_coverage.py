"""Temporal coverage: every list year from 2010 has exactly one rule set, earlier years are an
error, each era reports the lists that existed, a national conviction average that nobody has
published or supplied leaves the convicted thresholds unknown (never a default), and every rule
carries a citation with a URL."""

from __future__ import annotations

import itertools
from fractions import Fraction
from importlib import resources
from typing import Any

import pytest
import yaml

from boligsocial.law.classify import Options, classify
from boligsocial.law.errors import LawError
from boligsocial.law.parameters import CitationRef, Operator, load_law
from boligsocial.law.rules import Not, parse_rule
from boligsocial.law.thresholds import compile_rules
from boligsocial.law.vocabulary import REPORTED_LISTS
from builders import calm, run, unit

FIRST_YEAR, LAST_TESTED = 2010, 2025
ERAS = {
    range(2010, 2014): ("2010-ghettoomraade.yaml", ("parallelsamfund",)),
    range(2014, 2018): ("2014-ghettoomraade.yaml", ("parallelsamfund",)),
    range(2018, 2021): (
        "2018-udsat-ghetto.yaml",
        ("udsat_boligomraade", "parallelsamfund", "omdannelsesomraade"),
    ),
    range(2021, 2100): ("2021-parallelsamfund.yaml", REPORTED_LISTS),
}
KNOWN_AVERAGE_YEARS = (2018, 2019, 2022)
UNKNOWN_AVERAGE_YEARS = (2020, 2021, 2023, 2024, 2025)


def era_of(year: int) -> tuple[str, tuple[str, ...]]:
    return next(v for years, v in ERAS.items() if year in years)


@pytest.mark.parametrize("year", range(FIRST_YEAR, LAST_TESTED + 1))
def test_every_list_year_has_exactly_one_rule_set(year: int) -> None:
    law = load_law()
    assert len(law.rule_sets_for(year)) == 1
    assert law.rule_set(year).file == era_of(year)[0]


@pytest.mark.parametrize("year", [2009, 2005, 1999])
def test_years_before_the_first_list_are_an_error_naming_the_year(year: int) -> None:
    with pytest.raises(LawError, match=str(year)):
        load_law().rule_set(year)
    with pytest.raises(LawError, match=str(year)):
        classify([unit(year=year)], year, Options(conviction_averages={year: Fraction("0.7")}))


def test_rule_sets_are_contiguous_and_open_ended() -> None:
    rule_sets = sorted(load_law().rule_sets, key=lambda rs: rs.list_years.first)
    assert rule_sets[0].list_years.first == FIRST_YEAR
    for before, after in itertools.pairwise(rule_sets):
        assert before.list_years.last is not None
        assert after.list_years.first == before.list_years.last + 1
    assert rule_sets[-1].list_years.last is None


@pytest.mark.parametrize("year", range(FIRST_YEAR, LAST_TESTED + 1))
def test_each_era_reports_the_lists_that_existed(year: int) -> None:
    result = run(unit(year=year), year)
    assert tuple(result.units[0].lists.keys()) == era_of(year)[1]


@pytest.mark.parametrize("year", UNKNOWN_AVERAGE_YEARS)
def test_a_missing_national_average_leaves_the_convicted_thresholds_unknown(year: int) -> None:
    result = classify([unit(year=year)], year)
    assert not result.conviction_average_known and result.conviction_thresholds == {}
    convicted = [c for r in result.units[0].lists.values() for c in r.criteria if c.measure.value == "doemte"]
    assert convicted and all(c.threshold is None and c.margin_pp is None for c in convicted)
    assert all(f"ikke er kendt for listeår {year}" in (c.threshold_note or "") for c in convicted)


@pytest.mark.parametrize("year", UNKNOWN_AVERAGE_YEARS)
def test_a_supplied_national_average_is_used(year: int) -> None:
    average = Fraction("0.73")
    result = classify(
        [calm(year=year, convicted=3 * average, outside="45")],
        year,
        Options(conviction_averages={year: average}),
    )
    thresholds = {k: v for k, (v, _) in result.conviction_thresholds.items()}
    multiples = (3,) if year <= 2020 else (3, 2)  # forebyggelse (2 x) from 2021
    assert thresholds == {k: k * average for k in multiples}
    assert result.units[0].lists["udsat_boligomraade"].status is True
    below = classify(
        [calm(year=year, convicted=3 * average - Fraction(1, 100), outside="45")],
        year,
        Options(conviction_averages={year: average}),
    )
    assert below.units[0].lists["udsat_boligomraade"].status is False


@pytest.mark.parametrize("year", [*range(2010, 2018), *KNOWN_AVERAGE_YEARS])
def test_years_with_a_fixed_or_published_threshold_need_no_average(year: int) -> None:
    result = classify([unit(year=year)], year)
    assert result.list_year == year


def test_a_far_future_year_uses_todays_rules_but_still_needs_the_average() -> None:
    law = load_law()
    assert law.rule_set(2031).file == "2021-parallelsamfund.yaml"
    rules = compile_rules(law, 2031)
    assert not rules.average_known
    assert rules.threshold("doemte") is None and rules.threshold("forebyggelse_doemte") is None


# --- Citations -------------------------------------------------------------------------------------


def _raw_rule_files() -> list[tuple[str, dict[str, Any]]]:
    folder = resources.files("boligsocial.law").joinpath("parameters")
    found = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml") and entry.name not in ("sources.yaml", "national-conviction-average.yaml"):
            found.append((entry.name, yaml.safe_load(entry.read_text(encoding="utf-8"))))
    return found


def _assert_cited(ref: Any, where: str) -> None:
    law = load_law()
    assert isinstance(ref, dict) and ref.get("source") and ref.get("paragraph"), f"{where}: citation mangler"
    cited = law.cite(CitationRef.model_validate(ref))
    assert cited.url.startswith(("https://", "http://")), f"{where}: kilden {ref['source']} har ingen URL"
    assert cited.title.strip(), where


def test_every_criterion_list_and_rule_part_has_a_citation_with_a_url() -> None:
    files = _raw_rule_files()
    assert len(files) == len(ERAS)
    for name, data in files:
        _assert_cited(data["min_residents"]["citation"], f"{name}: min_residents")
        assert data["criteria"], name
        for key, crit in data["criteria"].items():
            _assert_cited(crit.get("citation"), f"{name}: kriterium {key}")
        assert data["lists"], name
        for key, lst in data["lists"].items():
            _assert_cited(lst.get("citation"), f"{name}: liste {key}")
            for node in parse_rule(lst["rule"]).walk():
                if isinstance(node, Not) and node.practice:
                    _assert_cited(node.citation, f"{name}: liste {key}, praksisregel")


def test_every_national_average_has_a_citation_with_a_url() -> None:
    law = load_law()
    assert set(law.conviction_years) == set(KNOWN_AVERAGE_YEARS)
    for year, known in law.conviction_years.items():
        _assert_cited(known.citation.model_dump(), f"national-conviction-average.yaml: {year}")


def test_every_source_has_a_title_and_a_url() -> None:
    for key, source in load_law().sources.items():
        assert source.title.strip() and source.url.strip(), key


def test_wording_matches_the_operator() -> None:
    # "overstiger" is >, "udgør mindst" is >=, "mindre end" is <: the wording shown to users and
    # the operator applied must say the same thing.
    words = {Operator.GT: "overstiger", Operator.GE: "mindst", Operator.LT: "mindre end"}
    for rs in load_law().rule_sets:
        for key, crit in rs.criteria.items():
            assert words[crit.operator] in crit.wording, f"{rs.file}: {key}"
            others = [w for op, w in words.items() if op is not crit.operator]
            assert not any(w in crit.wording for w in others), f"{rs.file}: {key}"


def test_every_year_compiles_and_every_criterion_has_a_threshold() -> None:
    law = load_law()
    for year in range(FIRST_YEAR, LAST_TESTED + 1):
        rules = compile_rules(law, year, {year: Fraction("0.7")} if year in UNKNOWN_AVERAGE_YEARS else {})
        assert set(rules.thresholds) == set(rules.rule_set.criteria), year
        assert rules.min_residents == 1000, year
        reported = {p.reported_as for p in rules.rule_set.lists.values()}
        assert reported == set(era_of(year)[1]), year

"""Law cases as data: every case in tests/law_cases/*.yaml is one parametrised test.

A case file holds `era` (a heading) and `cases`. Each case has

- `description` (Danish; the test id), `citation` (paragraph and source of the rule it shows),
  `list_year`;
- optional `options`: `ignore_min_residents`, `conviction_average` (percent, for the list year)
  and/or `conviction_averages` ({year: percent});
- `unit` (`name`, optional `kind`, `residents`, `outside`, `nonwest`, `convicted`, `basic`,
  `income`; all figures must be written out, "-" = suppressed), or `area` + `members` (a list of
  such units; the area built from them is the subject);
- optional `history`: earlier years of the same unit, each `{list_year: Y, ...}` with only the
  figures that differ from `unit`;
- `expected`: `lists` (every list the year reports, true/false/null), optional `statutory`
  (status before rules of practice), `criteria` ({key: opfyldt|ikke_opfyldt|ukendt}),
  `absent_criteria`, `flips` ({list: text fragment or null}), `residents`, `approximate`;
  or `raises` (an exception class name) with `message` (a fragment of it).

Numbers are strings ("41,0", "2.18") or ints, never YAML floats, so that nothing is rounded
before the rules see it.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from boligsocial.law.classify import Options, classify
from boligsocial.law.errors import LawError
from boligsocial.law.figures import UnitFigures
from boligsocial.law.verdicts import Verdict
from boligsocial.law.vocabulary import REPORTED_LISTS
from builders import FIELDS, criteria, frac, measurement, residents_of

CASES_DIR = Path(__file__).parent / "law_cases"
UNIT_KEYS = {"name", "kind", "residents", *FIELDS}
CASE_KEYS = {
    "description",
    "citation",
    "list_year",
    "options",
    "unit",
    "area",
    "members",
    "history",
    "expected",
}
EXPECTED_KEYS = {
    "lists",
    "statutory",
    "criteria",
    "absent_criteria",
    "flips",
    "residents",
    "approximate",
    "raises",
    "message",
}
ERRORS: dict[str, type[Exception]] = {
    "LawError": LawError,
}


def _no_floats(value: Any, where: str) -> None:
    if isinstance(value, float):
        raise AssertionError(f'{where}: {value!r} er et YAML-kommatal; skriv tal som tekst, fx "41,0"')
    if isinstance(value, dict):
        for k, v in value.items():
            _no_floats(v, f"{where}.{k}")
    if isinstance(value, list):
        for i, v in enumerate(value):
            _no_floats(v, f"{where}[{i}]")


def _ascii_id(text: str) -> str:
    for da, ascii_ in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("Æ", "Ae"), ("Ø", "Oe"), ("Å", "Aa")):
        text = text.replace(da, ascii_)
    return text.encode("ascii", "replace").decode()


def load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert set(data) == {"era", "cases"}, f"{path.name}: forventer 'era' og 'cases'"
        for index, case in enumerate(data["cases"]):
            where = f"{path.name}[{index}]"
            _no_floats(case, where)
            params.append(pytest.param(path.name, case, id=_ascii_id(f"{path.stem}: {case['description']}")))
    return params


CASES = load_cases()


def _figures(spec: dict[str, Any], year: int, name: str | None = None) -> UnitFigures:
    missing = {"residents", *FIELDS} - set(spec)
    assert not missing, f"tallene skal skrives ud i sagen; mangler {sorted(missing)}"
    unknown = set(spec) - UNIT_KEYS - {"list_year", "omraade"}
    assert not unknown, f"ukendte felter {sorted(unknown)}"
    return UnitFigures(
        name=name or str(spec["name"]),
        kind=spec.get("kind", "afdeling"),
        list_year=year,
        residents=residents_of(spec["residents"]),
        measures={measure: measurement(spec[key]) for key, measure in FIELDS.items()},
        omraade=spec.get("omraade"),
    )


def _options(case: dict[str, Any]) -> Options:
    raw = dict(case.get("options") or {})
    assert set(raw) <= {"ignore_min_residents", "conviction_average", "conviction_averages"}, raw
    averages: dict[int, Fraction] = {}
    if "conviction_average" in raw:
        value = frac(raw["conviction_average"])
        assert value is not None
        averages[int(case["list_year"])] = value
    for year, text in (raw.get("conviction_averages") or {}).items():
        value = frac(text)
        assert value is not None
        averages[int(year)] = value
    return Options(ignore_min_residents=bool(raw.get("ignore_min_residents", False)), conviction_averages=averages)


def _collection(case: dict[str, Any]) -> tuple[list[UnitFigures], tuple[str, str]]:
    year = int(case["list_year"])
    if "members" in case:
        area = str(case["area"])
        members = [replace(_figures(m, year), omraade=area) for m in case["members"]]
        return members, ("omraade", area)
    assert "unit" in case, "en sag skal have 'unit' eller 'area' + 'members'"
    current = _figures(case["unit"], year)
    collection = [current]
    for entry in case.get("history") or ():
        past_year = int(entry["list_year"])
        assert past_year < year, "historik skal være tidligere listeår"
        spec = {**case["unit"], **{k: v for k, v in entry.items() if k != "list_year"}}
        collection.append(_figures(spec, past_year))
    return collection, (current.kind, current.name)


@pytest.mark.parametrize(("file", "case"), CASES)
def test_law_case(file: str, case: dict[str, Any]) -> None:
    assert set(case) <= CASE_KEYS, f"ukendte nøgler: {sorted(set(case) - CASE_KEYS)}"
    assert case["citation"].strip() and ("§" in case["citation"] or "praksis" in case["citation"])
    expected = case["expected"]
    assert set(expected) <= EXPECTED_KEYS, f"ukendte nøgler: {sorted(set(expected) - EXPECTED_KEYS)}"
    collection, (kind, name) = _collection(case)
    year = int(case["list_year"])

    if "raises" in expected:
        with pytest.raises(ERRORS[expected["raises"]]) as info:
            classify(collection, year, _options(case))
        assert str(expected["message"]) in str(info.value)
        return

    result = classify(collection, year, _options(case)).unit(name, kind)  # type: ignore[arg-type]
    lists = expected["lists"]
    assert set(lists) <= set(REPORTED_LISTS)
    assert set(result.lists) == set(lists), "listerne, der findes i listeåret"
    assert {k: r.status for k, r in result.lists.items()} == lists
    for list_name, status in (expected.get("statutory") or {}).items():
        assert result.lists[list_name].statutory_status is status, list_name
    shown = criteria(result)
    for key, verdict in (expected.get("criteria") or {}).items():
        assert key in shown, f"kriteriet {key} vises ikke"
        assert shown[key].verdict is Verdict(verdict), key
    for key in expected.get("absent_criteria") or ():
        assert key not in shown, key
    for list_name, fragment in (expected.get("flips") or {}).items():
        flip = result.lists[list_name].flip
        if fragment is None:
            assert flip is None, f"{list_name}: uventet vippepunkt {flip.text if flip else ''}"
        else:
            assert flip is not None, f"{list_name}: intet vippepunkt"
            assert fragment in flip.text, flip.text
    if "residents" in expected:
        assert result.residents == expected["residents"]
    if "approximate" in expected:
        assert result.approximate is expected["approximate"]


def test_there_are_enough_cases_for_every_era() -> None:
    years = [case.values[1]["list_year"] for case in CASES]
    assert len(CASES) >= 40
    for first, last in ((2010, 2013), (2014, 2017), (2018, 2020), (2021, 2100)):
        assert sum(first <= y <= last for y in years) >= 8, (first, last)

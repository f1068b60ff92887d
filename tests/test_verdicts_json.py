"""`result_json` writes exactly what `json.dumps(result_dict(r), ensure_ascii=False, indent=2)`
writes (it replaces it in `check --format json` for speed, issue 12): on every law case, on the
pinned synthetic country in every year with and without averages, and with names that need
escaping."""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction
from typing import Any

import pytest

from boligsocial.law.classify import Options, classify
from boligsocial.law.errors import LawError
from boligsocial.law.verdicts import ListYearResult, result_dict
from boligsocial.law.verdicts_json import result_json
from boligsocial.plan.inputs import load_key_figure_input
from check_national_golden import KEY_FIGURES
from test_law_cases import CASES, _collection, _options

AVERAGES = {2022: Fraction("0.505431"), 2023: Fraction("0.511130"), 2024: Fraction("0.537964")}


def expected(result: ListYearResult) -> str:
    return json.dumps(result_dict(result), ensure_ascii=False, indent=2)


def assert_same(result: ListYearResult) -> None:
    written, reference = result_json(result), expected(result)
    if written != reference:
        lines = zip(written.splitlines(), reference.splitlines(), strict=False)
        line, (ours, theirs) = next((i, pair) for i, pair in enumerate(lines) if pair[0] != pair[1])
        pytest.fail(f"line {line + 1}: {ours!r} != {theirs!r}")


@pytest.mark.parametrize(("file", "case"), CASES)
def test_every_law_case_is_written_as_json_dumps_writes_it(file: str, case: dict[str, Any]) -> None:
    collection, _ = _collection(case)
    try:
        result = classify(collection, int(case["list_year"]), _options(case))
    except LawError:
        assert "raises" in case["expected"]
        return
    assert_same(result)


def test_the_law_cases_hold_ranged_values() -> None:
    """Areas built from rounded or suppressed members: the writer's path for `lower`/`upper`."""
    texts = []
    for case in CASES:
        collection, _ = _collection(case.values[1])
        try:
            texts.append(result_json(classify(collection, int(case.values[1]["list_year"]), _options(case.values[1]))))
        except LawError:
            continue
    assert sum('"approximate": true,\n' in text and '"lower": ' in text for text in texts) >= 1


@pytest.fixture(scope="module")
def country() -> Any:
    return load_key_figure_input(KEY_FIGURES).units


@pytest.mark.parametrize("year", [2022, 2023, 2024])
@pytest.mark.parametrize("averages", [{}, AVERAGES], ids=["unknown-average", "averages"])
@pytest.mark.parametrize("ignore_min", [False, True], ids=["min-residents", "ignore-min"])
def test_the_pinned_country_is_written_as_json_dumps_writes_it(
    country: Any, year: int, averages: dict[int, Fraction], ignore_min: bool
) -> None:
    result = classify(country, year, Options(ignore_min, averages))
    # The country holds what the writer has special paths for.
    text = result_json(result)
    assert '"flip": {' in text and '"history": [\n' in text and '"threshold_note"' in text
    assert_same(result)


def test_text_that_needs_escaping_and_no_units(country: Any) -> None:
    result = classify(country, 2024, Options(False, AVERAGES))
    odd = 'Blok "A" \\ øst\n\t\x01 – 𝄞'
    units = tuple(
        replace(u, name=f"{odd}{i}", boligorganisation=odd if i % 2 else None, omraade=odd, members=(odd, "x"))
        for i, u in enumerate(result.units[:40])
    )
    assert_same(replace(result, units=units, notes=(odd,)))
    assert_same(replace(result, units=()))
    assert json.loads(result_json(replace(result, units=units)))["units"][1]["name"] == f"{odd}1"

"""`--convicted-national-avg` is read by one function for check, forecast and atlas."""

from __future__ import annotations

from fractions import Fraction

import pytest

from boligsocial.law.given_averages import read_conviction_averages


def test_a_value_without_a_year_is_the_checked_years() -> None:
    assert read_conviction_averages(["0,73", "2021:0,72", "2020 = 0,7 %"], 2023) == {
        2023: Fraction("0.73"),
        2021: Fraction("0.72"),
        2020: Fraction("0.7"),
    }


@pytest.mark.parametrize(
    ("given", "year", "year_option", "message"),
    [
        ("0,73", None, True, "angiv året (fx 2021:0,72) eller brug --year"),
        ("0,73", None, False, "angiv året (fx 2021:0,72)"),
        ("2021:abc", None, True, "'2021:abc'"),
        ("2021:0", None, True, "mellem 0 og 100"),
        ("2021:100", None, True, "mellem 0 og 100"),
    ],
)
def test_what_cannot_be_read_is_named(given: str, year: int | None, year_option: bool, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        read_conviction_averages([given], year, year_option)
    assert message in str(caught.value)
    assert year_option or "--year" not in str(caught.value).split(":", 1)[1]

"""`danish.number` writes what babel's da_DK pattern `#,##0.0…` writes, without babel's per-call cost."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from boligsocial.danish import LOCALE, number, to_decimal


def babel_number(value: Fraction | Decimal | int, digits: int) -> str:
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return str(format_decimal(to_decimal(value, digits), format=pattern, locale=LOCALE))


@given(
    st.fractions(min_value=-(10**9), max_value=10**9) | st.integers(-(10**12), 10**12),
    st.integers(min_value=0, max_value=6),
)
def test_number_is_babels_danish_pattern(value: Fraction | int, digits: int) -> None:
    assert number(value, digits) == babel_number(value, digits)


def test_number_on_edges() -> None:
    for value in [0, Fraction(-1, 1000), Fraction(1964), Fraction(821, 100), Decimal("-0.004"), 10**7, -(10**6)]:
        for digits in range(5):
            assert number(value, digits) == babel_number(value, digits), (value, digits)
    assert number(Fraction(1964), 0) == "1.964"
    assert number(Fraction(821, 100), 2) == "8,21"
    assert number(None) == "-"

"""Danish number parsing, formatting and rounding (danish.py)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from boligsocial.danish import (
    SUPPRESSED_MARKERS,
    format_danish_number,
    fraction_to_decimal,
    parse_danish_number,
    round_half_up,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.964", "1964"),
        ("8,21", "8.21"),
        ("455,00", "455.00"),
        ("19", "19"),
        ("1.234,5", "1234.5"),
        (" 2,64 ", "2.64"),
        ("\u00a02,64\u00a0", "2.64"),
        ("24,3 %", "24.3"),
        ("24,3%", "24.3"),
        ("24,3\u00a0%", "24.3"),
        ("5 pct.", "5"),
        ("12.345.678,9", "12345678.9"),
        ("1 964", "1964"),
        ("1\u00a0964,5", "1964.5"),
        ("1\u202f964", "1964"),
        ("0", "0"),
        ("007", "7"),
        ("-5", "-5"),
        ("−1,5", "-1.5"),
        ("÷5", "-5"),
        ("+3", "3"),
        # A single dot followed by 1, 2 or 4+ digits is a decimal point (English-style files) ...
        ("8.21", "8.21"),
        ("2.1", "2.1"),
        ("2.1234", "2.1234"),
        # ... and so is a dot that cannot group thousands.
        ("0.125", "0.125"),
        ("1234.567", "1234.567"),
    ],
)
def test_parses_danish_and_english_style_numbers(text: str, expected: str) -> None:
    assert parse_danish_number(text) == Decimal(expected)


def test_keeps_the_written_precision() -> None:
    value = parse_danish_number("24,30")
    assert value is not None
    assert value.as_tuple().exponent == -2
    assert parse_danish_number("1.964") == Decimal(1964)


@pytest.mark.parametrize("text", ["", "   ", "-", " - ", "–", "—", "x", "X", "..", "\u00a0-\u00a0"])
def test_suppressed_values_are_none(text: str) -> None:
    assert parse_danish_number(text) is None


def test_suppressed_markers_are_documented_set() -> None:
    assert {"", "-", "–", "—", "x", ".."} == SUPPRESSED_MARKERS


@pytest.mark.parametrize(
    "text",
    ["abc", "n/a", "÷", "%", "1e5", "- 5", "5-", "1,2,3", "1.23.4", "1,234.5", "12,5,", "٣", "1..2", "1.2.3,4"],
)
def test_garbage_raises_a_danish_message_naming_the_value(text: str) -> None:
    with pytest.raises(ValueError, match="er ikke et tal") as caught:
        parse_danish_number(text)
    assert f'"{text.strip()}"' in str(caught.value)


def test_english_thousands_with_decimal_point_gets_a_hint() -> None:
    with pytest.raises(ValueError) as caught:
        parse_danish_number("1,234.5")
    assert "1.234,5" in str(caught.value)


def test_bad_grouping_gets_a_hint() -> None:
    with pytest.raises(ValueError) as caught:
        parse_danish_number("1.23.456")
    assert "tre cifre" in str(caught.value)


def test_fraction_to_decimal() -> None:
    assert fraction_to_decimal(Fraction(179, 100)) == Decimal("1.79")
    assert fraction_to_decimal(Fraction(1, 8)) == Decimal("0.125")
    assert fraction_to_decimal(Fraction(-7, 20)) == Decimal("-0.35")
    assert fraction_to_decimal(Fraction(1, 3)) is None
    assert fraction_to_decimal(Fraction(1, 3 * 2**40)) is None
    # Exact beyond the 28 digits of the default decimal context.
    big = Fraction(10**40 + 1, 10**5)
    assert Fraction(fraction_to_decimal(big) or 0) == big


def test_round_half_up() -> None:
    assert round_half_up(Fraction(1, 200), 2) == Decimal("0.01")
    assert round_half_up(Fraction(-1, 200), 2) == Decimal("-0.01")
    assert round_half_up(Decimal("2.345"), 2) == Decimal("2.35")
    assert round_half_up(Fraction(7, 3), 2) == Decimal("2.33")
    assert round_half_up(Fraction(-1, 1000), 2) == Decimal("0.00")


def test_format_danish_number() -> None:
    assert format_danish_number(1964) == "1.964"
    assert format_danish_number(Decimal("8.21")) == "8,21"
    assert format_danish_number(Decimal("-1234.5")) == "-1.234,5"
    assert format_danish_number(Decimal("455.00")) == "455,00"
    assert format_danish_number(Decimal("1E+5")) == "100.000"
    assert format_danish_number(2022, grouping=False) == "2022"
    assert format_danish_number(Fraction(7, 3), decimals=2) == "2,33"
    assert format_danish_number(Fraction(1, 8)) == "0,125"
    with pytest.raises(ValueError, match="eksakt"):
        format_danish_number(Fraction(1, 3))


def _decimals(max_places: int = 8) -> st.SearchStrategy[Decimal]:
    return st.integers(0, max_places).flatmap(
        lambda places: st.decimals(
            min_value=Decimal(-(10**12)),
            max_value=Decimal(10**12),
            places=places,
            allow_nan=False,
            allow_infinity=False,
        )
    )


@given(_decimals())
def test_babel_danish_format_parses_back(value: Decimal) -> None:
    text = format_decimal(value, locale="da_DK", decimal_quantization=False)
    assert parse_danish_number(text) == value


@given(_decimals(), st.booleans())
def test_own_format_parses_back_exactly(value: Decimal, grouping: bool) -> None:
    text = format_danish_number(value, grouping=grouping)
    parsed = parse_danish_number(text)
    assert parsed == value
    exponent = value.as_tuple().exponent
    assert parsed is not None and isinstance(exponent, int)
    assert parsed.as_tuple().exponent == min(0, exponent)  # the written decimals are kept


@given(_decimals(), st.sampled_from(["%", " %", "\u00a0%"]), st.sampled_from(["", " ", "\u00a0"]))
def test_percent_sign_and_spaces_are_ignored(value: Decimal, percent: str, space: str) -> None:
    text = f"{space}{format_danish_number(value)}{percent}{space}"
    assert parse_danish_number(text) == value


@given(
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from([1, 2, 4, 5, 6]),
)
def test_decimal_point_with_other_than_three_decimals_is_read_as_decimal_point(
    whole: int, fraction: int, places: int
) -> None:
    text = f"{whole}.{fraction % 10**places:0{places}d}"
    assert parse_danish_number(text) == Decimal(text)


@given(st.fractions(min_value=-(10**6), max_value=10**6), st.integers(0, 6))
def test_rounded_format_is_within_half_a_unit(value: Fraction, decimals: int) -> None:
    parsed = parse_danish_number(format_danish_number(value, decimals=decimals))
    assert parsed is not None
    assert abs(Fraction(parsed) - value) <= Fraction(1, 2 * 10**decimals)

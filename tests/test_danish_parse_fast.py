"""`parse_danish_number`'s fast path for plain and dot-grouped digits returns what its rules return."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from boligsocial.danish import _FAST, _parse_written, parse_danish_number

_DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=12)
_GROUPED = st.builds(
    lambda head, groups: head + "".join("." + group for group in groups),
    st.text(alphabet="0123456789", min_size=1, max_size=3),
    st.lists(st.text(alphabet="0123456789", min_size=2, max_size=4), min_size=1, max_size=4),
)
_FRACTION = st.none() | st.text(alphabet="0123456789", min_size=0, max_size=6)
_NOISE = st.text(alphabet="0123456789.,-−+ \u00a0%x", max_size=12)


def _same(text: str) -> None:
    """The public function and the rules one by one agree: the same Decimal (digits, exponent) or the same error."""
    try:
        expected: Decimal | str | None = _parse_written(text)
    except ValueError as error:
        expected = f"fejl: {error}"
    try:
        actual: Decimal | str | None = parse_danish_number(text)
    except ValueError as error:
        actual = f"fejl: {error}"
    if isinstance(expected, Decimal) and isinstance(actual, Decimal):
        assert expected.as_tuple() == actual.as_tuple(), text
    else:
        assert actual == expected, text


@given(st.one_of(_DIGITS, _GROUPED), _FRACTION)
@example("1.964", None)
@example("0.964", None)
@example("007", "50")
@example("12", "")
def test_fast_path_is_the_rules(integer: str, fraction: str | None) -> None:
    _same(integer if fraction is None else f"{integer},{fraction}")


@given(_NOISE)
def test_any_text_of_number_characters_is_the_rules(text: str) -> None:
    _same(text)


@pytest.mark.parametrize(
    ("text", "fast"),
    [
        ("12,3", True),
        ("1.964", True),
        ("1.964,50", True),
        ("0012", True),
        ("0.964", False),
        ("12.3", False),
        (" 12", False),
        ("-12", False),
        ("12 %", False),
        ("1 964", False),
        ("1.9640", False),
    ],
)
def test_which_texts_take_the_fast_path(text: str, fast: bool) -> None:
    assert bool(_FAST.fullmatch(text)) is fast
    _same(text)


def test_fast_path_keeps_the_written_precision() -> None:
    assert parse_danish_number("24,30").as_tuple() == Decimal("24.30").as_tuple()  # type: ignore[union-attr]
    assert parse_danish_number("1.964,5") == Decimal("1964.5")
    assert parse_danish_number("0.964") == Decimal("0.964")  # a decimal point, not a thousands dot

"""`thresholds.Points` places a value among exact points in integers exactly where `bisect`
over the Fractions places it (it replaced that bisection on the national check, issue 12)."""

from __future__ import annotations

import bisect
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from boligsocial.law.thresholds import Points

fractions = st.fractions(min_value=-200, max_value=200, max_denominator=10**7)
EPSILON = Fraction(1, 10**6)


@given(st.lists(fractions, max_size=12, unique=True), fractions)
def test_a_value_is_placed_as_bisect_places_it(points: list[Fraction], value: Fraction) -> None:
    ordered = sorted(points)
    place = bisect.bisect_left(ordered, value)
    assert Points(ordered).place(value) == (place, place < len(ordered) and ordered[place] == value)


@given(st.lists(fractions, min_size=1, max_size=6, unique=True), st.integers(0, 5), st.integers(-1, 1))
def test_values_at_and_beside_the_points(points: list[Fraction], index: int, side: int) -> None:
    """The thresholds of the law and a millionth either side of them (the flips' candidates)."""
    ordered = sorted({p + d for p in points for d in (-EPSILON, Fraction(0), EPSILON)})
    value = ordered[index % len(ordered)] + side * EPSILON / 3
    place = bisect.bisect_left(ordered, value)
    assert Points(ordered).place(value) == (place, place < len(ordered) and ordered[place] == value)


@given(st.lists(fractions, min_size=2, max_size=8, unique=True), fractions, st.data())
def test_which_of_two_points_is_nearer(points: list[Fraction], value: Fraction, data: st.DataObject) -> None:
    ordered = sorted(points)
    lower = data.draw(st.integers(0, len(ordered) - 2))
    upper = data.draw(st.integers(lower + 1, len(ordered) - 1))
    expected = value - ordered[lower] <= ordered[upper] - value
    assert Points(ordered).lower_is_nearer(value, lower, upper) is expected


def test_no_points() -> None:
    assert Points([]).place(Fraction(3, 7)) == (0, False)
    assert Points([Fraction(1, 3), Fraction(1, 2)]).place(Fraction(2, 6)) == (0, True)
    assert Points([Fraction(1, 3), Fraction(1, 2)]).place(Fraction(5, 12)) == (1, False)

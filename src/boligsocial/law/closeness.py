"""When a criterion's value is close to its threshold: a width per measure, in the measure's own unit.

A share of residents moves by whole persons: in a department of 200-400 adults one person is
0,25-0,5 percentage points, and the published key figures have one decimal. A value within half a
point of the threshold is therefore one or two residents from the other side, the change one
ordinary year can bring. The income measure is a percentage of the region's average and moves in
the same steps. The convicted share is a small share (thresholds 1,45 % and 2,18 % in 2022, two
and three times the national average) given with two decimals; a tenth of a point is about 5 % of
its thresholds, while half a point would be a quarter of the distance between them.

The widths are the same on both sides of the threshold: a met criterion as close as this may fall
off, an unmet one may be crossed. docs/law.md ("Close to a threshold") repeats the table.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Final

from boligsocial.danish import number
from boligsocial.law.figures import Measure

__all__ = ["NEAR_WIDTH", "near_text_da", "near_width", "within_width"]

NEAR_WIDTH: Final[dict[Measure, Fraction]] = {
    Measure.UDEN_FOR_ARBEJDSMARKED: Fraction(1, 2),
    Measure.IKKE_VESTLIGE: Fraction(1, 2),
    Measure.KUN_GRUNDSKOLE: Fraction(1, 2),
    Measure.INDKOMST: Fraction(1, 2),
    Measure.DOEMTE: Fraction(1, 10),
}
"""Percentage points from the threshold within which a value is close to it (income: points of
the percentage of the region's average)."""


def near_width(measure: Measure) -> Fraction:
    """How close to its threshold a value of `measure` must be to count as near, in points."""
    return NEAR_WIDTH[measure]


def within_width(measure: Measure, margin_pp: Fraction) -> Fraction:
    """The distance to the threshold in widths of `measure`: at most 1 is near, 0 is on it."""
    return abs(margin_pp) / NEAR_WIDTH[measure]


def near_text_da() -> str:
    """The definition in a reader's words, completing "tæt på grænsen (...)"."""
    shares = number(NEAR_WIDTH[Measure.UDEN_FOR_ARBEJDSMARKED], 1)
    convicted = number(NEAR_WIDTH[Measure.DOEMTE], 1)
    return f"højst {shares} procentpoint fra grænsen, for dømte højst {convicted}"

"""Areas (boligomraader) made of departments (afdelinger).

An area's share is exact when every member gives numerator and denominator: the sums are divided,
as the ministry does from person-level data. When members only give published percentages, the
area value is the resident-weighted mean of them and is flagged `approximate`: the percentages
are rounded and their real denominators (18-64-year-olds, 30-59-year-olds, ...) are not the
resident counts used as weights.

Every area measure also carries bounds: the range the area's person-level value can take given
what the members say. A member's percentage lies within the precision it was written with; a
suppressed percentage lies anywhere in [0, 100] (income: anywhere from 0 up, with no upper
limit, for income in percent of the region's average has none); a member whose resident count
is suppressed can weigh anything from nothing to everything. The point value is given only when
every member's value and residents are known.

A measure's real denominator (18-64-year-olds, 30-59-year-olds, ...) is not the residents, so a
member's real weight is its residents times its share of them in the denominator, which the
members do not publish. The bounds assume only that these shares differ at most by the factor
`DENOMINATOR_SPREAD` between the members of one area (the non-western share's denominator is the
residents themselves: factor 1). That is the one assumption the bounds rest on (docs/law.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from boligsocial.law.figures import Measure, Measurement, UnitFigures

Bound = Fraction | None  # None: open on that side
_SHARE_MAX = Fraction(100)

# How much more of its residents one member may have in a measure's denominator than another
# member of the same area. Departments of one area are alike in age; on the synthetic country the
# largest factor within an area is 1,18, and 2 leaves room for an area that mixes family housing
# with housing for the young or the old. The non-western share is counted among all residents.
DENOMINATOR_SPREAD = Fraction(2)


def denominator_spread(measure: Measure) -> Fraction:
    """The factor by which members' denominator shares of their residents may differ."""
    return Fraction(1) if measure is Measure.IKKE_VESTLIGE else DENOMINATOR_SPREAD


def _ceiling(measure: Measure) -> Bound:
    """The largest value a member's figure can have: 100 % for shares, none for income."""
    return None if measure is Measure.INDKOMST else _SHARE_MAX


def member_range(part: Measurement, measure: Measure) -> tuple[Fraction, Bound]:
    """Where a member's true value lies: its bounds widened by its written precision, within
    [0, 100] (income: [0, open))."""
    ceiling = _ceiling(measure)
    widen = part.precision or Fraction(0)
    lower = max(Fraction(0), part.lower - widen) if part.lower is not None else Fraction(0)
    upper = ceiling if part.upper is None else part.upper + widen
    if upper is not None and ceiling is not None:
        upper = min(upper, ceiling)
    return lower, upper


def _weighted(weights: Sequence[Fraction], values: Sequence[Bound]) -> Bound:
    """Weighted mean of values with known weights; None when a weighted value is open."""
    if any(v is None for w, v in zip(weights, values, strict=True) if w):
        return None
    total = sum(weights, Fraction(0))
    return sum((w * (v or 0) for w, v in zip(weights, values, strict=True)), Fraction(0)) / total


def _extreme_mean(boxes: Sequence[tuple[Fraction, Fraction, Fraction]], highest: bool) -> Fraction:
    """The highest (lowest) mean of values v with weights anywhere in [lo, hi], for (v, lo, hi).

    At the optimum every value above the mean has its largest weight and every value below its
    smallest (moving weight towards a value above the mean raises it), so it is one of the
    splits of the values sorted from the best end: try each.
    """
    ordered = sorted(boxes, key=lambda box: box[0], reverse=highest)
    best: Fraction | None = None
    for split in range(len(ordered) + 1):
        weights = [hi for _, _, hi in ordered[:split]] + [lo for _, lo, _ in ordered[split:]]
        mean = _weighted(weights, [v for v, _, _ in ordered])
        assert mean is not None
        if best is None or (mean > best if highest else mean < best):
            best = mean
    assert best is not None
    return best


def weighted_bounds(
    weights: Sequence[int | None], ranges: Sequence[tuple[Fraction, Bound]], spread: Fraction = Fraction(1)
) -> tuple[Bound, Bound] | None:
    """Bounds of the weighted mean of members whose values lie in `ranges`, when a member's real
    weight is its given weight times a factor anywhere in [1, spread]; a weight None is unknown
    (anything from 0 up). None when no member can carry weight (the mean is undefined).

    A member of unknown weight can pull the mean as close to its own extremes as one likes (its
    weight grows without limit) or not at all (weight 0), so the bounds widen to its extremes.
    """
    known = [(Fraction(w), r) for w, r in zip(weights, ranges, strict=True) if w is not None and w > 0]
    loose = [r for w, r in zip(weights, ranges, strict=True) if w is None]
    if not known and not loose:
        return None
    lowers: list[Bound] = [r[0] for r in loose]
    uppers: list[Bound] = [r[1] for r in loose]
    if known:
        lowers.append(_extreme_mean([(r[0], w, w * spread) for w, r in known], highest=False))
        if all(r[1] is not None for _, r in known):
            uppers.append(_extreme_mean([(r[1] or Fraction(0), w, w * spread) for w, r in known], highest=True))
        else:
            uppers.append(None)
    lower = min(b for b in lowers if b is not None)
    upper = None if any(b is None for b in uppers) else max(b for b in uppers if b is not None)
    return lower, upper


def _exact_sum(parts: Sequence[Measurement]) -> Measurement:
    numerator = sum((p.numerator for p in parts if p.numerator is not None), Fraction(0))
    denominator = sum((p.denominator for p in parts if p.denominator is not None), Fraction(0))
    combined = Measurement.from_counts(numerator, denominator)
    return Measurement(
        value=combined.value,
        numerator=numerator,
        denominator=denominator,
        approximate=any(p.approximate for p in parts),
    )


def _combine(members: Sequence[UnitFigures], measure: Measure) -> Measurement:
    parts = [m.measurement(measure) for m in members]
    if all(p.numerator is not None and p.denominator is not None for p in parts):
        return _exact_sum(parts)
    residents = [m.residents for m in members]
    bounds = weighted_bounds(residents, [member_range(p, measure) for p in parts], denominator_spread(measure))
    if bounds is None:
        return Measurement(value=None, approximate=True)
    lower, upper = bounds
    value: Fraction | None = None
    if all(p.value is not None for p in parts) and all(r is not None for r in residents):
        weights = [Fraction(r or 0) for r in residents]
        value = _weighted(weights, [p.value for p in parts])
    if value is None and lower == 0 and upper == _ceiling(measure):
        return Measurement(value=None, approximate=True)  # nothing known: the whole axis
    return Measurement(value=value, approximate=True, lower=lower, upper=upper)


def _residents(members: Sequence[UnitFigures]) -> tuple[int | None, int | None]:
    """The area's residents, and when they are unknown the least they can be."""
    if all(m.residents is not None for m in members):
        return sum(m.residents or 0 for m in members), None
    return None, sum(m.residents or 0 for m in members)


def build_area(name: str, members: Sequence[UnitFigures]) -> UnitFigures:
    residents, residents_lower = _residents(members)
    dwellings = None if any(m.dwellings is None for m in members) else sum(m.dwellings or 0 for m in members)
    organisations = sorted({m.boligorganisation for m in members if m.boligorganisation})
    kommuner = sorted({m.kommune for m in members if m.kommune})
    return UnitFigures(
        name=name,
        kind="omraade",
        list_year=members[0].list_year,
        residents=residents,
        measures={measure: _combine(members, measure) for measure in Measure},
        boligorganisation=", ".join(organisations) or None,
        omraade=name,
        kommune=", ".join(kommuner) or None,
        dwellings=dwellings,
        members=tuple(m.name for m in members),
        residents_lower=residents_lower,
    )


def build_areas(units: Sequence[UnitFigures]) -> list[UnitFigures]:
    """One area per distinct `omraade` value among afdelinger, per list year, in file order."""
    groups: dict[tuple[int | None, str], list[UnitFigures]] = {}
    for unit in units:
        if unit.kind == "afdeling" and unit.omraade:
            groups.setdefault((unit.list_year, unit.omraade), []).append(unit)
    return [build_area(name, members) for (_, name), members in groups.items()]

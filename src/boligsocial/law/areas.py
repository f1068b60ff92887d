"""Areas (boligomraader) made of departments (afdelinger).

An area's share is exact when every member gives numerator and denominator: the sums are divided,
as the ministry does from person-level data. When members only give published percentages, the
area value is the resident-weighted mean of them and is flagged `approximate`: the percentages
are rounded and their real denominators (18-64-year-olds, 30-59-year-olds, ...) are not the
resident counts used as weights. One unknown member makes the area value unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from boligsocial.law.figures import Measure, Measurement, UnitFigures


def _combine(members: Sequence[UnitFigures], measure: Measure) -> Measurement:
    parts = [m.measurement(measure) for m in members]
    if all(p.numerator is not None and p.denominator is not None for p in parts):
        numerator = sum((p.numerator for p in parts if p.numerator is not None), Fraction(0))
        denominator = sum((p.denominator for p in parts if p.denominator is not None), Fraction(0))
        combined = Measurement.from_counts(numerator, denominator)
        return Measurement(
            value=combined.value,
            numerator=numerator,
            denominator=denominator,
            approximate=any(p.approximate for p in parts),
        )
    if any(p.value is None for p in parts) or any(m.residents is None for m in members):
        return Measurement(value=None, approximate=True)
    weights = [Fraction(m.residents or 0) for m in members]
    total = sum(weights, Fraction(0))
    if total == 0:
        return Measurement(value=None, approximate=True)
    value = sum((w * (p.value or 0) for w, p in zip(weights, parts, strict=True)), Fraction(0)) / total
    return Measurement(value=value, approximate=True)


def build_area(name: str, members: Sequence[UnitFigures]) -> UnitFigures:
    residents = None if any(m.residents is None for m in members) else sum(m.residents or 0 for m in members)
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
    )


def build_areas(units: Sequence[UnitFigures]) -> list[UnitFigures]:
    """One area per distinct `omraade` value among afdelinger, per list year, in file order."""
    groups: dict[tuple[int | None, str], list[UnitFigures]] = {}
    for unit in units:
        if unit.kind == "afdeling" and unit.omraade:
            groups.setdefault((unit.list_year, unit.omraade), []).append(unit)
    return [build_area(name, members) for (_, name), members in groups.items()]

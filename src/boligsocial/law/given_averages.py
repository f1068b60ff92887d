"""National conviction averages as a user gives them on the command line: `0,73` for the checked
year, `2021:0,72` for a named one. One reader for every command that takes
`--convicted-national-avg` (check, forecast, atlas)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from fractions import Fraction

from boligsocial.danish import parse_danish_number

_GIVEN = re.compile(r"\s*(?:(\d{4})\s*[:=]\s*)?(.+?)\s*%?\s*")


def read_conviction_averages(values: Iterable[str], year: int | None, year_option: bool = True) -> dict[int, Fraction]:
    """The averages by list year; a value without a year applies to `year` (None: every value
    must name its year; `year_option`: whether the command has a --year to point to). Raises
    ValueError with a Danish message naming the value."""
    averages: dict[int, Fraction] = {}
    for raw in values:
        match = _GIVEN.fullmatch(raw)
        if not match:
            raise ValueError(f"--convicted-national-avg {raw!r}: skriv fx 0,73 eller 2021:0,72")
        target = int(match.group(1)) if match.group(1) else year
        if target is None:
            alternative = " eller brug --year" if year_option else ""
            raise ValueError(f"--convicted-national-avg {raw!r}: angiv året (fx 2021:0,72){alternative}")
        try:
            value = parse_danish_number(match.group(2))
        except ValueError as error:
            raise ValueError(f"--convicted-national-avg {raw!r}: {error}") from None
        if value is None or not 0 < value < 100:
            raise ValueError(
                f"--convicted-national-avg {raw!r}: landsgennemsnittet skal være en procent mellem 0 og 100"
            )
        averages[target] = Fraction(value)
    return averages

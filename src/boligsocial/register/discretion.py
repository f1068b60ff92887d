"""Discretion: no output reveals a count of persons below the threshold, directly or by subtraction.

The rule (documented in docs/register.md, with its reasons):

- Every published figure rests on person counts: residents; for a share, the persons with the
  attribute and the persons without it (so that neither the count nor its complement is small),
  summed over the years where years are pooled; for income, the persons. Each such count must be
  0 or at least `min_cell` (default 5). A figure resting on a count of 1 to `min_cell - 1` is
  suppressed (primary suppression): its value and its counts are written as "-".
- An area's figure is the sum of its afdelinger plus the persons in the area outside them (never
  published). Subtracting the published afdelinger from the area reveals the sum of the hidden
  ones; that sum must pass the same rule. Where it does not, the smallest further afdeling is
  suppressed too, until it does, or, if no afdeling is left, the area's figure itself
  (secondary suppression).
- The non-western share's population is all residents, so a hidden resident count also hides
  that share.
- The national conviction counts (behind the national average) are published only if they and
  "national minus the published areas" pass the rule; the average itself is always shown,
  because the list's threshold is made from it.

Zero is not protected: "no convicted residents" in an afdeling of 40 is published, as DST
publishes empty cells. Not covered: the number of persons in a criterion's age group can be
compared with the resident count (e.g. residents minus 30-59-year-olds); age counts are not
treated as sensitive, as in DST's own population tables. Suppression is decided per list year.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from boligsocial.law.figures import Measure, UnitKind
from boligsocial.register.schema import MAX_AGE
from boligsocial.register.tally import KindFigures, UnitTally, YearFigures

__all__ = ["DEFAULT_MIN_CELL", "RESIDENTS", "Suppression", "is_safe", "suppress"]

#: Default threshold: fewer than 5 persons is not published (see the module docstring and docs).
DEFAULT_MIN_CELL = 5

#: Pseudo-measure for the resident count in the suppression sets.
RESIDENTS = "beboere"

What = Measure | str
CellKey = tuple[UnitKind, str, What]


def is_safe(counts: Sequence[int] | np.ndarray, min_cell: int) -> bool:
    """Every count is 0 or at least `min_cell`."""
    values = np.asarray(counts)
    return bool(np.all((values == 0) | (values >= min_cell)))


def _safe_rows(counts: np.ndarray, min_cell: int) -> np.ndarray:
    """Per row (unit): all its counts are 0 or at least `min_cell`."""
    safe: np.ndarray = np.all((counts == 0) | (counts >= min_cell), axis=1)
    return safe


@dataclass(frozen=True)
class Suppression:
    list_year: int
    min_cell: int
    hidden: frozenset[CellKey]
    primary: int
    secondary: int
    national_counts: bool  # the national conviction counts may be published

    def is_hidden(self, unit: UnitTally, what: What) -> bool:
        return (unit.kind, unit.name, what) in self.hidden

    def hidden_measures(self, unit: UnitTally) -> set[Measure]:
        return {m for m in unit.cells if (unit.kind, unit.name, m) in self.hidden}


def _counts(figures: KindFigures, what: What) -> np.ndarray:
    if what == RESIDENTS:
        return figures.residents[:, None]
    assert isinstance(what, Measure)
    return figures.protected[what]


def _size(figures: KindFigures, what: What) -> np.ndarray:
    if what == RESIDENTS:
        return figures.residents
    assert isinstance(what, Measure)
    size: np.ndarray = figures.parts[what][:, :, 2].sum(axis=1)
    return size


def suppress(year: YearFigures, min_cell: int = DEFAULT_MIN_CELL) -> Suppression:
    """Decide which figures of a list year are not published."""
    limit = max(1, min_cell)
    kinds: list[What] = [RESIDENTS, *year.plan.measures]
    hidden: dict[tuple[UnitKind, What], np.ndarray] = {}
    for figures in (year.afdeling, year.omraade):
        for what in kinds:
            hidden[(figures.kind, what)] = ~_safe_rows(_counts(figures, what), limit)
    primary = sum(int(mask.sum()) for mask in hidden.values())

    afdeling, omraade = year.afdeling, year.omraade
    position = afdeling.index()
    members = [
        np.array([position[m] for m in omraade.members.get(area, ()) if m in position], dtype=np.int64)
        for area in omraade.names
    ]
    linked = _residents_linked(year)
    for what in kinds:  # residents first: a hidden resident count hides the non-western share
        if linked and what is Measure.IKKE_VESTLIGE:
            for kind in ("afdeling", "omraade"):
                hidden[(kind, what)] |= hidden[(kind, RESIDENTS)]
        area_counts, afd_counts, afd_size = _counts(omraade, what), _counts(afdeling, what), _size(afdeling, what)
        area_hidden, afd_hidden = hidden[("omraade", what)], hidden[("afdeling", what)]
        for a, rows in enumerate(members):
            if area_hidden[a]:
                continue
            # the persons in the area outside the published afdelinger: what subtraction reveals
            revealed = area_counts[a] - afd_counts[rows[~afd_hidden[rows]]].sum(axis=0)
            order = rows[~afd_hidden[rows]][np.argsort(afd_size[rows[~afd_hidden[rows]]], kind="stable")]
            for candidate in order:
                if is_safe(revealed, limit):
                    break
                afd_hidden[candidate] = True
                revealed = revealed + afd_counts[candidate]
            if not is_safe(revealed, limit):
                area_hidden[a] = True

    national = year.national is not None and is_safe(year.national.protected, limit)
    if national and year.national is not None:
        published = ~hidden[("omraade", Measure.DOEMTE)]
        rest = np.asarray(year.national.protected) - omraade.protected[Measure.DOEMTE][published].sum(axis=0)
        national = is_safe(rest, limit)
    keys = frozenset(
        (kind, figures.names[i], what)
        for (kind, what), mask in hidden.items()
        for figures in (year.kind(kind),)
        for i in np.flatnonzero(mask).tolist()
    )
    return Suppression(
        list_year=year.list_year,
        min_cell=min_cell,
        hidden=keys,
        primary=primary,
        secondary=len(keys) - primary,
        national_counts=national,
    )


def _residents_linked(year: YearFigures) -> bool:
    """True when the non-western share's population is exactly the residents."""
    spec = year.plan.measures.get(Measure.IKKE_VESTLIGE)
    return (
        spec is not None
        and spec.band.low <= 0
        and spec.band.high >= MAX_AGE
        and spec.years == (year.plan.residents_year,)
    )

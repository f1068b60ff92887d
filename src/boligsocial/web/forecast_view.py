"""The forecast block of the department and area pages: the chance of coming on or leaving each
list next year, from the plan's key figures of every list year it holds (docs/forecast.md).

A forecast needs a trend, so it is shown only when the plan holds at least two list years up to
the year shown; otherwise the block says so in Danish (a one-year "forecast" would be the
default spread around today's figures, which says more about the default than about the unit).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from boligsocial.law.errors import LawError
from boligsocial.law.figures import UnitFigures
from boligsocial.law.forecast import ListForecast, Settings, forecast
from boligsocial.law.forecast_render import pct
from boligsocial.law.vocabulary import STATUS_WORD_DA

MIN_YEARS = 2


@dataclass(frozen=True)
class ForecastRow:
    reported_as: str
    label: str
    today: str  # "ja", "nej", "ubestemt"
    question: str  # "komme på" or "forlade"
    chance: str  # "12 %"
    undetermined: str | None  # "30 %" when suppressed figures decide part of the draws
    forecast: ListForecast


@dataclass(frozen=True)
class ForecastBlock:
    year: int
    from_year: int | None
    years: tuple[int, ...]
    rows: tuple[ForecastRow, ...]
    problem: str | None
    notes: tuple[str, ...] = ()


def _row(f: ListForecast) -> ForecastRow:
    leaving = f.current is True
    undetermined = pct(f.p_undetermined) if f.p_undetermined > 0 else None
    return ForecastRow(
        f.reported_as,
        f.label,
        STATUS_WORD_DA[f.current],
        "forlade" if leaving else "komme på",
        pct(f.p_change),
        undetermined,
        f,
    )


def forecast_block(units: Sequence[UnitFigures], list_year: int, key: tuple[str, str, str]) -> ForecastBlock:
    """The forecast of `list_year + 1` for the unit with `key`, from the years up to `list_year`."""
    target = list_year + 1
    held = sorted({u.list_year for u in units if u.list_year is not None and u.list_year <= list_year})
    if len(held) < MIN_YEARS:
        shown = ", ".join(str(y) for y in held) or "ingen"
        problem = (
            f"En prognose for listeår {target} kræver nøgletal for mindst {MIN_YEARS} listeår; "
            f"planen har nøgletal for listeår {shown}."
        )
        return ForecastBlock(target, None, tuple(held), (), problem)
    try:
        result = forecast(units, target, settings=Settings(), kinds=(key[0],), only=lambda u: u.key == key)
    except LawError as error:
        return ForecastBlock(target, None, tuple(held), (), str(error))
    found = result.unit(key)
    if found is None:
        problem = f"Der er ingen nøgletal for listeår {result.from_year} at fremskrive fra."
        return ForecastBlock(target, result.from_year, tuple(held), (), problem)
    rows = tuple(_row(f) for f in found.lists.values())
    return ForecastBlock(target, result.from_year, found.years, rows, None, result.notes)


def block_dict(block: ForecastBlock) -> dict[str, Any]:
    return {
        "listeaar": block.year,
        "fra_listeaar": block.from_year,
        "listeaar_brugt": list(block.years),
        "problem": block.problem,
        "noter": list(block.notes),
        "lister": {
            r.reported_as: {
                "i_dag": r.forecast.current,
                "sandsynlighed_paa_listen": r.forecast.p_on,
                "sandsynlighed_ubestemt": r.forecast.p_undetermined,
                "sandsynlighed_for_skift": r.forecast.p_change,
            }
            for r in block.rows
        },
    }

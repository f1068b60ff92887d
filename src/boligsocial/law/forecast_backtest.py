"""How good the forecast has been: forecast every list year whose previous year is held from the
years before it, and score against what the law says that year (docs/forecast.md).

Scores: the Brier score (mean squared difference between the probability and what happened, 0
best) per list and overall, against the naive forecast "as this year" (1 or 0); and a reliability
table: the forecasts in bins of predicted probability, with how often the units in each bin were
on the list. A forecast is scored only where the law determines the actual status, and its
probability is that of being on the list among the draws the law decides (draws a suppressed
figure leaves undetermined are set aside; a forecast with no decided draw is not scored).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from boligsocial.law.classify import Options
from boligsocial.law.figures import UnitFigures
from boligsocial.law.forecast import ForecastResult, Settings, StatusBook, forecast
from boligsocial.law.parameters import Law, load_law
from boligsocial.law.verdicts import Status


@dataclass(frozen=True)
class Case:
    """One unit, one list, one year: the forecast, the naive forecast and what happened."""

    year: int
    key: tuple[str, str, str]
    reported_as: str
    predicted: float
    naive: float
    actual: bool


@dataclass(frozen=True)
class ListScore:
    reported_as: str
    label: str
    cases: int
    changes: int  # cases whose status differs from the year before
    on: int  # cases on the list in the year forecast
    brier: float
    naive_brier: float


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    count: int
    mean_predicted: float | None
    observed: float | None


@dataclass(frozen=True)
class BacktestResult:
    years: tuple[int, ...]  # the list years forecast
    kinds: tuple[str, ...]
    cases: tuple[Case, ...]
    lists: tuple[ListScore, ...]
    reliability: tuple[ReliabilityBin, ...]
    draws: int
    min_residents: int = 0

    @property
    def brier(self) -> float:
        return brier([c.predicted for c in self.cases], [c.actual for c in self.cases])

    @property
    def naive_brier(self) -> float:
        return brier([c.naive for c in self.cases], [c.actual for c in self.cases])

    @property
    def changes(self) -> int:
        return sum(s.changes for s in self.lists)


def brier(predicted: Sequence[float], actual: Sequence[bool]) -> float:
    if not predicted:
        return 0.0
    return sum((p - float(a)) ** 2 for p, a in zip(predicted, actual, strict=True)) / len(predicted)


def reliability(cases: Sequence[Case], bins: int = 10) -> tuple[ReliabilityBin, ...]:
    """Cases in `bins` equal bins of predicted probability (the last one closed at 1)."""
    out: list[ReliabilityBin] = []
    for i in range(bins):
        low, high = i / bins, (i + 1) / bins
        inside = [c for c in cases if low <= c.predicted < high or (i == bins - 1 and c.predicted == 1.0)]
        if not inside:
            out.append(ReliabilityBin(low, high, 0, None, None))
            continue
        mean = sum(c.predicted for c in inside) / len(inside)
        observed = sum(c.actual for c in inside) / len(inside)
        out.append(ReliabilityBin(low, high, len(inside), mean, observed))
    return tuple(out)


def _naive(status: Status) -> float:
    return 0.5 if status is None else float(status)


def _cases(result: ForecastResult, book: StatusBook) -> list[Case]:
    cases: list[Case] = []
    for unit in result.units:
        if unit.key not in book.by_year.get(result.year, {}):
            continue  # the unit is gone the year after: nothing to score
        actual = book.all(unit.key, result.year)
        for name, listed in unit.lists.items():
            happened = actual.get(name)
            decided = 1.0 - listed.p_undetermined
            if happened is None or decided <= 0:
                continue
            predicted = min(1.0, listed.p_on / decided)
            cases.append(Case(result.year, unit.key, name, predicted, _naive(listed.current), happened))
    return cases


def backtest(
    units: Sequence[UnitFigures],
    options: Options | None = None,
    law: Law | None = None,
    settings: Settings | None = None,
    kinds: Sequence[str] = ("omraade",),
    years: Sequence[int] | None = None,
    min_residents: int = 0,
) -> BacktestResult:
    """Forecast each held list year Y (or those in `years`) whose year Y-1 is held, from the years
    before Y only, and score the forecasts of units with at least `min_residents` residents in Y-1.
    The national conviction averages the forecast of Y may
    use are those of the years before Y (from `options`) and those the law knows."""
    options = options or Options()
    law = law or load_law()
    settings = settings or Settings()
    book = StatusBook(units, options, law)

    def large(unit: UnitFigures) -> bool:
        return unit.residents is not None and unit.residents >= min_residents

    targets = [y for y in book.years if y - 1 in book.by_year and (years is None or y in years)]
    cases: list[Case] = []
    labels: dict[str, str] = {}
    for target in targets:
        earlier = {y: a for y, a in options.conviction_averages.items() if y < target}
        before = Options(options.ignore_min_residents, earlier)
        result = forecast(units, target, before, law, settings, book=book, kinds=kinds, only=large)
        labels.update(result.lists)
        cases.extend(_cases(result, book))
    scores = []
    for name, label in labels.items():
        mine = [c for c in cases if c.reported_as == name]
        scores.append(
            ListScore(
                reported_as=name,
                label=label,
                cases=len(mine),
                changes=sum(1 for c in mine if c.naive != float(c.actual)),
                on=sum(1 for c in mine if c.actual),
                brier=brier([c.predicted for c in mine], [c.actual for c in mine]),
                naive_brier=brier([c.naive for c in mine], [c.actual for c in mine]),
            )
        )
    return BacktestResult(
        tuple(targets), tuple(kinds), tuple(cases), tuple(scores), reliability(cases), settings.draws, min_residents
    )

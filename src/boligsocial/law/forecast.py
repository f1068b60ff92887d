"""Next list year's statuses as probabilities, from each criterion's trend (docs/forecast.md).

For every unit of the last list year held, each of the five measures and the resident count get
a least-squares line over the list years the collection holds; the line's value next year and its
prediction spread (the residual spread, pooled with a default spread so that two or three years
do not claim certainty) give a normal distribution. `Settings.draws` draws of next year's figures
are classified with next year's rules, and the share of draws on each list is the probability.

The rules are never re-implemented here. A draw's outcome depends only on which side of each
threshold its values fall, so the draws are reduced to codes (one bit per criterion, one for the
resident minimum) with the thresholds' own operators on arrays, and every distinct code is
classified once by the law's evaluation (`evaluate.statuses`). `decide` is that step alone, and
tests/test_forecast.py checks it against `unit_state` + `statuses` value by value.

Draws are common random numbers: the same seeded standard normal draws for every unit, so a
unit's probabilities are the same whether it is forecast alone (a plan) or among 9,000 (the whole
country), and the result never depends on the order of the units.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from boligsocial.danish import number
from boligsocial.law.areas import build_areas
from boligsocial.law.classify import Options
from boligsocial.law.errors import LawError
from boligsocial.law.evaluate import UnitState, alternatives_for_unknown, eligibility, statuses, unit_state
from boligsocial.law.figures import Measure, UnitFigures
from boligsocial.law.parameters import Law, Operator, load_law
from boligsocial.law.thresholds import CompiledRules, compile_rules
from boligsocial.law.verdicts import Status

RESIDENTS = "beboere"
"""The resident count's name among the trends (the measures go by `Measure.value`)."""

DEFAULT_SPREAD: Mapping[str, float] = {
    Measure.UDEN_FOR_ARBEJDSMARKED.value: 2.0,
    Measure.IKKE_VESTLIGE.value: 1.5,
    Measure.DOEMTE.value: 0.3,
    Measure.KUN_GRUNDSKOLE.value: 2.5,
    Measure.INDKOMST.value: 2.0,
}
"""The spread (standard deviation, percentage points) of a measure around its line when the data
cannot tell it: with one or two list years, and as the prior the residual spread is pooled with.
Chosen as typical year-to-year movements of an area's figure (docs/forecast.md says how)."""

RESIDENTS_SPREAD_SHARE = 0.03
"""The resident count's default spread: 3 % of its last known value."""

PRIOR_YEARS = 2.0
"""How many residual degrees of freedom the default spread counts as when pooled with the fit's."""

_NUMPY_COMPARE = {Operator.GT: np.greater, Operator.GE: np.greater_equal, Operator.LT: np.less}

ON, OFF, UNDETERMINED = 1, 0, 2
_STATUS_CODE: dict[Status, int] = {True: ON, False: OFF, None: UNDETERMINED}


@dataclass(frozen=True)
class Settings:
    draws: int = 2000
    seed: int = 20251201
    chunk: int = 400  # units per vectorised block (memory: chunk x draws per measure)


@dataclass(frozen=True)
class Trend:
    """One measure's line: the known points (list year, value), the predicted value next year,
    the slope per year, the residual spread used and the spread of the prediction."""

    name: str
    points: tuple[tuple[int, float], ...]
    predicted: float | None
    slope: float | None
    spread: float | None
    sd: float | None

    @property
    def known(self) -> bool:
        return self.predicted is not None


def fit_trend(name: str, points: Sequence[tuple[int, float]], year: int, default_spread: float) -> Trend:
    """Least-squares line through `points`, evaluated at `year`.

    The prediction's variance is the textbook one, s^2 (1 + 1/n + (x0 - mean)^2 / Sxx), with s^2
    the residual variance pooled with `default_spread`^2 counted as `PRIOR_YEARS` degrees of
    freedom. One point: no slope, the default spread. Deviations from the last value are fitted,
    so a constant series predicts exactly its value."""
    pts = tuple(sorted(points))
    if not pts:
        return Trend(name, (), None, None, None, None)
    last_x, last_y = pts[-1]
    if len(pts) == 1:
        return Trend(name, pts, last_y, 0.0, default_spread, default_spread)
    xs = [float(x - last_x) for x, _ in pts]
    ys = [y - last_y for _, y in pts]
    n = len(pts)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    residuals = sum((y - mean_y - slope * (x - mean_x)) ** 2 for x, y in zip(xs, ys, strict=True))
    dof = n - 2
    variance = (residuals + PRIOR_YEARS * default_spread**2) / (dof + PRIOR_YEARS)
    x0 = float(year - last_x)
    predicted = last_y + mean_y + slope * (x0 - mean_x)
    sd = math.sqrt(variance * (1 + 1 / n + (x0 - mean_x) ** 2 / sxx))
    return Trend(name, pts, predicted, slope, math.sqrt(variance), sd)


@dataclass(frozen=True)
class ListForecast:
    """One list next year: today's status (None: undetermined or the list did not exist) and the
    shares of draws on the list and undetermined (a suppressed figure could decide it)."""

    reported_as: str
    label: str
    current: Status
    p_on: float
    p_undetermined: float

    @property
    def p_change(self) -> float:
        """The chance of leaving (on the list today) or of coming on (not on it today)."""
        return 1.0 - self.p_on - self.p_undetermined if self.current is True else self.p_on


@dataclass(frozen=True)
class UnitForecast:
    name: str
    kind: str
    boligorganisation: str | None
    key: tuple[str, str, str]
    years: tuple[int, ...]  # the list years the lines were fitted on
    trends: tuple[Trend, ...]
    lists: dict[str, ListForecast]  # by reported name, next year's lists


@dataclass(frozen=True)
class ForecastResult:
    year: int  # the list year forecast
    from_year: int  # the last list year held
    draws: int
    seed: int
    units: tuple[UnitForecast, ...]
    lists: dict[str, str]  # reported name -> label, next year's lists
    notes: tuple[str, ...] = ()

    def unit(self, key: tuple[str, str, str]) -> UnitForecast | None:
        return next((u for u in self.units if u.key == key), None)


# --------------------------------------------------------------------------------------------------
# The law's statuses in the years held


def with_areas(units: Sequence[UnitFigures]) -> list[UnitFigures]:
    """The units with the areas built from their departments (an area given in a year wins), as
    `classify` sees them."""
    given = {(u.list_year, u.name) for u in units if u.kind == "omraade"}
    return list(units) + [a for a in build_areas(units) if (a.list_year, a.name) not in given]


class StatusBook:
    """Every unit's status on every list in every list year held, by the law, computed lazily.

    The same statuses `classify` gives (tests/test_forecast.py checks it), without the criteria,
    flips and explanations a forecast does not need."""

    def __init__(self, units: Sequence[UnitFigures], options: Options, law: Law) -> None:
        self.law = law
        self.options = options
        self.by_year: dict[int, dict[tuple[str, str, str], UnitFigures]] = {}
        for unit in with_areas([u for u in units if u.list_year is not None]):
            assert unit.list_year is not None
            self.by_year.setdefault(unit.list_year, {})[unit.key] = unit
        self._rules: dict[int, CompiledRules] = {}
        self._done: dict[tuple[int, tuple[str, str, str]], dict[str, Status]] = {}

    @property
    def years(self) -> list[int]:
        return sorted(self.by_year)

    def rules(self, year: int) -> CompiledRules:
        if year not in self._rules:
            self._rules[year] = compile_rules(self.law, year, self.options.conviction_averages)
        return self._rules[year]

    def status(self, key: tuple[str, str, str], year: int, reported: str) -> Status:
        """The unit's status on a list (by reported name) in a year; None when the year is not
        held, the unit is not in it, or the law leaves it undetermined; False when the list did
        not exist that year."""
        unit = self.by_year.get(year, {}).get(key)
        if unit is None:
            return None
        found = self.all(key, year)
        return found.get(reported, False)

    def all(self, key: tuple[str, str, str], year: int) -> dict[str, Status]:
        if (year, key) not in self._done:
            unit = self.by_year[year][key]
            rules = self.rules(year)
            state = unit_state(rules, unit, self.options.ignore_min_residents, self.history(rules, key))
            found = statuses(rules, state)
            self._done[(year, key)] = {rules.rule_set.lists[lid].reported_as: s for lid, (s, _) in found.items()}
        return self._done[(year, key)]

    def history(self, rules: CompiledRules, key: tuple[str, str, str]) -> dict[int, Status]:
        """The unit's status in each earlier year the rules' history lists look back at."""
        merged: dict[int, Status] = {}
        for list_id in rules.rules:
            h = rules.history_rule(list_id)
            if h is not None:
                for year in h.earlier_years(rules.year):
                    merged[year] = self.status(key, year, h.reported_list)
        return merged


# --------------------------------------------------------------------------------------------------
# Draws -> the law's decision


def float_threshold(operator: Operator, threshold: Fraction) -> float:
    """The float that the operator compares floats with exactly as it compares them with the
    exact threshold: for a float x, x >= t iff x >= the least float >= t, x < t iff x < that
    float, and x > t iff x > the greatest float <= t (a threshold such as 2 x 0,7 = 1,4 is not
    a float, and its nearest float may lie on either side of it)."""
    nearest = float(threshold)
    below = nearest if Fraction(nearest) <= threshold else math.nextafter(nearest, -math.inf)
    above = nearest if Fraction(nearest) >= threshold else math.nextafter(nearest, math.inf)
    return below if operator is Operator.GT else above


@dataclass(frozen=True)
class _Context:
    """What a unit's draws share: its unknown measures, a fixed eligibility (or None: drawn), and
    its history statuses."""

    unknown: frozenset[Measure]
    eligible: Status | str  # "drawn", or the law's fixed status
    history: tuple[tuple[int, Status], ...]


@dataclass
class Decider:
    """Codes of draws -> the law's statuses, with every distinct code classified once."""

    rules: CompiledRules
    keys: tuple[str, ...] = ()
    _table: dict[tuple[_Context, int], tuple[int, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.keys = tuple(self.rules.rule_set.criteria)
        self.list_ids = tuple(self.rules.rules)

    def measure_unknown(self, measure: Measure) -> bool:
        """True when a threshold of the measure is a multiple of an unknown national average."""
        return any(self.rules.threshold(k) is None for k in self.rules.criteria_for(measure))

    def codes(self, values: Mapping[Measure, np.ndarray], eligible: np.ndarray) -> np.ndarray:
        """One integer per draw: bit i the outcome of criterion `keys[i]` (NaN: 0), and the bit
        after them whether the resident minimum is met."""
        code = np.zeros(eligible.shape, dtype=np.int64)
        for i, key in enumerate(self.keys):
            param = self.rules.param(key)
            threshold = self.rules.threshold(key)
            if threshold is None or param.measure not in values:
                continue
            met = _NUMPY_COMPARE[param.operator](values[param.measure], float_threshold(param.operator, threshold))
            code |= met.astype(np.int64) << i
        return code | (eligible.astype(np.int64) << len(self.keys))

    def decide(self, context: _Context, code: int) -> tuple[int, ...]:
        """The law's status of each list (`ON`, `OFF`, `UNDETERMINED`) for one code."""
        found = self._table.get((context, code))
        if found is None:
            known = {
                key: bool(code >> i & 1)
                for i, key in enumerate(self.keys)
                if self.rules.param(key).measure not in context.unknown
            }
            unknown = tuple(alternatives_for_unknown(self.rules, m) for m in sorted(context.unknown))
            eligible = bool(code >> len(self.keys) & 1) if context.eligible == "drawn" else context.eligible
            state = UnitState(known=known, unknown=unknown, eligible=eligible, history=dict(context.history))  # type: ignore[arg-type]
            result = statuses(self.rules, state)
            found = tuple(_STATUS_CODE[result[lid][0]] for lid in self.list_ids)
            self._table[(context, code)] = found
        return found


def decide(
    rules: CompiledRules,
    values: Mapping[Measure, np.ndarray],
    residents: np.ndarray | None,
    history: Mapping[int, Status] | None = None,
    ignore_min_residents: bool = False,
) -> dict[str, np.ndarray]:
    """The law's status per draw on each list (by list id): `ON`, `OFF` or `UNDETERMINED`.

    `values` holds the draws of the known measures (a measure left out is unknown); `residents`
    the resident counts (None: unknown)."""
    decider = Decider(rules)
    size = next(iter(values.values())).shape if values else (0 if residents is None else residents.shape)
    unknown = frozenset(m for m in Measure if rules.criteria_for(m) and (m not in values or decider.measure_unknown(m)))
    fixed: Status | str = "drawn"
    if ignore_min_residents:
        fixed = True
    elif residents is None:
        fixed = None
    eligible = np.zeros(size, dtype=bool) if residents is None else residents >= rules.min_residents
    context = _Context(unknown, fixed, tuple(sorted((history or {}).items())))
    codes = decider.codes(values, eligible)
    unique, inverse = np.unique(codes, return_inverse=True)
    table = np.array([decider.decide(context, int(c)) for c in unique], dtype=np.int8).reshape(len(unique), -1)
    return {lid: table[inverse.reshape(codes.shape), i] for i, lid in enumerate(decider.list_ids)}


# --------------------------------------------------------------------------------------------------
# The forecast


def _value(unit: UnitFigures, name: str) -> float | None:
    if name == RESIDENTS:
        return None if unit.residents is None else float(unit.residents)
    value = unit.measurement(Measure(name)).value
    return None if value is None else float(value)


def unit_trends(history: Sequence[UnitFigures], year: int) -> tuple[Trend, ...]:
    """The line of each measure and of the resident count, from the unit's years held."""
    trends: list[Trend] = []
    for name in (*(m.value for m in Measure), RESIDENTS):
        points = [(u.list_year, v) for u in history if u.list_year is not None and (v := _value(u, name)) is not None]
        if name == RESIDENTS:
            spread = RESIDENTS_SPREAD_SHARE * points[-1][1] if points else 0.0
        else:
            spread = DEFAULT_SPREAD[name]
        trends.append(fit_trend(name, sorted(points), year, spread))
    return tuple(trends)


def carried_average(law: Law, options: Options, year: int) -> tuple[int, Fraction] | None:
    """The national conviction average of the latest list year up to `year` that has one (given
    by the user or known to the law): (year, average). A known year that quotes thresholds only
    gives the average as the threshold of its smallest multiple divided by the multiple."""
    found: dict[int, Fraction] = {}
    for y, known in law.conviction_years.items():
        if known.average is not None:
            found[y] = known.average
        elif known.thresholds:
            k = min(known.thresholds)
            found[y] = known.thresholds[k] / k
    found.update(options.conviction_averages)
    candidates = [y for y in found if y <= year]
    return (max(candidates), found[max(candidates)]) if candidates else None


def target_rules(
    law: Law, options: Options, year: int, average: Fraction | None = None
) -> tuple[CompiledRules, tuple[str, ...]]:
    """Next year's rules. The national conviction average of a year to come is rarely known: then
    the latest known one is carried forward (said in a note), or `average` is used when given."""
    averages = dict(options.conviction_averages)
    if average is not None:
        averages[year] = average
    rules = compile_rules(law, year, averages)
    if rules.average_known:
        return rules, ()
    carried = carried_average(law, options, year)
    if carried is None:
        note = (
            f"Landsgennemsnittet for dømte er ikke kendt for listeår {year} eller tidligere, "
            "så dømte-kriterierne er ukendte i prognosen."
        )
        return rules, (note,)
    source_year, value = carried
    note = (
        f"Landsgennemsnittet for dømte i listeår {year} er ikke kendt; prognosen bruger listeår {source_year}s "
        f"({number(value, 3)} pct.)."
    )
    return compile_rules(law, year, {**averages, year: value}), (note,)


def forecast(
    units: Sequence[UnitFigures],
    year: int | None = None,
    options: Options | None = None,
    law: Law | None = None,
    settings: Settings | None = None,
    *,
    book: StatusBook | None = None,
    kinds: Sequence[str] = ("afdeling", "omraade"),
    average: Fraction | None = None,
    only: Callable[[UnitFigures], bool] | None = None,
) -> ForecastResult:
    """The probability of each unit of the last list year before `year` (default: the year after
    the last one held) being on each of `year`'s lists. Only list years before `year` are read.
    `kinds` and `only` choose the units (by their figures in the last year held)."""
    options = options or Options()
    law = law or load_law()
    settings = settings or Settings()
    book = book or StatusBook(units, options, law)
    held = book.years
    if not held:
        raise LawError("Prognosen kræver nøgletal med listeår (kolonnen 'listeaar').")
    year = held[-1] + 1 if year is None else year
    earlier = [y for y in held if y < year]
    if not earlier:
        shown = ", ".join(str(y) for y in held)
        raise LawError(f"Nøgletallene har intet listeår før {year} at fremskrive fra (de har listeår: {shown}).")
    from_year = earlier[-1]
    rules, notes = target_rules(law, options, year, average)
    chosen = [k for k, u in book.by_year[from_year].items() if u.kind in kinds and (only is None or only(u))]
    histories = {key: [book.by_year[y][key] for y in earlier if key in book.by_year[y]] for key in chosen}
    trends = [unit_trends(histories[key], year) for key in chosen]
    decider = Decider(rules)
    contexts = [
        _context(decider, book, key, histories[key][-1], t, options) for key, t in zip(chosen, trends, strict=True)
    ]
    p_on, p_undetermined = _simulate(decider, trends, contexts, settings)
    lists = {rules.rule_set.lists[lid].reported_as: rules.rule_set.lists[lid].label for lid in decider.list_ids}
    results: list[UnitForecast] = []
    for i, key in enumerate(chosen):
        unit = histories[key][-1]
        by_list = {
            reported: ListForecast(
                reported_as=reported,
                label=label,
                current=book.status(key, from_year, reported),
                p_on=float(p_on[i, j]),
                p_undetermined=float(p_undetermined[i, j]),
            )
            for j, (reported, label) in enumerate(lists.items())
        }
        years = tuple(u.list_year for u in histories[key] if u.list_year is not None)
        results.append(UnitForecast(unit.name, unit.kind, unit.boligorganisation, key, years, trends[i], by_list))
    return ForecastResult(year, from_year, settings.draws, settings.seed, tuple(results), lists, notes)


def _context(
    decider: Decider,
    book: StatusBook,
    key: tuple[str, str, str],
    last: UnitFigures,
    trends: tuple[Trend, ...],
    options: Options,
) -> _Context:
    rules = decider.rules
    unknown = frozenset(
        m
        for m, t in zip(Measure, trends, strict=False)
        if rules.criteria_for(m) and (not t.known or decider.measure_unknown(m))
    )
    eligible: Status | str = "drawn"
    if options.ignore_min_residents:
        eligible = True
    elif not trends[-1].known:
        eligible = eligibility(rules, last, False)
    return _Context(unknown, eligible, tuple(sorted(book.history(rules, key).items())))


def _simulate(
    decider: Decider, trends: Sequence[tuple[Trend, ...]], contexts: Sequence[_Context], settings: Settings
) -> tuple[np.ndarray, np.ndarray]:
    """P(on) and P(undetermined) per unit (rows) and list (columns), a block of units at a time."""
    n_lists = len(decider.list_ids)
    normal = np.random.default_rng(settings.seed).standard_normal((len(Measure) + 1, settings.draws))
    predicted = np.array([[np.nan if t.predicted is None else t.predicted for t in ts] for ts in trends]).reshape(
        len(trends), len(Measure) + 1
    )
    sd = np.array([[0.0 if t.sd is None else t.sd for t in ts] for ts in trends]).reshape(len(trends), len(Measure) + 1)
    ids: dict[_Context, int] = {}
    context_ids = np.array([ids.setdefault(c, len(ids)) for c in contexts], dtype=np.int64)
    by_id = list(ids)
    p_on = np.zeros((len(trends), n_lists))
    p_undetermined = np.zeros((len(trends), n_lists))
    shift = len(decider.keys) + 1
    for start in range(0, len(trends), settings.chunk):
        block = slice(start, start + settings.chunk)
        draws = predicted[block, :, None] + sd[block, :, None] * normal[None, :, :]
        values = {m: draws[:, j, :] for j, m in enumerate(Measure)}
        eligible = np.round(draws[:, -1, :]) >= decider.rules.min_residents
        codes = decider.codes(values, eligible) | (context_ids[block, None] << shift)
        unique, inverse = np.unique(codes, return_inverse=True)
        mask = (1 << shift) - 1
        table = np.array([decider.decide(by_id[int(c) >> shift], int(c) & mask) for c in unique], dtype=np.int8)
        decided = table.reshape(len(unique), n_lists)[inverse.reshape(codes.shape)]
        p_on[block] = (decided == ON).mean(axis=1)
        p_undetermined[block] = (decided == UNDETERMINED).mean(axis=1)
    return p_on, p_undetermined

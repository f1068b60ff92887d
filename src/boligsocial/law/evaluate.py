"""Evaluate one unit against the compiled rules of one list year.

Unknown values (suppressed cells) are not guessed. For each unknown measure we take one
representative value from every interval its thresholds cut the axis into, evaluate every
combination, and call a status determined only when all combinations agree. This is exact: a
status is "undetermined" precisely when some resolution of the unknowns would change it.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction

from boligsocial.law.criteria import criterion_results
from boligsocial.law.figures import Measure, Measurement, UnitFigures
from boligsocial.law.flips import crossing, make_flip, nearest_first
from boligsocial.law.reasons import earlier_years, list_constants, memoised_reasons, residents_reason
from boligsocial.law.rules import History, ListRule, World
from boligsocial.law.thresholds import CompiledRules, Points
from boligsocial.law.verdicts import CriterionResult, Flip, HistoryYear, ListResult, Status, Verdict

# Small enough never to step over a second threshold, large enough to be exact in a Fraction.
EPSILON = Fraction(1, 10**6)

Statuses = dict[str, tuple[Status, Status]]  # list_id -> (status, statutory status)


@dataclass(frozen=True)
class UnitState:
    """What is known about a unit: criterion outcomes for known measures, the alternatives for
    unknown ones, whether it is large enough, and its history statuses."""

    known: Mapping[str, bool]
    unknown: tuple[tuple[Mapping[str, bool], ...], ...]
    eligible: Status
    history: Mapping[int, Status]


def outcomes_for_value(rules: CompiledRules, measure: Measure, value: Fraction) -> dict[str, bool]:
    return {key: rules.holds(key, value) for key in rules.criteria_for(measure)}


def _outcomes_at(rules: CompiledRules, measure: Measure, value: Fraction, average: Fraction) -> dict[str, bool]:
    """`outcomes_for_value` under `rules.with_average(average)`, without making those rules."""
    outcomes: dict[str, bool] = {}
    for key in rules.criteria_for(measure):
        param = rules.param(key)
        threshold = rules.threshold(key)
        if threshold is None:
            assert param.national_average_multiple is not None
            threshold = param.national_average_multiple * average
        outcomes[key] = param.operator.holds(value, threshold)
    return outcomes


def alternatives_for_unknown(
    rules: CompiledRules, measure: Measure, lower: Fraction | None = None, upper: Fraction | None = None
) -> tuple[Mapping[str, bool], ...]:
    """One outcome vector per interval that the measure's thresholds cut [lower, upper] into
    (`None`: open on that side; both None: the whole axis).

    The outcomes are constant between thresholds, so trying each threshold, a point just either
    side of it and the two bounds themselves meets every interval that meets [lower, upper].
    Thresholds that are multiples of an unknown national average are resolved over every average
    that gives different outcomes (`average_resolutions`)."""
    memo_key = ("alternatives", measure, lower, upper)
    known = rules.local.get(memo_key)
    if known is None:
        known = rules.local[memo_key] = _alternatives(rules, measure, lower, upper)
    return known


def _alternatives(
    rules: CompiledRules, measure: Measure, lower: Fraction | None, upper: Fraction | None
) -> tuple[Mapping[str, bool], ...]:
    keys = rules.criteria_for(measure)
    if any(rules.threshold(key) is None for key in keys):
        found: dict[tuple[bool, ...], Mapping[str, bool]] = {}
        for average in average_resolutions(rules, measure, lower, upper):
            if lower is not None and lower == upper:
                # One point: each resolution gives the outcomes at that point (what the recursion
                # finds, without making the resolved rules).
                resolved: tuple[Mapping[str, bool], ...] = (_outcomes_at(rules, measure, lower, average),)
            else:
                resolved = alternatives_for_unknown(rules.with_average(average), measure, lower, upper)
            for outcome in resolved:
                found.setdefault(tuple(outcome[k] for k in keys), outcome)
        return tuple(found.values())
    points = {t + d for key in keys for t in (rules.thresholds[key],) for d in (-EPSILON, Fraction(0), EPSILON)}
    points |= {b for b in (lower, upper) if b is not None}
    inside = [p for p in points if (lower is None or lower <= p) and (upper is None or p <= upper)]
    seen: dict[tuple[bool, ...], Mapping[str, bool]] = {}
    for point in sorted(inside):
        outcome = outcomes_for_value(rules, measure, point)
        seen.setdefault(tuple(outcome[k] for k in keys), outcome)
    return tuple(seen.values())


def average_resolutions(
    rules: CompiledRules, measure: Measure, lower: Fraction | None, upper: Fraction | None
) -> list[Fraction]:
    """National averages, one from each interval of averages within which a value in
    [lower, upper] meets the measure's criteria alike, when the average is unknown.

    A criterion k × average changes outcome for a bound b only where k × average = b, so the
    averages b / k, a point between each two of them and one beyond either end meet every interval.
    A positive average is assumed, so that a value of 0 never meets k × average, and 2 × < 3 ×
    holds in every resolution. With no positive bound (a value of 0, or wholly unknown), one
    average already gives every outcome there is."""
    multiples = {rules.multiple(key) for key in rules.criteria_for(measure)} - {None}
    critical = sorted({b / k for b in (lower, upper) if b is not None and b > 0 for k in multiples if k})
    if not critical:
        return [Fraction(1)]
    between = [(a + b) / 2 for a, b in itertools.pairwise(critical)]
    return sorted({critical[0] / 2, *critical, *between, critical[-1] * 2})


def eligibility(rules: CompiledRules, unit: UnitFigures, ignore_min_residents: bool) -> Status:
    """Whether the unit has the residents of a boligomraade, decided from the count's bounds."""
    if ignore_min_residents:
        return True
    least, most = unit.residents_bounds
    if least is not None and least >= rules.min_residents:
        return True
    if most is not None and most < rules.min_residents:
        return False
    return None


Part = tuple[Mapping[str, bool], ...]  # a measure's outcome vectors: one when known, else every alternative


def _measure_part(rules: CompiledRules, measure: Measure, measurement: Measurement) -> Part:
    if measurement.exact and all(rules.threshold(k) is not None for k in rules.criteria_for(measure)):
        assert measurement.value is not None
        return (rules.outcomes_at(measure, measurement.value),)
    return alternatives_for_unknown(rules, measure, measurement.lower, measurement.upper)


def _parts(rules: CompiledRules, unit: UnitFigures) -> dict[Measure, Part]:
    """Each measure's part of the unit's state, in `Measure` order (measures without criteria left out)."""
    parts: dict[Measure, Part] = {}
    for measure, thresholds_known in _measures_with_criteria(rules):
        measurement = unit.measurement(measure)
        if thresholds_known and measurement.exact:  # `_measure_part`, asked 45.000 times a national file
            parts[measure] = (rules.outcomes_at(measure, measurement.value),)  # type: ignore[arg-type]
        else:
            parts[measure] = _measure_part(rules, measure, measurement)
    return parts


def _measures_with_criteria(rules: CompiledRules) -> list[tuple[Measure, bool]]:
    """The measures some criterion looks at, in `Measure` order, each with whether all their
    criteria's thresholds are known."""
    memo_key = ("measures with criteria",)
    found = rules.local.get(memo_key)
    if found is None:
        found = rules.local[memo_key] = [
            (m, all(rules.threshold(k) is not None for k in rules.criteria_for(m)))
            for m in Measure
            if rules.criteria_for(m)
        ]
    return found


def _assemble(parts: Iterable[Part], eligible: Status, history: Mapping[int, Status]) -> UnitState:
    known: dict[str, bool] = {}
    unknown: list[Part] = []
    for part in parts:
        if len(part) == 1:
            known.update(part[0])
        else:
            unknown.append(part)
    return UnitState(known=known, unknown=tuple(unknown), eligible=eligible, history=history)


def unit_state(
    rules: CompiledRules,
    unit: UnitFigures,
    ignore_min_residents: bool,
    history: Mapping[int, Status],
    override: tuple[Measure, Fraction] | None = None,
    parts: Mapping[Measure, Part] | None = None,
) -> UnitState:
    """`parts`: the unit's `_parts`, when the caller has them already."""
    parts = dict(parts) if parts is not None else _parts(rules, unit)
    if override is not None and override[0] in parts:
        parts[override[0]] = _measure_part(rules, override[0], Measurement(value=override[1]))
    return _assemble(parts.values(), eligibility(rules, unit, ignore_min_residents), history)


def _state_key(state: UnitState) -> tuple[object, ...]:
    """Equal keys, equal states: what the statuses of a state may be memoised by."""
    return (
        tuple(state.known.items()),
        tuple(tuple(tuple(o.items()) for o in alternatives) for alternatives in state.unknown),
        state.eligible,
        tuple(state.history.items()),
    )


def _choices(status: Status) -> tuple[bool, ...]:
    return (True, False) if status is None else (status,)


def _fold(seen: set[bool]) -> Status:
    return seen.pop() if len(seen) == 1 else None


def _worlds(state: UnitState) -> Iterator[tuple[bool, dict[str, bool], dict[int, bool]]]:
    """Every resolution of the unknowns: (eligible, criterion outcomes, earlier years' statuses)."""
    history_years = sorted(state.history)
    for eligible in _choices(state.eligible):
        for combo in itertools.product(*state.unknown):
            criteria = dict(state.known)
            for outcome in combo:
                criteria.update(outcome)
            for past in itertools.product(*(_choices(state.history[y]) for y in history_years)):
                yield eligible, criteria, dict(zip(history_years, past, strict=True))


def _uses_history(rules: CompiledRules, list_id: str) -> bool:
    return any(isinstance(node, History) for node in rules.rules[list_id].walk())


def statuses(
    rules: CompiledRules,
    state: UnitState,
    list_ids: Iterable[str] | None = None,
    state_key: tuple[object, ...] | None = None,
) -> Statuses:
    """Three-valued status of each list, with and without rules of practice.

    Memoised by the state (`CompiledRules.shared`): a national file has thousands of units but few
    distinct states. `state_key`: the state's `_state_key`, when the caller has it already."""
    wanted = tuple(list_ids) if list_ids is not None else tuple(rules.rules)
    key = ("statuses", _state_key(state) if state_key is None else state_key, wanted)
    found = rules.shared.get(key)
    if found is None:
        found = rules.shared[key] = _statuses(rules, state, wanted)
    return dict(found)


def _statuses(rules: CompiledRules, state: UnitState, wanted: tuple[str, ...]) -> Statuses:
    seen: dict[str, tuple[set[bool], set[bool]]] = {lid: (set(), set()) for lid in wanted}
    # Lists that do not look back need not enumerate the unknown earlier years (2^4 times fewer).
    historic = [lid for lid in wanted if _uses_history(rules, lid)]
    passes = (([lid for lid in wanted if lid not in historic], replace(state, history={})), (historic, state))
    for list_group, group_state in passes:
        if not list_group:
            continue
        for eligible, criteria, history in _worlds(group_state):
            # The world with and without rules of practice, shared by the lists (it is frozen).
            worlds = (World(criteria, history, rules.year, True), World(criteria, history, rules.year, False))
            for list_id in list_group:
                rule = rules.rules[list_id]
                for bucket, world in enumerate(worlds):
                    seen[list_id][bucket].add(eligible and rule.holds(world, rules.rules))
    return {lid: (_fold(a), _fold(b)) for lid, (a, b) in seen.items()}


def any_list_status(rules: CompiledRules, state: UnitState, state_key: tuple[object, ...] | None = None) -> Status:
    """On at least one list (rules of practice applied), decided over the same resolutions.

    Not derivable from the lists' own statuses: with an unknown value, udsat and forebyggelse can
    both be undetermined while every resolution puts the unit on one of them (forebyggelse
    excludes udsatte in practice), and then the unit is on a list, not "undetermined".
    """
    key = ("any_list", _state_key(state) if state_key is None else state_key)
    if key not in rules.shared:
        rules.shared[key] = _any_list_status(rules, state)
    return rules.shared[key]  # type: ignore[no-any-return]


def _any_list_status(rules: CompiledRules, state: UnitState) -> Status:
    seen: set[bool] = set()
    for eligible, criteria, history in _worlds(state):
        world = World(criteria, history, rules.year, apply_practice=True)
        seen.add(eligible and any(rule.holds(world, rules.rules) for rule in rules.rules.values()))
        if len(seen) > 1:
            return None
    return _fold(seen)


def _candidates(rules: CompiledRules, measure: Measure) -> list[tuple[Fraction, Mapping[str, bool]]]:
    """The values a flip may move a measure to (each threshold and a point just either side of
    it), ascending, with the criteria outcomes there; the same for every unit, so made once."""
    memo_key = ("candidates", measure)
    found = rules.local.get(memo_key)
    if found is None:
        keys = rules.criteria_for(measure)
        points = sorted({rules.thresholds[k] + d for k in keys for d in (-EPSILON, Fraction(0), EPSILON)})
        found = rules.local[memo_key] = [(p, outcomes_for_value(rules, measure, p)) for p in points]
    return found


def _candidate_points(rules: CompiledRules, measure: Measure) -> Points:
    """The candidates' values, for placing a value among them in integers."""
    memo_key = ("candidate points", measure)
    found = rules.local.get(memo_key)
    if found is None:
        found = rules.local[memo_key] = Points([value for value, _ in _candidates(rules, measure)])
    return found


def _depends_on(rules: CompiledRules, list_id: str) -> frozenset[str]:
    """The criteria a list's status can turn on, through the lists it builds on."""
    memo_key = ("depends_on", list_id)
    found = rules.shared.get(memo_key)
    if found is None:
        keys: set[str] = set()
        for node in rules.rules[list_id].walk():
            keys.update(node.criteria())
            inner = node.current if isinstance(node, History) else node
            if isinstance(inner, ListRule):
                keys |= _depends_on(rules, inner.list_id)
        found = rules.shared[memo_key] = frozenset(keys)
    return found


def find_flips(
    rules: CompiledRules,
    unit: UnitFigures,
    ignore_min_residents: bool,
    history: Mapping[int, Status],
    current: Statuses,
    parts: Mapping[Measure, Part] | None = None,
    state_key: Hashable | None = None,
) -> dict[str, Flip]:
    """For each determined list, the smallest change of one known measure that flips it: per
    measure the nearest candidate value that flips it (`_flips_walking`), the smallest change
    over the measures (the earlier measure on a tie). `state_key`: the `_state_key` of the
    unit's state (of `parts`, its eligibility and `history`), or its `_state_id`, when the caller has it."""
    # Per list the smallest change so far: (change, measure, value, candidate, joins). The Flip
    # (and its text) is made for the winner only.
    best: dict[str, tuple[Fraction, Measure, Fraction, Fraction, bool]] = {}
    if parts is None:
        parts = _parts(rules, unit)
    eligible = eligibility(rules, unit, ignore_min_residents)
    determined = tuple(list_id for list_id, (before, _) in current.items() if before is not None)
    for measure, thresholds_known in _measures_with_criteria(rules):
        value = unit.measurement(measure).value
        if value is None or not thresholds_known:
            continue  # no value, or no threshold to cross (a multiple of an unknown average)
        movable = _movable(rules, measure, determined)
        if not movable:
            continue
        if len(parts[measure]) == 1:
            if state_key is None:
                state_key = _state_key(_assemble(parts.values(), eligible, history))
            found = _flips_by_sides(rules, measure, value, (parts, eligible, history), current, movable, state_key)
        else:  # a value with a range around it: its part is not in the state key as the measure's own
            found = _flips_walking(rules, measure, value, (parts, eligible, history), current, movable)
        for list_id, (candidate, joins) in found.items():
            change = abs(crossing(rules, measure, candidate)[0] - value)
            if list_id not in best or change < best[list_id][0]:
                best[list_id] = (change, measure, value, candidate, joins)
    return {list_id: make_flip(rules, *flip) for list_id, flip in best.items()}


Move = tuple[Fraction, bool]  # a flip's candidate value, and whether it puts the unit on the list


def _movable(rules: CompiledRules, measure: Measure, determined: tuple[str, ...]) -> list[str]:
    """The lists among `determined` that the measure can flip: a list none of whose criteria
    is the measure's keeps its status whatever the value."""
    memo_key = ("movable", measure, determined)
    found = rules.local.get(memo_key)
    if found is None:
        keys = rules.criteria_for(measure)
        found = rules.local[memo_key] = [lid for lid in determined if not _depends_on(rules, lid).isdisjoint(keys)]
    return found


Rest = tuple[Mapping[Measure, Part], Status, Mapping[int, Status]]  # a unit's parts, eligibility, history


def _after(rules: CompiledRules, rest: Rest, measure: Measure, outcome: Mapping[str, bool]) -> Statuses:
    """The statuses with the measure's criteria outcomes replaced by `outcome`."""
    parts, eligible, history = rest
    return statuses(rules, _assemble({**parts, measure: (outcome,)}.values(), eligible, history))


def _flips_walking(
    rules: CompiledRules, measure: Measure, value: Fraction, rest: Rest, current: Statuses, movable: list[str]
) -> dict[str, Move]:
    """Each movable list's flip by the measure: the first candidate, nearest first, that flips
    it. A candidate whose outcomes an earlier one had gives the same statuses, so it is skipped."""
    found: dict[str, Move] = {}
    tried: set[tuple[bool, ...]] = set()
    for candidate, outcome in nearest_first(_candidates(rules, measure), value):
        vector = tuple(outcome.values())
        if vector in tried:
            continue
        tried.add(vector)
        after = _after(rules, rest, measure, outcome)
        for list_id in movable:
            new = after[list_id][0]
            if new is not None and new != current[list_id][0] and list_id not in found:
                found[list_id] = (candidate, bool(new))
        if len(found) == len(movable):
            break
    return found


def _flips_by_sides(
    rules: CompiledRules,
    measure: Measure,
    value: Fraction,
    rest: Rest,
    current: Statuses,
    movable: list[str],
    state_key: Hashable,
) -> dict[str, Move]:
    """`_flips_walking`, with the walk memoised. The first flipping candidate nearest first is
    the nearer of the first flipping one below the value and the first above it (the lower on a
    tie); which ones those are depends only on the unit's state and the value's place among the
    candidates, which thousands of units share. Only the distances are the unit's own."""
    candidates = _candidates(rules, measure)
    points = _candidate_points(rules, measure)
    place, hit = points.place(value)
    memo_key = ("flip_sides", state_key, measure, place, hit)
    sides = rules.local.get(memo_key)
    if sides is None:
        sides = rules.local[memo_key] = _sides(rules, measure, (place, hit), rest, current, movable)
    found: dict[str, Move] = {}
    for list_id, (below, above) in sides.items():
        nearer = above
        if below is not None and (above is None or points.lower_is_nearer(value, below, above)):
            nearer = below
        assert nearer is not None
        found[list_id] = (candidates[nearer][0], not current[list_id][0])
    return found


def _sides(
    rules: CompiledRules,
    measure: Measure,
    at: tuple[int, bool],
    rest: Rest,
    current: Statuses,
    movable: list[str],
) -> dict[str, tuple[int | None, int | None]]:
    """Per movable list, the index of the nearest candidate below the value and above it that
    flips the list (None: none on that side); lists no candidate flips are left out."""
    candidates = _candidates(rules, measure)
    place, hit = at
    after_by_vector: dict[tuple[bool, ...], Statuses] = {}

    def flips(index: int, list_id: str) -> bool:
        outcome = candidates[index][1]
        vector = tuple(outcome.values())
        after = after_by_vector.get(vector)
        if after is None:
            after = after_by_vector[vector] = _after(rules, rest, measure, outcome)
        new = after[list_id][0]
        return new is not None and new != current[list_id][0]

    sides: dict[str, tuple[int | None, int | None]] = {}
    for list_id in movable:
        below = next((i for i in range(place - 1, -1, -1) if flips(i, list_id)), None)
        above = next((i for i in range(place + hit, len(candidates)) if flips(i, list_id)), None)
        if below is not None or above is not None:
            sides[list_id] = (below, above)
    return sides


def history_statuses(rules: CompiledRules, history: Mapping[str, tuple[HistoryYear, ...]]) -> dict[int, Status]:
    """The unit's status in each earlier year a history rule needs; a year not given is unknown."""
    merged: dict[int, Status] = {}
    for list_id in rules.rules:
        h = rules.history_rule(list_id)
        if h is not None:
            given = {entry.year: entry.status for entry in history.get(list_id, ())}
            merged.update({y: given.get(y) for y in h.earlier_years(rules.year)})
    return merged


def evaluate_lists(
    rules: CompiledRules,
    unit: UnitFigures,
    ignore_min_residents: bool,
    history: Mapping[str, tuple[HistoryYear, ...]],
    with_flips: bool = True,
) -> tuple[Status, dict[str, ListResult], dict[str, Status] | None, Status]:
    """All lists of the year for one unit, keyed by today's list names.

    `history` gives, per history list, the unit's status in each earlier year the rule needs;
    a year missing from it counts as unknown. The third value is, for a unit below the resident
    minimum, the statuses it would have as an area (by reported name); otherwise None. The fourth
    is whether the unit is on any list (`any_list_status`).
    """
    merged_history, history_id = _history_of(rules, history)
    parts = _parts(rules, unit)  # once for the state, the flips and the criteria
    eligible = eligibility(rules, unit, ignore_min_residents)
    state = _assemble(parts.values(), eligible, merged_history)
    state_key = _state_key(state)
    state_id = _state_id(rules, state_key)  # the memos' key for the state, hashed once
    first_reason = residents_reason(rules, unit, eligible, ignore_min_residents)
    memo_key = ("unit lists", state_id, first_reason, history_id)
    shape = rules.local.get(memo_key)
    if shape is None:
        criteria = criterion_results(rules, unit, parts)
        shape = rules.local[memo_key] = _unit_shape(rules, state, state_key, criteria, first_reason, history)
    else:
        criteria = criterion_results(rules, unit, parts, shape[4])
    current, lists, as_area, on_any_list, _ = shape
    flips = (
        find_flips(rules, unit, ignore_min_residents, merged_history, current, parts, state_id) if with_flips else {}
    )
    results: dict[str, ListResult] = {}
    for list_id, reported_as, fixed, shown in lists:
        result = object.__new__(ListResult)
        # ListResult(**fields), without the frozen dataclass's field-by-field __init__: the
        # fields the unit's state decides are copied (in field order), its own two filled in.
        fields = result.__dict__
        fields.update(fixed)
        fields["criteria"] = tuple([criteria[k] for k in shown])
        fields["flip"] = flips.get(list_id)
        results[reported_as] = result
    return eligible, results, as_area, on_any_list


ListShape = tuple[str, str, dict[str, object], list[str]]  # list id, reported name, fixed fields, criteria shown
# the statuses, the lists, the statuses as an area, on any list, the criteria's verdicts
UnitShape = tuple[Statuses, list[ListShape], dict[str, Status] | None, Status, tuple[Verdict, ...]]


def _state_id(rules: CompiledRules, state_key: tuple[object, ...]) -> int:
    """A small number for the state, the same for equal keys: a state's key is a nested tuple
    whose hash is not kept, and a unit's memos would hash it half a dozen times."""
    ids: dict[tuple[object, ...], int] | None = rules.local.get(("state ids",))
    if ids is None:
        ids = rules.local["state ids",] = {}
    found = ids.get(state_key)
    if found is None:
        found = ids[state_key] = len(ids)
    return found


def _history_of(rules: CompiledRules, history: Mapping[str, tuple[HistoryYear, ...]]) -> tuple[dict[int, Status], int]:
    """The unit's `history_statuses` and a small number for its history, kept for the last
    history asked: `classify` gives every unit the same one when it holds no earlier year (a
    national file), and its `HistoryYear`s would hash in Python for every unit."""
    last = rules.local.get(("last history",))
    if last is not None and last[0] is history:  # kept in the slot, so never another's id
        return last[1], last[2]
    ids = rules.local.setdefault(("history ids",), {})
    found = ids.setdefault(tuple(history.items()), len(ids))
    merged = history_statuses(rules, history)
    rules.local["last history",] = (history, merged, found)
    return merged, found


def _unit_shape(
    rules: CompiledRules,
    state: UnitState,
    state_key: tuple[object, ...],
    criteria: Mapping[str, CriterionResult],
    first_reason: str | None,
    history: Mapping[str, tuple[HistoryYear, ...]],
) -> UnitShape:
    """What a unit's lists hold that its state decides, not its own numbers: the statuses, each
    list's reasons, history, citation and notes, the statuses as an area and on any list. A
    national file's 9.000 units have a few hundred states (with the residents' reason and the
    history given), so each unit only fills in its criteria and flips. The reasons depend on the
    criteria only through their verdicts, which the state decides (`criteria.part_verdict`)."""
    current = statuses(rules, state, state_key=state_key)
    verdicts = tuple(c.verdict for c in criteria.values())
    current_key = tuple(current.items())
    lists: list[ListShape] = []
    for list_id, param in rules.rule_set.lists.items():
        reasons = memoised_reasons(rules, list_id, criteria, verdicts, current, current_key)
        if first_reason is not None:
            reasons = (first_reason, *reasons)
        history_years: tuple[HistoryYear, ...] = ()
        earlier = earlier_years(rules, list_id)
        if earlier:
            given_years = {entry.year: entry for entry in history.get(list_id, ())}
            history_years = tuple(given_years.get(y, HistoryYear(year=y, status=None, known=False)) for y in earlier)
        shown, practice = list_constants(rules, list_id)
        status, statutory = current[list_id]
        # A whole result of the state, whose fields each unit's result copies; its criteria and flip are the unit's own.
        citation = rules.list_citations[list_id]
        template = ListResult(list_id, param.reported_as, param.label, status, statutory, reasons, (), citation)
        fixed = dict(vars(replace(template, history=history_years, practice_notes=practice)))
        lists.append((list_id, param.reported_as, fixed, shown))
    as_area: dict[str, Status] | None = None
    if state.eligible is False:
        as_if = statuses(rules, replace(state, eligible=True))
        as_area = {rules.rule_set.lists[lid].reported_as: status for lid, (status, _) in as_if.items()}
    return current, lists, as_area, any_list_status(rules, state, state_key), verdicts

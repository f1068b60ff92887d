"""Classify every unit of a key-figure collection for one list year.

The collection may hold several list years (the `listeaar` column). Omdannelsesomraade and
haardt ghettoomraade look back at the unit's status in the earlier years the collection holds;
years it does not hold are unknown, so those lists become undetermined wherever they could be true.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from boligsocial.law.areas import build_areas
from boligsocial.law.average import needs_average
from boligsocial.law.errors import LawError
from boligsocial.law.evaluate import evaluate_lists, statuses, unit_state
from boligsocial.law.figures import UnitFigures
from boligsocial.law.parameters import Law, load_law
from boligsocial.law.thresholds import CompiledRules, compile_rules
from boligsocial.law.verdicts import HistoryYear, ListYearResult, Status, UnitResult, unit_label


@dataclass(frozen=True)
class Options:
    ignore_min_residents: bool = False
    # National average share of convicted residents (percent) per list year, given by the user.
    conviction_averages: Mapping[int, Fraction] = field(default_factory=dict)


def list_years_in(units: Sequence[UnitFigures]) -> list[int]:
    return sorted({u.list_year for u in units if u.list_year is not None})


def _units_for_year(units: Sequence[UnitFigures], year: int) -> list[UnitFigures]:
    return [u for u in units if u.applies_to(year)]


def _with_areas(units: Sequence[UnitFigures]) -> list[UnitFigures]:
    # An area given in the file replaces the one built from its departments in that list year
    # only: a collection may hold published area rows for one year and department rows for others.
    given = {(u.list_year, u.name) for u in units if u.kind == "omraade"}
    wanted = [u for u in units if u.kind != "afdeling" or (u.list_year, u.omraade) not in given]
    return list(units) + build_areas(wanted)


class _History:
    """Status on the parallelsamfund (ghetto) list per unit and earlier year, computed lazily."""

    def __init__(self, law: Law, units: Sequence[UnitFigures], options: Options) -> None:
        self.law = law
        self.options = options
        self.rows_by_year: dict[int, list[UnitFigures]] = {}
        for unit in units:
            if unit.list_year is not None:
                self.rows_by_year.setdefault(unit.list_year, []).append(unit)
        self._by_year: dict[int, dict[tuple[str, str, str], UnitFigures]] = {}
        # Per list year, the history every unit has when the collection holds none of the
        # earlier years it looks back at (all unknown): one mapping, not one per unit.
        self._none_held: dict[int, dict[str, tuple[HistoryYear, ...]]] = {}
        self.rules: dict[int, CompiledRules] = {}

    def units_of(self, year: int) -> dict[tuple[str, str, str], UnitFigures]:
        """The year's units with its areas, by key; built when a year is first looked back at."""
        if year not in self._by_year:
            self._by_year[year] = {unit.key: unit for unit in _with_areas(self.rows_by_year.get(year, []))}
        return self._by_year[year]

    def status(self, key: tuple[str, str, str], year: int, reported: str) -> tuple[Status, bool]:
        """(status, known): known is False when the collection holds no figures for that year."""
        unit = self.units_of(year).get(key)
        if unit is None:
            return None, False
        if year not in self.rules:
            self.rules[year] = compile_rules(self.law, year, self.options.conviction_averages)
        rules = self.rules[year]
        list_id = rules.list_id_for(reported)
        if list_id is None:
            return False, True  # the list did not exist that year
        if rules.history_rule(list_id) is not None:
            raise LawError(f"historikken for {reported} kan ikke selv bygge på historik ({year})")
        state = unit_state(rules, unit, self.options.ignore_min_residents, {})
        return statuses(rules, state, [list_id])[list_id][0], True

    def of(self, unit: UnitFigures, rules: CompiledRules) -> dict[str, tuple[HistoryYear, ...]]:
        """The unit's status in each earlier year, for each list of the year that looks back."""
        shared = self._none_held.get(rules.year)
        if shared is not None:
            return shared
        unit_history: dict[str, tuple[HistoryYear, ...]] = {}
        for list_id in rules.rules:
            h = rules.history_rule(list_id)
            if h is not None:
                unit_history[list_id] = tuple(
                    HistoryYear(past_year, *self.status(unit.key, past_year, h.reported_list))
                    for past_year in h.earlier_years(rules.year)
                )
        if all(y.year not in self.rows_by_year for years in unit_history.values() for y in years):
            self._none_held[rules.year] = unit_history  # read only, by every unit
        return unit_history

    def years_needing_average(
        self, unit: UnitFigures, unit_history: Mapping[str, tuple[HistoryYear, ...]]
    ) -> list[int]:
        """The earlier years whose status is open only for want of that year's national conviction
        average (so giving it could settle a status that looks back)."""
        open_years = sorted({y.year for years in unit_history.values() for y in years if y.status is None})
        return [year for year in open_years if self._needs_average(unit.key, year)]

    def _needs_average(self, key: tuple[str, str, str], year: int) -> bool:
        unit = self.units_of(year).get(key)
        rules = self.rules.get(year)
        if unit is None or rules is None or rules.average_known:
            return False
        return needs_average(rules, unit, self.options.ignore_min_residents, {})


@dataclass(frozen=True)
class Chunk:
    """The results of a contiguous run of the year's units, with the units among them whose
    statuses need the unknown national conviction average (this year's, and earlier years')."""

    units: tuple[UnitResult, ...]
    needing: tuple[str, ...]
    needing_history: Mapping[int, tuple[str, ...]]


class Classification:
    """`classify` in steps, so that the year's units can be classified in contiguous chunks (in
    worker processes, `law/check_run.py`) and the chunks joined in order into the same result."""

    def __init__(
        self, units: Sequence[UnitFigures], year: int, options: Options | None = None, law: Law | None = None
    ) -> None:
        self.options = options or Options()
        self.law = law or load_law()
        self.year = year
        self.rules = compile_rules(self.law, year, self.options.conviction_averages)
        this_year = _units_for_year(units, year)
        if not this_year:
            held = ", ".join(str(y) for y in list_years_in(units)) or "ingen"
            raise LawError(f"Nøgletallene indeholder ingen enheder for listeår {year} (filen har listeår: {held}).")
        self.history = _History(self.law, units, self.options)
        self.units = _with_areas(this_year)

    def chunk(self, start: int, stop: int) -> Chunk:
        """The results of `self.units[start:stop]`."""
        rules, options, history, year = self.rules, self.options, self.history, self.year
        results: list[UnitResult] = []
        needing: list[str] = []
        needing_history: dict[int, list[str]] = {}
        for unit in self.units[start:stop]:
            unit_history = history.of(unit, rules)
            eligible, lists, as_area, on_any_list = evaluate_lists(
                rules, unit, options.ignore_min_residents, unit_history
            )
            notes: list[str] = []
            if unit.approximate:
                notes.append(
                    "Tilnærmede tal: beregnet som beboervægtede gennemsnit af afdelingernes procenter, "
                    "ikke af tællere og nævnere."
                )
            result = object.__new__(UnitResult)
            # UnitResult(**fields), without the frozen dataclass's field-by-field __init__; every
            # field is given.
            result.__dict__.update(
                name=unit.name,
                kind=unit.kind,
                list_year=year,
                residents=unit.residents,
                residents_lower=unit.residents_lower,
                eligible=eligible,
                approximate=unit.approximate,
                boligorganisation=unit.boligorganisation,
                omraade=unit.omraade,
                members=unit.members,
                lists=lists,
                on_any_list=on_any_list,
                as_area=as_area,
                notes=tuple(notes),
            )
            results.append(result)
            # Every status settled over all resolutions of the unknown average is settled under each
            # one of them: only a unit with an open status can need the average.
            settled = all(r.status is not None and r.statutory_status is not None for r in lists.values())
            if not settled and needs_average(rules, unit, options.ignore_min_residents, unit_history):
                needing.append(unit_label(results[-1]))
            if any(r.status is None for r in lists.values()):
                for past in history.years_needing_average(unit, unit_history):
                    needing_history.setdefault(past, []).append(unit_label(results[-1]))
        return Chunk(tuple(results), tuple(needing), {y: tuple(names) for y, names in needing_history.items()})

    def result(self, chunks: Sequence[Chunk]) -> ListYearResult:
        """The year's result from the chunks of all its units, in order."""
        rules, options = self.rules, self.options
        needing_history: dict[int, list[str]] = {}
        for chunk in chunks:
            for past, names in chunk.needing_history.items():
                needing_history.setdefault(past, []).extend(names)
        notes = [
            f"Regelsæt: {rules.rule_set.name}.",
            f"Et boligområde skal have mindst {rules.min_residents:,} beboere.".replace(",", "."),
        ]
        if options.ignore_min_residents:
            notes.append("Beboerkravet er sat ud af kraft (--ignore-min-residents): alle enheder vurderes som områder.")
        for list_id in rules.rules:
            rule = rules.rules[list_id]
            for node in rule.walk():
                practice = getattr(node, "practice", None)
                if practice:
                    notes.append(practice)
        return ListYearResult(
            list_year=self.year,
            rule_set=rules.rule_set.name,
            rule_set_file=rules.rule_set.file,
            min_residents=rules.min_residents,
            min_residents_ignored=options.ignore_min_residents,
            conviction_thresholds=rules.conviction,
            units=tuple(unit for chunk in chunks for unit in chunk.units),
            notes=tuple(notes),
            conviction_average_known=rules.average_known,
            needs_conviction_average=tuple(name for chunk in chunks for name in chunk.needing),
            history_needs_conviction_average={y: tuple(units) for y, units in sorted(needing_history.items())},
        )


def classify(
    units: Sequence[UnitFigures], year: int, options: Options | None = None, law: Law | None = None
) -> ListYearResult:
    classification = Classification(units, year, options, law)
    return classification.result([classification.chunk(0, len(classification.units))])

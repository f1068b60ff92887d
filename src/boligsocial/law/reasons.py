"""The Danish explanation of a unit's list statuses (`ListResult.reasons`), and what each list
shows: its criteria and notes of practice."""

from __future__ import annotations

from collections.abc import Mapping

from boligsocial.danish import number, short_number
from boligsocial.law.figures import UnitFigures
from boligsocial.law.rules import AllOf, AtLeast, CriterionRule, History, ListRule, Not, Rule
from boligsocial.law.thresholds import CompiledRules
from boligsocial.law.verdicts import CriterionResult, Status, Verdict

Statuses = dict[str, tuple[Status, Status]]  # list_id -> (status, statutory status)


def display_criteria(rule: Rule, rules: Mapping[str, Rule]) -> list[str]:
    """Criteria a reader needs to see for a list: its own and those of lists it builds on,
    but not those behind a negation (forebyggelse shows its own thresholds, not udsat's)."""
    keys: list[str] = []
    if isinstance(rule, CriterionRule):
        keys.append(rule.key)
    elif isinstance(rule, AtLeast):
        keys.extend(rule.of)
    elif isinstance(rule, ListRule):
        keys.extend(display_criteria(rules[rule.list_id], rules))
    elif isinstance(rule, AllOf):
        for part in rule.parts:
            keys.extend(display_criteria(part, rules))
    elif isinstance(rule, History) and rule.current is not None:
        keys.extend(display_criteria(rule.current, rules))
    return list(dict.fromkeys(keys))


def _yes_no(status: Status) -> str:
    return {True: "ja", False: "nej", None: "ubestemt"}[status]


def reasons_for(
    rule: Rule, rules: CompiledRules, criteria: Mapping[str, CriterionResult], list_status: Statuses
) -> list[str]:
    """Danish explanation lines for a rule, from the criteria's verdicts."""
    lines: list[str] = []
    if isinstance(rule, AtLeast):
        verdicts = [criteria[k].verdict for k in rule.of]
        met = sum(v is Verdict.MET for v in verdicts)
        unknown = sum(v is Verdict.UNKNOWN for v in verdicts)
        line = f"{met} af {len(rule.of)} kriterier opfyldt (mindst {rule.count} kræves)"
        if unknown:
            line += f"; {unknown} ukendt{'e' if unknown > 1 else ''}"
        lines.append(line)
    elif isinstance(rule, CriterionRule):
        c = criteria[rule.key]
        shown = "ukendt" if c.threshold is None else f"{short_number(c.threshold)} pct."
        lines.append(f"{c.label} {c.operator.symbol} {shown}: {c.verdict.value.replace('_', ' ')}")
    elif isinstance(rule, ListRule):
        label = rules.rule_set.lists[rule.list_id].label
        lines.append(f"{label}: {_yes_no(list_status[rule.list_id][0])}")
    elif isinstance(rule, AllOf):
        for part in rule.parts:
            lines.extend(reasons_for(part, rules, criteria, list_status))
    elif isinstance(rule, Not):
        inner = reasons_for(rule.part, rules, criteria, list_status)
        prefix = "ikke " if not rule.practice else "ikke (praksis) "
        lines.extend(prefix + line[0].lower() + line[1:] for line in inner)
    elif isinstance(rule, History):
        label = rules.rule_set.lists[rule.current.list_id].label if isinstance(rule.current, ListRule) else ""
        lines.append(f"{label} i hvert af de seneste {rule.years} listeår (dette år medregnet)")
    return lines


def memoised_reasons(
    rules: CompiledRules,
    list_id: str,
    criteria: Mapping[str, CriterionResult],
    verdicts: tuple[Verdict, ...],
    current: Statuses,
    current_key: tuple[object, ...] | None = None,
) -> tuple[str, ...]:
    """`reasons_for` the list, memoised: the lines depend on the criteria only through their
    verdicts (the thresholds and labels are the rules'), and on the lists' statuses
    (`current_key`: `tuple(current.items())`, when the caller has it for several lists)."""
    key = ("reasons", list_id, verdicts, tuple(current.items()) if current_key is None else current_key)
    found = rules.local.get(key)
    if found is None:
        found = rules.local[key] = tuple(reasons_for(rules.rules[list_id], rules, criteria, current))
    return found


def list_constants(rules: CompiledRules, list_id: str) -> tuple[list[str], tuple[str, ...]]:
    """A list's criteria to show and its notes of practice: the same for every unit."""
    key = ("list_constants", list_id)
    found = rules.local.get(key)
    if found is None:
        rule = rules.rules[list_id]
        practice = tuple(node.practice for node in rule.walk() if isinstance(node, Not) and node.practice)
        found = rules.local[key] = (display_criteria(rule, rules.rules), practice)
    return found


def residents_reason(
    rules: CompiledRules, unit: UnitFigures, eligible: Status, ignore_min_residents: bool
) -> str | None:
    """The reason put first on every list of a unit whose residents do not settle it plainly."""
    if eligible is False:
        return f"Under {number(rules.min_residents, 0)} beboere: ikke et boligområde"
    if eligible is None:
        return f"Beboertallet er ukendt, så {number(rules.min_residents, 0)}-beboer-grænsen kan ikke afgøres"
    if unit.residents is None and not ignore_min_residents:
        least, limit = number(unit.residents_bounds[0], 0), number(rules.min_residents, 0)
        return f"Beboertallet er ukendt, men mindst {least}, så {limit}-beboer-grænsen er nået"
    return None


def earlier_years(rules: CompiledRules, list_id: str) -> tuple[int, ...]:
    """The earlier years a list looks back at, ascending; () for a list that does not."""
    memo_key = ("earlier years", list_id)
    found = rules.local.get(memo_key)
    if found is None:
        history_rule = rules.history_rule(list_id)
        years = () if history_rule is None else tuple(sorted(history_rule.earlier_years(rules.year)))
        found = rules.local[memo_key] = years
    return found

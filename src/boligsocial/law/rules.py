"""List rules as small expression trees, parsed from the `rule:` entries of the parameter files.

A rule is evaluated on one fully resolved "world": every criterion true or false, and the unit's
status in earlier list years. Three-valued statuses are obtained one level up (`classify.py`) by
evaluating every world the unknowns allow, which is exact where Kleene logic is not: the same
unknown measure feeds several criteria with different thresholds.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from boligsocial.law.errors import LawError


@dataclass(frozen=True)
class World:
    criteria: Mapping[str, bool]
    history: Mapping[int, bool]  # status on the history list in earlier years
    list_year: int
    apply_practice: bool = True


class Rule:
    def holds(self, world: World, lists: Mapping[str, Rule]) -> bool:
        raise NotImplementedError

    def children(self) -> tuple[Rule, ...]:
        return ()

    def walk(self) -> Iterator[Rule]:
        yield self
        for child in self.children():
            yield from child.walk()

    def criteria(self) -> list[str]:
        found: list[str] = []
        for node in self.walk():
            if isinstance(node, CriterionRule):
                found.append(node.key)
            elif isinstance(node, AtLeast):
                found.extend(node.of)
        return found

    def lists(self) -> list[str]:
        return [node.list_id for node in self.walk() if isinstance(node, ListRule)]

    def citations(self) -> list[dict[str, Any]]:
        return [node.citation for node in self.walk() if isinstance(node, Not) and node.citation]


@dataclass(frozen=True)
class CriterionRule(Rule):
    key: str

    def holds(self, world: World, lists: Mapping[str, Rule]) -> bool:
        return world.criteria[self.key]


@dataclass(frozen=True)
class ListRule(Rule):
    """Membership of another list of the same year, e.g. parallelsamfund requires udsat."""

    list_id: str

    def holds(self, world: World, lists: Mapping[str, Rule]) -> bool:
        return lists[self.list_id].holds(world, lists)


@dataclass(frozen=True)
class AtLeast(Rule):
    count: int
    of: tuple[str, ...]

    def holds(self, world: World, lists: Mapping[str, Rule]) -> bool:
        return sum(world.criteria[key] for key in self.of) >= self.count


@dataclass(frozen=True)
class AllOf(Rule):
    parts: tuple[Rule, ...]

    def holds(self, world: World, lists: Mapping[str, Rule]) -> bool:
        return all(part.holds(world, lists) for part in self.parts)

    def children(self) -> tuple[Rule, ...]:
        return self.parts


@dataclass(frozen=True)
class Not(Rule):
    """Negation. With `practice` set it is a rule of administrative practice, not of the law
    text, and it is skipped when the statutory status is asked for."""

    part: Rule
    practice: str | None = None
    citation: dict[str, Any] | None = None

    def holds(self, world: World, lists: Mapping[str, Rule]) -> bool:
        if self.practice and not world.apply_practice:
            return True
        return not self.part.holds(world, lists)

    def children(self) -> tuple[Rule, ...]:
        return (self.part,)


@dataclass(frozen=True)
class History(Rule):
    """On the `reported_list` in each of the last `years` list years, this year included."""

    reported_list: str
    years: int
    current: Rule | None = None  # this year's rule for the reported list, bound by the rule set

    def holds(self, world: World, lists: Mapping[str, Rule]) -> bool:
        if self.current is None or not self.current.holds(world, lists):
            return False
        return all(world.history[world.list_year - k] for k in range(1, self.years))

    def earlier_years(self, list_year: int) -> list[int]:
        return [list_year - k for k in range(1, self.years)]


def parse_rule(data: Mapping[str, Any]) -> Rule:
    if not isinstance(data, Mapping) or not data:
        raise LawError(f"ugyldig regel: {data!r}")
    if "criterion" in data:
        return CriterionRule(str(data["criterion"]))
    if "list" in data:
        return ListRule(str(data["list"]))
    if "at_least" in data:
        return AtLeast(int(data["at_least"]), tuple(str(k) for k in data["of"]))
    if "all" in data:
        return AllOf(tuple(parse_rule(part) for part in data["all"]))
    if "not" in data:
        return Not(parse_rule(data["not"]), practice=data.get("practice"), citation=data.get("citation"))
    if "history" in data:
        return History(str(data["history"]), int(data["years"]))
    raise LawError(f"ukendt regeltype: {sorted(data)}")

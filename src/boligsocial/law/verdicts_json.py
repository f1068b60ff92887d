"""`check --format json` written directly: the same bytes as
`json.dumps(result_dict(r), ensure_ascii=False, indent=2)`, several times faster.

A national file gives 130 MB of JSON; Python 3.11's indenting encoder is pure Python, and
`result_dict` builds a nested dict per unit, list and criterion first (together about 6 s of the
9.000 units' `check`, issue 12). Here each unit is written as text, and what repeats across units
(citations, a criterion's wording and threshold, a list's label and criteria, history years) is
encoded once and reused. `result_dict` stays the definition of the shape: the header is written
through it, and tests/test_verdicts_json.py holds this module to it byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any

from boligsocial.law.figures import Measure
from boligsocial.law.verdicts import (
    CriterionResult,
    Flip,
    HistoryYear,
    ListResult,
    ListYearResult,
    Status,
    UnitResult,
    citation_dict,
    flip_dict,
    result_dict,
)
from boligsocial.law.verdicts import _bound as outward

# The escaping `json.dumps(..., ensure_ascii=False)` uses (the C one where available).
_string: Callable[[str], str] = json.encoder.encode_basestring
_STATUS = {True: "true", False: "false", None: "null"}
_STEP = "  "
# Indentation of the keys at each depth: a unit's keys are at depth 3 (top object, "units", unit).
_PAD = [_STEP * depth for depth in range(9)]


def _dumps(value: Any, depth: int) -> str:
    """`value` as it appears nested `depth` levels deep in the indented document."""
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + _PAD[depth])


def _number(value: Fraction | None) -> str:
    # numerator / denominator is what float(Fraction) computes, without the ABC's indirection
    return "null" if value is None else float.__repr__(round(value.numerator / value.denominator, 4))


def _container(items: list[str], depth: int, brackets: str) -> str:
    """Items already encoded, written one per line at `depth`; `brackets` is "{}" or "[]"."""
    if not items:
        return brackets
    pad = _PAD[depth]
    return f"{brackets[0]}\n{pad}" + f",\n{pad}".join(items) + f"\n{_PAD[depth - 1]}{brackets[1]}"


def _strings(values: Iterable[str], depth: int) -> str:
    return _container([_string(v) for v in values], depth, "[]")


def _statuses(values: Mapping[str, Status], depth: int) -> str:
    return _container([f"{_string(k)}: {_STATUS[v]}" for k, v in values.items()], depth, "{}")


class _Writer:
    """Caches of the encoded parts that repeat across units, for one result."""

    def __init__(self) -> None:
        self.citations: dict[tuple[int, int], str] = {}
        self.string_lists: dict[tuple[tuple[str, ...], int], str] = {}
        self.fixed: dict[str, tuple[object, ...]] = {}  # criterion key -> shared fields and texts
        self.measured: dict[Measure, tuple[Fraction | None, Fraction | None, Fraction | None, str]] = {}
        self.histories: dict[tuple[HistoryYear, ...], str] = {}
        self.keys: dict[tuple[str, ...], str] = {}
        self.list_heads: dict[tuple[str, str], str] = {}
        self.list_texts: dict[tuple[object, ...], tuple[str, str, ListResult]] = {}

    def strings(self, values: tuple[str, ...], depth: int) -> str:
        """`_strings`, for lists that repeat across units (a list's reasons and notes)."""
        text = self.string_lists.get((values, depth))
        if text is None:
            text = self.string_lists[values, depth] = _strings(values, depth)
        return text

    def citation(self, citation: Any, depth: int) -> str:
        key = (id(citation), depth)
        text = self.citations.get(key)
        if text is None:
            text = self.citations[key] = _dumps(citation_dict(citation), depth - 1)
        return text

    def criterion(self, c: CriterionResult) -> str:
        pad = _PAD[5]
        fixed = self._criterion_fixed(c)
        # A measure's criteria share its measurement: the value and counts are written once.
        measured = self.measured.get(c.measure)
        if measured is None or not (
            measured[0] is c.value and measured[1] is c.numerator and measured[2] is c.denominator
        ):
            text = (
                f'"value": {_number(c.value)},\n{pad}"numerator": {_number(c.numerator)},\n{pad}'
                f'"denominator": {_number(c.denominator)}'
            )
            measured = self.measured[c.measure] = (c.value, c.numerator, c.denominator, text)
        approximate = "true" if c.approximate else "false"
        if c.approximate:
            approximate += f',\n{pad}"lower": {_bound(c.lower, False)},\n{pad}"upper": {_bound(c.upper, True)}'
        return (
            f'{{\n{pad}{fixed[-2]},\n{pad}{measured[3]},\n{pad}"approximate": {approximate},\n{pad}'
            f'{fixed[-1]},\n{pad}"verdict": "{c.verdict._value_}",\n{pad}"margin_pp": {_number(c.margin_pp)},\n{pad}'
            f'"citation": {self.citation(c.citation, 6)}\n{_PAD[4]}}}'
        )

    def _criterion_fixed(self, c: CriterionResult) -> tuple[object, ...]:
        """The criterion's fields that every unit shares (the same objects, from the compiled
        rules), with their text: found by the key and checked by identity, not by hashing."""
        found = self.fixed.get(c.key)
        shared = (c.measure, c.label, c.wording, c.population, c.operator, c.threshold, c.threshold_note)
        if found is not None and found[:7] == shared:  # identical, as a rule: compared by identity first
            return found
        pad = _PAD[5]
        names = ("key", "measure", "label", "wording", "population")
        fields = zip(names, (c.key, c.measure.value, *shared[1:4]), strict=True)
        head = f",\n{pad}".join(f'"{name}": {_string(v)}' for name, v in fields)
        threshold = f'"operator": {_string(c.operator.symbol)},\n{pad}"threshold": {_number(c.threshold)}'
        if c.threshold_note:
            threshold += f',\n{pad}"threshold_note": {_string(c.threshold_note)}'
        found = self.fixed[c.key] = (*shared, head, threshold)
        return found

    def history(self, years: tuple[HistoryYear, ...]) -> str:
        text = self.histories.get(years)
        if text is None:
            data = [{"year": h.year, "status": h.status, "known": h.known} for h in years]
            text = self.histories[years] = _dumps(data, 5)
        return text

    def criteria_keys(self, criteria: tuple[CriterionResult, ...]) -> str:
        keys = tuple(c.key for c in criteria)
        text = self.keys.get(keys)
        if text is None:
            text = self.keys[keys] = _strings(keys, 6)
        return text

    def list_detail(self, r: ListResult) -> str:
        # Units of the same shape share their lists' fields as objects (`evaluate._unit_shape`):
        # the text around the flip and criteria is made once per such set. The result is kept with
        # the text, so that no object it names is freed and its id taken by another.
        key = (r.list_id, r.label, r.status, r.statutory_status, id(r.reasons), id(r.history), id(r.practice_notes))
        found = self.list_texts.get(key)
        if found is None or found[2].citation is not r.citation:
            found = self.list_texts[key] = (*self._list_around(r), r)
        return f"{found[0]}{_flip(r.flip)},\n{found[1]}{self.criteria_keys(r.criteria)}\n{_PAD[4]}}}"

    def _list_around(self, r: ListResult) -> tuple[str, str]:
        """A list's text before its flip and between the flip and its criteria."""
        pad = _PAD[5]
        head = self.list_heads.get((r.label, r.list_id))
        if head is None:
            head = f'"label": {_string(r.label)},\n{pad}"list_id": {_string(r.list_id)}'
            self.list_heads[(r.label, r.list_id)] = head
        return (
            f'{{\n{pad}"status": {_STATUS[r.status]},\n{pad}"statutory_status": {_STATUS[r.statutory_status]},\n'
            f'{pad}{head},\n{pad}"reasons": {self.strings(r.reasons, 6)},\n{pad}"flip": ',
            f'{pad}"history": {self.history(r.history)},\n{pad}"practice_notes": {self.strings(r.practice_notes, 6)},\n'
            f'{pad}"citation": {self.citation(r.citation, 6)},\n{pad}"criteria": ',
        )

    def unit(self, u: UnitResult) -> str:
        pad = _PAD[3]
        criteria: dict[str, CriterionResult] = {}
        for result in u.lists.values():
            for c in result.criteria:
                criteria.setdefault(c.key, c)
        at_least = ""
        if u.residents is None and u.residents_lower:
            at_least = f'"residents_at_least": {u.residents_lower},\n{pad}'
        details = [f"{_string(name)}: {self.list_detail(r)}" for name, r in u.lists.items()]
        return (
            f'{{\n{pad}"name": {_string(u.name)},\n{pad}"kind": {_string(u.kind)},\n'
            f'{pad}"boligorganisation": {_optional(u.boligorganisation)},\n{pad}"omraade": {_optional(u.omraade)},\n'
            f'{pad}"members": {_strings(u.members, 4)},\n{pad}"residents": {_integer(u.residents)},\n{pad}{at_least}'
            f'"eligible": {_STATUS[u.eligible]},\n{pad}"approximate": {_STATUS[u.approximate]},\n'
            f'{pad}"lists": {_statuses({n: r.status for n, r in u.lists.items()}, 4)},\n'
            f'{pad}"on_any_list": {_STATUS[u.on_any_list]},\n'
            f'{pad}"as_area": {"null" if u.as_area is None else _statuses(u.as_area, 4)},\n'
            f'{pad}"list_details": {_container(details, 4, "{}")},\n'
            f'{pad}"criteria": {_container([self.criterion(c) for c in criteria.values()], 4, "[]")},\n'
            f'{pad}"notes": {_strings(u.notes, 4)}\n{_PAD[2]}}}'
        )


def _bound(value: Fraction | None, up: bool) -> str:
    rounded = outward(value, up)
    return "null" if rounded is None else float.__repr__(rounded)


def _flip(f: Flip | None) -> str:
    return "null" if f is None else _dumps(flip_dict(f), 5)


def _optional(value: str | None) -> str:
    return "null" if value is None else _string(value)


def _integer(value: int | None) -> str:
    return "null" if value is None else int.__repr__(value)


UNIT_SEPARATOR = f",\n{_PAD[2]}"


def unit_texts(units: Sequence[UnitResult]) -> Iterator[str]:
    """Each unit as it stands in the document's "units" array, made as it is asked for."""
    writer = _Writer()
    return (writer.unit(u) for u in units)


def result_json_pieces(r: ListYearResult, units: Iterable[Iterable[str]]) -> Iterator[str]:
    """The document in pieces that join to `result_json`: `r`'s header (its own units are not
    written) around `units`, the `unit_texts` of contiguous runs of the units in order.

    A national file's 130 MB are written piece by piece: joined into one string (two bytes a
    character, as `≥` is in it) they cost as much again in making and freeing the memory."""
    header = json.dumps(result_dict(replace(r, units=())), ensure_ascii=False, indent=2)
    texts = (text for run in units for text in run)
    first = next(texts, None)
    if first is None:
        yield header
        return
    assert header.endswith('"units": []\n}')
    yield f"{header[: -len('[]' + chr(10) + '}')]}[\n{_PAD[2]}"
    yield first
    for text in texts:
        yield UNIT_SEPARATOR
        yield text
    yield f"\n{_PAD[1]}]\n}}"


def result_json(r: ListYearResult) -> str:
    """`json.dumps(result_dict(r), ensure_ascii=False, indent=2)`, without building the dicts."""
    return "".join(result_json_pieces(r, [unit_texts(r.units)]))

"""Presentation of the law's verdicts for the pages: cells, colours, sort keys and filters.

The cells compute their Danish texts once (`cached_property`): rows are built once per data
version and list year and shared by every page and request that shows them.

No rule of the law is applied here: every verdict, margin and status comes from the one result
structure in `boligsocial.law.verdicts` (which also decides when a value is near a threshold), and
the Danish words come from `boligsocial.law.vocabulary`. This module only decides how to show
them: the colours of the cells (near-misses stand out), how a table is sorted and filtered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any, Final

from boligsocial.danish import natural_key, number, short_number
from boligsocial.law.figures import Measure, UnitFigures
from boligsocial.law.parameters import Operator
from boligsocial.law.render import value_display
from boligsocial.law.verdicts import CriterionResult, ListResult, Status, UnitResult, Verdict, is_near, relative_margin
from boligsocial.law.vocabulary import (
    LIST_MARK,
    LIST_SHORT_DA,
    MARKED_LISTS,
    MEASURE_DIGITS,
    MEASURE_LABELS_DA,
    MEASURE_SHORT_DA,
    NEAR_DA,
    REPORTED_LISTS,
    STATUS_WORD_DA,
    VERDICT_WORD_DA,
    list_title_da,
)
from boligsocial.plan.model import Afdeling, AfdelingStatus
from boligsocial.store import PlanOverview
from boligsocial.web.formats import csv_text

STATUS_PARAM: Final[dict[str, Status]] = {word: status for status, word in STATUS_WORD_DA.items()}
"""The `status` URL parameter: a status word ("ja", "nej", "ubestemt")."""


def criterion_css(c: CriterionResult) -> str:
    if c.verdict is Verdict.UNKNOWN:
        return "ukendt"
    base = "opfyldt" if c.verdict is Verdict.MET else "ikke-opfyldt"
    return base + (" naer" if is_near(c) else "")


def margin_text(c: CriterionResult) -> str:
    """Signed margin in points: "+1,3" inside the criterion, "-0,39" outside, "-" unknown."""
    if c.margin_pp is None:
        return "-"
    digits = MEASURE_DIGITS[c.measure]
    sign = "+" if c.margin_pp > 0 else ("±" if c.margin_pp == 0 else "−")
    return sign + number(abs(c.margin_pp), digits)


def value_text(value: Fraction | None, measure: Measure, approximate: bool = False) -> str:
    if value is None:
        return "-"
    return ("~" if approximate else "") + number(value, MEASURE_DIGITS[measure])


def threshold_text(c: CriterionResult) -> str:
    """`≥ 2,18`; `≥ ukendt` when the threshold is a multiple of an unknown national average."""
    return f"{c.operator.symbol} {'ukendt' if c.threshold is None else short_number(c.threshold)}"


THRESHOLD_WORD_DA: Final[dict[Operator, str]] = {Operator.GT: "over", Operator.GE: "mindst", Operator.LT: "under"}
"""A threshold's operator in words: "over 30", "mindst 2,18", "under 55"."""


def comparison_text(c: CriterionResult, value: str) -> str:
    """`29,9 (grænse: over 30; ikke opfyldt)`: a value beside its threshold in words with the
    verdict, never `29,9 > 30`, which reads as a claim and is false when the criterion is not met."""
    limit = "ukendt" if c.threshold is None else short_number(c.threshold)
    return f"{value} (grænse: {THRESHOLD_WORD_DA[c.operator]} {limit}; {VERDICT_WORD_DA[c.verdict]})"


@dataclass(frozen=True)
class CriterionCell:
    """One criterion of a unit, as a table cell or a row of the department page."""

    list_name: str  # the first list that uses it (reported name)
    lists: tuple[str, ...]  # every list that uses it
    result: CriterionResult

    @cached_property
    def mark(self) -> str:
        return "/".join(LIST_MARK[n] for n in self.lists if n in MARKED_LISTS)

    @cached_property
    def css(self) -> str:
        return criterion_css(self.result)

    @cached_property
    def margin(self) -> str:
        return margin_text(self.result)

    @cached_property
    def value(self) -> str:
        return value_display([self.result], self.result.measure)

    @cached_property
    def threshold(self) -> str:
        return threshold_text(self.result)

    @cached_property
    def verdict(self) -> str:
        return VERDICT_WORD_DA[self.result.verdict]

    @cached_property
    def comparison(self) -> str:
        return comparison_text(self.result, self.value)

    @cached_property
    def near(self) -> bool:
        return is_near(self.result)

    @cached_property
    def title(self) -> str:
        """Tooltip: the criterion in words with value, threshold and margin."""
        c = self.result
        parts = [f"{c.label} ({self.mark}): {self.comparison}"]
        if c.margin_pp is not None:
            parts.append(f"margin {self.margin} point")
        if self.near:
            parts.append(f"tæt på grænsen ({NEAR_DA})")
        return ", ".join(parts)


def criterion_cells(unit: UnitResult) -> list[CriterionCell]:
    """Every distinct criterion of the unit, with the lists using it, in list order."""
    used: dict[str, list[str]] = {}
    first: dict[str, CriterionResult] = {}
    for reported, result in unit.lists.items():
        for c in result.criteria:
            used.setdefault(c.key, []).append(reported)
            first.setdefault(c.key, c)
    return [CriterionCell(used[key][0], tuple(used[key]), c) for key, c in first.items()]


@dataclass(frozen=True)
class MeasureCell:
    measure: Measure
    value: Fraction | None
    approximate: bool
    criteria: tuple[CriterionCell, ...]

    @cached_property
    def text(self) -> str:
        if not self.criteria:
            return value_text(self.value, self.measure, self.approximate)
        return value_display([c.result for c in self.criteria], self.measure)

    @cached_property
    def css(self) -> str:
        """Met beats near beats unknown: the colour a reader should notice first."""
        results = [c.result for c in self.criteria]
        met = [c for c in results if c.verdict is Verdict.MET]
        if met:  # also an area whose value is known only within bounds that settle the criterion
            return "opfyldt" + (" naer" if all(is_near(c) for c in met) else "")
        if not results or any(c.verdict is Verdict.UNKNOWN for c in results):
            return "ukendt"
        if any(is_near(c) for c in results):
            return "ikke-opfyldt naer"
        return "ikke-opfyldt"

    @cached_property
    def near(self) -> bool:
        return any(c.near for c in self.criteria)

    @cached_property
    def title(self) -> str:
        return "; ".join(c.title for c in self.criteria) or MEASURE_LABELS_DA[self.measure]


def measure_cells(unit: UnitResult | None, criteria: list[CriterionCell] | None = None) -> dict[Measure, MeasureCell]:
    cells: dict[Measure, list[CriterionCell]] = {m: [] for m in Measure}
    if unit is not None:
        for cell in criteria if criteria is not None else criterion_cells(unit):
            cells[cell.result.measure].append(cell)
    out: dict[Measure, MeasureCell] = {}
    for measure, items in cells.items():
        value = next((c.result.value for c in items), None)
        approx = any(c.result.approximate for c in items)
        out[measure] = MeasureCell(measure, value, approx, tuple(items))
    return out


def nearest_margin(unit: UnitResult | None) -> Fraction | None:
    """The smallest distance to any threshold, relative to the threshold (for "nærmest" sorting)."""
    if unit is None:
        return None
    known = [m for cell in criterion_cells(unit) if (m := relative_margin(cell.result)) is not None]
    return min(known, default=None)


def criteria_csv(unit: UnitResult | None, list_year: int | None, cells: list[CriterionCell] | None = None) -> str:
    """A unit's criteria as CSV: one row per criterion with value, threshold, margin and citation."""
    header = ["listeaar", "enhed", "kriterium", "maal", "lister", "vaerdi", "operator", "graense"]
    header += ["margin_point", "vurdering", "tilnaermet", "paragraf", "kilde"]
    rows: list[list[object]] = []
    if cells is None:
        cells = criterion_cells(unit) if unit is not None else []
    for cell in cells:
        c = cell.result
        rows.append(
            [
                list_year,
                unit.name if unit is not None else "",
                c.label,
                c.measure.value,
                " ".join(cell.lists),
                "-" if c.value is None else number(c.value, 4),
                c.operator.symbol,
                "ukendt" if c.threshold is None else number(c.threshold, 4),
                "" if c.margin_pp is None else number(c.margin_pp, 4),
                c.verdict.value,
                "ja" if c.approximate else "nej",
                c.citation.paragraph,
                c.citation.title,
            ]
        )
    return csv_text(header, rows)


# --------------------------------------------------------------------------------------------------
# The departments table


@dataclass(frozen=True)
class DepartmentRow:
    id: int
    afdeling: Afdeling
    unit: UnitResult | None
    figures: UnitFigures | None
    cells: dict[Measure, MeasureCell]
    as_area: UnitResult | None = None
    criteria: tuple[CriterionCell, ...] = ()  # every criterion, in list order (shared with `cells`)

    @cached_property
    def residents(self) -> int | None:
        return self.unit.residents if self.unit is not None else None

    def status(self, list_name: str) -> Status | None:
        if self.unit is None or list_name not in self.unit.lists:
            return None
        return self.unit.lists[list_name].status

    def has_list(self, list_name: str) -> bool:
        return self.unit is not None and list_name in self.unit.lists

    @cached_property
    def near(self) -> bool:
        return any(cell.near for cell in self.cells.values())

    @cached_property
    def nearest(self) -> CriterionCell | None:
        """The criterion whose threshold is nearest, relative to the threshold."""
        if self.unit is None:
            return None
        known = [(m, c) for c in self.criteria if (m := relative_margin(c.result)) is not None]
        return min(known, key=lambda pair: pair[0])[1] if known else None

    @cached_property
    def nearest_relative(self) -> Fraction | None:
        return nearest_margin(self.unit)

    @cached_property
    def flips(self) -> list[str]:
        if self.unit is None:
            return []
        return [f"{r.label}: {r.flip.text}" for r in self.unit.lists.values() if r.flip is not None]


def department_rows(overview: PlanOverview) -> list[DepartmentRow]:
    rows: list[DepartmentRow] = []
    for afd in overview.plan.afdelinger:
        unit = overview.verdict(afd)
        criteria = criterion_cells(unit) if unit is not None else []
        rows.append(
            DepartmentRow(
                id=overview.afdeling_id(afd),
                afdeling=afd,
                unit=unit,
                figures=overview.figures(afd),
                cells=measure_cells(unit, criteria),
                as_area=overview.as_area_verdict(afd),
                criteria=tuple(criteria),
            )
        )
    return rows


SORT_KEYS: Final[dict[str, str]] = {
    "navn": "Afdeling",
    "organisation": "Boligorganisation",
    "boliger": "Boliger",
    "beboere": "Beboere",
    **{m.value: MEASURE_SHORT_DA[m] for m in Measure},
    **{n: LIST_SHORT_DA[n] for n in REPORTED_LISTS},
    "naermest": "Nærmest en grænse",
}
_STATUS_ORDER: Final[dict[Status, int]] = {True: 0, None: 1, False: 2}


def _sort_value(row: DepartmentRow, key: str) -> tuple[int, Any]:
    """(missing last, value): unknown values sort after known ones in either direction."""
    if key == "navn":
        return (0, natural_key(row.afdeling.navn))
    if key == "organisation":
        return (0, (natural_key(row.afdeling.boligorganisation), natural_key(row.afdeling.navn)))
    if key == "boliger":
        return (0, row.afdeling.boliger)
    if key == "beboere":
        return (0, row.residents) if row.residents is not None else (1, 0)
    if key in REPORTED_LISTS:
        return (0, _STATUS_ORDER[row.status(key)]) if row.has_list(key) else (1, 0)
    if key == "naermest":
        margin = row.nearest_relative
        return (0, margin) if margin is not None else (1, 0)
    measure = Measure(key)
    value = row.cells[measure].value
    return (0, value) if value is not None else (1, 0)


@dataclass
class TableQuery:
    """The departments table's sort and filter parameters, as they appear in the URL."""

    sort: str = "organisation"
    retning: str = "op"  # "op" ascending, "ned" descending
    q: str = ""
    organisation: str = ""
    liste: str = ""
    status: str = ""  # "ja" | "nej" | "ubestemt" (with liste)
    deltagelse: str = ""  # "i_plan" | "betinget"
    naer: bool = False
    errors: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, params: dict[str, str], organisations: Iterable[str]) -> TableQuery:
        query = cls()
        errors = query.errors
        sort = params.get("sort", "organisation")
        if sort not in SORT_KEYS:
            errors.append(f'Ukendt sortering "{sort}"; kendte: {", ".join(SORT_KEYS)}.')
        else:
            query.sort = sort
        retning = params.get("retning", "op")
        if retning not in ("op", "ned"):
            errors.append(f'Retningen skal være "op" eller "ned", ikke "{retning}".')
        else:
            query.retning = retning
        query.q = params.get("q", "").strip()
        organisation = params.get("organisation", "").strip()
        if organisation and organisation not in set(organisations):
            errors.append(f'Boligorganisationen "{organisation}" findes ikke i planen.')
        else:
            query.organisation = organisation
        liste = params.get("liste", "").strip()
        if liste and liste not in REPORTED_LISTS:
            errors.append(f'Ukendt liste "{liste}"; kendte: {", ".join(REPORTED_LISTS)}.')
        else:
            query.liste = liste
        status = params.get("status", "").strip()
        if status and status not in STATUS_PARAM:
            errors.append(f'Status skal være "ja", "nej" eller "ubestemt", ikke "{status}".')
        else:
            query.status = status
        deltagelse = params.get("deltagelse", "").strip()
        if deltagelse and deltagelse not in {s.value for s in AfdelingStatus}:
            errors.append(f'Deltagelse skal være "i_plan" eller "betinget", ikke "{deltagelse}".')
        else:
            query.deltagelse = deltagelse
        query.naer = params.get("naer", "") in ("1", "ja", "on", "true")
        return query

    def apply(self, rows: Sequence[DepartmentRow]) -> list[DepartmentRow]:
        selected = list(rows)
        if self.q:
            needle = self.q.casefold()
            selected = [
                r
                for r in selected
                if needle in r.afdeling.navn.casefold()
                or needle in r.afdeling.boligorganisation.casefold()
                or any(needle in a.casefold() for a in r.afdeling.aliaser)
                or needle in (r.afdeling.afdelingsnummer or "").casefold()
            ]
        if self.organisation:
            selected = [r for r in selected if r.afdeling.boligorganisation == self.organisation]
        if self.deltagelse:
            selected = [r for r in selected if r.afdeling.status.value == self.deltagelse]
        if self.liste:
            wanted = STATUS_PARAM.get(self.status, True) if self.status else None
            if self.status:
                selected = [r for r in selected if r.has_list(self.liste) and r.status(self.liste) is wanted]
            else:  # on the list or possibly on it
                selected = [r for r in selected if r.has_list(self.liste) and r.status(self.liste) is not False]
        if self.naer:
            selected = [r for r in selected if r.near]
        selected.sort(key=lambda r: _sort_value(r, self.sort), reverse=False)
        if self.retning == "ned":
            known = [r for r in selected if _sort_value(r, self.sort)[0] == 0]
            missing = [r for r in selected if _sort_value(r, self.sort)[0] != 0]
            selected = list(reversed(known)) + missing
        return selected

    def params(self, **changes: str) -> dict[str, str]:
        """The query as URL parameters (only non-defaults), with `changes` applied."""
        values = {
            "sort": self.sort,
            "retning": self.retning,
            "q": self.q,
            "organisation": self.organisation,
            "liste": self.liste,
            "status": self.status,
            "deltagelse": self.deltagelse,
            "naer": "1" if self.naer else "",
        }
        values.update(changes)
        defaults = {"sort": "organisation", "retning": "op"}
        return {k: v for k, v in values.items() if v and defaults.get(k) != v}

    def sort_params(self, key: str) -> dict[str, str]:
        """Parameters for a click on a column header: sort by it, or turn the direction."""
        if self.sort == key:
            return self.params(retning="ned" if self.retning == "op" else "op")
        return self.params(sort=key, retning="op")

    def as_dict(self) -> dict[str, Any]:
        return {
            "sort": self.sort,
            "retning": self.retning,
            "q": self.q or None,
            "organisation": self.organisation or None,
            "liste": self.liste or None,
            "status": self.status or None,
            "deltagelse": self.deltagelse or None,
            "naer": self.naer,
        }


# --------------------------------------------------------------------------------------------------
# Counts for the overview


@dataclass(frozen=True)
class ListCount:
    list_name: str
    label: str
    afdelinger_ja: int
    afdelinger_ubestemt: int
    omraader_ja: int
    omraader_ubestemt: int
    som_omraade_ja: int  # afdelinger that would be on the list if they were areas (as_areas)
    exists: bool  # the list existed in the list year

    def as_dict(self) -> dict[str, Any]:
        return {
            "liste": self.list_name,
            "betegnelse": self.label,
            "findes_i_listeaaret": self.exists,
            "afdelinger_paa_listen": self.afdelinger_ja,
            "afdelinger_ubestemt": self.afdelinger_ubestemt,
            "omraader_paa_listen": self.omraader_ja,
            "omraader_ubestemt": self.omraader_ubestemt,
            "afdelinger_paa_listen_som_omraade": self.som_omraade_ja,
        }


def _result_for(unit: UnitResult, list_name: str) -> ListResult | None:
    return unit.lists.get(list_name)


def list_counts(overview: PlanOverview, rows: Sequence[DepartmentRow]) -> list[ListCount]:
    counts: list[ListCount] = []
    areas = [u for u in overview.result.units if u.kind == "omraade"] if overview.result else []
    for name in REPORTED_LISTS:
        dept_status = [r.status(name) for r in rows if r.has_list(name)]
        area_status = [r.status for u in areas if (r := _result_for(u, name)) is not None]
        as_area = [r.as_area.lists[name].status for r in rows if r.as_area is not None and name in r.as_area.lists]
        label = next(
            (r.unit.lists[name].label for r in rows if r.unit is not None and name in r.unit.lists),
            list_title_da(name),
        )
        counts.append(
            ListCount(
                list_name=name,
                label=label,
                afdelinger_ja=sum(1 for s in dept_status if s is True),
                afdelinger_ubestemt=sum(1 for s in dept_status if s is None),
                omraader_ja=sum(1 for s in area_status if s is True),
                omraader_ubestemt=sum(1 for s in area_status if s is None),
                som_omraade_ja=sum(1 for s in as_area if s is True),
                exists=bool(dept_status or area_status),
            )
        )
    return counts

"""The criteria table of the projektbeskrivelse (`{{ kriterietabel }}`), as in the application:
threshold rows from the law's evaluation, one row per afdeling and per area with the values that
meet a criterion marked, each unit's list status, and the notes that explain them.

Every threshold comes from the evaluation (`ListYearResult`); none is written here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from boligsocial.danish import number, short_number
from boligsocial.law.figures import Measure
from boligsocial.law.parameters import load_law
from boligsocial.law.verdicts import CriterionResult, ListYearResult, Status, UnitResult, Verdict
from boligsocial.law.vocabulary import LIST_MARK, MEASURE_COLUMN_DA, MEASURE_DIGITS, list_name_da
from boligsocial.plan.assessment import PlanAssessment
from boligsocial.plan.model import Helhedsplan, Liste
from boligsocial.reports.document import Block, Cell, Column, Inline, LineBreak, Mark, Row, RowKind, Table, Text
from boligsocial.reports.wording import join_da, lower_first

__all__ = ["NOT_PUBLISHED", "NO_LIST", "data_period", "kriterietabel", "list_status_text"]

NOT_PUBLISHED = "ikke oplyst"
"""A figure the key figures do not give: suppressed (diskretioneret) or not in the file."""
NO_LIST = "ingen"
"""A unit on none of the lists: a word, not a dash that reads like a missing figure."""

# Where a heading may break (soft hyphens): the narrow columns would otherwise break mid-word.
_HEADER_BREAKS: dict[str, str] = {
    "Boligorganisation": "Bolig\u00adorganisation",
    "Udenfor arbejdsmarked": "Udenfor arbejds\u00admarked",
    "Kun grundskole": "Kun grund\u00adskole",
}

# ---- criteria and marks per unit -----------------------------------------------------------------

_ByMeasure = dict[Measure, list[CriterionResult]]


def _criteria_by_tier(unit: UnitResult) -> tuple[_ByMeasure, _ByMeasure]:
    """The unit's criteria per measure: (stricter lists, forebyggelsesområde)."""
    strict: _ByMeasure = {}
    forebyggelse: _ByMeasure = {}
    for list_name, result in unit.lists.items():
        target = forebyggelse if list_name == Liste.FOREBYGGELSESOMRAADE else strict
        for criterion in result.criteria:
            target.setdefault(criterion.measure, []).append(criterion)
    return strict, forebyggelse


def _mark(unit: UnitResult, measure: Measure) -> Mark | None:
    strict, forebyggelse = _criteria_by_tier(unit)
    if any(c.verdict is Verdict.MET for c in strict.get(measure, [])):
        return Mark.STRONG
    if any(c.verdict is Verdict.MET for c in forebyggelse.get(measure, [])):
        return Mark.WEAK
    return None


def _threshold_text(criterion: CriterionResult) -> str:
    if criterion.threshold is None:  # a multiple of a national average not known for the year
        return f"{criterion.operator.symbol} ukendt"
    return f"{criterion.operator.symbol} {short_number(criterion.threshold)} pct."


# Income is that of the year before the list year from the 2018 rules, two years before until then
# (ft.dk L 38 spm. 42; the register method's `income_lags`, docs/register.md).
_INCOME_LAG_FROM: tuple[tuple[int, int], ...] = ((0, 2), (2018, 1))


def data_period(criterion: CriterionResult, list_year: int) -> str:
    """The data a threshold is compared with, as the application writes it beside the threshold:
    the averaged years ending the year before the list year ("2020-21"), the residents of
    1 January of the list year ("1/1-2022") for the shares of all residents and of the 30-59-year-olds,
    the income year ("2021")."""
    measure = criterion.measure
    if measure in (Measure.IKKE_VESTLIGE, Measure.KUN_GRUNDSKOLE):
        return f"1/1-{list_year}"
    if measure is Measure.INDKOMST:
        lag = next(lag for first, lag in sorted(_INCOME_LAG_FROM, reverse=True) if list_year >= first)
        return str(list_year - lag)
    param = load_law().rule_set(list_year).criteria.get(criterion.key)
    years = (param.averaging_years if param is not None else None) or 1
    last = list_year - 1
    return str(last) if years == 1 else f"{last - years + 1}-{last % 100:02d}"


def _status_codes(statuses: dict[str, Status]) -> str:
    if statuses and all(s is None for s in statuses.values()):
        return "?"
    codes = [LIST_MARK.get(n, n) for n, s in statuses.items() if s is True]
    codes += [LIST_MARK.get(n, n) + "?" for n, s in statuses.items() if s is None]
    return ", ".join(codes)


def list_status_text(unit: UnitResult) -> str:
    """`F` (on the list), `(F)` (would be, as an area: below the resident minimum), `?`
    (undetermined), `ingen` (on no list)."""
    if unit.eligible is False:
        codes = _status_codes(unit.as_area or {})
        return f"({codes})" if codes else NO_LIST
    codes = _status_codes({n: r.status for n, r in unit.lists.items()})
    return codes or NO_LIST


def _join_citations(titles: Sequence[str]) -> str:
    """`["Lov X, § 61 a", "Lov X, § 61 b"]` -> `"Lov X, § 61 a og § 61 b"`."""
    unique = list(dict.fromkeys(titles))
    if len(unique) > 1:
        prefixes = {t.rsplit(", ", 1)[0] for t in unique if ", " in t}
        if len(prefixes) == 1 and all(", " in t for t in unique):
            prefix = prefixes.pop()
            return f"{prefix}, {join_da([t.rsplit(', ', 1)[1] for t in unique])}"
    return "; ".join(unique)


def _residents_header(plan: Helhedsplan, list_year: int) -> str:
    if plan.beboere_dato is not None:
        d = plan.beboere_dato
        return f"Beboere {d.day}/{d.month}-{d.year}"
    return f"Beboere ({list_year})"


# ---- the thresholds shown ------------------------------------------------------------------------


@dataclass
class _Thresholds:
    """The thresholds of the two tiers (stricter lists, forebyggelsesområde) per measure, taken
    from the first unit that has the criterion, with the tiers' list labels and the citations."""

    strict: dict[Measure, CriterionResult] = field(default_factory=dict)
    forebyggelse: dict[Measure, CriterionResult] = field(default_factory=dict)
    strict_label: str = ""
    forebyggelse_label: str = ""
    citations: list[str] = field(default_factory=list)

    def add_labels(self, unit: UnitResult) -> None:
        for list_name, list_result in unit.lists.items():
            self.citations.append(list_result.citation.title)
            if list_name == Liste.FOREBYGGELSESOMRAADE:
                self.forebyggelse_label = list_result.label
            elif list_name == Liste.PARALLELSAMFUND or not self.strict_label:
                # Parallelsamfund names the stricter tier when a unit has it.
                self.strict_label = list_result.label

    def add_criteria(self, unit: UnitResult) -> None:
        strict, forebyggelse = _criteria_by_tier(unit)
        for measure in MEASURE_COLUMN_DA:
            if measure in strict:
                self.strict.setdefault(measure, strict[measure][0])
            if measure in forebyggelse:
                self.forebyggelse.setdefault(measure, forebyggelse[measure][0])

    def tiers(self) -> list[tuple[str, dict[Measure, CriterionResult]]]:
        return [(self.strict_label, self.strict), (self.forebyggelse_label, self.forebyggelse)]


def _thresholds(units: Sequence[UnitResult]) -> _Thresholds:
    found = _Thresholds()
    for unit in units:
        found.add_labels(unit)
        found.add_criteria(unit)
    return found


# ---- rows ----------------------------------------------------------------------------------------


def _heading(text: str) -> Cell:
    return Cell((Text(_HEADER_BREAKS.get(text, text)),))


def _header(ctx: PlanAssessment) -> Row:
    return Row(
        (
            _heading("Boligorganisation"),
            _heading("Nr."),
            _heading("Afdelingsnavn"),
            _heading(_residents_header(ctx.plan, ctx.require_result().list_year)),
            *(_heading(MEASURE_COLUMN_DA[m]) for m in MEASURE_COLUMN_DA),
            _heading(f"Liste {ctx.require_result().list_year}"),
        ),
        RowKind.HEADER,
    )


def _threshold_cell(criterion: CriterionResult | None, list_year: int) -> Cell:
    """The threshold with the period of the data it is compared with below it, as the
    application writes it ("> 40 pct. (2020-21)")."""
    if criterion is None:
        return Cell((Text(""),), italic=True)
    period = f"({data_period(criterion, list_year)})"
    return Cell((Text(_threshold_text(criterion)), LineBreak(), Text(period)), italic=True)


def _threshold_rows(thresholds: _Thresholds, minimum: str, list_year: int) -> list[Row]:
    rows: list[Row] = []
    for label, by_measure in thresholds.tiers():
        if not by_measure:
            continue
        rows.append(
            Row(
                (
                    Cell((Text(f"Grænseværdier {label.lower()}"),), colspan=3, italic=True),
                    Cell((Text(minimum),), italic=True),
                    *(_threshold_cell(by_measure.get(m), list_year) for m in MEASURE_COLUMN_DA),
                    Cell((Text(""),)),
                ),
                RowKind.THRESHOLD,
            )
        )
    return rows


def _value_cell(unit: UnitResult, measure: Measure, strict: _ByMeasure, forebyggelse: _ByMeasure) -> Cell:
    found = strict.get(measure) or forebyggelse.get(measure) or []
    value = found[0].value if found else None
    approximate = any(c.approximate for c in found)
    text = NOT_PUBLISHED if value is None else ("~" if approximate else "") + number(value, MEASURE_DIGITS[measure])
    mark = _mark(unit, measure) if value is not None else None
    return Cell((Text(text),), mark=mark, bold=mark is not None)


def _afdelingsnummer(plan: Helhedsplan, unit: UnitResult) -> str:
    """The afdeling's number from the plan ("18" for PAB's Hornemanns Vænge); empty when the plan
    does not give it or the name does not single out one afdeling."""
    found = plan.find_afdelinger(unit.name, unit.boligorganisation)
    return (found[0].afdelingsnummer or "") if len(found) == 1 else ""


def _unit_row(plan: Helhedsplan, unit: UnitResult) -> Row:
    strict, forebyggelse = _criteria_by_tier(unit)
    cells = [_value_cell(unit, measure, strict, forebyggelse) for measure in MEASURE_COLUMN_DA]
    area = unit.kind == "omraade"
    names = (
        (Cell((Text(f"{unit.name} (område)"),), colspan=3),)
        if area
        else (
            Cell((Text(unit.boligorganisation or ""),)),
            Cell((Text(_afdelingsnummer(plan, unit)),)),
            Cell((Text(unit.name),)),
        )
    )
    residents = NOT_PUBLISHED if unit.residents is None else number(unit.residents, 0)
    return Row(
        (
            *names,
            Cell((Text(residents),)),
            *cells,
            Cell((Text(list_status_text(unit)),), align="center"),
        ),
        RowKind.AREA if area else RowKind.BODY,
    )


# ---- notes under the table -----------------------------------------------------------------------


def _legend(thresholds: _Thresholds) -> tuple[Inline, ...]:
    legend: list[Inline] = [Text("Markering: ")]
    if thresholds.strict:
        legend += [
            Text("30,9", bold=True, mark=Mark.STRONG),
            Text(f" opfylder grænseværdien for {thresholds.strict_label.lower()} eller udsat boligområde"),
        ]
    if thresholds.forebyggelse:
        legend += [
            Text("; " if thresholds.strict else ""),
            Text("30,9", bold=True, mark=Mark.WEAK),
            Text(f" opfylder kun grænseværdien for {thresholds.forebyggelse_label.lower()}"),
        ]
    legend.append(
        Text(
            f". {NOT_PUBLISHED.capitalize()}: tallet er ikke offentliggjort (diskretioneret) eller findes ikke "
            "i nøgletallene; det er ikke det samme som nul."
        )
    )
    return tuple(legend)


def _list_note(ctx: PlanAssessment, units: Sequence[UnitResult]) -> tuple[Inline, ...]:
    codes = [f"{LIST_MARK[n]} = {list_name_da(n)}" for n in LIST_MARK if any(n in u.lists for u in units)]
    result = ctx.require_result()
    return (
        Text(f"Liste {result.list_year}: ", bold=True),
        Text(
            f"{', '.join(codes)}. I parentes: afdelingen har under {number(result.min_residents, 0)} beboere og er "
            "derfor ikke selv et boligområde efter loven, men ville være på listen som boligområde. "
            f"? = ubestemt (ukendte tal kan ændre udfaldet). {NO_LIST.capitalize()}: på ingen af listerne."
        ),
    )


def _area_note(ctx: PlanAssessment, unit: UnitResult) -> tuple[Inline, ...]:
    """Which afdelinger make up an area, and why its figures are approximate."""
    omraade = ctx.plan.find_omraade(unit.name)
    members = [
        f"{a.navn} ({a.boligorganisation})" for a in (ctx.plan.omraade_afdelinger(omraade) if omraade else [])
    ] or list(unit.members)
    whose = lower_first(omraade.afgraensning) if omraade and omraade.afgraensning else "boligområdet"
    text = f"{join_da(members)} udgør tilsammen {whose} af {unit.name}."
    if unit.approximate:
        text += " ~ = " + (lower_first(" ".join(unit.notes)) if unit.notes else "tilnærmet tal.")
    return (Text(f"{unit.name} (område): ", bold=True), Text(text))


def _conviction_note(result: ListYearResult) -> tuple[Inline, ...]:
    multiples = sorted(result.conviction_thresholds.items(), reverse=True)
    sources = list(dict.fromkeys(c.title for _, (_, c) in multiples))
    return (
        Text("Dømte: ", bold=True),
        Text(
            f"{join_da([str(k) for k, _ in multiples])} gange landsgennemsnittet = "
            f"{join_da([short_number(t) for _, (t, _) in multiples])} pct. (kilde: {'; '.join(sources)})."
        ),
    )


def _notes(ctx: PlanAssessment, units: Sequence[UnitResult], thresholds: _Thresholds) -> list[tuple[Inline, ...]]:
    notes = [_legend(thresholds), _list_note(ctx, units)]
    notes += [_area_note(ctx, unit) for unit in units if unit.kind == "omraade"]
    if ctx.require_result().conviction_thresholds:
        notes.append(_conviction_note(ctx.require_result()))
    elif not ctx.require_result().conviction_average_known:
        year = ctx.require_result().list_year
        unknown = f"landsgennemsnittet er ikke kendt for listeår {year}, så grænseværdierne er ukendte."
        notes.append((Text("Dømte: ", bold=True), Text(unknown)))
    if thresholds.citations:
        notes.append((Text("Grænseværdier: ", bold=True), Text(f"{_join_citations(thresholds.citations)}.")))
    return notes


# ---- the table -----------------------------------------------------------------------------------


def kriterietabel(ctx: PlanAssessment) -> list[Block]:
    """The criteria table as in the application: threshold rows from the law's evaluation, one row
    per afdeling and per area, the values that meet a criterion marked, and each unit's list status."""
    result = ctx.require_result()
    units = [u for u in result.units if u.kind == "afdeling"] + [u for u in result.units if u.kind == "omraade"]
    thresholds = _thresholds(units)
    minimum = f"≥ {number(result.min_residents, 0)}" if not result.min_residents_ignored else ""
    rows = [
        _header(ctx),
        *_threshold_rows(thresholds, minimum, result.list_year),
        *(_unit_row(ctx.plan, unit) for unit in units),
    ]
    table = Table(
        key="kriterietabel",
        # Relative widths, set so that no name ("Frederiksholm karre 17"), value or threshold wraps
        # at 8 pt on A4: only the headings break, at their soft hyphens.
        columns=(
            Column(2.1),
            Column(0.75, "right"),
            Column(3.05),
            Column(1.5, "right"),
            *(Column(1.65, "right") for _ in MEASURE_COLUMN_DA),
            Column(1.45, "center"),
        ),
        rows=tuple(rows),
        notes=tuple(_notes(ctx, units, thresholds)),
        small=True,
    )
    return [table]

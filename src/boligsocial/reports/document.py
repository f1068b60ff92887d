"""The kortfattet projektbeskrivelse as an intermediate document, rendered to DOCX and PDF alike.

`build_projektbeskrivelse(ctx)` combines the plan's prose (Markdown in `<plan>/tekst/`, see
`boligsocial.plan.prose`) with the data blocks the tool computes: the department list, the criteria
table with its threshold rows and marked cells, partners, fora, the organisation diagram and the
quoted indicators. Both renderers (`docx_render`, `pdf_render`) walk the same `Document`, so the
Word file and the PDF carry the same content.

Prose from the plan, data from the data: every number in a table or placeholder comes from the
plan, the key figures or the law's evaluation (`ListYearResult`); thresholds are never written here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Literal, Protocol

from babel.dates import format_date
from markdown_it import MarkdownIt
from markdown_it.token import Token

from boligsocial.danish import number, short_number
from boligsocial.law.figures import Measure
from boligsocial.law.verdicts import CriterionResult, ListYearResult, Status, UnitResult, Verdict
from boligsocial.plan.model import (
    AfdelingStatus,
    Enhed,
    Forum,
    Helhedsplan,
    Indikator,
    Maaling,
    Partner,
)
from boligsocial.plan.prose import (
    BRACES_RE,
    FOOTNOTE_DEF_RE,
    FOOTNOTE_REF_RE,
    Placeholder,
    ProseError,
    ProseProblem,
    ProseSection,
    check_prose,
    find_placeholders,
    load_prose,
    parse_prose,
    split_qualifier,
)
from boligsocial.reports.charts.org import org_diagram
from boligsocial.reports.context import PlanContext

__all__ = [
    "GUIDELINE_SECTIONS",
    "Block",
    "BulletList",
    "Cell",
    "Column",
    "Document",
    "Figure",
    "FigureSource",
    "Footnote",
    "Heading",
    "Inline",
    "LineBreak",
    "ListItem",
    "Mark",
    "Paragraph",
    "Row",
    "RowKind",
    "Table",
    "Text",
    "build_projektbeskrivelse",
    "default_prose",
    "plain_text",
]

# --------------------------------------------------------------------------------------------------
# The document model


class Mark(StrEnum):
    """How a table value is marked: it meets the stricter threshold (udsat boligområde /
    parallelsamfund), or only the forebyggelsesområde threshold."""

    STRONG = "strong"
    WEAK = "weak"


@dataclass(frozen=True)
class Text:
    text: str
    bold: bool = False
    italic: bool = False
    mark: Mark | None = None  # a sample of a marked table cell, used in legends


@dataclass(frozen=True)
class LineBreak:
    pass


@dataclass(frozen=True)
class Footnote:
    content: tuple[Text | LineBreak, ...]


Inline = Text | LineBreak | Footnote


@dataclass(frozen=True)
class Heading:
    level: int  # 1-4
    content: tuple[Inline, ...]


ParagraphStyle = Literal["normal", "lead", "note"]


@dataclass(frozen=True)
class Paragraph:
    content: tuple[Inline, ...]
    style: ParagraphStyle = "normal"  # lead: introduces a list; note: small text under a table


@dataclass(frozen=True)
class ListItem:
    content: tuple[Inline, ...]
    level: int = 0


@dataclass(frozen=True)
class BulletList:
    items: tuple[ListItem, ...]
    ordered: bool = False


Align = Literal["left", "right", "center"]


@dataclass(frozen=True)
class Column:
    width: float  # relative width
    align: Align = "left"


@dataclass(frozen=True)
class Cell:
    content: tuple[Inline, ...]
    mark: Mark | None = None
    bold: bool = False
    italic: bool = False
    colspan: int = 1
    align: Align | None = None  # None: the column's alignment

    @property
    def text(self) -> str:
        return plain_text(self.content)


class RowKind(StrEnum):
    HEADER = "header"
    THRESHOLD = "threshold"
    BODY = "body"
    AREA = "area"
    TOTAL = "total"


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    kind: RowKind = RowKind.BODY


@dataclass(frozen=True)
class Table:
    key: str  # "afdelingsliste", "kriterietabel", "indikatorer" or "tekst" (a table in the prose)
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    notes: tuple[tuple[Inline, ...], ...] = ()
    small: bool = False  # small type (the criteria table)

    def body_rows(self) -> list[Row]:
        return [r for r in self.rows if r.kind in (RowKind.BODY, RowKind.AREA)]


class FigureSource(Protocol):
    """Anything that can save itself as PNG (for Word) and SVG (for the PDF)."""

    def save_png(self, path: Path) -> None: ...

    def save_svg(self, path: Path) -> None: ...


@dataclass(frozen=True)
class Figure:
    key: str
    source: FigureSource
    caption: tuple[Inline, ...]
    width_cm: float = 16.0


Block = Heading | Paragraph | BulletList | Table | Figure


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    meta: tuple[str, ...]
    header: str  # running header text
    blocks: tuple[Block, ...]
    language: str = "da"

    def tables(self, key: str) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table) and b.key == key]

    def headings(self, level: int | None = None) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading) and (level is None or b.level == level)]


def plain_text(content: Iterable[Inline]) -> str:
    """The text of inline content without footnotes."""
    parts: list[str] = []
    for item in content:
        if isinstance(item, Text):
            parts.append(item.text)
        elif isinstance(item, LineBreak):
            parts.append("\n")
    return "".join(parts)


# --------------------------------------------------------------------------------------------------
# Fixed texts (the guideline's headings) and display labels

GUIDELINE_SECTIONS: tuple[str, str, str] = (
    "1. Afdelingens/boligområdets problemkompleks, herunder målgrupper og problematikker, der bør adresseres i "
    "den planlagte indsats. De påtænkte indsatser skal holde sig inden for de fire indsatsområder *Uddannelse og "
    "livschancer, Beskæftigelse, Kriminalitetsforebyggelse og Sammenhængskraft og medborgerskab*.",
    "2. Hvilke samarbejdspartnere der ud fra en lokal vurdering bør involveres i indsatsen i boligområdet, "
    "herunder de enkelte samarbejdspartneres bidrag såvel inden for som uden for helhedsplanens rammer.",
    "3. Overvejelser om organiseringen, herunder den boligsociale bestyrelse, lokale styre-/følgegrupper og evt. "
    "politiske fora.",
)
"""The three sections LBF's guideline asks the kortfattet projektbeskrivelse to cover (Markdown)."""

# The column labels of the application's criteria table (the seed), accepted by the key-figure import.
MEASURE_COLUMN_DA: dict[Measure, str] = {
    Measure.UDEN_FOR_ARBEJDSMARKED: "Udenfor arbejdsmarked",
    Measure.IKKE_VESTLIGE: "IE ikke vestlige",
    Measure.DOEMTE: "Dømte",
    Measure.KUN_GRUNDSKOLE: "Kun grundskole",
    Measure.INDKOMST: "Gns. indkomst",
}
MEASURE_DIGITS: dict[Measure, int] = {
    Measure.UDEN_FOR_ARBEJDSMARKED: 1,
    Measure.IKKE_VESTLIGE: 1,
    Measure.DOEMTE: 2,
    Measure.KUN_GRUNDSKOLE: 1,
    Measure.INDKOMST: 1,
}
LIST_CODE: dict[str, str] = {
    "udsat_boligomraade": "U",
    "parallelsamfund": "P",
    "omdannelsesomraade": "O",
    "forebyggelsesomraade": "F",
}
LIST_NAME_DA: dict[str, str] = {
    "udsat_boligomraade": "udsat boligområde",
    "parallelsamfund": "parallelsamfund",
    "omdannelsesomraade": "omdannelsesområde",
    "forebyggelsesomraade": "forebyggelsesområde",
}
FOREBYGGELSE = "forebyggelsesomraade"
NBSP = "\u00a0"  # between a number and its unit: "8,21 %" never breaks
MONTH_DATE = "d. MMMM y"


def danish_date(value: date) -> str:
    return str(format_date(value, MONTH_DATE, locale="da_DK"))


def join_da(items: Sequence[str], last: str = "og") -> str:
    """`["a", "b", "c"]` -> `"a, b og c"`."""
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word looks like an abbreviation (SAF, UU)."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _decimal_text(value: Decimal) -> str:
    exponent = value.as_tuple().exponent
    digits = max(0, -exponent) if isinstance(exponent, int) else 0
    return number(value, digits)


def format_maaling(maaling: Maaling, enhed: Enhed) -> str:
    """A quoted value as the text writes it: `8,21 %`, `godt 5,5 %`, `439`, `1.200 kr.` (with a
    no-break space before the unit).

    Percentages and amounts carry their unit; rates per 1,000 and counts are bare, because the
    sentence around them names the unit ("per 1.000 børn er der 439 sager")."""
    text = _decimal_text(maaling.vaerdi)
    if enhed is Enhed.PCT:
        text += NBSP + "%"
    elif enhed is Enhed.KR:
        text += NBSP + "kr."
    if maaling.kvalifikator:
        text = f"{maaling.kvalifikator} {text}"
    return text


def _unit_suffix(enhed: Enhed) -> str:
    return NBSP + enhed.label if enhed in (Enhed.PR_1000_BOERN, Enhed.PR_1000_BEBOERE) else ""


# --------------------------------------------------------------------------------------------------
# Inline placeholder values


def _maaling_for_year(indikator: Indikator, qualifier: str | None) -> Maaling:
    if qualifier is None:
        latest = indikator.seneste
        assert latest is not None  # checked by check_prose
        return latest
    year = int(qualifier)
    return next(m for m in indikator.maalinger if m.aar == year)


def inline_value(ctx: PlanContext, placeholder: Placeholder) -> str:
    """The text an inline placeholder stands for. The placeholder has been checked."""
    plan = ctx.plan
    name, argument = placeholder.name, placeholder.argument or ""
    simple: dict[str, Callable[[], str]] = {
        "navn": lambda: plan.navn,
        "ansoeger": lambda: plan.ansoeger,
        "kommune": lambda: plan.kommune,
        "periode": lambda: f"{danish_date(plan.periode.start)} – {danish_date(plan.periode.slut)}",
        "liste_aar": lambda: str(ctx.list_year),
        "antal_afdelinger": lambda: number(len(plan.afdelinger), 0),
        "antal_afdelinger_i_plan": lambda: number(len(plan.afdelinger_i_plan), 0),
        "antal_afdelinger_betinget": lambda: number(len(plan.afdelinger_betinget), 0),
        "boliger_i_alt": lambda: number(plan.total_boliger, 0),
        "boliger_i_plan": lambda: number(sum(a.boliger for a in plan.afdelinger_i_plan), 0),
    }
    if name in simple:
        return simple[name]()
    if name in ("indikator", "sammenligning", "kilde"):
        ident, qualifier = split_qualifier(argument)
        indikator = plan.find_indikator(ident)
        assert indikator is not None
        if name == "indikator":
            return format_maaling(_maaling_for_year(indikator, qualifier), indikator.enhed)
        if name == "sammenligning":
            index = int(qualifier) if qualifier else 1
            return format_maaling(indikator.sammenligninger[index - 1], indikator.enhed)
        if qualifier:
            comparison = indikator.sammenligninger[int(qualifier) - 1] if qualifier.isdigit() else None
            if comparison is not None and comparison.kilde:
                return comparison.kilde
        return indikator.kilde or ""
    if name == "paa_liste":
        return join_da(units_on_list(ctx.result, argument)) or "ingen afdelinger eller områder"
    raise ValueError(f"ukendt pladsholder {placeholder.raw}")  # pragma: no cover - checked before


def units_on_list(result: ListYearResult, list_name: str) -> list[str]:
    """Names of the units (areas and eligible afdelinger) that are on a list, in result order."""
    names: list[str] = []
    for unit in result.units:
        status = unit.lists.get(list_name)
        if status is not None and status.status is True and unit.name not in names:
            names.append(unit.name)
    return names


# --------------------------------------------------------------------------------------------------
# Data blocks


def afdelingsliste(plan: Helhedsplan) -> list[Block]:
    """The departments per housing organisation with dwellings, subtotals and the grand total;
    conditional departments marked, with their condition in a note under the table."""
    conditions: dict[str, str] = {}  # condition text -> marker
    for afd in plan.afdelinger_betinget:
        key = (afd.betingelse or "").strip()
        conditions.setdefault(key, "*" * (len(conditions) + 1))

    def marker(afd_status: AfdelingStatus, betingelse: str | None) -> str:
        if afd_status is not AfdelingStatus.BETINGET:
            return ""
        return conditions[(betingelse or "").strip()]

    header = Row(
        (
            Cell((Text("Boligorganisation"),)),
            Cell((Text("Afdelinger (lejeboliger)"),)),
            Cell((Text("Afd."),)),
            Cell((Text("Lejeboliger"),)),
        ),
        RowKind.HEADER,
    )
    rows = [header]
    names = {org.kortnavn: org.navn for org in plan.boligorganisationer}
    for kortnavn, afdelinger in plan.afdelinger_by_boligorganisation().items():
        if not afdelinger:
            continue
        listed = ", ".join(f"{a.navn}{marker(a.status, a.betingelse)} ({number(a.boliger, 0)})" for a in afdelinger)
        rows.append(
            Row(
                (
                    Cell((Text(names.get(kortnavn, kortnavn)),), bold=True),
                    Cell((Text(listed),)),
                    Cell((Text(number(len(afdelinger), 0)),)),
                    Cell((Text(number(sum(a.boliger for a in afdelinger), 0)),)),
                )
            )
        )
    i_plan, betinget = plan.afdelinger_i_plan, plan.afdelinger_betinget
    detail = ""
    if betinget:
        detail = (
            f"heraf {number(len(i_plan), 0)} afdelinger med {number(sum(a.boliger for a in i_plan), 0)} lejeboliger "
            f"i helhedsplanen i dag og {number(len(betinget), 0)} med "
            f"{number(sum(a.boliger for a in betinget), 0)} lejeboliger med betinget deltagelse"
        )
    rows.append(
        Row(
            (
                Cell((Text("I alt"),), bold=True),
                Cell((Text(detail),)),
                Cell((Text(number(len(plan.afdelinger), 0)),), bold=True),
                Cell((Text(number(plan.total_boliger, 0)),), bold=True),
            ),
            RowKind.TOTAL,
        )
    )
    notes: list[tuple[Inline, ...]] = []
    for condition, mark in conditions.items():
        text = condition or "betingelsen er ikke angivet i planen."
        notes.append((Text(f"{mark} Betinget deltagelse: ", bold=True), Text(text)))
    table = Table(
        key="afdelingsliste",
        columns=(Column(2.9), Column(11.4), Column(1.0, "right"), Column(1.7, "right")),
        rows=tuple(rows),
        notes=tuple(notes),
    )
    return [table]


def _criteria_by_tier(
    unit: UnitResult,
) -> tuple[dict[Measure, list[CriterionResult]], dict[Measure, list[CriterionResult]]]:
    """The unit's criteria per measure: (stricter lists, forebyggelsesområde)."""
    strict: dict[Measure, list[CriterionResult]] = {}
    forebyggelse: dict[Measure, list[CriterionResult]] = {}
    for list_name, result in unit.lists.items():
        target = forebyggelse if list_name == FOREBYGGELSE else strict
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
    return f"{criterion.operator.symbol} {short_number(criterion.threshold)} pct."


def _status_codes(statuses: dict[str, Status]) -> str:
    if statuses and all(s is None for s in statuses.values()):
        return "?"
    codes = [LIST_CODE.get(n, n) for n, s in statuses.items() if s is True]
    codes += [LIST_CODE.get(n, n) + "?" for n, s in statuses.items() if s is None]
    return ", ".join(codes)


def list_status_text(unit: UnitResult) -> str:
    """`F` (on the list), `(F)` (would be, as an area: below the resident minimum), `?`
    (undetermined), `–` (on no list)."""
    if unit.eligible is False:
        codes = _status_codes(unit.as_area or {})
        return f"({codes})" if codes else "–"
    codes = _status_codes({n: r.status for n, r in unit.lists.items()})
    return codes or "–"


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


def kriterietabel(ctx: PlanContext) -> list[Block]:
    """The criteria table as in the application: threshold rows from the law's evaluation, one row
    per afdeling and per area, the values that meet a criterion marked, and each unit's list status."""
    result = ctx.result
    units = [u for u in result.units if u.kind == "afdeling"] + [u for u in result.units if u.kind == "omraade"]
    measures = list(MEASURE_COLUMN_DA)
    # Threshold per tier and measure, from the first unit that has the criterion.
    strict_thresholds: dict[Measure, CriterionResult] = {}
    forebyggelse_thresholds: dict[Measure, CriterionResult] = {}
    strict_label = forebyggelse_label = ""
    citations: list[str] = []
    for unit in units:
        for list_name, list_result in unit.lists.items():
            citations.append(list_result.citation.title)
            if list_name == FOREBYGGELSE:
                forebyggelse_label = list_result.label
            elif list_name == "parallelsamfund" or not strict_label:
                strict_label = list_result.label
        strict, forebyggelse = _criteria_by_tier(unit)
        for measure in measures:
            if measure in strict and measure not in strict_thresholds:
                strict_thresholds[measure] = strict[measure][0]
            if measure in forebyggelse and measure not in forebyggelse_thresholds:
                forebyggelse_thresholds[measure] = forebyggelse[measure][0]
    minimum = f"≥ {number(result.min_residents, 0)}" if not result.min_residents_ignored else ""

    header = Row(
        (
            Cell((Text("Boligorganisation"),)),
            Cell((Text("Afdelingsnavn"),)),
            Cell((Text(_residents_header(ctx.plan, ctx.list_year)),)),
            *(Cell((Text(MEASURE_COLUMN_DA[m]),)) for m in measures),
            Cell((Text(f"Liste {ctx.list_year}"),)),
        ),
        RowKind.HEADER,
    )
    rows = [header]
    tiers = [(strict_label, strict_thresholds), (forebyggelse_label, forebyggelse_thresholds)]
    for label, thresholds in tiers:
        if not thresholds:
            continue
        rows.append(
            Row(
                (
                    Cell((Text(f"Grænseværdier {label.lower()}"),), colspan=2, italic=True),
                    Cell((Text(minimum),), italic=True),
                    *(
                        Cell((Text(_threshold_text(thresholds[m]) if m in thresholds else ""),), italic=True)
                        for m in measures
                    ),
                    Cell((Text(""),)),
                ),
                RowKind.THRESHOLD,
            )
        )
    for unit in units:
        strict, forebyggelse = _criteria_by_tier(unit)
        cells: list[Cell] = []
        for measure in measures:
            found = strict.get(measure) or forebyggelse.get(measure) or []
            value = found[0].value if found else None
            approximate = any(c.approximate for c in found)
            text = "-" if value is None else ("~" if approximate else "") + number(value, MEASURE_DIGITS[measure])
            mark = _mark(unit, measure) if value is not None else None
            cells.append(Cell((Text(text),), mark=mark, bold=mark is not None))
        area = unit.kind == "omraade"
        names = (
            (Cell((Text(f"{unit.name} (område)"),), colspan=2),)
            if area
            else (Cell((Text(unit.boligorganisation or ""),)), Cell((Text(unit.name),)))
        )
        rows.append(
            Row(
                (
                    *names,
                    Cell((Text(number(unit.residents, 0)),)),
                    *cells,
                    Cell((Text(list_status_text(unit)),), align="center"),
                ),
                RowKind.AREA if area else RowKind.BODY,
            )
        )

    notes: list[tuple[Inline, ...]] = []
    legend: list[Inline] = [Text("Markering: ")]
    if strict_thresholds:
        legend += [
            Text("30,9", bold=True, mark=Mark.STRONG),
            Text(f" opfylder grænseværdien for {strict_label.lower()} eller udsat boligområde"),
        ]
    if forebyggelse_thresholds:
        legend += [
            Text("; " if strict_thresholds else ""),
            Text("30,9", bold=True, mark=Mark.WEAK),
            Text(f" opfylder kun grænseværdien for {forebyggelse_label.lower()}"),
        ]
    legend.append(Text(". - = ikke oplyst (diskretioneret eller mangler)."))
    notes.append(tuple(legend))
    codes = [f"{LIST_CODE[n]} = {LIST_NAME_DA[n]}" for n in LIST_CODE if any(n in u.lists for u in units)]
    notes.append(
        (
            Text(f"Liste {ctx.list_year}: ", bold=True),
            Text(
                f"{', '.join(codes)}. I parentes: afdelingen har under {number(result.min_residents, 0)} beboere og er "
                "derfor ikke selv et boligområde efter loven, men ville være på listen som boligområde. "
                "? = ubestemt (ukendte tal kan ændre udfaldet). – = ingen liste."
            ),
        )
    )
    for unit in units:
        if unit.kind != "omraade":
            continue
        omraade = ctx.plan.find_omraade(unit.name)
        members = [
            f"{a.navn} ({a.boligorganisation})" for a in (ctx.plan.omraade_afdelinger(omraade) if omraade else [])
        ] or list(unit.members)
        whose = _lower_first(omraade.afgraensning) if omraade and omraade.afgraensning else "boligområdet"
        text = f"{join_da(members)} udgør tilsammen {whose} af {unit.name}."
        if unit.approximate:
            text += " ~ = " + (_lower_first(" ".join(unit.notes)) if unit.notes else "tilnærmet tal.")
        notes.append((Text(f"{unit.name} (område): ", bold=True), Text(text)))
    if result.conviction_thresholds:
        multiples = sorted(result.conviction_thresholds.items(), reverse=True)
        sources = list(dict.fromkeys(c.title for _, (_, c) in multiples))
        notes.append(
            (
                Text("Dømte: ", bold=True),
                Text(
                    f"{join_da([str(k) for k, _ in multiples])} gange landsgennemsnittet = "
                    f"{join_da([short_number(t) for _, (t, _) in multiples])} pct. (kilde: {'; '.join(sources)})."
                ),
            )
        )
    if citations:
        notes.append((Text("Grænseværdier: ", bold=True), Text(f"{_join_citations(citations)}.")))
    table = Table(
        key="kriterietabel",
        columns=(
            Column(2.4),
            Column(2.8),
            Column(1.3, "right"),
            *(Column(1.85, "right") for _ in measures),
            Column(1.3, "center"),
        ),
        rows=tuple(rows),
        notes=tuple(notes),
        small=True,
    )
    return [table]


def partnere(plan: Helhedsplan) -> list[Block]:
    """The partners per group as lead paragraph + bullets, then the ungrouped ones in one sentence."""
    blocks: list[Block] = []
    groups: dict[str, list[Partner]] = {}
    others: list[Partner] = []
    for partner in plan.partnere:
        if partner.gruppe:
            groups.setdefault(partner.gruppe, []).append(partner)
        else:
            others.append(partner)
    for gruppe, members in groups.items():
        blocks.append(Paragraph((Text(f"{gruppe}, herunder:"),), style="lead"))
        items: list[ListItem] = []
        for partner in members:
            name = partner.navn
            listed = [m for m in partner.medlemmer if m.casefold() not in name.casefold()]
            if listed and len(listed) == len(partner.medlemmer):
                name += f" ({', '.join(partner.medlemmer)})"
            content: list[Inline] = [Text(name + (":" if partner.bidrag else ""), bold=True)]
            if partner.bidrag:
                content.append(Text(" " + partner.bidrag))
            items.append(ListItem(tuple(content)))
        blocks.append(BulletList(tuple(items)))
    if others:
        names = [p.navn if i == 0 else _lower_first(p.navn) for i, p in enumerate(others)]
        lead = (
            "Derudover vil helhedsplanen blandt andet samarbejde med " if groups else "Helhedsplanen samarbejder med "
        )
        blocks.append(Paragraph((Text(lead + join_da(names, "samt") + "."),)))
        with_bidrag = [p for p in others if p.bidrag]
        if with_bidrag:
            blocks.append(
                BulletList(
                    tuple(ListItem((Text(p.navn + ":", bold=True), Text(" " + (p.bidrag or "")))) for p in with_bidrag)
                )
            )
    return blocks


def _forum_name(forum: Forum) -> str:
    name = forum.navn
    if forum.forkortelse and forum.forkortelse not in name:
        name += f" ({forum.forkortelse})"
    return name


def fora(plan: Helhedsplan) -> list[Block]:
    """The organisation's bodies as bullets: name, responsibility, participants and meetings."""
    if plan.organisation is None or not plan.organisation.fora:
        return []
    items: list[ListItem] = []
    for forum in plan.organisation.fora:
        content: list[Inline] = [Text(_forum_name(forum) + ":", bold=True)]
        if forum.er_bestyrelse:
            content = [Text(_forum_name(forum), bold=True), Text(" (den boligsociale bestyrelse):", italic=True)]
        parts: list[str] = []
        if forum.ansvar:
            parts.append(forum.ansvar.strip())
        if forum.deltagere:
            parts.append(f"Deltagere: {join_da([_lower_first(d) for d in forum.deltagere])}.")
        if forum.moedefrekvens:
            parts.append(f"Mødes {forum.moedefrekvens}.")
        if parts:
            content.append(Text(" " + " ".join(parts)))
        items.append(ListItem(tuple(content)))
    return [BulletList(tuple(items))]


def _format_series(indikator: Indikator) -> str:
    parts = []
    for m in sorted(indikator.maalinger, key=lambda m: m.aar or 0):
        text = format_maaling(m, indikator.enhed) + _unit_suffix(indikator.enhed)
        if m.aar:
            text += f" ({m.aar}" + (f"-{m.til_aar}" if m.til_aar else "") + ")"
        parts.append(text)
    return " → ".join(parts) or "-"


def indikatorer(plan: Helhedsplan, argument: str | None) -> list[Block]:
    """A compact table of quoted indicators with their comparison figures and sources."""
    selected: list[Indikator] = []
    if argument:
        for item in (part.strip() for part in argument.split(",")):
            indsatsomraade = plan.find_indsatsomraade(item)
            found = plan.indikatorer_for(indsatsomraade.navn) if indsatsomraade else []
            single = plan.find_indikator(item)
            for indikator in [*found, *([single] if single else [])]:
                if indikator not in selected:
                    selected.append(indikator)
    else:
        selected = list(plan.indikatorer)
    if not selected:
        return []
    rows = [
        Row(
            tuple(Cell((Text(h),)) for h in ("Indikator", "Gælder", "Værdi", "Sammenligning", "Kilde")),
            RowKind.HEADER,
        )
    ]
    for indikator in selected:
        comparisons = "; ".join(
            f"{s.betegnelse}: {format_maaling(s, indikator.enhed)}{_unit_suffix(indikator.enhed)}"
            + (f" ({s.aar})" if s.aar else "")
            for s in indikator.sammenligninger
        )
        sources = list(
            dict.fromkeys([k for k in [indikator.kilde, *(s.kilde for s in indikator.sammenligninger)] if k])
        )
        rows.append(
            Row(
                (
                    Cell((Text(indikator.navn),)),
                    Cell((Text(indikator.gaelder),)),
                    Cell((Text(_format_series(indikator)),)),
                    Cell((Text(comparisons or "-"),)),
                    Cell((Text("; ".join(sources) or "ikke angivet"),)),
                )
            )
        )
    return [
        Table(
            key="indikatorer",
            columns=(Column(4.6), Column(2.6), Column(3.0), Column(3.8), Column(2.6)),
            rows=tuple(rows),
            small=True,
        )
    ]


# --------------------------------------------------------------------------------------------------
# The organisation diagram


def organisationsdiagram(plan: Helhedsplan) -> list[Block]:
    """The organisation diagram (`boligsocial.reports.charts.org.org_diagram`) as a figure."""
    organisation = plan.organisation
    if organisation is None or not (organisation.fora or organisation.team):
        return []
    try:
        chart = org_diagram(plan)
    except ValueError:  # nothing to draw
        return []
    caption = (Text(f"Figur 1. Organiseringen af {plan.navn}."),)
    return [Figure(key="organisationsdiagram", source=chart, caption=caption, width_cm=14.0)]


def block_for(ctx: PlanContext, placeholder: Placeholder) -> list[Block]:
    name = placeholder.name
    if name == "afdelingsliste":
        return afdelingsliste(ctx.plan)
    if name == "kriterietabel":
        return kriterietabel(ctx)
    if name == "partnere":
        return partnere(ctx.plan)
    if name == "fora":
        return fora(ctx.plan)
    if name == "organisationsdiagram":
        return organisationsdiagram(ctx.plan)
    if name == "indikatorer":
        return indikatorer(ctx.plan, placeholder.argument)
    raise ValueError(f"ukendt blok {placeholder.raw}")  # pragma: no cover - checked before


# --------------------------------------------------------------------------------------------------
# Markdown -> blocks

_PH_OPEN, _PH_CLOSE = "\ue000", "\ue001"
_FN_OPEN, _FN_CLOSE = "\ue002", "\ue003"
_SENTINEL_RE = re.compile(f"{_PH_OPEN}(\\d+){_PH_CLOSE}|{_FN_OPEN}([^{_FN_CLOSE}]+){_FN_CLOSE}")

_MD = MarkdownIt("commonmark", {"typographer": False}).enable("table")


class _Converter:
    """Turns one prose section into blocks, resolving placeholders and footnotes."""

    def __init__(self, ctx: PlanContext, section: ProseSection) -> None:
        self.ctx = ctx
        self.section = section
        self.placeholders: list[Placeholder] = []
        self.footnotes: dict[str, str] = {}

    def _prepare(self) -> str:
        found = iter(find_placeholders(self.section.markdown, self.section.file))
        lines: list[str] = []
        for line in self.section.markdown.split("\n"):
            definition = FOOTNOTE_DEF_RE.match(line)

            def substitute(_: re.Match[str]) -> str:
                self.placeholders.append(next(found))
                return f"{_PH_OPEN}{len(self.placeholders) - 1}{_PH_CLOSE}"

            line = BRACES_RE.sub(substitute, line)
            if definition:
                body = FOOTNOTE_DEF_RE.match(line)
                assert body is not None
                self.footnotes.setdefault(body.group(1), body.group(2).strip())
                lines.append("")
                continue
            line = FOOTNOTE_REF_RE.sub(lambda m: f"{_FN_OPEN}{m.group(1)}{_FN_CLOSE}", line)
            stripped = line.strip()
            if stripped.startswith(_PH_OPEN) and _SENTINEL_RE.fullmatch(stripped):
                index = int(stripped[1:-1])
                if self.placeholders[index].block:
                    # A block stands alone: make it a paragraph of its own even without blank lines.
                    lines.extend(["", stripped, ""])
                    continue
            lines.append(line)
        return "\n".join(lines)

    def convert(self) -> list[Block]:
        tokens = _MD.parse(self._prepare())
        blocks: list[Block] = []
        i = 0
        ordered_stack: list[bool] = []  # the open lists, innermost last
        items: list[ListItem] = []  # the items of the outermost open list, nested ones flattened
        open_items: list[tuple[int, list[Inline]]] = []  # (insert position, content) per open item
        while i < len(tokens):
            token = tokens[i]
            kind = token.type
            if kind == "heading_open":
                level = min(4, int(token.tag[1:]))
                blocks.append(Heading(level, tuple(self._inlines(tokens[i + 1]))))
                i += 3
                continue
            if kind in ("bullet_list_open", "ordered_list_open"):
                ordered_stack.append(kind == "ordered_list_open")
            elif kind in ("bullet_list_close", "ordered_list_close"):
                ordered = ordered_stack.pop()
                if not ordered_stack:
                    blocks.append(BulletList(tuple(items), ordered))
                    items = []
            elif kind == "list_item_open":
                open_items.append((len(items), []))
            elif kind == "list_item_close":
                position, content = open_items.pop()
                # Nested items were added while this one was open: the item goes before them.
                items.insert(position, ListItem(tuple(content), len(ordered_stack) - 1))
            elif kind == "paragraph_open":
                inline = tokens[i + 1]
                if open_items:
                    content = open_items[-1][1]
                    if content:
                        content.append(LineBreak())
                    content.extend(self._inlines(inline))
                else:
                    block = self._block_placeholder(inline)
                    if block is not None:
                        blocks.extend(block)
                    else:
                        blocks.append(Paragraph(tuple(self._inlines(inline))))
                i += 3
                continue
            elif kind == "table_open":
                end = next(j for j in range(i, len(tokens)) if tokens[j].type == "table_close")
                blocks.append(self._table(tokens[i : end + 1]))
                i = end + 1
                continue
            elif kind in ("fence", "code_block"):
                blocks.append(Paragraph((Text(token.content.rstrip("\n")),)))
            i += 1
        return blocks

    def _block_placeholder(self, inline: Token) -> list[Block] | None:
        match = _SENTINEL_RE.fullmatch(inline.content.strip())
        if match is None or match.group(1) is None:
            return None
        placeholder = self.placeholders[int(match.group(1))]
        if not placeholder.block:
            return None
        return block_for(self.ctx, placeholder)

    def _table(self, tokens: list[Token]) -> Table:
        rows: list[Row] = []
        current: list[Cell] = []
        header = False
        aligns: list[Align] = []
        for j, token in enumerate(tokens):
            if token.type == "thead_open":
                header = True
            elif token.type == "tbody_open":
                header = False
            elif token.type == "tr_open":
                current = []
            elif token.type in ("th_open", "td_open"):
                style = str(token.attrGet("style") or "")
                align: Align = "right" if "right" in style else "center" if "center" in style else "left"
                if header:
                    aligns.append(align)
                current.append(Cell(tuple(self._inlines(tokens[j + 1]))))
            elif token.type == "tr_close":
                rows.append(Row(tuple(current), RowKind.HEADER if header else RowKind.BODY))
        columns = tuple(Column(1.0, a) for a in aligns) or tuple(Column(1.0) for _ in rows[0].cells)
        return Table(key="tekst", columns=columns, rows=tuple(rows))

    def _inlines(self, inline: Token) -> list[Inline]:
        out: list[Inline] = []
        bold = italic = False
        for child in inline.children or []:
            kind = child.type
            if kind == "strong_open":
                bold = True
            elif kind == "strong_close":
                bold = False
            elif kind == "em_open":
                italic = True
            elif kind == "em_close":
                italic = False
            elif kind == "softbreak":
                out.append(Text(" ", bold, italic))
            elif kind == "hardbreak":
                out.append(LineBreak())
            elif kind in ("text", "code_inline", "html_inline"):
                out.extend(self._resolve(child.content, bold, italic))
            elif kind == "image":
                out.append(Text(child.content, bold, italic))
        return _merge(out)

    def _resolve(self, text: str, bold: bool, italic: bool) -> list[Inline]:
        out: list[Inline] = []
        position = 0
        for match in _SENTINEL_RE.finditer(text):
            if match.start() > position:
                out.append(Text(text[position : match.start()], bold, italic))
            if match.group(1) is not None:
                placeholder = self.placeholders[int(match.group(1))]
                if placeholder.block:
                    raise ProseError(
                        [
                            ProseProblem(
                                placeholder.file,
                                placeholder.line,
                                f"pladsholderen {placeholder.raw} skal stå alene i sit eget afsnit",
                                self.section.folder,
                            )
                        ]
                    )
                out.append(Text(inline_value(self.ctx, placeholder), bold, italic))
            else:
                label = match.group(2)
                parsed = _MD.parseInline(self.footnotes.get(label, ""))
                content = self._inlines(parsed[0]) if parsed else []
                out.append(Footnote(tuple(c for c in content if not isinstance(c, Footnote))))
            position = match.end()
        if position < len(text):
            out.append(Text(text[position:], bold, italic))
        return out


def _merge(items: list[Inline]) -> list[Inline]:
    """Join adjacent text runs of the same formatting."""
    merged: list[Inline] = []
    for item in items:
        last = merged[-1] if merged else None
        if (
            isinstance(item, Text)
            and isinstance(last, Text)
            and (last.bold, last.italic, last.mark) == (item.bold, item.italic, item.mark)
        ):
            merged[-1] = Text(last.text + item.text, item.bold, item.italic, item.mark)
        else:
            merged.append(item)
    return merged


# --------------------------------------------------------------------------------------------------
# Default prose for a plan folder without tekst/


def _md_text(text: str | None) -> str:
    return (text or "").strip().replace("{{", "{ {")


def default_prose(plan: Helhedsplan) -> str:
    """A Markdown skeleton from the plan's structured texts, used when the folder has no `tekst/`."""
    out: list[str] = [f"# {GUIDELINE_SECTIONS[0]}", ""]
    out += [
        "{{ ansoeger }} søger om støtte til den boligsociale helhedsplan {{ navn }} i perioden {{ periode }}. "
        "Der søges om at få prækvalificeret følgende {{ antal_afdelinger }} afdelinger med tilsammen "
        "{{ boliger_i_alt }} lejeboliger:",
        "",
        "{{ afdelingsliste }}",
        "",
    ]
    if plan.baggrund:
        out += [_md_text(plan.baggrund), ""]
    out += ["## Kriterierne for områdelisterne", ""]
    if plan.kriterier_tekst:
        out += [_md_text(plan.kriterier_tekst), ""]
    out += ["{{ kriterietabel }}", ""]
    themes = [*plan.indsatsomraader, *plan.opmaerksomhedspunkter]
    if plan.indsatsomraader:
        out += ["## Indsatsområderne i den boligsociale helhedsplan", ""]
    for index, tema in enumerate(themes):
        if index == len(plan.indsatsomraader):
            out += ["## Øvrige opmærksomhedspunkter", ""]
        out += [f"### {tema.navn}", ""]
        if tema.beskrivelse:
            out += [_md_text(tema.beskrivelse), ""]
        for title, entries in (("Målgrupper", tema.maalgrupper), ("Problemstillinger", tema.problemstillinger)):
            if entries:
                out += [f"**{title}:**", ""] + [f"- {_md_text(e)}" for e in entries] + [""]
        if tema in plan.indsatsomraader and plan.indikatorer_for(tema.navn):
            out += [f"{{{{ indikatorer: {tema.navn} }}}}", ""]
    out += [f"# {GUIDELINE_SECTIONS[1]}", "", "{{ partnere }}", ""]
    out += [f"# {GUIDELINE_SECTIONS[2]}", ""]
    if plan.organisation is not None:
        if plan.organisation.beskrivelse:
            out += [_md_text(plan.organisation.beskrivelse), ""]
        out += ["{{ fora }}", "", "{{ organisationsdiagram }}", ""]
        team = plan.organisation.team
        if team is not None and team.beskrivelse:
            out += ["## Lokalt boligsocialt team", "", _md_text(team.beskrivelse), ""]
    return "\n".join(out)


# --------------------------------------------------------------------------------------------------
# The document


def build_projektbeskrivelse(ctx: PlanContext, prose: Sequence[ProseSection] | None = None) -> Document:
    """The kortfattet projektbeskrivelse of a plan: its prose (`tekst/`, or a skeleton from the
    plan's texts when there is none) with every data part filled in from the plan and its verdicts.

    Raises `ProseError` naming file and line for unknown placeholders or arguments."""
    plan = ctx.plan
    if prose is None:
        prose = load_prose(ctx.folder, plan)
    else:
        problems = check_prose(prose, plan)
        if problems:
            raise ProseError(problems)
    if not prose:
        generated = parse_prose(default_prose(plan), ctx.folder / "helhedsplan.toml", ctx.folder)
        problems = check_prose([generated], plan)
        if problems:
            raise ProseError(problems)
        prose = [generated]
    blocks: list[Block] = []
    for section in prose:
        blocks.extend(_Converter(ctx, section).convert())
    periode = plan.periode
    return Document(
        title="Kortfattet projektbeskrivelse",
        subtitle=f"{plan.navn} – boligsocial helhedsplan {periode.start.year}–{periode.slut.year}",
        meta=(
            f"Ansøger: {plan.ansoeger}",
            plan.kommune,
            f"Periode: {danish_date(periode.start)} – {danish_date(periode.slut)}",
            f"Nøgletal: listeår {ctx.list_year}",
        ),
        header=f"{plan.navn} · Kortfattet projektbeskrivelse",
        blocks=tuple(blocks),
    )

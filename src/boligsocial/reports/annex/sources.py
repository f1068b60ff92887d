"""The annex's sheets on the law and the sources: **Grænseværdier** (each list's criteria for the
list year, taken from the evaluation result, never written here) and **Kilder og noter** (the plan,
the rule set, the conviction thresholds and their sources, how to read the annex, when it was made)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from openpyxl.styles import Alignment  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from boligsocial.danish import date_text, number, short_number
from boligsocial.law.closeness import near_text_da
from boligsocial.law.parameters import Citation
from boligsocial.law.verdicts import CriterionResult, ListYearResult
from boligsocial.law.vocabulary import CERTAINTY_DA
from boligsocial.plan.assessment import PlanAssessment
from boligsocial.reports.annex.cells import (
    CENTER_TOP,
    FMT_DATE,
    FMT_YEAR,
    LINK_FONT,
    SECTION_FONT,
    SUPPRESSED,
    CellValue,
    Col,
    excel_number,
    header_row,
    note,
    page_setup,
    put,
    setup_columns,
    threshold_format,
)
from boligsocial.reports.annex.units import AnnexRow
from boligsocial.reports.wording import join_da

__all__ = ["sheet_graenser", "sheet_kilder"]

# ---- Grænseværdier -------------------------------------------------------------------------------


def _graenser_rows(result: ListYearResult) -> list[tuple[str, Citation, CriterionResult]]:
    """Each list's criteria once: (list label, the list's citation, criterion)."""
    seen: dict[str, tuple[str, Citation, list[CriterionResult]]] = {}
    for unit in result.units:
        for name, list_result in unit.lists.items():
            entry = seen.setdefault(name, (list_result.label, list_result.citation, []))
            keys = {c.key for c in entry[2]}
            entry[2].extend(c for c in list_result.criteria if c.key not in keys)
    return [(label, citation, c) for label, citation, criteria in seen.values() for c in criteria]


def _source(citation: Citation) -> tuple[str, str, str]:
    return citation.title, citation.url or "", CERTAINTY_DA.get(citation.certainty, citation.certainty)


def _source_notes(ws: Worksheet, row: int, sources: dict[tuple[str, str, str], str], last_column: int) -> None:
    """Each source once under the table, with the mark the rows cite it by."""
    row += 1
    for (title, url, certainty), mark in sources.items():
        row += 1
        cell = note(ws, row, f"{mark} {title} (kildens sikkerhed: {certainty}). {url}".rstrip(), 1, last_column)
        if url:
            cell.hyperlink = url


def sheet_graenser(ws: Worksheet, ctx: PlanAssessment) -> None:
    rows = _graenser_rows(ctx.require_result())
    # The rows cite their source by a mark: the same act's title in every row would be most of the
    # sheet; each source is written once under the table.
    sources: dict[tuple[str, str, str], str] = {}
    for _, _, c in rows:
        sources.setdefault(_source(c.citation), f"[{len(sources) + 1}]")
    columns = [
        Col("Liste", 20),
        Col("Kriterium", 26, wrap=True),
        Col("Operator", 9),
        Col("Grænseværdi (pct.)", 11, wrap=True),
        Col("Befolkningsgruppe", 20, wrap=True),
        Col("Lovens formulering", 60, wrap=True),
        Col("Bemærkning til grænseværdien", 36, wrap=True),
        Col("Hjemmel", 18, wrap=True),
        Col("Kilde", 7),
        Col("Listens hjemmel", 16, wrap=True),
    ]
    setup_columns(ws, columns)
    header_row(ws, 1, [c.header for c in columns])
    row = 1
    for label, list_citation, c in rows:
        row += 1
        put(ws, row, 1, label)
        put(ws, row, 2, c.label, wrap=True)
        put(ws, row, 3, c.operator.symbol).alignment = CENTER_TOP
        if c.threshold is None:  # a multiple of a national average not known for the year
            put(ws, row, 4, "ukendt").alignment = CENTER_TOP
        else:
            put(ws, row, 4, excel_number(c.threshold), threshold_format(c.measure, c.threshold)).alignment = CENTER_TOP
        put(ws, row, 5, c.population, wrap=True)
        put(ws, row, 6, c.wording, wrap=True)
        put(ws, row, 7, c.threshold_note, wrap=True)
        put(ws, row, 8, c.citation.paragraph, wrap=True)
        put(ws, row, 9, sources[_source(c.citation)]).alignment = CENTER_TOP
        put(ws, row, 10, list_citation.paragraph, wrap=True)
    _source_notes(ws, row, sources, len(columns))
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(row, 1)}"
    ws.freeze_panes = "C2"
    page_setup(ws, ctx.plan, "1:1")


# ---- Kilder og noter -----------------------------------------------------------------------------


def _conviction_entries(result: ListYearResult) -> list[tuple[str, str, str | None]]:
    """The convicted thresholds with their sources, or that the national average is not known."""
    if not result.conviction_average_known:
        unknown = f"Landsgennemsnittet er ikke kendt for listeår {result.list_year}; grænseværdierne er ukendte."
        return [("Dømte", unknown, None)]
    return [
        (
            f"Dømte, {multiple} × landsgennemsnittet",
            f"{short_number(threshold)} pct. Kilde: {citation.title}, {citation.paragraph}. "
            f"Kildens sikkerhed: {CERTAINTY_DA.get(citation.certainty, citation.certainty)}.",
            citation.url or None,
        )
        for multiple, (threshold, citation) in sorted(result.conviction_thresholds.items(), reverse=True)
    ]


def sheet_kilder(ws: Worksheet, ctx: PlanAssessment, rows: Sequence[AnnexRow], generated: date) -> None:
    result = ctx.require_result()
    plan = ctx.plan
    columns = [Col("Emne", 30), Col("Oplysning", 100, wrap=True), Col("Link", 50)]
    setup_columns(ws, columns)
    header_row(ws, 1, [c.header for c in columns], height=22)
    entries: list[tuple[str, CellValue, str | None, str | None]] = []  # topic, value, format, link

    def section(title: str) -> None:
        entries.append(("§" + title, None, None, None))

    def add(topic: str, value: CellValue, fmt: str | None = None, link: str | None = None) -> None:
        entries.append((topic, value, fmt, link))

    section("Planen")
    add("Helhedsplan", plan.navn)
    add("Kommune", plan.kommune)
    add("Ansøger", plan.ansoeger)
    add("Periode", f"{date_text(plan.periode.start)} – {date_text(plan.periode.slut)}")
    if plan.noegletal:
        add("Nøgletalsfil", plan.noegletal)
    if plan.beboere_dato is not None:
        add("Beboere opgjort pr.", date_text(plan.beboere_dato))

    section("Lovgrundlag")
    add("Listeår", result.list_year, FMT_YEAR)
    add("Regelsæt", f"{result.rule_set} (parameterfil {result.rule_set_file})")
    add("Krav til et boligområde", f"Mindst {number(result.min_residents, 0)} beboere.")
    for topic, text, link in _conviction_entries(result):
        add(topic, text, link=link)
    for remark in result.notes:
        add("Bemærkning", remark)

    section("Læsevejledning")
    approx_units = [r.result.name for r in rows if r.result.approximate]
    approx_notes = list(dict.fromkeys(n for r in rows if r.result.approximate for n in r.result.notes))
    if approx_units:
        add(
            "Tilnærmede tal",
            f"Gælder {join_da(approx_units)}. "
            + (" ".join(approx_notes) or "Beboervægtede gennemsnit af afdelingernes procenter.")
            + ' Tallene er vist med "~" foran og i kursiv.',
        )
    else:
        add("Tilnærmede tal", "Ingen: alle tal er afdelingernes egne eller beregnet af tællere og nævnere.")
    add(
        "Ikke oplyste tal",
        f'"{SUPPRESSED}" betyder, at tallet ikke er oplyst (diskretioneret eller ikke offentliggjort). '
        "Et kriterium med et ukendt tal er hverken opfyldt eller ikke opfyldt, og en listestatus er "
        '"ubestemt", når de ukendte tal kan ændre udfaldet.',
    )
    add(
        "Talformat",
        "Tallene er gemt som tal og vises med to eller én decimal; Excel viser dem med dansk "
        "tusindtalsseparator og decimalkomma, når Excel kører med dansk sprogindstilling.",
    )
    add(
        "Farver",
        "Listestatus: rød = enheden er på listen, grå = ubestemt. Afstand til grænser: rød = kriteriet er "
        f"opfyldt, gul = ikke opfyldt, men tæt på grænsen ({near_text_da()}).",
    )
    add("Som område", "Status, hvis enheden blev vurderet som et boligområde uden krav om antal beboere.")

    section("Dannelse")
    add("Dannet", generated, FMT_DATE)
    add("Dannet af", "boligsocial")

    row = 1
    for topic, value, fmt, link in entries:
        row += 1
        if topic.startswith("§"):
            row += 1 if row > 2 else 0
            ws.cell(row=row, column=1, value=topic[1:]).font = SECTION_FONT
            continue
        put(ws, row, 1, topic)
        cell = put(ws, row, 2, value, fmt, wrap=True)
        if isinstance(value, int | date):
            cell.alignment = Alignment(horizontal="left", vertical="top")
        if link:
            link_cell = put(ws, row, 3, link)
            link_cell.hyperlink = link
            link_cell.font = LINK_FONT
    ws.freeze_panes = "A2"
    page_setup(ws, plan, "1:1")

"""The yearly status report: an overview table of every indicator's status, the status rule, and per
indicator a status chart (`charts.status.status_chart`) and a table of its figures. Built as a
`Document` and rendered with the same DOCX and PDF renderers as the application.

    statusrapport-<år>.docx
    statusrapport-<år>.pdf
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from boligsocial.danish import date_text
from boligsocial.plan.folder import PlanError, load_plan
from boligsocial.plan.indicator_text import display_names
from boligsocial.plan.inputs import InputError
from boligsocial.plan.model import Helhedsplan
from boligsocial.plan.status import (
    PROJECTION_RULE_DA,
    STATUS_RULE_DA,
    IndicatorStatus,
    PlanStatus,
    StatusError,
    fmt_change,
    milestone_for,
    plan_status,
    shown,
    value_year,
)
from boligsocial.reports.charts.status import LEGEND_DA, status_chart
from boligsocial.reports.document import (
    Block,
    BulletList,
    Cell,
    Column,
    Document,
    Figure,
    Heading,
    ListItem,
    Paragraph,
    Row,
    RowKind,
    Table,
    Text,
)
from boligsocial.reports.docx_render import render_docx
from boligsocial.reports.pdf_render import render_pdf

__all__ = ["StatusReportResult", "build_status_report", "report_command", "write_status_report"]

OVERVIEW_KEY = "status-oversigt"


def _cells(*texts: str, bold: bool = False) -> tuple[Cell, ...]:
    return tuple(Cell((Text(t),), bold=bold) for t in texts)


def _overview(ps: PlanStatus) -> Table:
    rows = [Row(_cells("Indikator", "Baseline", "Seneste tal", "Milepæl", "Mål", "Status"), RowKind.HEADER)]
    names = display_names([s.indikator for s in ps.indikatorer])
    for s in ps.indikatorer:
        i = s.indikator
        base = "–" if i.baseline is None else f"{shown(i.baseline.vaerdi, i)} ({i.baseline.aar})"
        latest = "–" if s.seneste is None else f"{shown(s.seneste.vaerdi, i)} ({s.seneste_aar})"
        mile = "–" if s.milepael is None else f"{shown(s.milepael.vaerdi, i)} ({s.milepael.aar})"
        target = "–" if i.maal is None else f"{shown(i.maal.vaerdi, i)} ({i.maal.aar})"
        if i.maal is not None and i.maal.illustrativ:
            target += "*"
        rows.append(
            Row(
                (
                    Cell((Text(names[i.id]),)),
                    *_cells(base, latest, mile, target),
                    Cell((Text(s.status.label),), bold=True),
                )
            )
        )
    notes: tuple[tuple[Text, ...], ...] = ()
    if any(s.indikator.maal is not None and s.indikator.maal.illustrativ for s in ps.indikatorer):
        notes = ((Text("* Illustrativt mål: et eksempel, ikke et aftalt mål."),),)
    return Table(
        key=OVERVIEW_KEY,
        columns=(
            Column(3.2),
            Column(1.3, "right"),
            Column(1.3, "right"),
            Column(1.3, "right"),
            Column(1.3, "right"),
            Column(1.1),
        ),
        rows=tuple(rows),
        notes=notes,
        small=True,
    )


def _figures_table(s: IndicatorStatus) -> Table:
    """The figures behind the chart: measurements, milestones, target, comparisons, projection."""
    i = s.indikator
    rows = [Row(_cells("Tal", "År", "Værdi", "Kilde"), RowKind.HEADER)]
    if i.baseline is not None:
        version = f"definition v{i.baseline.katalog_version}" if i.baseline.katalog_version else ""
        source = ", ".join(part for part in (i.baseline.kilde, version) if part)
        rows.append(Row(_cells("Baseline (fastfrosset)", str(i.baseline.aar), shown(i.baseline.vaerdi, i), source)))
    for m in sorted(i.maalinger, key=lambda m: value_year(m) or 0):
        year = value_year(m)
        if year is not None and year > s.aar:
            continue
        period = "–" if m.aar is None else (f"{m.aar}–{m.til_aar}" if m.til_aar else str(m.aar))
        rows.append(Row(_cells("Måling", period, shown(m.vaerdi, i), m.kilde or i.kilde or "")))
    if i.baseline is not None and i.maal is not None:
        for year in range(i.baseline.aar + 1, i.maal.aar):
            ms = milestone_for(i, year)
            if ms is None:
                continue
            label = "Milepæl" if ms.kind == "milepael" else "Milepæl (interpoleret)"
            rows.append(Row(_cells(label, str(year), shown(ms.vaerdi, i), "")))
        label = "Mål (illustrativt)" if i.maal.illustrativ else "Mål"
        rows.append(Row(_cells(label, str(i.maal.aar), shown(i.maal.vaerdi, i), ""), RowKind.TOTAL))
    for c in i.sammenligninger:
        period = "–" if c.aar is None else (f"{c.aar}–{c.til_aar}" if c.til_aar else str(c.aar))
        rows.append(Row(_cells(f"Sammenligning: {c.betegnelse}", period, shown(c.vaerdi, i), c.kilde or "")))
    p = s.fremskrivning
    if p is not None:
        end = p.end
        band = f"{shown(end.vaerdi, i)} ({shown(end.nedre, i)}–{shown(end.oevre, i)})"
        rows.append(Row(_cells("Fremskrivning (bånd)", str(end.aar), band, f"{p.n} målinger")))
    return Table(
        key=f"indikator-{i.id}",
        columns=(Column(2.6), Column(0.9, "right"), Column(1.8, "right"), Column(2.7)),
        rows=tuple(rows),
        small=True,
    )


def _indicator_blocks(s: IndicatorStatus) -> list[Block]:
    i = s.indikator
    blocks: list[Block] = [Heading(2, (Text(f"{i.navn} ({i.gaelder})"),))]
    blocks.append(Paragraph((Text(s.forklaring),)))
    if s.definition is not None:
        df = s.definition
        blocks.append(
            Paragraph(
                (
                    Text("Definition: ", bold=True),
                    Text(f"{df.ref}: {df.taeller} / {df.naevner}. {df.retning.label.capitalize()}. Kilde: {df.kilde}."),
                ),
                "note",
            )
        )
    if s.fremskrivning is not None and i.maal is not None and s.kraevet_pr_aar is not None:
        reaches = "når" if s.fremskrivning_naar_maal else "når ikke"
        trend = fmt_change(s.fremskrivning.haeldning, i.enhed)
        blocks.append(
            Paragraph(
                (
                    Text("Fremskrivning: ", bold=True),
                    Text(
                        f"Fortsætter udviklingen som hidtil ({trend} om året), "
                        f"{reaches} indikatoren målet i {i.maal.aar}. Det kræver "
                        f"{fmt_change(s.kraevet_pr_aar, i.enhed)} om året fra {s.seneste_aar}."
                    ),
                )
            )
        )
    if s.advarsler:
        blocks.append(BulletList(tuple(ListItem((Text(w),)) for w in s.advarsler)))
    has_values = bool(i.maalinger or i.sammenligninger)
    if has_values:
        blocks.append(
            Figure(
                f"status-{i.id}",
                status_chart(s, legend=False),
                (Text(f"{i.navn}: tal, milepæle, mål og fremskrivning"),),
            )
        )
    blocks.append(_figures_table(s))
    return blocks


def build_status_report(plan: Helhedsplan, ps: PlanStatus) -> Document:
    """The status report of `ps` as a Document (see the module docstring)."""
    periode = plan.periode
    blocks: list[Block] = [Heading(1, (Text("Overblik"),))]
    counts = ps.counts()
    summary = ", ".join(f"{k.label.lower()}: {v}" for k, v in counts.items() if v)
    blocks.append(Paragraph((Text(f"Status for {ps.aar} for planens {len(ps.indikatorer)} indikatorer ({summary})."),)))
    if any(s.indikator.maal is not None and s.indikator.maal.illustrativ for s in ps.indikatorer):
        blocks.append(
            Paragraph(
                (
                    Text("Bemærk: ", bold=True),
                    Text("Mål markeret som illustrative er eksempler, ikke aftalte mål."),
                ),
            )
        )
    blocks.append(_overview(ps))
    blocks += [
        Heading(1, (Text("Sådan vurderes status"),)),
        Paragraph((Text(STATUS_RULE_DA),)),
        Paragraph((Text(PROJECTION_RULE_DA),)),
        Paragraph((Text("Sådan læses graferne: ", bold=True), Text(LEGEND_DA))),
        Heading(1, (Text("Indikatorerne"),)),
    ]
    for s in ps.indikatorer:
        blocks += _indicator_blocks(s)
    return Document(
        title=f"Statusrapport {ps.aar}",
        subtitle=f"{plan.navn} – boligsocial helhedsplan {periode.start.year}–{periode.slut.year}",
        meta=(
            f"Ansøger: {plan.ansoeger}",
            plan.kommune,
            f"Periode: {date_text(periode.start)} – {date_text(periode.slut)}",
            f"Statusår: {ps.aar}",
        ),
        header=f"{plan.navn} · Statusrapport {ps.aar}",
        blocks=tuple(blocks),
    )


@dataclass(frozen=True)
class StatusReportResult:
    files: tuple[Path, ...]
    document: Document
    status: PlanStatus
    pdf_pages: int


def write_status_report(folder: Path, year: int, out: Path) -> StatusReportResult:
    """Write `statusrapport-<year>.docx` and `.pdf` for the plan in `folder` to `out` (created if
    missing). Both files are written to a temporary folder first and moved into place together.
    Raises PlanError (the plan) or StatusError (the year)."""
    plan = load_plan(Path(folder))
    ps = plan_status(plan, year)
    document = build_status_report(plan, ps)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: findes og er ikke en mappe")
    out.mkdir(parents=True, exist_ok=True)
    names = (f"statusrapport-{year}.docx", f"statusrapport-{year}.pdf")
    with tempfile.TemporaryDirectory(prefix=".status-", dir=out) as staging:
        docx_path, pdf_path = (Path(staging) / n for n in names)
        render_docx(document, docx_path)
        pages = render_pdf(document, pdf_path)
        for name in names:
            os.replace(Path(staging) / name, out / name)
    return StatusReportResult(tuple(out / n for n in names), document, ps, pages)


def report_command(plan: Path, year: int, out: Path) -> tuple[str, int]:
    """What `boligsocial status PLAN --year Y --report DIR` prints, and its exit code (0, or 2 with
    a Danish `Fejl: ...` message)."""
    try:
        result = write_status_report(plan, year, out)
    except (PlanError, StatusError, InputError) as exc:
        return f"Fejl: {exc}", 2
    lines = [f"Statusrapport {year} skrevet:"] + [f"  {p}" for p in result.files]
    return "\n".join(lines), 0

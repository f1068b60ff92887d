"""The kortfattet projektbeskrivelse as a `Document` (`boligsocial.reports.document`), rendered to
DOCX and PDF alike.

`build_projektbeskrivelse(ctx)` combines the plan's prose (Markdown in `<plan>/tekst/`, see
`boligsocial.plan.prose`) with the data blocks the tool computes:

* `convert` - Markdown -> blocks, placeholders filled in, footnotes resolved;
* `blocks` - the department list, partners, fora, quoted indicators and the organisation diagram;
* `criteria` - the criteria table with its threshold rows and marked cells;
* `skeleton` - the prose of a plan folder without `tekst/`.

Prose from the plan, data from the data: every number in a table or placeholder comes from the
plan, the key figures or the law's evaluation (`ListYearResult`); thresholds are never written here.
"""

from __future__ import annotations

from collections.abc import Sequence

from boligsocial.danish import date_text
from boligsocial.plan.assessment import PlanAssessment
from boligsocial.plan.prose import ProseError, ProseSection, check_prose, load_prose, parse_prose
from boligsocial.reports.document import Block, Document
from boligsocial.reports.projektbeskrivelse.convert import convert_section
from boligsocial.reports.projektbeskrivelse.skeleton import default_prose

__all__ = ["build_projektbeskrivelse"]


def build_projektbeskrivelse(ctx: PlanAssessment, prose: Sequence[ProseSection] | None = None) -> Document:
    """The kortfattet projektbeskrivelse of a plan: its prose (`tekst/`, or a skeleton from the
    plan's texts when there is none) with every data part filled in from the plan and its verdicts.

    Raises `ProseError` naming file and line for unknown placeholders or arguments."""
    plan = ctx.plan
    if prose is None:
        prose = load_prose(ctx.require_folder(), plan)
    else:
        problems = check_prose(prose, plan)
        if problems:
            raise ProseError(problems)
    if not prose:
        generated = parse_prose(default_prose(plan), ctx.require_folder() / "helhedsplan.toml", ctx.require_folder())
        problems = check_prose([generated], plan)
        if problems:
            raise ProseError(problems)
        prose = [generated]
    blocks: list[Block] = []
    for section in prose:
        blocks.extend(convert_section(ctx, section))
    periode = plan.periode
    return Document(
        title="Kortfattet projektbeskrivelse",
        subtitle=f"{plan.navn} – boligsocial helhedsplan {periode.start.year}–{periode.slut.year}",
        meta=(
            f"Ansøger: {plan.ansoeger}",
            plan.kommune,
            f"Periode: {date_text(periode.start)} – {date_text(periode.slut)}",
            f"Nøgletal: listeår {ctx.list_year}",
        ),
        header=f"{plan.navn} · Kortfattet projektbeskrivelse",
        blocks=tuple(blocks),
    )

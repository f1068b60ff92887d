"""The plan's prose in the browser: a section rendered as HTML the way the application package
renders it, and the lint's findings for one section.

The preview walks the same blocks the DOCX and PDF are made from (`reports.projektbeskrivelse.
convert.convert_section`: placeholders filled in, footnotes resolved), so what the editor shows is
what the package will say. Every text is escaped here; nothing the user writes reaches the page as
markup (raw HTML in the Markdown is shown as text). A section the converter cannot use (an unknown
placeholder, a plan without verdicts) is shown with the plain Markdown renderer, HTML disabled,
placeholders left as written; the lint says what is wrong.

The lint reads a plan folder; `prose_findings` writes the stored plan's file and prose to a
temporary folder (with the edited text in place of the stored one) and runs the rules on the
plan's assessment, so nothing is classified twice.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import tempfile
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Final

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from boligsocial.law.errors import LawError
from boligsocial.plan.assessment import PlanAssessment
from boligsocial.plan.folder import PlanError, save_plan
from boligsocial.plan.inputs import InputError
from boligsocial.plan.prose import PROSE_DIR, ProseError, check_prose, parse_prose
from boligsocial.reports.document import (
    Block,
    BulletList,
    Cell,
    Figure,
    Footnote,
    Heading,
    Inline,
    LineBreak,
    Paragraph,
    Row,
    RowKind,
    Table,
    Text,
)
from boligsocial.reports.lint import Finding, run_lint
from boligsocial.reports.projektbeskrivelse.convert import convert_section

__all__ = ["markdown_html", "preview_html", "prose_findings", "prose_findings_key", "section_title"]

# HTML in the Markdown is text, not markup ("commonmark" would pass it through).
_BLANK: Final = Decimal(0)  # an indicator value in `prose_findings_key`: the prose's lint never reads it

_PLAIN: Final = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


def markdown_html(text: str) -> Markup:
    """Markdown as HTML without placeholders filled in; raw HTML is escaped, links keep only safe
    schemes (markdown-it's own `validateLink`)."""
    return Markup(_PLAIN.render(text))


def section_title(name: str, text: str) -> str:
    """The section's title as the documents take it: its first heading, else its file name."""
    return parse_prose(text, Path(name)).title


def preview_html(view: PlanAssessment, name: str, text: str) -> tuple[Markup, bool]:
    """The section as the package renders it, and whether the placeholders could be filled in
    (False: the plain Markdown is shown)."""
    section = parse_prose(text, Path(PROSE_DIR) / name)
    if check_prose([section], view.plan):
        return markdown_html(section.markdown), False
    try:
        blocks = convert_section(view, section)
    except (ProseError, InputError, LawError, ValueError, LookupError):
        return markdown_html(section.markdown), False
    return render_blocks(blocks), True


def prose_findings(view: PlanAssessment, texts: Mapping[str, str]) -> dict[str, list[Finding]]:
    """The lint's findings about each section (file name -> findings) of a plan whose prose is
    `texts` (name -> Markdown); findings about the plan file and the PDF are left out."""
    with tempfile.TemporaryDirectory(prefix="boligsocial-tekst-") as tmp:
        folder = Path(tmp)
        with contextlib.suppress(PlanError):  # a stored plan is valid; without the file the prose rules still run
            save_plan(view.plan, folder)
        (folder / PROSE_DIR).mkdir()
        for file_name, body in texts.items():
            (folder / PROSE_DIR / file_name).write_bytes(body.encode("utf-8"))
        report = run_lint(dataclasses.replace(view, folder=folder), pdf_pages=None)
    found: dict[str, list[Finding]] = {name: [] for name in texts}
    prefix = f"{PROSE_DIR}/"
    for finding in report.findings:
        if finding.file and finding.file.startswith(prefix) and finding.file[len(prefix) :] in found:
            found[finding.file[len(prefix) :]].append(finding)
    return found


def prose_findings_key(view: PlanAssessment, texts: Mapping[str, str]) -> str:
    """A digest of everything `prose_findings(view, texts)` reads, so its findings can be kept
    until one of them changes: the texts, the plan (names, afdelinger, indsatsomraader, the
    indicators' ids, years, sources and comparison figures that placeholders refer to), the key
    figures, the list year and the options the verdicts were made with. The indicators' measured
    values are left out: only the plan-file rules (BS901-BS903) read them, and `prose_findings`
    keeps the prose's findings alone, so saving an indicator value does not lint the texts again."""
    indikatorer = [
        indikator.model_copy(
            update={
                "maalinger": [m.model_copy(update={"vaerdi": _BLANK}) for m in indikator.maalinger],
                "sammenligninger": [s.model_copy(update={"vaerdi": _BLANK}) for s in indikator.sammenligninger],
            }
        )
        for indikator in view.plan.indikatorer
    ]
    plan = view.plan.model_copy(update={"indikatorer": indikatorer})
    digest = hashlib.blake2b(digest_size=20)
    for part in (
        plan.model_dump_json(),
        repr(sorted(texts.items())),
        repr(view.units),
        repr((view.list_year, view.options, view.problem)),
    ):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


# ---- document blocks -> HTML ----------------------------------------------------------------------


def render_blocks(blocks: Iterable[Block]) -> Markup:
    """The blocks as HTML, every text escaped; footnotes numbered and listed at the end."""
    notes: list[Markup] = []
    parts = [_block(block, notes) for block in blocks]
    if notes:
        items = Markup("").join(Markup('<li id="fn-{}">{}</li>').format(i, n) for i, n in enumerate(notes, start=1))
        parts.append(Markup('<ol class="footnotes">{}</ol>').format(items))
    return Markup("\n").join(parts)


def _inline(content: Iterable[Inline], notes: list[Markup]) -> Markup:
    out: list[Markup] = []
    for item in content:
        if isinstance(item, Text):
            out.append(_text(item))
        elif isinstance(item, LineBreak):
            out.append(Markup("<br>"))
        elif isinstance(item, Footnote):
            notes.append(_inline(item.content, notes))
            out.append(Markup('<sup><a href="#fn-{0}">{0}</a></sup>').format(len(notes)))
    return Markup("").join(out)


def _text(item: Text) -> Markup:
    html = escape(item.text)
    if item.italic:
        html = Markup("<em>{}</em>").format(html)
    if item.bold:
        html = Markup("<strong>{}</strong>").format(html)
    if item.mark is not None:
        html = Markup('<span class="mark-{}">{}</span>').format(item.mark.value, html)
    return html


def _block(block: Block, notes: list[Markup]) -> Markup:
    if isinstance(block, Heading):
        level = min(6, block.level + 1)  # the page's own title is the h1
        return Markup("<h{0}>{1}</h{0}>").format(level, _inline(block.content, notes))
    if isinstance(block, Paragraph):
        css = "" if block.style == "normal" else Markup(' class="{}"').format(block.style)
        return Markup("<p{}>{}</p>").format(css, _inline(block.content, notes))
    if isinstance(block, BulletList):
        return _list(block, notes)
    if isinstance(block, Table):
        return _table(block, notes)
    return _figure(block, notes)


def _list(block: BulletList, notes: list[Markup]) -> Markup:
    tag = "ol" if block.ordered else "ul"
    items = Markup("").join(
        Markup('<li style="margin-left: {}em">{}</li>').format(1.5 * item.level, _inline(item.content, notes))
        for item in block.items
    )
    return Markup("<{0}>{1}</{0}>").format(tag, items)


def _table(block: Table, notes: list[Markup]) -> Markup:
    rows = Markup("").join(_row(row, block, notes) for row in block.rows)
    notes_html = Markup("").join(Markup('<p class="small muted">{}</p>').format(_inline(n, notes)) for n in block.notes)
    return Markup('<div class="table-wrap"><table class="data" data-tabel="{}">{}</table>{}</div>').format(
        block.key, rows, notes_html
    )


def _row(row: Row, table: Table, notes: list[Markup]) -> Markup:
    tag = "th" if row.kind is RowKind.HEADER else "td"
    cells: list[Markup] = []
    column = 0
    for cell in row.cells:
        align = cell.align or (table.columns[column].align if column < len(table.columns) else "left")
        cells.append(_cell(tag, cell, align, notes))
        column += cell.colspan
    css = "" if row.kind is RowKind.BODY else Markup(' class="{}"').format(row.kind.value)
    return Markup("<tr{}>{}</tr>").format(css, Markup("").join(cells))


def _cell(tag: str, cell: Cell, align: str, notes: list[Markup]) -> Markup:
    content = _inline(cell.content, notes)
    if cell.bold:
        content = Markup("<strong>{}</strong>").format(content)
    if cell.italic:
        content = Markup("<em>{}</em>").format(content)
    span = Markup(' colspan="{}"').format(cell.colspan) if cell.colspan > 1 else Markup("")
    mark = Markup(' class="mark-{}"').format(cell.mark.value) if cell.mark is not None else Markup("")
    return Markup('<{0}{1}{2} style="text-align: {3}">{4}</{0}>').format(tag, span, mark, align, content)


def _figure(block: Figure, notes: list[Markup]) -> Markup:
    return Markup('<figure class="figur" data-figur="{}"><div class="muted">[Figur: {}]</div>{}</figure>').format(
        block.key,
        block.key.replace("_", " "),
        Markup("<figcaption>{}</figcaption>").format(_inline(block.caption, notes)) if block.caption else "",
    )

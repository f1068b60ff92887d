"""Render a `Document` as PDF on A4: Typst markup compiled with the `typst` package.

Only the fonts embedded in typst are used (Libertinus Serif), so the PDF looks the same on every
machine and embeds its fonts. User text is escaped character by character: no text from a plan can
turn into Typst markup or code.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

import typst
from pypdf import PdfReader

from boligsocial.reports.charts.base import font_directory
from boligsocial.reports.document import (
    Block,
    BulletList,
    Cell,
    Document,
    Figure,
    Footnote,
    Heading,
    Inline,
    LineBreak,
    Mark,
    Paragraph,
    Row,
    RowKind,
    Table,
    Text,
)

__all__ = ["escape", "pdf_page_count", "render_pdf", "to_typst"]

FONT = "Libertinus Serif"
ACCENT = 'rgb("#1F3864")'
HEADER_FILL = 'rgb("#D9E2F3")'
THRESHOLD_FILL = 'rgb("#F2F2F2")'
MARK_FILL = {Mark.STRONG: 'rgb("#F4B183")', Mark.WEAK: 'rgb("#FCE4D6")'}
RULE = "0.4pt + luma(190)"

# Characters with a meaning in Typst markup. A backslash makes any of them literal.
_SPECIAL = frozenset("\\#$*_`@<>[]~/=-+.")


def escape(text: str) -> str:
    """Typst markup for literal text: special characters escaped, line breaks as spaces."""
    out: list[str] = []
    for char in text.replace("\r", "").replace("\n", " "):
        out.append("\\" + char if char in _SPECIAL else char)
    return "".join(out)


def _string(text: str) -> str:
    """A Typst string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _inline(content: Iterable[Inline]) -> str:
    parts: list[str] = []
    for item in content:
        if isinstance(item, LineBreak):
            parts.append("\\ ")  # markup's line break: "#linebreak()" would swallow a "(" after it
        elif isinstance(item, Footnote):
            parts.append(f"#footnote[{_inline(item.content)}]")
        else:
            parts.append(_text(item))
    return "".join(parts)


def _text(item: Text) -> str:
    # Leading/trailing spaces stay outside the strong/emph call so that words do not run together.
    body = item.text.strip(" ")
    if not body:
        return escape(item.text)
    lead = " " if item.text.startswith(" ") else ""
    tail = " " if item.text.endswith(" ") else ""
    markup = escape(body)
    if item.bold:
        markup = f"#strong[{markup}]"
    if item.italic:
        markup = f"#emph[{markup}]"
    if item.mark is not None:
        markup = f"#box(fill: {MARK_FILL[item.mark]}, inset: (x: 1.5pt), outset: (y: 1.5pt))[{markup}]"
    return lead + markup + tail


def _heading(block: Heading) -> str:
    return "=" * block.level + " " + _inline(block.content)


def _paragraph(block: Paragraph) -> str:
    body = _inline(block.content)
    if block.style == "note":
        return f"#block(text(size: 8pt)[{body}])"
    if block.style == "lead":
        return f"#block(below: 0.45em)[{body}]"
    return body


def _list(block: BulletList) -> str:
    marker = "+" if block.ordered else "-"
    return "\n".join("  " * item.level + f"{marker} {_inline(item.content)}" for item in block.items)


def _cell(cell: Cell, row: Row, align: str) -> str:
    options: list[str] = []
    if cell.colspan > 1:
        options.append(f"colspan: {cell.colspan}")
    fill = None
    if row.kind is RowKind.HEADER:
        fill = HEADER_FILL
    elif row.kind is RowKind.THRESHOLD:
        fill = THRESHOLD_FILL
    if cell.mark is not None:
        fill = MARK_FILL[cell.mark]
    if fill:
        options.append(f"fill: {fill}")
    cell_align = cell.align or align
    if row.kind is RowKind.HEADER:
        cell_align = "left" if align == "left" else "center"
    options.append(f"align: {cell_align} + horizon")
    body = _inline(cell.content)
    if cell.bold or row.kind is RowKind.HEADER:
        body = f"#strong[{body}]"
    if cell.italic or row.kind is RowKind.AREA:
        body = f"#emph[{body}]"
    return f"table.cell({', '.join(options)})[{body}]"


def _table(block: Table) -> str:
    columns = ", ".join(f"{c.width}fr" for c in block.columns)
    lines = [
        "#block(width: 100%)[",
        f"#set text(size: {8 if block.small else 8.5}pt)",
        "#set par(justify: false, leading: 0.3em)",
        "#set text(hyphenate: false)",
        "#table(",
        f"  columns: ({columns},),",
        f"  inset: (x: 2.6pt, y: {2.1 if block.small else 3}pt),",
        f"  stroke: (x, y) => (bottom: {RULE}),",
    ]
    header = [r for r in block.rows if r.kind is RowKind.HEADER]
    body = [r for r in block.rows if r.kind is not RowKind.HEADER]
    aligns = [c.align for c in block.columns]

    def row_cells(row: Row) -> list[str]:
        cells: list[str] = []
        column = 0
        for cell in row.cells:
            cells.append(_cell(cell, row, aligns[min(column, len(aligns) - 1)]))
            column += cell.colspan
        return cells

    if header:
        lines.append("  table.header(")
        for row in header:
            lines.extend(f"    {c}," for c in row_cells(row))
        lines.append("  ),")
    for row in body:
        if row.kind is RowKind.TOTAL:
            lines.append(f"  table.hline(stroke: 0.8pt + {ACCENT}),")
        lines.extend(f"  {c}," for c in row_cells(row))
    lines.append(")")
    lines.append("]")
    if block.notes:
        notes = "\n\n".join(_inline(note) for note in block.notes)
        lines.append(
            "#block(above: 0.5em, below: 1em)[#set text(size: 8pt)\n#set par(justify: false, leading: 0.3em, "
            f"spacing: 0.45em)\n{notes}]"
        )
    return "\n".join(lines)


def _figure(block: Figure, assets: Path, index: int) -> str:
    name = f"figur-{index}.svg"
    block.source.save_svg(assets / name)
    caption = _inline(block.caption)
    return (
        f"#figure(image({_string(name)}, width: {block.width_cm}cm), caption: [{caption}], numbering: none, "
        "supplement: none, gap: 0.5em)"
    )


def _block(block: Block, assets: Path, index: int) -> str:
    if isinstance(block, Heading):
        return _heading(block)
    if isinstance(block, Paragraph):
        return _paragraph(block)
    if isinstance(block, BulletList):
        return _list(block)
    if isinstance(block, Table):
        return _table(block)
    return _figure(block, assets, index)


PREAMBLE = """#set document(title: {title})
#set page(
  paper: "a4",
  margin: (x: 1.6cm, top: 1.8cm, bottom: 1.6cm),
  header: context {{
    if counter(page).get().first() > 1 [
      #set text(size: 8pt, fill: luma(110))
      #h(1fr) {header}
    ]
  }},
  footer: context [
    #set text(size: 8pt, fill: luma(110))
    #h(1fr) Side #counter(page).display() af #counter(page).final().first() #h(1fr)
  ],
)
#set text(font: "{font}", size: 10pt, lang: {lang}, hyphenate: true)
#set par(justify: true, leading: 0.5em, spacing: 0.72em)
#set list(indent: 0.4em, body-indent: 0.45em, spacing: 0.5em)
#set enum(indent: 0.4em, body-indent: 0.45em, spacing: 0.5em)
#show heading: set text(fill: {accent})
#show heading: set par(justify: false)
#show heading: set text(hyphenate: false)
#show heading.where(level: 1): set text(size: 11pt)
#show heading.where(level: 1): set block(above: 1.2em, below: 0.65em)
#show heading.where(level: 2): set text(size: 10.8pt)
#show heading.where(level: 2): set block(above: 1.05em, below: 0.55em)
#show heading.where(level: 3): set text(size: 10pt)
#show heading.where(level: 3): set block(above: 0.95em, below: 0.5em)
#show heading.where(level: 4): set text(size: 10pt, style: "italic", weight: "semibold")
#show heading.where(level: 4): set block(above: 0.85em, below: 0.45em)
#show figure.caption: set text(size: 8pt)
#show footnote.entry: set text(size: 8pt)
#set footnote.entry(gap: 0.3em, clearance: 0.6em)
"""


def to_typst(document: Document, assets: Path) -> str:
    """Typst markup of the document; figures are written into `assets` (the compile root)."""
    parts = [
        PREAMBLE.format(
            title=_string(document.title + " – " + document.subtitle),
            header=escape(document.header),
            font=FONT,
            lang=_string(document.language),
            accent=ACCENT,
        ),
        "#block(below: 1.1em)[",
        f'  #text(size: 17pt, weight: "bold", fill: {ACCENT})[{escape(document.title)}] \\',
        f"  #text(size: 11.5pt)[{escape(document.subtitle)}] \\",
        f"  #text(size: 8pt, fill: luma(90))[{escape(' · '.join(document.meta))}]",
        f"  #v(-0.35em) #line(length: 100%, stroke: 0.7pt + {ACCENT})",
        "]",
    ]
    figures = 0
    for block in document.blocks:
        if isinstance(block, Figure):
            figures += 1
        parts.append(_block(block, assets, figures))
    return "\n\n".join(parts) + "\n"


def render_pdf(document: Document, path: Path) -> int:
    """Write the document as PDF to `path`; returns the number of pages."""
    with tempfile.TemporaryDirectory(prefix="boligsocial-typst-") as tmp:
        root = Path(tmp)
        source = root / "projektbeskrivelse.typ"
        source.write_text(to_typst(document, root), encoding="utf-8")
        typst.compile(
            str(source),
            output=str(path),
            root=str(root),
            font_paths=[str(font_directory())],  # DejaVu Sans, the charts' font
            ignore_system_fonts=True,
        )
    return pdf_page_count(path)


def pdf_page_count(path: Path) -> int:
    """The number of pages of a PDF file."""
    return len(PdfReader(path).pages)

"""Render a `Document` as a Word file with python-docx, from a template the user can restyle.

Everything is written with the template's named styles (Heading 1-4, Normal, List Bullet, Caption,
Tabeltekst, Tabelnote, the table style "Boligsocial tabel" ...), so restyling them in Word restyles
the document. Only what carries meaning is formatted directly: the marked cells of the criteria
table (bold on a dark or light shade), the threshold rows and the totals. Footnotes are real Word
footnotes. A style missing from a user's template falls back to Normal.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Emu
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from boligsocial.reports.document import (
    Align,
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

__all__ = ["DEFAULT_TEMPLATE", "HEADER_TOKEN", "MARK_FILL", "render_docx"]

DEFAULT_TEMPLATE = Path(__file__).with_name("templates") / "projektbeskrivelse.docx"
HEADER_TOKEN = "{{ sidehoved }}"
TABLE_STYLE = "Boligsocial tabel"
MARK_FILL = {Mark.STRONG: "F4B183", Mark.WEAK: "FCE4D6"}
THRESHOLD_FILL = "F2F2F2"
SOFT_HYPHEN = "\u00ad"
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT, "center": WD_ALIGN_PARAGRAPH.CENTER}

_FOOTNOTES_XML = (
    f"<w:footnotes {nsdecls('w')}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)

# The elements of w:settings that come after w:footnotePr in the schema's sequence.
_AFTER_FOOTNOTE_PR = {
    qn(f"w:{name}")
    for name in [
        "endnotePr",
        "compat",
        "docVars",
        "rsids",
        "attachedSchema",
        "themeFontLang",
        "clrSchemeMapping",
        "doNotIncludeSubdocsInStats",
        "doNotAutoCompressPictures",
        "forceUpgrade",
        "captions",
        "readModeInkLockDown",
        "smartTagType",
        "shapeDefaults",
        "doNotEmbedSmartTags",
        "decimalSymbol",
        "listSeparator",
    ]
} | {"{http://schemas.openxmlformats.org/officeDocument/2006/math}mathPr"}


class _Footnotes:
    """The document's footnotes part, created when the template has none."""

    def __init__(self, document: DocxDocument) -> None:
        self.part: Part | None = None
        for rel in document.part.rels.values():
            if rel.reltype == RT.FOOTNOTES and not rel.is_external:
                self.part = rel.target_part
        if self.part is None:
            element = parse_xml(_FOOTNOTES_XML)
            self.part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, element, document.part.package)
            document.part.relate_to(self.part, RT.FOOTNOTES)
            self.settings(document)
        self.element: BaseOxmlElement = (
            self.part.element if isinstance(self.part, XmlPart) else parse_xml(self.part.blob)
        )
        ids = [int(n.get(qn("w:id"), "0")) for n in self.element.findall(qn("w:footnote"))]
        self.next_id = max([0, *ids]) + 1

    @staticmethod
    def settings(document: DocxDocument) -> None:
        """Declare the separators in settings.xml (`w:footnotePr`), in its schema position."""
        settings = document.settings.element
        if settings.find(qn("w:footnotePr")) is not None:
            return
        element = parse_xml(
            f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'
        )
        for child in settings:
            if child.tag in _AFTER_FOOTNOTE_PR:
                child.addprevious(element)
                return
        settings.append(element)

    def add(self) -> tuple[int, BaseOxmlElement]:
        """A new footnote: its id and its (empty) paragraph element."""
        ident = self.next_id
        self.next_id += 1
        note = parse_xml(
            f'<w:footnote {nsdecls("w")} w:id="{ident}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
            '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/><w:vertAlign w:val="superscript"/></w:rPr>'
            '<w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r></w:p></w:footnote>'
        )
        self.element.append(note)
        return ident, note.find(qn("w:p"))

    def finish(self) -> None:
        if self.part is not None and not isinstance(self.part, XmlPart):
            self.part._blob = serialize_part_xml(self.element)


class _Renderer:
    def __init__(self, document: DocxDocument) -> None:
        self.doc = document
        self.styles = {s.name for s in document.styles}
        # Style ids by name, looked up once: python-docx's assignment by name is slow.
        self.style_ids = {s.name: s.style_id for s in document.styles if s.type == WD_STYLE_TYPE.PARAGRAPH}
        self.footnotes = _Footnotes(document)
        section = document.sections[-1]
        width = (section.page_width or Cm(21)) - (section.left_margin or 0) - (section.right_margin or 0)
        self.text_width = Emu(int(width))
        self.tmp = Path(tempfile.mkdtemp(prefix="boligsocial-docx-"))

    def style(self, name: str, fallback: str = "Normal") -> str | None:
        """The id of the paragraph style `name` (else of `fallback`); None for the default style."""
        return self.style_ids.get(name, self.style_ids.get(fallback))

    def new_paragraph(self, style: str | None, text: str = "") -> DocxParagraph:
        paragraph = self.doc.add_paragraph(text)
        if style is not None:
            paragraph._p.style = style
        return paragraph

    # ---- inline ----------------------------------------------------------------------------------

    def inline(self, paragraph: DocxParagraph, content: Iterable[Inline], *, bold: bool = False) -> None:
        for item in content:
            if isinstance(item, LineBreak):
                paragraph.add_run().add_break()
            elif isinstance(item, Footnote):
                self.footnote(paragraph, item)
            else:
                self.text(paragraph, item, bold=bold)

    def text(self, paragraph: DocxParagraph, item: Text, *, bold: bool = False) -> None:
        run = paragraph.add_run()
        # A soft hyphen (where a narrow table heading may break) as Word's own optional hyphen.
        for i, part in enumerate(item.text.split(SOFT_HYPHEN)):
            if i:
                run._r.append(parse_xml(f"<w:softHyphen {nsdecls('w')}/>"))
            if part:
                run._r.add_t(part)
        if item.bold or bold:
            run.bold = True
        if item.italic:
            run.italic = True
        if item.mark is not None:
            run._r.get_or_add_rPr().append(
                parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{MARK_FILL[item.mark]}"/>')
            )

    def footnote(self, paragraph: DocxParagraph, item: Footnote) -> None:
        ident, note_paragraph = self.footnotes.add()
        target = DocxParagraph(note_paragraph, paragraph._parent)
        self.inline(target, item.content)
        paragraph._p.append(
            parse_xml(
                f'<w:r {nsdecls("w")}><w:rPr><w:rStyle w:val="FootnoteReference"/><w:vertAlign w:val="superscript"/>'
                f'</w:rPr><w:footnoteReference w:id="{ident}"/></w:r>'
            )
        )

    # ---- blocks ----------------------------------------------------------------------------------

    def paragraph(self, content: Iterable[Inline], style: str | None) -> DocxParagraph:
        paragraph = self.new_paragraph(style)
        self.inline(paragraph, content)
        return paragraph

    def heading(self, block: Heading) -> None:
        self.paragraph(block.content, self.style(f"Heading {block.level}"))

    def para(self, block: Paragraph) -> None:
        style = {"normal": "Normal", "lead": "Indledning til liste", "note": "Tabelnote"}[block.style]
        self.paragraph(block.content, self.style(style))

    def bullets(self, block: BulletList) -> None:
        for item in block.items:
            base = "List Number" if block.ordered else "List Bullet"
            name = base if item.level == 0 else f"{base} {min(item.level + 1, 3)}"
            self.paragraph(item.content, self.style(name, base))

    def figure(self, block: Figure) -> None:
        png = self.tmp / f"{block.key}.png"
        block.source.save_png(png)
        paragraph = self.new_paragraph(self.style("Normal"))
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.keep_with_next = True
        # Single spacing: a proportional line spacing under 1 (the body's) would clip the picture.
        paragraph.paragraph_format.line_spacing = 1.0
        paragraph.add_run().add_picture(str(png), width=min(Cm(block.width_cm), self.text_width))
        self.paragraph(block.caption, self.style("Caption"))

    def table(self, block: Table) -> None:
        n_cols = len(block.columns)
        table = self.doc.add_table(rows=0, cols=n_cols)
        if TABLE_STYLE in self.styles:
            table.style = self.doc.styles[TABLE_STYLE]
        elif "Table Grid" in self.styles:
            table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        total = sum(c.width for c in block.columns)
        widths = [Emu(int(self.text_width * c.width / total)) for c in block.columns]
        for i, column in enumerate(table.columns):
            column.width = widths[i]
        font_style = self.style("Tabeltekst lille", "Tabeltekst") if block.small else self.style("Tabeltekst")
        for row in block.rows:
            docx_row = table.add_row()
            tr_pr = docx_row._tr.get_or_add_trPr()
            tr_pr.append(parse_xml(f"<w:cantSplit {nsdecls('w')}/>"))
            if row.kind is RowKind.HEADER:
                tr_pr.append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
            cells = list(docx_row.cells)
            column = 0
            for cell in row.cells:
                target = cells[column]
                if cell.colspan > 1:
                    target = target.merge(cells[column + cell.colspan - 1])
                span_width = sum(widths[column : column + cell.colspan], Emu(0))
                self.cell(target, cell, row, block.columns[column].align, font_style, Emu(span_width))
                column += cell.colspan
        notes_style = self.style("Tabelnote")
        for note in block.notes:
            self.paragraph(note, notes_style)
        if not block.notes:
            # Word joins adjacent tables and glues a table to the next heading; a small gap avoids both.
            self.new_paragraph(notes_style)

    def cell(self, target: _Cell, cell: Cell, row: Row, align: Align, style: str | None, width: Emu) -> None:
        target.width = width
        paragraph = target.paragraphs[0]
        if style is not None:
            paragraph._p.style = style
        alignment = cell.align or align
        if row.kind is RowKind.HEADER and alignment == "right":
            alignment = "center"
        paragraph.alignment = ALIGN[alignment]
        bold = cell.bold
        italic = cell.italic or row.kind is RowKind.AREA
        for item in cell.content:
            if isinstance(item, Text):
                self.text(paragraph, Text(item.text, item.bold or bold, item.italic or italic, item.mark))
            else:
                self.inline(paragraph, [item])
        fill = None
        if row.kind is RowKind.THRESHOLD:
            fill = THRESHOLD_FILL
        if cell.mark is not None:
            fill = MARK_FILL[cell.mark]
        tc_pr = target._tc.get_or_add_tcPr()
        if fill is not None:
            tc_pr.append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>'))
        if row.kind is RowKind.TOTAL:
            tc_pr.append(
                parse_xml(
                    f'<w:tcBorders {nsdecls("w")}><w:top w:val="single" w:sz="8" w:space="0" w:color="1F3864"/>'
                    "</w:tcBorders>"
                )
            )

    # ---- document ---------------------------------------------------------------------------------

    def title(self, document: Document) -> None:
        self.new_paragraph(self.style("Title"), document.title)
        self.new_paragraph(self.style("Subtitle"), document.subtitle)
        self.new_paragraph(self.style("Dokumentoplysninger"), " · ".join(document.meta))

    def header(self, text: str) -> None:
        for section in self.doc.sections:
            for part in (section.header, section.first_page_header, section.even_page_header):
                if part.is_linked_to_previous:
                    continue
                for paragraph in part.paragraphs:
                    for run in paragraph.runs:
                        if HEADER_TOKEN in run.text:
                            run.text = run.text.replace(HEADER_TOKEN, text)

    def render(self, document: Document) -> None:
        body = self.doc.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
        self.header(document.header)
        self.title(document)
        for block in document.blocks:
            if isinstance(block, Heading):
                self.heading(block)
            elif isinstance(block, Paragraph):
                self.para(block)
            elif isinstance(block, BulletList):
                self.bullets(block)
            elif isinstance(block, Table):
                self.table(block)
            else:
                self.figure(block)
        self.footnotes.finish()
        properties = self.doc.core_properties
        properties.title = f"{document.title} – {document.subtitle}"
        properties.language = document.language


def render_docx(document: Document, path: Path, template: Path | None = None) -> None:
    """Write the document as DOCX to `path`, starting from `template` (default: the bundled one)."""
    source = template or DEFAULT_TEMPLATE
    word = docx.Document(str(source))
    renderer = _Renderer(word)
    try:
        renderer.render(document)
        word.save(str(path))
    finally:
        for file in renderer.tmp.iterdir():
            file.unlink()
        renderer.tmp.rmdir()

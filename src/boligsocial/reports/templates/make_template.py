"""Generate the Word template of the kortfattet projektbeskrivelse: `projektbeskrivelse.docx`.

Run `python src/boligsocial/reports/templates/make_template.py` after changing it and commit the
.docx it writes. The template holds no content, only what a user may restyle in Word: the A4 page
and its margins, the running header and the page numbers, and the styles the renderer uses:

  Title, Subtitle, Dokumentoplysninger (the line under the title), Heading 1-4, Normal,
  Indledning til liste, List Bullet, List Bullet 2, List Number, Caption, Tabeltekst, Tabeltekst lille
  (the criteria table), Tabelnote,
  Footnote Text, Footnote Reference, and the table style "Boligsocial tabel".

A user's own template (`boligsocial application --template`) needs none of them: a missing style
falls back to Normal. In the header, the text `{{ sidehoved }}` is replaced by the plan's name.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph

TEMPLATE = Path(__file__).with_name("projektbeskrivelse.docx")
HEADER_TOKEN = "{{ sidehoved }}"

BODY_FONT = "Calibri"
BODY_SIZE = 10  # pt: the body text; nothing a reader must read is smaller than SMALL_SIZE
SMALL_SIZE = 8  # pt: tables, their notes, footnotes, captions, header and footer
ACCENT = RGBColor(0x1F, 0x38, 0x64)
GREY = RGBColor(0x6E, 0x6E, 0x6E)

TABLE_STYLE_XML = f"""
<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="Boligsocialtabel">
  <w:name w:val="Boligsocial tabel"/>
  <w:basedOn w:val="TableNormal"/>
  <w:uiPriority w:val="59"/>
  <w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
  <w:rPr><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr>
  <w:tblPr>
    <w:tblBorders>
      <w:top w:val="single" w:sz="6" w:space="0" w:color="1F3864"/>
      <w:bottom w:val="single" w:sz="6" w:space="0" w:color="1F3864"/>
      <w:insideH w:val="single" w:sz="2" w:space="0" w:color="BFBFBF"/>
    </w:tblBorders>
    <w:tblCellMar>
      <w:top w:w="17" w:type="dxa"/>
      <w:left w:w="57" w:type="dxa"/>
      <w:bottom w:w="17" w:type="dxa"/>
      <w:right w:w="57" w:type="dxa"/>
    </w:tblCellMar>
  </w:tblPr>
  <w:tblStylePr w:type="firstRow">
    <w:rPr><w:b/><w:bCs/></w:rPr>
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="D9E2F3"/><w:vAlign w:val="bottom"/></w:tcPr>
  </w:tblStylePr>
</w:style>
"""


def _paragraph_style(document: DocxDocument, name: str, base: str = "Normal") -> ParagraphStyle:
    styles = document.styles
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
    assert isinstance(style, ParagraphStyle)
    return style


def _spacing(style: ParagraphStyle, before: float, after: float, line: float | None = None) -> None:
    fmt = style.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if line is not None:
        fmt.line_spacing = line


def _font(style: ParagraphStyle, size: float, *, bold: bool | None = None, italic: bool | None = None) -> None:
    style.font.name = BODY_FONT
    style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if italic is not None:
        style.font.italic = italic


def _field(paragraph: Paragraph, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) with a placeholder result. It carries no formatting of its
    own: the page number takes the paragraph style's, like the label around it ("Side 2 af 5")."""
    paragraph._p.append(
        parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" {code} "><w:r><w:t>1</w:t></w:r></w:fldSimple>')
    )


def _margin_style(document: DocxDocument, name: str, alignment: WD_ALIGN_PARAGRAPH) -> None:
    """Header or Footer: small grey text, set on the style so that every run and field in it
    (the page numbers too) looks the same."""
    style = _paragraph_style(document, name)
    _font(style, SMALL_SIZE)
    style.font.color.rgb = GREY
    _spacing(style, 0, 0, 1.0)
    style.paragraph_format.alignment = alignment


def make_template(path: Path = TEMPLATE) -> Path:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    # Margins as narrow as a printed form allows, so the five-page limit leaves room for the text.
    section.left_margin = section.right_margin = Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(1.5), Cm(1.4)
    section.header_distance, section.footer_distance = Cm(0.8), Cm(0.7)

    normal = _paragraph_style(document, "Normal")
    _font(normal, BODY_SIZE)
    _spacing(normal, 0, 2.5, 0.95)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    # Danish proofing language for the whole document.
    rpr = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = parse_xml(f"<w:lang {nsdecls('w')}/>")
        rpr.append(lang)
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attribute), "da-DK")

    title = _paragraph_style(document, "Title")
    _font(title, 20, bold=True)
    title.font.color.rgb = ACCENT
    _spacing(title, 0, 0)
    subtitle = _paragraph_style(document, "Subtitle")
    _font(subtitle, 13, italic=False)
    subtitle.font.color.rgb = RGBColor(0, 0, 0)
    _spacing(subtitle, 0, 2)
    meta = _paragraph_style(document, "Dokumentoplysninger")
    _font(meta, SMALL_SIZE)
    meta.font.color.rgb = GREY
    _spacing(meta, 0, 12)
    meta.element.get_or_add_pPr().append(
        parse_xml(f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="4" w:color="1F3864"/></w:pBdr>')
    )

    for level, size, before, after in ((1, 12, 9, 3), (2, 11.5, 8, 3), (3, 10.5, 6, 2), (4, 10, 5, 1)):
        heading = _paragraph_style(document, f"Heading {level}")
        _font(heading, size, bold=True, italic=level == 4)
        heading.font.color.rgb = ACCENT
        _spacing(heading, before, after, 1.0)
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    lead = _paragraph_style(document, "Indledning til liste")
    lead.paragraph_format.keep_with_next = True
    _spacing(lead, 0, 2)
    for name in ("List Bullet", "List Bullet 2", "List Number"):
        style = _paragraph_style(document, name)
        _font(style, BODY_SIZE)
        _spacing(style, 0, 1.5, 0.95)

    caption = _paragraph_style(document, "Caption")
    _font(caption, SMALL_SIZE, bold=False, italic=False)
    caption.font.color.rgb = GREY
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(caption, 2, 8)

    cell = _paragraph_style(document, "Tabeltekst")
    _font(cell, SMALL_SIZE)
    _spacing(cell, 0, 0, 1.0)
    cell.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    small = _paragraph_style(document, "Tabeltekst lille", base="Tabeltekst")
    _font(small, SMALL_SIZE)
    note = _paragraph_style(document, "Tabelnote")
    _font(note, SMALL_SIZE)
    _spacing(note, 0, 1, 1.0)
    note.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    footnote = _paragraph_style(document, "Footnote Text")
    _font(footnote, SMALL_SIZE)
    _spacing(footnote, 0, 0, 1.0)
    footnote.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    styles = document.styles
    if "Footnote Reference" not in [s.name for s in styles]:
        reference = styles.add_style("Footnote Reference", WD_STYLE_TYPE.CHARACTER)
        reference.font.superscript = True

    styles.element.append(parse_xml(TABLE_STYLE_XML))

    # Running header (not on the first page) and page numbers in the footer.
    section.different_first_page_header_footer = True
    _margin_style(document, "Header", WD_ALIGN_PARAGRAPH.RIGHT)
    _margin_style(document, "Footer", WD_ALIGN_PARAGRAPH.CENTER)
    header = section.header.paragraphs[0]
    header.style = document.styles["Header"]
    header.text = HEADER_TOKEN
    for footer in (section.footer, section.first_page_footer):
        paragraph = footer.paragraphs[0]
        paragraph.style = document.styles["Footer"]
        paragraph.add_run("Side ")
        _field(paragraph, "PAGE")
        paragraph.add_run(" af ")
        _field(paragraph, "NUMPAGES")

    # Danish as the theme language; footnote separators declared (the renderer adds the part).
    settings = document.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), "da-DK")

    # An empty body: python-docx's blank document has one empty paragraph.
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    properties = document.core_properties
    properties.title = "Kortfattet projektbeskrivelse"
    properties.author = "boligsocial"
    properties.comments = "Skabelon til boligsocial application; styles kan ændres i Word."
    document.save(str(path))
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE
    print(make_template(target))

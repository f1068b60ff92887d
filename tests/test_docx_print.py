"""The projektbeskrivelse as Word file, printed: LibreOffice lays the DOCX out (with Carlito, which
has Calibri's metrics) and the tests read the PDF it writes, as a case officer would see the pages.

The guideline allows at most five A4 pages; body text is at least 10 pt and nothing a reader must
read is under 8 pt; the page numbers look like their label ("Side 2 af 5"); and the criteria
table keeps the data periods beside the thresholds.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.shared import Length, Pt
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph
from pypdf import PdfReader

from boligsocial.law.figures import Measure
from boligsocial.law.parameters import Operator, load_law
from boligsocial.law.verdicts import CriterionResult, Verdict
from boligsocial.reports.package import PackageResult, build_package
from boligsocial.reports.projektbeskrivelse.criteria import data_period
from office import Span, spans, to_pdf

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "mit-kvarter"
A4 = (595.3, 841.9)  # pt
BODY_PT = 10.0
SMALL_PT = 8.0
# Paragraph styles that are not body text: the line under the title, table notes, captions.
NOT_BODY = {"Dokumentoplysninger", "Tabelnote", "Caption"}


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> PackageResult:
    return build_package(EXAMPLE, tmp_path_factory.mktemp("print") / "ansoegning")


@pytest.fixture(scope="module")
def printed(package: PackageResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return to_pdf(package.out / "projektbeskrivelse.docx", tmp_path_factory.mktemp("lo"))


@pytest.fixture(scope="module")
def pages(printed: Path) -> list[list[Span]]:
    return spans(printed)


@pytest.fixture(scope="module")
def word(package: PackageResult) -> DocxDocument:
    return docx.Document(str(package.out / "projektbeskrivelse.docx"))


# ---- length ------------------------------------------------------------------------------------


def test_the_word_file_is_at_most_five_a4_pages(printed: Path) -> None:
    reader = PdfReader(printed)
    assert 1 <= len(reader.pages) <= 5
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4[0]) < 1 and abs(height - A4[1]) < 1


def test_every_page_carries_text_to_its_end(pages: list[list[Span]]) -> None:
    """The last page is not a stray line or two: the document fills the pages it takes."""
    assert len(pages[-1]) > 20


# ---- type sizes --------------------------------------------------------------------------------


def _style_size(style: BaseStyle | None) -> Length | None:
    while style is not None:
        if style.font.size is not None:
            return style.font.size
        style = style.base_style
    return None


def _run_sizes(paragraph: Paragraph, default: Length) -> list[tuple[str, Length]]:
    style_size = _style_size(paragraph.style) or default
    return [(run.text, run.font.size or style_size) for run in paragraph.runs if run.text.strip()]


def _default_size(word: DocxDocument) -> Length:
    size = word.styles.element.find(".//{*}docDefaults//{*}sz")
    return Pt(int(size.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val")) / 2)


def test_body_text_is_at_least_10_pt(word: DocxDocument) -> None:
    default = _default_size(word)
    body = [p for p in word.paragraphs if p.style is not None and p.style.name not in NOT_BODY and p.text.strip()]
    assert len(body) > 40
    sizes = [(text, size) for p in body for text, size in _run_sizes(p, default)]
    small = [(text[:40], size.pt) for text, size in sizes if size < Pt(BODY_PT)]
    assert small == []
    assert word.styles["Normal"].font.size == Pt(BODY_PT)


def test_tables_notes_and_footnotes_are_at_least_8_pt(word: DocxDocument) -> None:
    default = _default_size(word)
    paragraphs = [p for p in word.paragraphs if p.style is not None and p.style.name in NOT_BODY]
    paragraphs += [p for table in word.tables for cell in table._cells for p in cell.paragraphs]
    assert len(paragraphs) > 300
    small = [(t[:40], s.pt) for p in paragraphs for t, s in _run_sizes(p, default) if s < Pt(SMALL_PT)]
    assert small == []
    assert _style_size(word.styles["Footnote Text"]) == Pt(SMALL_PT)


def test_the_printed_pages_have_no_text_under_8_pt(pages: list[list[Span]]) -> None:
    """As laid out: only footnote marks (one superscript digit) are smaller; the body is 10 pt."""
    drawn = [s for page in pages for s in page]
    small = [(s.text, s.size) for s in drawn if s.size < SMALL_PT and not re.fullmatch(r"\s*\d\s*", s.text)]
    assert small == []
    body = sum(len(s.text) for s in drawn if s.size >= BODY_PT)
    assert body > 0.6 * sum(len(s.text) for s in drawn)  # most of what is read is body text


def test_the_pdf_of_the_package_has_the_same_sizes(package: PackageResult) -> None:
    """The PDF we render ourselves (Typst) keeps the same promise as the Word file: at most five
    pages, body text at 10 pt, nothing under 8 pt but footnote marks and the labels inside the
    organisation diagram (a drawing, scaled to the column; the Word file has it as a picture)."""
    assert package.pdf_pages <= 5
    pages = spans(package.out / "projektbeskrivelse.pdf")
    drawn = [s for page in pages for s in page]

    def in_the_diagram(page: list[Span], span: Span) -> bool:
        # The drawing's text carries no usable position here; its labels are short and on the
        # figure's page only, while a sentence of running text would be long.
        return any(c.text.startswith("Figur 1") for c in page) and len(span.text) <= 45

    small = [
        (s.text, s.size)
        for page in pages
        for s in page
        if s.size < SMALL_PT - 0.05 and not re.fullmatch(r"\s*\d\s*", s.text) and not in_the_diagram(page, s)
    ]
    assert small == []
    body = sum(len(s.text) for s in drawn if s.size >= BODY_PT - 0.05)
    assert body > 0.4 * sum(len(s.text) for s in drawn)


# ---- page numbers ------------------------------------------------------------------------------


def _footer(page: list[Span]) -> list[Span]:
    lowest = min(s.y for s in page)
    return [s for s in page if abs(s.y - lowest) < 1]


def test_page_numbers_look_like_their_label(pages: list[list[Span]]) -> None:
    """ "Side 2 af 5": the numbers (Word fields) in the size, font and colour of the words around them."""
    for number, page in enumerate(pages, start=1):
        footer = _footer(page)
        assert "".join(s.text for s in footer).strip() == f"Side {number} af {len(pages)}"
        assert len({(s.size, s.font, s.colour) for s in footer}) == 1, footer
        assert footer[0].size == SMALL_PT and footer[0].colour != (0.0,)  # small and grey, not body black


def test_the_running_header_names_the_plan_from_page_2(pages: list[list[Span]]) -> None:
    assert all(any("Mit Kvarter · Kortfattet projektbeskrivelse" in s.text for s in page) for page in pages[1:])
    assert not any("Mit Kvarter · Kortfattet projektbeskrivelse" in s.text for s in pages[0])


# ---- the criteria table as printed -------------------------------------------------------------


def test_the_criteria_table_prints_the_data_periods_and_the_two_kinds_of_blank(pages: list[list[Span]]) -> None:
    text = " ".join(s.text for page in pages for s in page)
    for period in ("(2020-21)", "(1/1-2022)", "(2021)"):
        assert text.count(period) >= 2, period  # once per threshold row
    assert "ikke oplyst" in text and "ingen" in text
    assert "Havekildegård" in text and re.search(r"\b105\b", text)  # VIBO's afdelingsnummer


def test_headings_of_the_criteria_table_break_only_between_syllables(pages: list[list[Span]]) -> None:
    """The narrow columns' headings break at their soft hyphens ("arbejds-" / "marked"), never
    inside a syllable as "arbejdsmarke" / "d"."""
    words = [s.text.strip() for page in pages for s in page]
    assert "arbejdsmarke" not in words and "d" not in words
    joined = " ".join(words)
    assert "arbejds" in joined and "marked" in joined


# ---- data periods per rule set -----------------------------------------------------------------


def _criterion(key: str, measure: Measure) -> CriterionResult:
    return CriterionResult(
        key=key,
        measure=measure,
        label="",
        wording="",
        population="",
        value=None,
        numerator=None,
        denominator=None,
        approximate=False,
        operator=Operator.GT,
        threshold=Fraction(40),
        threshold_note=None,
        verdict=Verdict.UNKNOWN,
        margin_pp=None,
        citation=load_law().cite(load_law().rule_set(2022).min_residents.citation),
    )


@pytest.mark.parametrize(
    ("year", "key", "measure", "period"),
    [
        (2022, "uden_for_arbejdsmarked", Measure.UDEN_FOR_ARBEJDSMARKED, "2020-21"),
        (2022, "forebyggelse_doemte", Measure.DOEMTE, "2020-21"),
        (2022, "ikke_vestlige", Measure.IKKE_VESTLIGE, "1/1-2022"),
        (2022, "kun_grundskole", Measure.KUN_GRUNDSKOLE, "1/1-2022"),
        (2022, "indkomst", Measure.INDKOMST, "2021"),
        (2012, "uden_for_arbejdsmarked", Measure.UDEN_FOR_ARBEJDSMARKED, "2008-11"),  # four years then
        (2016, "indkomst", Measure.INDKOMST, "2014"),  # income two years back until 2017
        (2018, "indkomst", Measure.INDKOMST, "2017"),
    ],
)
def test_data_period_follows_the_rules_of_the_list_year(year: int, key: str, measure: Measure, period: str) -> None:
    assert key in load_law().rule_set(year).criteria
    assert data_period(_criterion(key, measure), year) == period

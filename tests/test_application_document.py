"""The application package for the Mit Kvarter example: the projektbeskrivelse as Word and PDF.

The tests open the generated files themselves: the DOCX with python-docx (tables, marked cells,
headings, footnotes, figure, styles), the PDF with pypdf (pages, text).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import zipfile
from fractions import Fraction
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from pypdf import PdfReader
from rapidfuzz import fuzz

from boligsocial.law.classify import Options
from boligsocial.plan.assessment import assess, load_assessment
from boligsocial.plan.inputs import InputError
from boligsocial.reports import package as package_module
from boligsocial.reports.document import (
    BulletList,
    Document,
    Footnote,
    Heading,
    ListItem,
    Mark,
    Paragraph,
    Table,
    Text,
    plain_text,
)
from boligsocial.reports.docx_render import DEFAULT_TEMPLATE, MARK_FILL, render_docx
from boligsocial.reports.package import PACKAGE_FILES, PackageResult, build_package
from boligsocial.reports.pdf_render import escape, pdf_page_count, render_pdf
from boligsocial.reports.projektbeskrivelse import build_projektbeskrivelse

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "mit-kvarter"
SEED = EXAMPLE / "kilde" / "projektbeskrivelse-original.txt"


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> PackageResult:
    return build_package(EXAMPLE, tmp_path_factory.mktemp("pakke") / "ansoegning")


@pytest.fixture(scope="module")
def word(package: PackageResult) -> docx.document.Document:
    return docx.Document(str(package.out / "projektbeskrivelse.docx"))


def table_with_header(word: docx.document.Document, first: str, second: str) -> DocxTable:
    for table in word.tables:
        cells = table.rows[0].cells
        if cells[0].text == first and cells[1].text == second:
            return table
    raise AssertionError(f"ingen tabel med kolonnerne {first!r}, {second!r}")


def fill(cell: _Cell) -> str | None:
    shd = cell._tc.tcPr.find(qn("w:shd")) if cell._tc.tcPr is not None else None
    return None if shd is None else shd.get(qn("w:fill"))


def bold(cell: _Cell) -> bool:
    runs = [r for p in cell.paragraphs for r in p.runs if r.text.strip()]
    return bool(runs) and all(r.bold for r in runs)


# ---- the package -------------------------------------------------------------------------------


def test_the_package_has_all_files(package: PackageResult) -> None:
    assert sorted(p.name for p in package.out.iterdir()) == sorted(PACKAGE_FILES)
    assert all(f.stat().st_size > 0 for f in package.files)
    assert '"findings"' in (package.out / "lint.json").read_text(encoding="utf-8")
    assert "Mit Kvarter: kontrol af ansøgningen" in (package.out / "lint.txt").read_text(encoding="utf-8")


def test_the_lint_knows_the_page_count(package: PackageResult) -> None:
    assert "BS6" not in " ".join(package.lint.codes())  # the length rule is checked and passes
    assert package.pdf_pages == pdf_page_count(package.out / "projektbeskrivelse.pdf")


# ---- department list ---------------------------------------------------------------------------


def test_department_list_has_the_28_afdelinger_and_5980_lejeboliger(word: docx.document.Document) -> None:
    table = table_with_header(word, "Boligorganisation", "Afdelinger (lejeboliger)")
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    body, total = rows[:-1], rows[-1]
    entries = [m for row in body for m in re.findall(r"([^,(]+?)\*? \(([\d.]+)\)", row[1])]
    assert len(entries) == 28
    assert sum(int(n.replace(".", "")) for _, n in entries) == 5980
    assert [row[0] for row in body] == ["Boligforeningen 3B", "AKB, København", "SAB", "PAB", "VIBO", "AAB"]
    assert body[0][2:] == ["8", "1.832"]  # per organisation: afdelinger and lejeboliger
    assert sum(int(row[2]) for row in body) == 28
    assert total[0] == "I alt" and total[2:] == ["28", "5.980"]
    assert "15 med 2.859 lejeboliger med betinget deltagelse" in total[1]


def test_conditional_afdelinger_are_marked_with_their_condition(word: docx.document.Document) -> None:
    table = table_with_header(word, "Boligorganisation", "Afdelinger (lejeboliger)")
    akb = table.rows[2].cells[1].text
    assert "Sjælør Boulevard (267)" in akb and "Grønnegården* (455)" in akb
    assert akb.count("*") == 15
    notes = [p.text for p in word.paragraphs if p.text.startswith("* Betinget deltagelse:")]
    assert len(notes) == 1 and "yderligere ressourcer" in notes[0]


# ---- criteria table ------------------------------------------------------------------------------


def criteria(word: docx.document.Document) -> DocxTable:
    return table_with_header(word, "Boligorganisation", "Nr.")


def row_of(table: DocxTable, name: str) -> list[_Cell]:
    for row in table.rows:
        if row.cells[2].text == name:
            return list(row.cells)
    raise AssertionError(name)


def test_criteria_table_header_and_threshold_rows(word: docx.document.Document) -> None:
    table = criteria(word)
    # The headings may break only at their soft hyphens (Word's w:softHyphen, not in .text).
    assert [c.text for c in table.rows[0].cells] == [
        "Boligorganisation",
        "Nr.",
        "Afdelingsnavn",
        "Beboere 1/1-2022",
        "Udenfor arbejdsmarked",
        "IE ikke vestlige",
        "Dømte",
        "Kun grundskole",
        "Gns. indkomst",
        "Liste 2022",
    ]
    parallel = [c.text for c in table.rows[1].cells]
    forebyggelse = [c.text for c in table.rows[2].cells]
    assert parallel[0] == "Grænseværdier parallelsamfund"
    # Each threshold with the period of its data below it, as the application writes them.
    periods = ["(2020-21)", "(1/1-2022)", "(2020-21)", "(1/1-2022)", "(2021)"]
    assert parallel[4:9] == [
        f"{t}\n{p}"
        for t, p in zip(["> 40 pct.", "> 50 pct.", "≥ 2,18 pct.", "> 60 pct.", "< 55 pct."], periods, strict=True)
    ]
    assert forebyggelse[0].startswith("Grænseværdier forebyggelsesområde")
    assert forebyggelse[4:9] == [
        f"{t}\n{p}"
        for t, p in zip(["> 30 pct.", "> 30 pct.", "≥ 1,45 pct.", "> 60 pct.", "< 65 pct."], periods, strict=True)
    ]
    assert parallel[3] == forebyggelse[3] == "≥ 1.000"
    # One row per afdeling (28) and the area.
    names = [row.cells[2].text for row in table.rows[3:]]
    assert len(names) == 29 and names[-1] == "Sjælør Boulevard (område)"


def test_folehaven_row_marks_exactly_the_cells_that_meet_a_criterion(word: docx.document.Document) -> None:
    cells = row_of(criteria(word), "Folehaven")
    assert [c.text for c in cells] == ["3B", "", "Folehaven", "1.964", "30,9", "47,5", "1,79", "57,3", "59,3", "F"]
    weak = MARK_FILL[Mark.WEAK]
    # outside 30,9 > 30; non-western 47,5 > 30; convicted 1,79 ≥ 1,45; income 59,3 < 65: the
    # forebyggelse thresholds only. Only grundskole (57,3) meets none.
    assert [fill(c) for c in cells[3:9]] == [None, weak, weak, weak, None, weak]
    assert [bold(c) for c in cells[3:9]] == [False, True, True, True, False, True]


def test_stricter_thresholds_are_marked_darker(word: docx.document.Document) -> None:
    strong, weak = MARK_FILL[Mark.STRONG], MARK_FILL[Mark.WEAK]
    hornemann = row_of(criteria(word), "Hornemanns Vænge")  # 33,9 47,3 2,97 61,9 54,2
    assert hornemann[1].text == "18"  # PAB's afdelingsnummer, as the application writes it
    assert [fill(c) for c in hornemann[4:9]] == [weak, weak, strong, strong, strong]
    assert hornemann[9].text == "(U)"  # below 1,000 residents: would be udsat as an area
    stub = row_of(criteria(word), "Stubmøllevej")  # all suppressed
    assert [c.text for c in stub[3:]] == ["ikke oplyst"] * 6 + ["?"]
    assert all(fill(c) is None for c in stub[3:9])


def test_not_published_and_on_no_list_read_differently(word: docx.document.Document) -> None:
    """A suppressed figure says "ikke oplyst", a unit on no list "ingen": never the same dash."""
    rosenhaven = row_of(criteria(word), "Ved Rosenhaven")  # convictions suppressed, on no list
    assert rosenhaven[6].text == "ikke oplyst" and rosenhaven[9].text == "ingen"
    notes = " ".join(p.text for p in word.paragraphs)
    assert "Ikke oplyst: tallet er ikke offentliggjort (diskretioneret) eller findes ikke i nøgletallene" in notes
    assert "Ingen: på ingen af listerne." in notes


def test_the_area_row_is_approximate(word: docx.document.Document) -> None:
    table = criteria(word)
    area = list(table.rows[-1].cells)
    assert area[0].text == area[1].text == area[2].text == "Sjælør Boulevard (område)"  # merged cell
    assert area[3].text == "1.227"
    assert all(c.text.startswith("~") for c in area[4:9])
    assert fill(area[5]) == MARK_FILL[Mark.STRONG]  # ~54,1 > 50
    assert area[9].text == "F"
    notes = " ".join(p.text for p in word.paragraphs)
    assert "Afd. 50 (AAB) og Sjælør Boulevard (AKB, København) udgør tilsammen statens områdeafgrænsning" in notes
    assert "3 og 2 gange landsgennemsnittet = 2,18 og 1,45 pct." in notes


def test_the_threshold_rows_come_from_the_law_not_the_document() -> None:
    """Another list year's rules give other threshold rows: nothing is hard-coded."""
    example = load_assessment(EXAMPLE)
    units = [dataclasses.replace(u, list_year=2019) for u in example.units]
    options = Options(conviction_averages={2019: Fraction(73, 100)})
    ctx = assess(example.plan, units, 2019, folder=example.folder, options=options)
    (table,) = build_projektbeskrivelse(ctx).tables("kriterietabel")
    thresholds = [r for r in table.rows if r.kind.value == "threshold"]
    assert len(thresholds) == 1  # no forebyggelsesområder before 2021
    assert plain_text(thresholds[0].cells[0].content).startswith("Grænseværdier ghettoområde")


# ---- prose, headings, footnotes, figure ---------------------------------------------------------


def test_the_three_guideline_sections_are_headings(word: docx.document.Document) -> None:
    level1 = [p.text for p in word.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert len(level1) == 3
    assert level1[0].startswith("1. Afdelingens/boligområdets problemkompleks")
    assert level1[1].startswith("2. Hvilke samarbejdspartnere")
    assert level1[2].startswith("3. Overvejelser om organiseringen")
    level3 = [p.text for p in word.paragraphs if p.style is not None and p.style.name == "Heading 3"]
    assert level3[:4] == [
        "Uddannelse og livschancer",
        "Beskæftigelse",
        "Kriminalitetsforebyggelse",
        "Sammenhængskraft og medborgerskab",
    ]


def test_the_prose_quotes_indicators_from_the_plan(word: docx.document.Document) -> None:
    text = "\n".join(p.text for p in word.paragraphs).replace("\u00a0", " ")  # no-break space before units
    assert "8,21\u00a0%" in "\n".join(p.text for p in word.paragraphs)
    assert "Fraværet blandt børn i grundskolen var i 2021 8,21 % og dermed" in text
    assert "Gennemsnittet for de øvrige almene var 7,68 %." in text
    assert "klarer området sig generelt sammenligneligt med det almene gennemsnit i kommunen (60 %) (KK 2023)" in text
    assert "Der søges om at få prækvalificeret følgende 28 afdelinger med tilsammen 5.980 lejeboliger:" in text
    assert "Folehaven og Sjælør Boulevard fremgår på listen over forebyggelsesområder" in text


def test_partners_and_fora_are_lists(word: docx.document.Document) -> None:
    bullets = [p.text for p in word.paragraphs if p.style is not None and p.style.name == "List Bullet"]
    assert any(b.startswith("Tryghedspartnerskabet (BUF, SOF, KFF, ØKF, TMF, SSP") for b in bullets)
    assert any(b.startswith("Københavns Bydelsbestyrelse (den boligsociale bestyrelse):") for b in bullets)
    assert any("Mødes 3-4 gange årligt." in b for b in bullets)


def test_footnotes_are_word_footnotes(package: PackageResult) -> None:
    with zipfile.ZipFile(package.out / "projektbeskrivelse.docx") as archive:
        notes = archive.read("word/footnotes.xml").decode("utf-8")
        body = archive.read("word/document.xml").decode("utf-8")
    assert "Socialsager omfatter her underretninger" in notes
    assert "social vicevært og en social koordinator" in notes
    assert body.count("<w:footnoteReference") == 2


def test_the_organisation_diagram_is_a_figure(word: docx.document.Document) -> None:
    assert len(word.inline_shapes) == 1
    captions = [p.text for p in word.paragraphs if p.style is not None and p.style.name == "Caption"]
    assert captions == ["Figur 1. Organiseringen af Mit Kvarter."]


def test_the_page_is_a4_with_a_running_header(word: docx.document.Document) -> None:
    section = word.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert section.header.paragraphs[0].text == "Mit Kvarter · Kortfattet projektbeskrivelse"


def test_the_example_reads_like_the_seed() -> None:
    """Every paragraph of the original application's prose is in the generated document (typos
    corrected as the plan records them); only the data parts are generated differently."""
    ctx = load_assessment(EXAMPLE)
    document = build_projektbeskrivelse(ctx)
    candidates: list[str] = []
    for block in document.blocks:
        if isinstance(block, Paragraph | Heading):
            candidates.append(plain_text(block.content))
            candidates += [plain_text(f.content) for f in block.content if isinstance(f, Footnote)]
        elif isinstance(block, BulletList):
            candidates += [plain_text(i.content) for i in block.items]
    candidates = [c.replace("\u00a0", " ") for c in candidates]
    seed = SEED.read_text(encoding="utf-8")
    for rettelse in ctx.plan.rettelser:
        seed = seed.replace(rettelse.original, rettelse.rettet)
    data_parts = ("- **Boligforeningen 3B:**", "Frederiksholm Karréerne og Grønnegården er ikke", "Afdelingsnavn")
    data_parts += ("¹ AABs", "- Samarbejdsforum", "Der etableres desuden", "Derudover vil helhedsplanen blandt")
    checked = 0
    for raw in re.split(r"\n\s*\n", seed):
        paragraph = re.sub(r"[¹²³*]", "", " ".join(raw.split())).strip()
        if len(paragraph) < 80 or "\t" in raw or raw.strip().startswith(data_parts):
            continue
        best = max(fuzz.partial_ratio(paragraph, c) if len(paragraph) <= len(c) else 0 for c in candidates)
        best = max(best, fuzz.partial_ratio(paragraph, "\n".join(candidates)))
        assert best >= 97, paragraph[:80]
        checked += 1
    assert checked > 30


# ---- the PDF -----------------------------------------------------------------------------------


def test_the_pdf_has_at_most_five_pages_and_the_data(package: PackageResult) -> None:
    reader = PdfReader(package.out / "projektbeskrivelse.pdf")
    assert 1 <= len(reader.pages) <= 5
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in ("Folehaven", "5.980", "Grænseværdier parallelsamfund", "≥ 2,18 pct.", "Side 1 af"):
        assert expected in text
    assert "Kortfattet projektbeskrivelse" in reader.metadata.title


def test_typst_special_characters_in_user_text_print_as_written(tmp_path: Path) -> None:
    tricky = r"Pris #1: $5 * 2_3 @ref <tag> [x] \ back ~ // ikke kommentar /* heller */ 1. ikke liste = nej - + ."
    document = Document(
        title="Titel #1",
        subtitle="Under_titel",
        meta=("A*B",),
        header="Side [1]",
        blocks=(
            Heading(1, (Text(tricky),)),
            Paragraph((Text(tricky, bold=True),)),
            BulletList((ListItem((Text(tricky),)),)),
        ),
    )
    pages = render_pdf(document, tmp_path / "x.pdf")
    assert pages == 1
    text = PdfReader(tmp_path / "x.pdf").pages[0].extract_text()
    assert text.count("Pris #1: $5 * 2_3 @ref <tag> [x] \\ back ~ // ikke kommentar /* heller */") == 3
    assert escape("#a") == "\\#a"


# ---- templates and failures ---------------------------------------------------------------------


def test_a_restyled_template_is_used(tmp_path: Path) -> None:
    template = docx.Document(str(DEFAULT_TEMPLATE))
    template.styles["Heading 1"].font.size = Pt(20)
    template.styles["Normal"].font.name = "Georgia"
    restyled = tmp_path / "min-skabelon.docx"
    template.save(str(restyled))
    result = build_package(EXAMPLE, tmp_path / "ud", template=restyled)
    word = docx.Document(str(result.out / "projektbeskrivelse.docx"))
    assert word.styles["Heading 1"].font.size == Pt(20)
    assert word.styles["Normal"].font.name == "Georgia"


def test_a_plain_word_template_without_our_styles_works(tmp_path: Path) -> None:
    plain = tmp_path / "blank.docx"
    docx.Document().save(str(plain))
    document = build_projektbeskrivelse(load_assessment(EXAMPLE))
    render_docx(document, tmp_path / "x.docx", plain)
    word = docx.Document(str(tmp_path / "x.docx"))
    assert len(word.tables) == 2
    with zipfile.ZipFile(tmp_path / "x.docx") as archive:
        assert "word/footnotes.xml" in archive.namelist()
        assert "<w:footnotePr>" in archive.read("word/settings.xml").decode("utf-8")


def test_a_missing_template_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="skabelonen findes ikke"):
        build_package(EXAMPLE, tmp_path / "ud", template=tmp_path / "findes-ikke.docx")
    assert not (tmp_path / "ud").exists()


def test_a_template_that_is_not_a_word_file_is_a_clear_error(tmp_path: Path) -> None:
    fake = tmp_path / "skabelon.docx"
    fake.write_text("ikke en docx", encoding="utf-8")
    with pytest.raises(InputError, match="skabelonen kan ikke bruges"):
        build_package(EXAMPLE, tmp_path / "ud", template=fake)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["skabelon.docx"]


def test_a_failure_leaves_no_half_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "ud"
    out.mkdir()
    (out / "projektbeskrivelse.pdf").write_text("den gamle", encoding="utf-8")

    def broken(*_: object, **__: object) -> None:
        raise OSError("disken er fuld")

    monkeypatch.setattr(package_module, "write_annex", broken)
    with pytest.raises(OSError, match="disken er fuld"):
        build_package(EXAMPLE, out)
    assert [p.name for p in out.iterdir()] == ["projektbeskrivelse.pdf"]
    assert (out / "projektbeskrivelse.pdf").read_text(encoding="utf-8") == "den gamle"
    assert [p.name for p in tmp_path.iterdir()] == ["ud"]  # no staging folder left behind


def test_the_document_model_of_the_example_is_complete() -> None:
    document = build_projektbeskrivelse(load_assessment(EXAMPLE))
    (kriterier,) = document.tables("kriterietabel")
    assert isinstance(kriterier, Table) and kriterier.small
    folehaven = next(r for r in kriterier.rows if plain_text(r.cells[2].content) == "Folehaven")
    assert [c.mark for c in folehaven.cells[4:9]] == [Mark.WEAK, Mark.WEAK, Mark.WEAK, None, Mark.WEAK]


def test_copy_of_example_without_figures_still_builds(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    shutil.copytree(EXAMPLE, folder)
    text = (folder / "helhedsplan.toml").read_text(encoding="utf-8")
    start = text.index("[organisation]")
    end = text.index("# ------", start)
    (folder / "helhedsplan.toml").write_text(text[:start] + text[end:], encoding="utf-8")
    document = build_projektbeskrivelse(load_assessment(folder))
    assert not any(b.__class__.__name__ == "Figure" for b in document.blocks)
    assert render_pdf(document, tmp_path / "x.pdf") <= 5

"""The plan's prose (`tekst/*.md`): placeholders, footnotes, the errors a writer gets, and how the
prose becomes a document (inline values, lists, footnotes)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from boligsocial.plan.assessment import load_assessment
from boligsocial.plan.folder import load_plan
from boligsocial.plan.prose import (
    BLOCK_PLACEHOLDERS,
    INLINE_PLACEHOLDERS,
    ProseError,
    check_prose,
    find_footnotes,
    find_placeholders,
    list_placeholders,
    load_prose,
    parse_prose,
)
from boligsocial.reports.document import (
    BulletList,
    Footnote,
    Heading,
    Paragraph,
    Text,
    plain_text,
)
from boligsocial.reports.projektbeskrivelse import build_projektbeskrivelse

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "mit-kvarter"


@pytest.fixture(scope="module")
def plan():  # type: ignore[no-untyped-def]
    return load_plan(EXAMPLE)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """A copy of the example plan whose prose a test may change."""
    target = tmp_path / "plan"
    shutil.copytree(EXAMPLE, target)
    return target


def problems(text: str, plan=None) -> list[str]:  # type: ignore[no-untyped-def]
    section = parse_prose(text, Path("/plan/tekst/10-test.md"), Path("/plan"))
    return [str(p) for p in check_prose([section], plan)]


# ---- the example -------------------------------------------------------------------------------


def test_example_prose_loads_in_file_name_order(plan) -> None:  # type: ignore[no-untyped-def]
    sections = load_prose(EXAMPLE, plan)
    names = [s.file.name for s in sections]
    assert names == sorted(names)
    assert names[0] == "00-indledning.md"
    assert sections[1].title.startswith("1. Afdelingens/boligområdets problemkompleks")
    assert sections[0].title == "Indledning"  # no heading: from the file name


def test_example_uses_every_block_placeholder(plan) -> None:  # type: ignore[no-untyped-def]
    used = {p.name for p in list_placeholders(load_prose(EXAMPLE, plan))}
    assert {"afdelingsliste", "kriterietabel", "partnere", "fora", "organisationsdiagram"} <= used
    assert {"antal_afdelinger", "boliger_i_alt", "indikator", "sammenligning", "kilde", "paa_liste"} <= used


def test_no_tekst_folder_is_no_prose(tmp_path: Path) -> None:
    assert load_prose(tmp_path) == []


# ---- finding placeholders and footnotes ----------------------------------------------------------


def test_find_placeholders_gives_line_column_and_whether_alone() -> None:
    text = "Første linje\nDer er {{ antal_afdelinger }} og {{indikator:socialsager:2021}}.\n  {{ kriterietabel }}  \n"
    found = find_placeholders(text, Path("x.md"))
    assert [(p.name, p.argument, p.line, p.column, p.alone) for p in found] == [
        ("antal_afdelinger", None, 2, 8, False),
        ("indikator", "socialsager:2021", 2, 34, False),
        ("kriterietabel", None, 3, 3, True),
    ]
    assert found[2].block and not found[0].block


def test_placeholder_names_are_split_into_blocks_and_inline() -> None:
    assert "kriterietabel" in BLOCK_PLACEHOLDERS and "kriterietabel" not in INLINE_PLACEHOLDERS
    assert "boliger_i_alt" in INLINE_PLACEHOLDERS


def test_find_footnotes() -> None:
    assert find_footnotes("Tekst[^a].\n\n[^a]: Forklaring.\n[^b]:Uden mellemrum") == {
        "a": "Forklaring.",
        "b": "Uden mellemrum",
    }


# ---- errors name file and line -------------------------------------------------------------------


def test_unknown_placeholder_names_file_line_and_suggests() -> None:
    (message,) = problems("Linje et\n\nDer er {{ antal_afdelingr }} afdelinger.\n")
    assert message.startswith("tekst/10-test.md, linje 3:")
    assert "ukendt pladsholder {{ antal_afdelingr }}" in message
    assert 'mente du "antal_afdelinger"?' in message


def test_block_placeholder_must_stand_alone() -> None:
    (message,) = problems("Tabellen: {{ kriterietabel }}\n")
    assert "linje 1" in message and "skal stå alene på sin linje" in message


def test_arguments_are_checked() -> None:
    found = problems("{{ boliger_i_alt: 3 }}\n\n{{ indikator }}\n\n{{ }}\n\n{{ antal_afdelinger\n")
    assert "linje 1" in found[0] and "tager ikke noget argument" in found[0]
    assert "linje 3" in found[1] and "mangler et argument" in found[1]
    assert "linje 5" in found[2] and "kan ikke læses" in found[2]
    assert "linje 7" in found[3] and "uden afsluttende" in found[3]


def test_undefined_footnote() -> None:
    (message,) = problems("Tekst[^x] og[^y].\n\n[^y]: Defineret.\n")
    assert "linje 1" in message and "[^x]" in message


def test_references_are_checked_against_the_plan(plan) -> None:  # type: ignore[no-untyped-def]
    found = problems(
        "{{ indikator:socialsagr }}\n"
        "{{ indikator:folkeskole-02-dansk-matematik:2019 }}\n"
        "{{ sammenligning:beskaeftigelse:3 }}\n"
        "{{ sammenligning:boern-enlige-forsoergere }}\n"
        "{{ kilde:fravaer-grundskole }}\n"
        "{{ paa_liste:ghetto }}\n"
        "{{ indikatorer: Boligsocial indsats, socialsager }}\n",
        plan,
    )
    assert len(found) == 7
    assert "linje 1" in found[0] and 'mente du "socialsager"?' in found[0]
    assert "linje 2" in found[1] and "år: 2017, 2021" in found[1]
    assert "linje 3" in found[2] and "har 2 sammenligningstal" in found[2]
    assert "linje 4" in found[3] and "ingen sammenligningstal" in found[3]
    assert "linje 5" in found[4] and "ingen kilde" in found[4]
    assert "linje 6" in found[5] and "forebyggelsesomraade" in found[5]
    assert "linje 7" in found[6] and '"Boligsocial indsats"' in found[6]


def test_load_prose_raises_with_every_problem(folder: Path) -> None:
    (folder / "tekst" / "15-ny.md").write_text("## Ny\n\n{{ ukendt }}\n\n{{ fora }} og mere\n", encoding="utf-8")
    with pytest.raises(ProseError) as caught:
        load_prose(folder, load_plan(folder))
    text = str(caught.value)
    assert "tekst/15-ny.md, linje 3: ukendt pladsholder {{ ukendt }}" in text
    assert "tekst/15-ny.md, linje 5:" in text
    assert len(caught.value.problems) == 2


def test_a_file_that_is_not_utf8(folder: Path) -> None:
    (folder / "tekst" / "99-latin1.md").write_bytes("Æbler og pærer".encode("latin-1"))
    with pytest.raises(ProseError, match=r"99-latin1.md, linje 1: filen er ikke gemt som UTF-8"):
        load_prose(folder)


def test_building_the_document_reports_prose_errors(folder: Path) -> None:
    (folder / "tekst" / "20-samarbejdspartnere.md").write_text("# 2. Partnere\n\n{{ partnerne }}\n", encoding="utf-8")
    with pytest.raises(ProseError, match=r"20-samarbejdspartnere.md, linje 3: ukendt pladsholder"):
        build_projektbeskrivelse(load_assessment(folder))


# ---- prose -> document ---------------------------------------------------------------------------


def _document(folder: Path, markdown: str):  # type: ignore[no-untyped-def]
    tekst = folder / "tekst"
    shutil.rmtree(tekst)
    tekst.mkdir()
    (tekst / "10-test.md").write_text(markdown, encoding="utf-8")
    return build_projektbeskrivelse(load_assessment(folder))


def test_inline_values_come_from_the_plan(folder: Path) -> None:
    document = _document(
        folder,
        "I alt {{ antal_afdelinger }} afdelinger ({{ antal_afdelinger_i_plan }} i planen, "
        "{{ antal_afdelinger_betinget }} betinget) med {{ boliger_i_alt }} lejeboliger, "
        "heraf {{ boliger_i_plan }} i planen; {{ navn }}, {{ ansoeger }}, {{ kommune }}, {{ periode }}, "
        "listeår {{ liste_aar }}. Aktivitetsparate: {{ indikator:aktivitetsparate-frederiksholm }} mod "
        "{{ sammenligning:aktivitetsparate-frederiksholm }}. Socialsager: {{ indikator:socialsager }}. "
        "Beskæftigelse {{ indikator:beskaeftigelse:2023 }} ({{ kilde:beskaeftigelse }}), kommunen "
        "{{ sammenligning:beskaeftigelse:2 }} ({{ kilde:beskaeftigelse:2 }}). Folkeskolen "
        "{{ indikator:folkeskole-02-dansk-matematik:2017 }} → {{ indikator:folkeskole-02-dansk-matematik:2021 }}. "
        "På listen: {{ paa_liste:forebyggelsesomraade }}; udsat: {{ paa_liste:udsat_boligomraade }}.\n",
    )
    (paragraph,) = [b for b in document.blocks if isinstance(b, Paragraph)]
    assert plain_text(paragraph.content).replace("\u00a0", " ") == (
        "I alt 28 afdelinger (13 i planen, 15 betinget) med 5.980 lejeboliger, heraf 3.121 i planen; "
        "Mit Kvarter, 3B v. KAB, Københavns Kommune, 1. januar 2025 – 31. december 2028, listeår 2022. "
        "Aktivitetsparate: godt 5,5 % mod 2,9 %. Socialsager: 439. "
        "Beskæftigelse 58,7 % (KK 2023), kommunen 76,44 % (LBF beboerdata). Folkeskolen 82,2 % → 93,9 %. "
        "På listen: Folehaven og Sjælør Boulevard; udsat: ingen afdelinger eller områder."
    )


def test_markdown_structure_emphasis_lists_and_footnotes(folder: Path) -> None:
    document = _document(
        folder,
        "# Overskrift med *kursiv*\n\n## Under\n\n### Tre\n\n#### Fire\n\n"
        "Et **fed** og *kursiv* ord[^n] og {{ boliger_i_alt }}.\n\n[^n]: Note med **fed** tekst.\n\n"
        "- Punkt et\n  - indrykket\n- Punkt **to**\n\n1. Nummer\n2. To\n",
    )
    headings = [(b.level, plain_text(b.content)) for b in document.blocks if isinstance(b, Heading)]
    assert headings == [(1, "Overskrift med kursiv"), (2, "Under"), (3, "Tre"), (4, "Fire")]
    first = next(b for b in document.blocks if isinstance(b, Heading))
    assert Text("kursiv", italic=True) in first.content
    paragraph = next(b for b in document.blocks if isinstance(b, Paragraph))
    assert Text("fed", bold=True) in paragraph.content
    assert Text("kursiv", italic=True) in paragraph.content
    (footnote,) = [c for c in paragraph.content if isinstance(c, Footnote)]
    assert footnote.content == (Text("Note med "), Text("fed", bold=True), Text(" tekst."))
    assert plain_text(paragraph.content) == "Et fed og kursiv ord og 5.980."
    bullets, numbered = [b for b in document.blocks if isinstance(b, BulletList)]
    assert [(i.level, plain_text(i.content)) for i in bullets.items] == [
        (0, "Punkt et"),
        (1, "indrykket"),
        (0, "Punkt to"),
    ]
    assert not bullets.ordered and numbered.ordered


def test_a_block_placeholder_without_blank_lines_is_its_own_block(folder: Path) -> None:
    document = _document(folder, "Før tabellen:\n{{ afdelingsliste }}\nEfter tabellen.\n")
    kinds = [type(b).__name__ for b in document.blocks]
    assert kinds == ["Paragraph", "Table", "Paragraph"]
    assert len(document.tables("afdelingsliste")) == 1


def test_a_plan_without_prose_gets_the_guideline_skeleton(folder: Path) -> None:
    shutil.rmtree(folder / "tekst")
    document = build_projektbeskrivelse(load_assessment(folder))
    level1 = [plain_text(h.content) for h in document.headings(1)]
    assert [h[:3] for h in level1] == ["1. ", "2. ", "3. "]
    assert document.tables("afdelingsliste") and document.tables("kriterietabel")
    assert document.tables("indikatorer")  # the indicators of each indsatsområde


def test_every_placeholder_is_documented() -> None:
    docs = (ROOT / "docs" / "plan-folder.md").read_text(encoding="utf-8")
    section = docs[docs.index("## Prose (`tekst/`)") : docs.index("## When the file is wrong")]
    for name in [*BLOCK_PLACEHOLDERS, *INLINE_PLACEHOLDERS]:
        assert "{{ " + name in section, name

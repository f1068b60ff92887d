"""The application lint: each rule catches the error a case officer would catch, names the place,
and the shipped example gives no errors (and exactly the warnings listed here)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from boligsocial.plan.assessment import load_assessment
from boligsocial.plan.folder import load_plan, save_plan
from boligsocial.plan.model import Budget, FinansieringKilde, Liste
from boligsocial.reports.lint import RULES, Finding, LintReport, Severity, lint_folder, run_lint
from boligsocial.reports.lint.counts import find_count_claims
from boligsocial.reports.lint.lists import find_list_claims

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "mit-kvarter"
SEED = EXAMPLE / "kilde" / "projektbeskrivelse-original.txt"
DOCS = ROOT / "docs" / "lint.md"

# Our own prose, so that the tests do not depend on the example's prose being written right now.
# Every claim in it is true of the example's data; the placeholders are not claims.
PROSE = {
    "10-indledning.md": """# 1. Problemkompleks

3B v. KAB søger om støtte til Mit Kvarter. Der søges om at få prækvalificeret følgende 28 afdelinger med
tilsammen 5.980 lejeboliger, heraf Folehaven (973 lejeboliger), Stubmøllevej (56 lejeboliger) og
Afd. 105, Havekildegård (190 lejeboliger). I dag er {{ antal_afdelinger_i_plan }} afdelinger med.

## Parallelsamfundskriterierne

Folehaven og Sjælør Boulevard fremgår på listen over forebyggelsesområder, og de fleste af de andre
afdelinger ville fremgå på listen, hvis de havde haft mere end 1.000 beboere. Området Sjælør Boulevard
har 1.227 beboere, og Folehavens 1.964 beboere bor i 973 boliger. Afd. 50 er en del af området.
""",
    "20-organisering.md": """# 3. Organisering

Afdelingsbestyrelserne i de 13 boligafdelinger mødes. Frederiksholm Karréerne og Grønnegården deltager
betinget. Mit Kvarter kommer til at dække {{ antal_afdelinger }} boligafdelinger; i 2021 lå 45 % af
beboerne i Valbys og Elleparkens afdelinger over gennemsnittet.
""",
}


# ---- helpers ---------------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the example with our own prose in tekst/."""
    target = tmp_path / "plan"
    shutil.copytree(EXAMPLE, target)
    shutil.rmtree(target / "tekst", ignore_errors=True)
    (target / "tekst").mkdir()
    for name, text in PROSE.items():
        (target / "tekst" / name).write_text(text, encoding="utf-8")
    return target


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace `old` by `new` in a file; `old` must occur exactly `count` times (so a changed
    example fails loudly instead of silently testing nothing)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


def run(folder: Path, pages: int | None = 4) -> LintReport:
    return lint_folder(folder, pdf_pages=pages)


def only(report: LintReport, code: str) -> Finding:
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, report.to_text()
    return found[0]


# The warnings the example gives, as (code, location). They are real: the application quotes
# figures without source or year, and the published table has suppressed cells and a resident
# count equal to the dwellings for Grønnegården.
EXAMPLE_WARNINGS = sorted(
    [
        ("BS701", 'afdelingen "Hammelstruphus" (3B)'),
        ("BS701", 'afdelingen "Ved Rosenhaven" (3B)'),
        ("BS701", 'afdelingen "Stubmøllevej" (3B)'),
        ("BS701", 'afdelingen "Frederiksholm karre 1" (AKB, København)'),
        ("BS701", 'afdelingen "Frederiksholm karre 12" (AKB, København)'),
        ("BS702", 'afdelingen "Grønnegården" (AKB, København)'),
        ("BS901", 'indikatorer nr. 1 ("fravaer-grundskole")'),
        ("BS901", 'indikatorer nr. 2 ("socialsager")'),
        ("BS901", 'indikatorer nr. 14 ("aktivitetsparate-frederiksholm")'),
        ("BS901", 'indikatorer nr. 15 ("socialsager-frederiksholm")'),
        ("BS901", 'indikatorer nr. 16 ("enkeltsager-saerligt-saarbare")'),
        ("BS902", 'indikatorer nr. 1 ("fravaer-grundskole")'),
        ("BS902", 'indikatorer nr. 2 ("socialsager")'),
        ("BS902", 'indikatorer nr. 5 ("uddannelse-18-29")'),
        ("BS902", 'indikatorer nr. 12 ("enlige-uden-boern")'),
        ("BS902", 'indikatorer nr. 13 ("enlige-uden-boern-frederiksholm")'),
        ("BS902", 'indikatorer nr. 14 ("aktivitetsparate-frederiksholm")'),
        ("BS902", 'indikatorer nr. 15 ("socialsager-frederiksholm")'),
    ]
)


def warnings(report: LintReport) -> list[tuple[str, str]]:
    return sorted((f.code, f.location) for f in report.warnings())


# ---- the example -----------------------------------------------------------------------------------


def test_example_with_our_prose_has_no_errors_and_exactly_the_known_warnings(folder: Path) -> None:
    report = run(folder)
    assert report.errors() == [], report.to_text()
    assert warnings(report) == EXAMPLE_WARNINGS
    assert [f.code for f in report.infos()] == ["BS503"]


def test_shipped_example_has_no_errors_and_exactly_the_known_warnings() -> None:
    # Without pdf_pages the lint renders the projektbeskrivelse itself: no BS601/BS602 means it
    # rendered, to at most five pages.
    report = lint_folder(EXAMPLE)
    assert report.errors() == [], report.to_text()
    assert warnings(report) == EXAMPLE_WARNINGS
    assert [f.code for f in report.infos()] == ["BS503"]


def test_run_lint_on_a_loaded_context_agrees_with_lint_folder(folder: Path) -> None:
    assert run_lint(load_assessment(folder), pdf_pages=4).findings == run(folder).findings


def test_seed_text_gives_exactly_its_two_misspelt_afdelinger(folder: Path) -> None:
    shutil.rmtree(folder / "tekst")
    (folder / "tekst").mkdir()
    shutil.copy(SEED, folder / "tekst" / "original.md")
    report = run(folder)
    prose = [f for f in report.findings if f.file == "tekst/original.md"]
    assert [(f.code, f.line) for f in prose] == [
        ("BS201", line_of(SEED, "Stubmøllevvej")),
        ("BS201", line_of(SEED, "Havekilddegård")),
    ]
    assert '"Stubmøllevvej"' in prose[0].message and '"Stubmøllevej"' in prose[0].message
    assert '"Havekilddegård"' in prose[1].message and '"Havekildegård"' in prose[1].message


# ---- BS0xx: what does not load ---------------------------------------------------------------------


def test_a_plan_that_does_not_load_becomes_findings(folder: Path) -> None:
    edit(
        folder / "helhedsplan.toml",
        'navn = "Elleparken"\nboligorganisation = "SAB"',
        'navn = "Elleparken"\nboligorganisation = "SABB"',
    )
    report = run(folder)
    error = only(report, "BS001")
    assert error.severity is Severity.FEJL
    assert error.file == "helhedsplan.toml"
    assert error.line == line_of(folder / "helhedsplan.toml", 'boligorganisation = "SABB"')
    assert error.location == 'afdelinger nr. 26 ("Elleparken") › boligorganisation'
    assert '"SABB"' in error.message
    assert only(report, "BS000").severity is Severity.INFO


def test_toml_syntax_error_has_its_line(folder: Path) -> None:
    edit(folder / "helhedsplan.toml", 'kommune = "Københavns Kommune"', 'kommune = "Københavns Kommune')
    error = only(run(folder), "BS001")
    assert error.line == line_of(folder / "helhedsplan.toml", 'kommune = "Københavns Kommune')


def test_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    report = lint_folder(tmp_path / "findes-ikke")
    assert [f.code for f in report.findings] == ["BS001", "BS000"]
    assert "findes ikke" in report.findings[0].message


def test_missing_key_figures_are_a_finding_and_the_rest_still_runs(folder: Path) -> None:
    (folder / "noegletal.csv").unlink()
    report = run(folder)
    assert only(report, "BS002").file == "noegletal.csv"
    assert "BS503" in report.codes()  # the plan rules ran


def test_prose_format_problems_are_reported(folder: Path) -> None:
    path = folder / "tekst" / "20-organisering.md"
    edit(path, "{{ antal_afdelinger }}", "{{ antal_afdelingr }}")
    error = only(run(folder), "BS004")
    assert error.file == "tekst/20-organisering.md"
    assert error.line == line_of(path, "antal_afdelingr")
    assert "antal_afdelingr" in error.message


# ---- BS1xx: counts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "shown"),
    [
        ("28 afdelinger", "27 afdelinger", "27 afdelinger"),
        ("5.980 lejeboliger", "5.890 lejeboliger", "5.890 lejeboliger"),
        ("de 13 boligafdelinger", "de 14 boligafdelinger", "14 boligafdelinger"),
        ("1.227 beboere", "1.272 beboere", "1.272 beboere"),
    ],
)
def test_wrong_count_in_prose(folder: Path, old: str, new: str, shown: str) -> None:
    name = "10-indledning.md" if old in PROSE["10-indledning.md"] else "20-organisering.md"
    path = folder / "tekst" / name
    edit(path, old, new)
    error = only(run(folder), "BS101")
    assert error.severity is Severity.FEJL
    assert (error.file, error.line) == (f"tekst/{name}", line_of(path, new))
    assert f'"{shown}"' in error.message


def test_wrong_count_in_a_plan_text_field(folder: Path) -> None:
    path = folder / "helhedsplan.toml"
    edit(
        path, "Mit Kvarter kommer til at dække 28 boligafdelinger", "Mit Kvarter kommer til at dække 27 boligafdelinger"
    )
    error = only(run(folder), "BS101")
    assert error.location == "organisation › team › beskrivelse"
    assert (error.file, error.line) == ("helhedsplan.toml", line_of(path, "dække 27 boligafdelinger"))
    assert "28 afdelinger" in error.message  # the plan's figure


def test_wrong_count_in_a_multiline_text_field_has_the_line_of_the_sentence(folder: Path) -> None:
    path = folder / "helhedsplan.toml"
    edit(
        path,
        "hvis de havde haft mere end 1.000 beboere.",
        "hvis de havde haft mere end 1.000 beboere. De 29 afdelinger ...",
    )
    error = only(run(folder), "BS101")
    assert error.location == "kriterier_tekst"
    assert error.line == line_of(path, "De 29 afdelinger")


def test_count_claims_are_recognised_and_non_claims_are_not() -> None:
    text = (
        "følgende 28 afdelinger med tilsammen 5.980 lejeboliger; de 13 boligafdelinger; 1.227 beboere; "
        "mere end 1.000 beboere; ca. 6.000 boliger; i 2021 blandt beboerne; 10-13-årige beboere; "
        "45 % af beboerne; afdeling 50 boliger; 2.5 boliger; 1964 beboere"
    )
    assert [(c.kind, c.value) for c in find_count_claims(text)] == [
        ("afdelinger", 28),
        ("boliger", 5980),
        ("afdelinger", 13),
        ("beboere", 1227),
        ("beboere", 1964),
    ]


# ---- BS2xx: names ------------------------------------------------------------------------------------


def test_misspelt_afdeling_in_prose(folder: Path) -> None:
    path = folder / "tekst" / "10-indledning.md"
    edit(path, "Stubmøllevej (56", "Stubmøllevvej (56")
    finding = only(run(folder), "BS201")
    assert finding.severity is Severity.ADVARSEL
    assert (finding.file, finding.line) == ("tekst/10-indledning.md", line_of(path, "Stubmøllevvej"))
    assert finding.location == 'afsnittet "1. Problemkompleks"'
    assert '"Stubmøllevvej"' in finding.message and 'Skriv navnet som i planen: "Stubmøllevej"' in finding.message
    assert "[[rettelser]]" in finding.message  # the plan itself recorded this typo


def test_misspelt_afdeling_in_a_plan_text_field(folder: Path) -> None:
    path = folder / "helhedsplan.toml"
    edit(
        path,
        '"Social beskæftigelsesindsats i de pågående byggesager i Folehaven,',
        '"Social beskæftigelsesindsats i de pågående byggesager i Follehaven,',
    )
    finding = only(run(folder), "BS201")
    assert finding.location == 'indsatsomraader nr. 2 ("Beskæftigelse") › indsatser nr. 2'
    assert finding.line == line_of(path, "Follehaven")
    assert '"Follehaven"' in finding.message and '"Folehaven"' in finding.message


def test_misspelt_alias_and_split_name(folder: Path) -> None:
    path = folder / "tekst" / "20-organisering.md"
    edit(path, "mødes.", "mødes i Hornemann Vænge og Grønne gården.")
    found = [f.message for f in run(folder).findings if f.code == "BS201"]
    assert len(found) == 2
    assert '"Hornemann Vænge"' in found[0] and '"Hornemanns Vænge"' in found[0]
    assert '"Grønne gården"' in found[1] and '"Grønnegården"' in found[1]


# ---- BS3xx: lists ------------------------------------------------------------------------------------


def test_structured_list_claim_contradicted(folder: Path) -> None:
    path = folder / "helhedsplan.toml"
    edit(
        path,
        'boliger = 270\nstatus = "i_plan"',
        'boliger = 270\nstatus = "i_plan"\noplyst_paa_lister = ["parallelsamfund"]',
    )
    error = only(run(folder), "BS301")
    assert error.severity is Severity.FEJL
    assert error.location == 'afdelinger nr. 26 ("Elleparken") › oplyst_paa_lister nr. 1'
    assert error.line == line_of(path, 'oplyst_paa_lister = ["parallelsamfund"]')
    assert '"Elleparken"' in error.message and "parallelsamfund" in error.message
    assert "439 beboere" in error.message  # why: below the 1,000-resident limit


def test_prose_list_claim_contradicted(folder: Path) -> None:
    path = folder / "tekst" / "20-organisering.md"
    edit(path, "mødes.", "mødes. Elleparken fremgår på listen over parallelsamfund.")
    error = only(run(folder), "BS301")
    assert (error.file, error.line) == ("tekst/20-organisering.md", line_of(path, "Elleparken fremgår"))
    assert '"Elleparken"' in error.message and "parallelsamfund" in error.message


def test_prose_list_claim_in_plan_text_contradicted(folder: Path) -> None:
    path = folder / "helhedsplan.toml"
    edit(
        path,
        "Folehaven og Sjælør Boulevard fremgår på listen over forebyggelsesområder",
        "Folehaven og Hornemanns Vænge fremgår på listen over forebyggelsesområder",
    )
    error = only(run(folder), "BS301")
    assert error.location == "kriterier_tekst"
    assert '"Hornemanns Vænge"' in error.message


def test_negated_prose_claim_contradicted(folder: Path) -> None:
    edit(
        folder / "tekst" / "20-organisering.md",
        "mødes.",
        "mødes. Folehaven er ikke på listen over forebyggelsesområder.",
    )
    assert '"Folehaven"' in only(run(folder), "BS301").message


def test_list_claim_that_cannot_be_decided_is_a_warning(folder: Path) -> None:
    edit(folder / "tekst" / "20-organisering.md", "mødes.", "mødes. Stubmøllevej er et forebyggelsesområde.")
    warning = only(run(folder), "BS302")
    assert warning.severity is Severity.ADVARSEL
    assert '"Stubmøllevej"' in warning.message


def test_afdeling_in_an_area_on_the_list_may_say_so(folder: Path) -> None:
    edit(
        folder / "tekst" / "20-organisering.md", "mødes.", "mødes. Afd. 50 fremgår af listen over forebyggelsesområder."
    )
    assert not [f for f in run(folder).findings if f.code.startswith("BS30")]


def test_unit_on_a_list_that_the_plan_does_not_mention(folder: Path) -> None:
    path = folder / "helhedsplan.toml"
    edit(path, 'status = "i_plan"\noplyst_paa_lister = ["forebyggelsesomraade"]\n', 'status = "i_plan"\n')
    info = only(run(folder), "BS304")
    assert info.severity is Severity.INFO
    assert info.location == 'afdelinger nr. 1 ("Folehaven")'


def test_list_claims_are_recognised() -> None:
    names = ["Folehaven", "Sjælør Boulevard", "Elleparken"]
    text = (
        "Folehaven og Sjælør Boulevard¹ fremgår på listen over forebyggelsesområder, og de fleste af de andre "
        "ville fremgå på listen. Elleparken står fortsat på ghettolisten. Hvis Folehaven er et hårdt "
        "ghettoområde, sker der noget. På listen over udsatte boligområder står Elleparken."
    )
    claims = [(c.names, c.liste, c.on_list) for c in find_list_claims(text, names)]
    assert claims == [
        (("Folehaven", "Sjælør Boulevard"), Liste.FOREBYGGELSESOMRAADE, True),
        (("Elleparken",), Liste.PARALLELSAMFUND, True),
        (("Elleparken",), Liste.UDSAT_BOLIGOMRAADE, True),
    ]


# ---- BS4xx: indsatsomraader --------------------------------------------------------------------------


def test_indsatsomraade_outside_the_four(folder: Path) -> None:
    path = folder / "helhedsplan.toml"
    edit(path, '[[indsatsomraader]]\nnavn = "Beskæftigelse"', '[[indsatsomraader]]\nnavn = "Sundhed"')
    error = only(run(folder), "BS401")
    assert error.severity is Severity.FEJL
    assert error.location == 'indsatsomraader nr. 2 ("Sundhed") › navn'
    assert error.line == line_of(path, 'navn = "Sundhed"')
    assert '"Sundhed"' in error.message


def test_indicator_without_indsatsomraade_in_an_indsatsomraade_section(folder: Path) -> None:
    path = folder / "helhedsplan.toml"
    edit(
        path,
        'navn = "Beskæftigede"\nenhed = "pct"\ngaelder = "Mit Kvarter"\nindsatsomraade = "Beskæftigelse"\n',
        'navn = "Beskæftigede"\nenhed = "pct"\ngaelder = "Mit Kvarter"\n',
    )
    warning = only(run(folder), "BS402")
    assert warning.location == 'indikatorer nr. 6 ("beskaeftigelse")'
    assert 'indsatsomraade = "Beskæftigelse"' in warning.message


def test_prose_heading_that_nearly_names_an_indsatsomraade(folder: Path) -> None:
    path = folder / "tekst" / "20-organisering.md"
    edit(path, "# 3. Organisering", "## Uddannelse og Livschancer")
    warning = only(run(folder), "BS403")
    assert (warning.file, warning.line) == ("tekst/20-organisering.md", 1)
    assert '"Uddannelse og livschancer"' in warning.message


# ---- BS5xx: budget -----------------------------------------------------------------------------------

BUDGET = """
[[budget.finansiering]]
kilde = "LBF"
beloeb = 8000000

[[budget.finansiering]]
kilde = "kommune"
betegnelse = "Københavns Kommune"
beloeb = 1000000

[[budget.finansiering]]
kilde = "boligorganisation"
beloeb = "1000000"

[[budget.udgifter]]
post = "Personale"
beloeb = 9000000

[[budget.udgifter]]
post = "Aktiviteter"
beloeb = {aktiviteter}
"""


def test_local_cofinancing_below_25_percent(folder: Path) -> None:
    path = folder / "helhedsplan.toml"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(BUDGET.format(aktiviteter=1000000))
    report = run(folder)
    error = only(report, "BS501")
    assert error.severity is Severity.FEJL
    assert "20,0 %" in error.message
    assert "2.000.000 kr." in error.message and "10.000.000 kr." in error.message and "8.000.000 kr." in error.message
    assert "2.666.667 kr." in error.message  # what would reach 25 % with the same LBF grant
    assert error.location == "budget › finansiering"
    assert error.line == line_of(path, "[[budget.finansiering]]")
    assert "BS502" not in report.codes() and "BS503" not in report.codes()


def test_budget_that_does_not_balance(folder: Path) -> None:
    path = folder / "helhedsplan.toml"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(BUDGET.format(aktiviteter=1500000).replace("8000000", "6000000"))
    report = run(folder)
    error = only(report, "BS502")
    assert "10.500.000 kr." in error.message and "8.000.000 kr." in error.message
    assert "BS501" not in report.codes()  # 2 of 8 million is exactly 25 %


def test_budget_is_part_of_the_plan_model(folder: Path, tmp_path: Path) -> None:
    path = folder / "helhedsplan.toml"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(BUDGET.format(aktiviteter=1000000))
    plan = load_plan(folder)
    assert plan.budget is not None
    assert plan.budget.finansiering[0].kilde is FinansieringKilde.LBF
    assert (plan.budget.finansiering_i_alt, plan.budget.lokal_finansiering, plan.budget.udgifter_i_alt) == (
        10_000_000,
        2_000_000,
        10_000_000,
    )
    save_plan(plan, tmp_path / "copy")
    assert load_plan(tmp_path / "copy") == plan


def test_negative_amount_is_refused(folder: Path) -> None:
    path = folder / "helhedsplan.toml"
    with path.open("a", encoding="utf-8") as handle:
        handle.write('\n[[budget.finansiering]]\nkilde = "fond"\nbeloeb = -5\n')
    error = only(run(folder), "BS001")
    assert error.location == "budget › finansiering nr. 1 › beloeb"
    assert Budget().finansiering_i_alt == 0


# ---- BS6xx: pages ------------------------------------------------------------------------------------


def test_more_than_five_pages(folder: Path) -> None:
    error = only(run(folder, pages=7), "BS601")
    assert error.severity is Severity.FEJL
    assert "7 sider" in error.message and "2 sider" in error.message
    assert "BS601" not in run(folder, pages=5).codes()


def test_pages_not_checked_when_the_pdf_cannot_be_rendered(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> None:
        raise RuntimeError("typst mangler")

    monkeypatch.setattr("boligsocial.reports.projektbeskrivelse.build_projektbeskrivelse", fail)
    info = only(lint_folder(folder), "BS602")
    assert info.severity is Severity.INFO
    assert "ikke kontrolleret" in info.message and "typst mangler" in info.message


def test_run_lint_without_page_count_says_so(folder: Path) -> None:
    assert "ikke oplyst" in only(run_lint(load_assessment(folder)), "BS602").message


# ---- BS7xx: key figures ------------------------------------------------------------------------------


def test_suppressed_key_figure(folder: Path) -> None:
    path = folder / "noegletal.csv"
    edit(path, "SAB;Elleparken;270;439;35,6;51,3;3,31;", "SAB;Elleparken;270;439;35,6;51,3;-;")
    found = [f for f in run(folder).findings if f.code == "BS701" and "Elleparken" in f.location]
    assert len(found) == 1
    assert found[0].severity is Severity.ADVARSEL
    assert (found[0].file, found[0].line) == ("noegletal.csv", line_of(path, "SAB;Elleparken"))
    assert "doemte_pct" in found[0].message


def test_implausible_key_figures(folder: Path) -> None:
    path = folder / "noegletal.csv"
    edit(path, "3B;Folehaven;973;1.964;30,9;47,5;", "3B;Folehaven;973;100;30,9;0;")
    report = run(folder)
    zero = only(report, "BS703")
    assert "ikke_vestlige_pct" in zero.message and '"Folehaven"' in zero.message
    messages = [f.message for f in report.findings if f.code == "BS702"]
    assert any('"Folehaven"' in m and "færre beboere end boliger" in m for m in messages)
    assert any('"Grønnegården"' in m and "beboere = boliger" in m for m in messages)


def test_key_figures_and_plan_disagree(folder: Path) -> None:
    csv_path = folder / "noegletal.csv"
    edit(csv_path, "PAB;Hornemanns Vænge;288;", "PAB;Hornemanns Vænge;290;")
    edit(csv_path, "3B;Grønrisvej;66;136;25,4;49,3;3,17;40,4;58,9;;København;2022\n", "")
    with csv_path.open("a", encoding="utf-8") as handle:
        handle.write("3B;Stubmøllevvej;10;20;30;30;2;40;60;;København;2022\n")
    report = run(folder)
    assert '"Hornemanns Vænge"' in only(report, "BS706").message
    missing = only(report, "BS704")
    assert missing.location == 'afdelinger nr. 2 ("Grønrisvej")'
    extra = only(report, "BS705")
    assert '"Stubmøllevvej"' in extra.message and '"Stubmøllevej"' in extra.message
    assert extra.line == line_of(csv_path, "Stubmøllevvej")


def test_old_key_figures(folder: Path) -> None:
    edit(
        folder / "helhedsplan.toml",
        "periode = { start = 2025-01-01, slut = 2028-12-31 }",
        "periode = { start = 2026-01-01, slut = 2029-12-31 }",
    )
    assert "2022" in only(run(folder), "BS707").message


# ---- BS8xx: conditional afdelinger -------------------------------------------------------------------


def test_conditional_afdeling_without_condition(folder: Path) -> None:
    path = folder / "helhedsplan.toml"
    text = path.read_text(encoding="utf-8")
    block = re.search(r'navn = "Frederiksholm karre 17"\n.*?\nbetingelse = "[^"]*"\n', text, re.DOTALL)
    assert block is not None
    path.write_text(
        text.replace(block.group(0), re.sub(r'betingelse = "[^"]*"\n', "", block.group(0))), encoding="utf-8"
    )
    error = only(run(folder), "BS801")
    assert error.severity is Severity.FEJL
    assert error.location == 'afdelinger nr. 10 ("Frederiksholm karre 17") › status'
    assert '"Frederiksholm karre 17"' in error.message
    assert error.line is not None


def test_condition_on_an_afdeling_in_the_plan(folder: Path) -> None:
    path = folder / "helhedsplan.toml"
    edit(
        path,
        'boliger = 141\nstatus = "i_plan"',
        'boliger = 141\nstatus = "i_plan"\nbetingelse = "Hvis der er penge."',
    )
    assert '"Damagervej"' in only(run(folder), "BS802").message


# ---- BS9xx: indicators -------------------------------------------------------------------------------


def test_indicator_without_values(folder: Path) -> None:
    text = (folder / "helhedsplan.toml").read_text(encoding="utf-8")
    start = text.index('maalinger = [\n    { vaerdi = "309", aar = 2022 },')
    edit(folder / "helhedsplan.toml", text[start : text.index("]\n", start) + 2], "")
    assert only(run(folder), "BS903").location == 'indikatorer nr. 9 ("ssp-sager-kategori-1-2")'


# ---- output ------------------------------------------------------------------------------------------


def test_text_output_is_danish_grouped_with_a_summary(folder: Path) -> None:
    edit(folder / "tekst" / "10-indledning.md", "28 afdelinger", "27 afdelinger")
    text = run(folder).to_text()
    assert text.startswith("Mit Kvarter: kontrol af ansøgningen")
    assert text.index("Fejl (1)") < text.index("Advarsler (18)") < text.index("Til orientering (1)")
    assert "BS101  tekst/10-indledning.md, linje 3" in text
    assert text.rstrip().endswith("1 fejl, 18 advarsler, 1 til orientering.")


def test_json_output(folder: Path) -> None:
    edit(folder / "tekst" / "10-indledning.md", "28 afdelinger", "27 afdelinger")
    document = json.loads(run(folder).to_json())
    assert document["summary"] == {"fejl": 1, "advarsel": 18, "info": 1}
    first = document["findings"][0]
    assert first == {
        "code": "BS101",
        "severity": "fejl",
        "message": first["message"],
        "location": 'afsnittet "1. Problemkompleks"',
        "file": "tekst/10-indledning.md",
        "line": 3,
    }


def test_every_code_is_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    documented = set(re.findall(r"^### (BS\d{3})\b", docs, re.MULTILINE))
    assert documented == set(RULES)

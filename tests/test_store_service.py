"""The service layer on SQLite and PostgreSQL: faithful storage, round trips, editing with
validation and optimistic locking, verdicts, the audit trail."""

from __future__ import annotations

import dataclasses
import re
import zipfile
from datetime import date
from decimal import Decimal
from fractions import Fraction
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from boligsocial.law.figures import Measure, UnitFigures
from boligsocial.plan.folder import load_plan, save_plan
from boligsocial.plan.keyfigures import read_key_figures
from boligsocial.store import (
    KEY_FIGURE_FIELDS,
    Actor,
    ConflictError,
    ImportRefused,
    NotAllowed,
    NotFound,
    Services,
    ValidationFailed,
    bootstrap,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter"

Sessions = sessionmaker[Session]


def without_source(units: list[UnitFigures]) -> list[UnitFigures]:
    return [dataclasses.replace(unit, source=None) for unit in units]


def service(sessions: Sessions, name: str = "Mette", role: str = "administrator") -> Services:
    return Services(sessions, Actor(name, role))


def plan_id(sessions: Sessions) -> int:
    (summary,) = service(sessions).plans.list_plans()
    return summary.id


def afdeling_id(svc: Services, pid: int, navn: str) -> int:
    return next(a.id for a in svc.key_figures.afdelinger(pid) if a.navn == navn)


def snapshot(svc: Services, pid: int) -> tuple[object, ...]:
    """Everything the store holds for a plan, for "nothing changed" comparisons."""
    return (
        svc.plans.get_plan(pid),
        svc.key_figures.key_figures(pid),
        [(r.name, r.text) for r in svc.prose.prose(pid)],
        [(a.id, a.version) for a in svc.key_figures.afdelinger(pid)],
        len(svc.audit.audit_events(pid)),
    )


# --------------------------------------------------------------------------------------------------
# Faithful storage and round trips


def test_first_start_loads_the_example(db_url: str) -> None:
    sessions = bootstrap(db_url, EXAMPLE)
    try:
        (summary,) = service(sessions).plans.list_plans()
        assert (summary.navn, summary.afdelinger, summary.list_years, summary.liste_aar) == (
            "Mit Kvarter",
            28,
            (2022,),
            2022,
        )
    finally:
        sessions.kw["bind"].dispose()
    # A second start neither migrates again nor loads the example twice.
    again = bootstrap(db_url, EXAMPLE)
    try:
        assert len(service(again).plans.list_plans()) == 1
        assert len(service(again).audit.audit_events()) == 1
    finally:
        again.kw["bind"].dispose()


def test_stored_example_equals_the_plan_folder(example_sessions: Sessions) -> None:
    svc = service(example_sessions)
    pid = plan_id(example_sessions)
    assert svc.plans.get_plan(pid) == load_plan(EXAMPLE)
    assert svc.key_figures.key_figures(pid) == without_source(read_key_figures(EXAMPLE / "noegletal.csv"))
    texts = sorted(p.name for p in (EXAMPLE / "tekst").glob("*.md")) if (EXAMPLE / "tekst").is_dir() else []
    assert [r.name for r in svc.prose.prose(pid)] == texts
    for record in svc.prose.prose(pid):
        assert record.text == (EXAMPLE / "tekst" / record.name).read_text(encoding="utf-8")


def _make_changes(svc: Services, pid: int) -> None:
    """Edits that exercise every kind of stored value: counts, a typed precision, a new year's
    key figures, a new measurement, a prose file."""
    folehaven = afdeling_id(svc, pid, "Folehaven")
    record = svc.key_figures.get_afdeling_figures(pid, folehaven)
    svc.key_figures.update_key_figures(
        pid,
        folehaven,
        {
            "ikke_vestlige_pct": "29,0",
            "doemte_taeller": "27",
            "doemte_naevner": "1.508",
            "indkomst_taeller": "123.456.789",
            "indkomst_naevner": "1.400",
            "indkomst_region_gns": "350.000",
            "afdelingsnummer": "0012",
        },
        record.version,
    )
    elleparken = afdeling_id(svc, pid, "Elleparken")
    assert svc.key_figures.get_afdeling_figures(pid, elleparken, 2023).version == 0
    svc.key_figures.update_key_figures(
        pid,
        elleparken,
        {"beboere": "440", "uden_for_arbejdsmarked_pct": "35,1", "ikke_vestlige_pct": "-", "doemte_pct": "3"},
        0,
        2023,
    )
    svc.indicators.add_or_update_maaling(pid, "fravaer-grundskole", "2024", "7,95", None)
    svc.prose.save_prose(pid, "noter.md", "# Noter\r\n\nÆndret af Mette.\n", 0)
    average = {"doemte_pct": "0,7300", "kilde": "Ministeriet; listerne 1. december", "kilde_dato": "1.12.2024"}
    svc.national_averages.save_national_average(pid, 2024, average, 0)


def entered(svc: Services, pid: int) -> list[tuple[int, str, str, object]]:
    return [
        (r.list_year, r.texts()["doemte_pct"], r.kilde, r.kilde_dato)
        for r in svc.national_averages.national_averages(pid)
        if r.entered
    ]


def test_export_then_import_gives_identical_data(example_sessions: Sessions, tmp_path: Path) -> None:
    svc = service(example_sessions)
    pid = plan_id(example_sessions)
    _make_changes(svc, pid)

    folder = svc.exports.export_plan_folder(pid, tmp_path / "eksport")
    assert load_plan(folder) == svc.plans.get_plan(pid)
    copy = svc.plans.import_plan_folder(folder)
    assert copy != pid
    assert svc.plans.get_plan(copy) == svc.plans.get_plan(pid)
    assert svc.key_figures.key_figures(copy) == svc.key_figures.key_figures(pid)
    assert [(r.name, r.text) for r in svc.prose.prose(copy)] == [(r.name, r.text) for r in svc.prose.prose(pid)]
    indikatorer = [(i.indikator, [m.vaerdi_text for m in i.maalinger]) for i in svc.indicators.indikatorer(pid)]
    assert [
        (i.indikator, [m.vaerdi_text for m in i.maalinger]) for i in svc.indicators.indikatorer(copy)
    ] == indikatorer
    # The entered national average travels in landsgennemsnit.csv, with its written decimals.
    assert (folder / "landsgennemsnit.csv").is_file()
    assert (
        entered(svc, copy)
        == entered(svc, pid)
        == [(2024, "0,7300", "Ministeriet; listerne 1. december", date(2024, 12, 1))]
    )

    # And the export of the copy is the same folder, byte for byte.
    again = svc.exports.export_plan_folder(copy, tmp_path / "igen")
    files = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for relative in files:
        assert (folder / relative).read_bytes() == (again / relative).read_bytes(), relative


def test_exact_values_survive_the_round_trip(example_sessions: Sessions) -> None:
    svc = service(example_sessions)
    pid = plan_id(example_sessions)
    _make_changes(svc, pid)
    folehaven = next(u for u in svc.key_figures.key_figures(pid, 2022) if u.name == "Folehaven")
    assert folehaven.measurement(Measure.IKKE_VESTLIGE).value == Fraction(29)
    doemte = folehaven.measurement(Measure.DOEMTE)
    assert (doemte.numerator, doemte.denominator) == (Fraction(27), Fraction(1508))
    income = folehaven.measurement(Measure.INDKOMST)
    assert income.numerator == Fraction(123456789, 350000)
    assert folehaven.extra == {"indkomst_region_gns": "350000", "afdelingsnummer": "0012"}
    record = svc.key_figures.get_afdeling_figures(pid, afdeling_id(svc, pid, "Folehaven"))
    assert record.values["ikke_vestlige_pct"] == "29,0"  # the typed precision is kept for display
    assert record.values["doemte_pct"] == "1,79"  # 27 / 1508 = 1,7904... shown rounded
    indikator = svc.indicators.get_indikator(pid, "fravaer-grundskole")
    # The example also has (synthetic, illustrative) values for 2025 and 2026.
    assert [(m.aar, m.vaerdi) for m in indikator.maalinger if m.aar in (2021, 2024)] == [
        (2021, Decimal("8.21")),
        (2024, Decimal("7.95")),
    ]


def test_plan_archive_round_trip(example_sessions: Sessions) -> None:
    svc = service(example_sessions)
    pid = plan_id(example_sessions)
    data = svc.exports.export_plan_archive(pid)
    names = zipfile.ZipFile(BytesIO(data)).namelist()
    assert "mit-kvarter/helhedsplan.toml" in names and "mit-kvarter/noegletal.csv" in names
    copy = svc.plans.import_plan_archive(data, "mit-kvarter.zip")
    assert svc.plans.get_plan(copy) == svc.plans.get_plan(pid)
    assert svc.key_figures.key_figures(copy) == svc.key_figures.key_figures(pid)


def test_bad_archive_is_refused(example_sessions: Sessions) -> None:
    svc = service(example_sessions)
    with pytest.raises(ImportRefused, match="ikke en gyldig ZIP-fil"):
        svc.plans.import_plan_archive(b"ikke en zip", "plan.zip")
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../helhedsplan.toml", "navn = 'x'")
    with pytest.raises(ImportRefused, match="ugyldigt filnavn"):
        svc.plans.import_plan_archive(buffer.getvalue(), "plan.zip")
    assert len(svc.plans.list_plans()) == 1


def test_key_figures_export(example_sessions: Sessions, tmp_path: Path) -> None:
    svc = service(example_sessions)
    pid = plan_id(example_sessions)
    for suffix, data in (
        (".xlsx", svc.exports.export_key_figures_xlsx(pid)),
        (".csv", svc.exports.export_key_figures_csv(pid)),
    ):
        path = tmp_path / f"noegletal{suffix}"
        path.write_bytes(data)
        assert without_source(read_key_figures(path)) == svc.key_figures.key_figures(pid)


def test_a_bad_plan_folder_is_refused_and_nothing_stored(db_url: str, tmp_path: Path) -> None:
    sessions = bootstrap(db_url, load_example=False)
    svc = service(sessions)
    try:
        folder = tmp_path / "plan"
        save_plan(load_plan(EXAMPLE), folder)
        lines = (EXAMPLE / "noegletal.csv").read_text(encoding="utf-8-sig").splitlines()
        lines[5] = lines[5].replace("Folehaven", "Folehavn")  # a typo in row 6
        lines[7] = lines[7].replace(";38;", ";tre;")  # not a number in row 8
        (folder / "noegletal.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        with pytest.raises(ImportRefused) as caught:
            svc.plans.import_plan_folder(folder)
        issues = {(i.row, i.column): i.message for i in caught.value.issues}
        assert issues == {(8, "boliger"): '"tre" er ikke et tal'}, "the file's own errors come first"

        lines[7] = lines[7].replace(";tre;", ";38;")
        (folder / "noegletal.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        with pytest.raises(ImportRefused) as caught:
            svc.plans.import_plan_folder(folder)
        (issue,) = caught.value.issues
        assert (issue.file, issue.row, issue.column) == ("noegletal.csv", 6, "afdeling")
        assert 'afdelingen "Folehavn" hos "3B" findes ikke i planen' in issue.message

        (folder / "helhedsplan.toml").write_text('navn = "x"\n', encoding="utf-8")
        with pytest.raises(ImportRefused) as caught:
            svc.plans.import_plan_folder(folder)
        assert any("påkrævet nøgle mangler" in i.message for i in caught.value.issues)
        assert svc.plans.list_plans() == []
        assert svc.audit.audit_events() == []
    finally:
        sessions.kw["bind"].dispose()


def test_delete_plan(example_sessions: Sessions) -> None:
    svc = service(example_sessions)
    pid = plan_id(example_sessions)
    version = svc.plans.plan_version(pid)
    with pytest.raises(ConflictError):
        svc.plans.delete_plan(pid, version + 1)
    svc.plans.delete_plan(pid, version)
    assert svc.plans.list_plans() == []
    with pytest.raises(NotFound, match="findes ikke"):
        svc.plans.get_plan(pid)
    assert svc.audit.audit_events(pid)[0].action == "slet_plan"  # the trail survives


# --------------------------------------------------------------------------------------------------
# Editing key figures


def test_update_changes_the_verdict(example_sessions: Sessions) -> None:
    svc = service(example_sessions)
    pid = plan_id(example_sessions)
    before = svc.overview.plan_context(pid)
    folehaven = before.plan.find_afdeling("Folehaven")
    assert folehaven is not None
    verdict = before.verdict(folehaven)
    assert verdict is not None and verdict.lists["forebyggelsesomraade"].status is True

    afd = before.afdeling_id(folehaven)
    record = svc.key_figures.get_afdeling_figures(pid, afd)
    assert record.values["ikke_vestlige_pct"] == "47,5"
    saved = svc.key_figures.update_key_figures(pid, afd, {"ikke_vestlige_pct": "29,0"}, record.version)
    assert saved.version == record.version + 1
    assert saved.values["ikke_vestlige_pct"] == "29,0"

    after = svc.overview.plan_context(pid)
    verdict = after.verdict(folehaven)
    assert verdict is not None and verdict.lists["forebyggelsesomraade"].status is False


def test_stale_version_is_a_conflict_and_nothing_changes(example_sessions: Sessions) -> None:
    mette, jens = service(example_sessions, "Mette"), service(example_sessions, "Jens")
    pid = plan_id(example_sessions)
    afd = afdeling_id(mette, pid, "Folehaven")
    opened_by_mette = mette.key_figures.get_afdeling_figures(pid, afd)
    opened_by_jens = jens.key_figures.get_afdeling_figures(pid, afd)
    jens.key_figures.update_key_figures(pid, afd, {"beboere": "2.000"}, opened_by_jens.version)
    before = snapshot(mette, pid)
    with pytest.raises(ConflictError) as caught:
        mette.key_figures.update_key_figures(pid, afd, {"beboere": "1.900"}, opened_by_mette.version)
    message = str(caught.value)
    assert re.match(r"Afdelingen er ændret af Jens den \d\d\.\d\d\.\d{4} kl\. \d\d\.\d\d, efter", message), message
    assert message.endswith("efter du åbnede den. Dine ændringer er ikke gemt; genindlæs og prøv igen.")
    assert caught.value.changed_by == "Jens"
    assert snapshot(mette, pid) == before
    assert mette.key_figures.get_afdeling_figures(pid, afd).values["beboere"] == "2.000"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"ikke_vestlige_pct": "101"}, {"ikke_vestlige_pct": '"101" ligger ikke mellem 0 og 100 %'}),
        ({"doemte_pct": "abc"}, {"doemte_pct": '"abc" er ikke et tal'}),
        ({"beboere": "-5"}, {"beboere": '"-5" er negativt; et antal kan ikke være negativt'}),
        ({"beboere": "12,5"}, {"beboere": '"12,5" er ikke et helt tal'}),
        ({"indkomst_pct_af_region": "250.000"}, {"indkomst_pct_af_region": "er for stort"}),
        (
            {"ikke_vestlige_pct": "1,5,5", "boliger": "ti", "kommune": "Valby"},
            {"ikke_vestlige_pct": "der må kun være ét decimalkomma", "boliger": '"ti" er ikke et tal'},
        ),
        ({"doemte_taeller": "5"}, {"doemte_naevner": 'mangler, når "doemte_taeller" er udfyldt'}),
        ({"doemte_taeller": "11", "doemte_naevner": "10"}, {"doemte_taeller": 'tælleren "11" er større end nævneren'}),
        ({"farve": "blå"}, {"farve": "Ukendt felt"}),
    ],
)
def test_validation_errors_by_field_in_danish(
    example_sessions: Sessions, changes: dict[str, str], expected: dict[str, str]
) -> None:
    svc = service(example_sessions)
    pid = plan_id(example_sessions)
    afd = afdeling_id(svc, pid, "Folehaven")
    record = svc.key_figures.get_afdeling_figures(pid, afd)
    before = snapshot(svc, pid)
    with pytest.raises(ValidationFailed) as caught:
        svc.key_figures.update_key_figures(pid, afd, changes, record.version)
    errors = caught.value.errors
    assert set(errors) == set(expected)
    for field, text in expected.items():
        assert text.casefold() in errors[field].casefold(), errors[field]
        assert errors[field][0] == errors[field][0].upper()
    assert str(caught.value).startswith("Ændringerne er ikke gemt")
    assert snapshot(svc, pid) == before


def test_counts_decide_the_share(example_sessions: Sessions) -> None:
    svc = service(example_sessions)
    pid = plan_id(example_sessions)
    afd = afdeling_id(svc, pid, "Folehaven")
    record = svc.key_figures.get_afdeling_figures(pid, afd)
    saved = svc.key_figures.update_key_figures(
        pid, afd, {"doemte_taeller": "30", "doemte_naevner": "1.500"}, record.version
    )
    assert saved.values["doemte_pct"] == "2,00"
    assert saved.figures.measurement(Measure.DOEMTE).value == Fraction(2)
    # A form that sends every field back unchanged changes nothing.
    unchanged = svc.key_figures.update_key_figures(pid, afd, dict(saved.values), saved.version)
    assert unchanged.version == saved.version
    # A typed percentage must agree with the counts.
    with pytest.raises(ValidationFailed) as caught:
        svc.key_figures.update_key_figures(pid, afd, {"doemte_pct": "2,5"}, saved.version)
    assert "passer ikke med tæller og nævner" in caught.value.errors["doemte_pct"]
    # Clearing the counts and typing a percentage makes it a plain percentage again.
    plain = svc.key_figures.update_key_figures(
        pid, afd, {"doemte_taeller": "-", "doemte_naevner": "-", "doemte_pct": "2,5"}, saved.version
    )
    assert plain.figures.measurement(Measure.DOEMTE).numerator is None
    assert plain.values["doemte_pct"] == "2,5"


def test_suppressed_values(example_sessions: Sessions) -> None:
    svc = service(example_sessions)
    pid = plan_id(example_sessions)
    afd = afdeling_id(svc, pid, "Folehaven")
    record = svc.key_figures.get_afdeling_figures(pid, afd)
    saved = svc.key_figures.update_key_figures(pid, afd, {"beboere": "-", "doemte_pct": "x"}, record.version)
    assert saved.figures.residents is None
    assert saved.figures.measurement(Measure.DOEMTE).value is None
    assert (saved.values["beboere"], saved.values["doemte_pct"]) == ("-", "-")


def test_new_list_year_starts_at_version_zero(example_sessions: Sessions) -> None:
    svc = service(example_sessions)
    pid = plan_id(example_sessions)
    afd = afdeling_id(svc, pid, "Elleparken")
    empty = svc.key_figures.get_afdeling_figures(pid, afd, 2023)
    assert (empty.version, empty.exists, empty.values["beboere"]) == (0, False, "-")
    created = svc.key_figures.update_key_figures(pid, afd, {"beboere": "450"}, 0, 2023)
    assert (created.version, created.list_year) == (1, 2023)
    with pytest.raises(ConflictError):  # someone else's form, also opened before it existed
        svc.key_figures.update_key_figures(pid, afd, {"beboere": "460"}, 0, 2023)
    assert [u.list_year for u in svc.key_figures.key_figures(pid) if u.name == "Elleparken"] == [2022, 2023]
    assert [u.name for u in svc.key_figures.key_figures(pid, 2023)] == ["Elleparken"]
    assert svc.plans.list_plans()[0].list_years == (2022, 2023)


def test_reader_may_not_write(example_sessions: Sessions) -> None:
    reader = service(example_sessions, "Lis", "laeser")
    pid = plan_id(example_sessions)
    afd = afdeling_id(reader, pid, "Folehaven")
    record = reader.key_figures.get_afdeling_figures(pid, afd)
    with pytest.raises(NotAllowed, match="læseadgang"):
        reader.key_figures.update_key_figures(pid, afd, {"beboere": "1"}, record.version)
    with pytest.raises(NotAllowed):
        reader.indicators.add_or_update_maaling(pid, "fravaer-grundskole", 2024, "1", None)


def test_not_found(example_sessions: Sessions) -> None:
    svc = service(example_sessions)
    pid = plan_id(example_sessions)
    with pytest.raises(NotFound):
        svc.key_figures.get_afdeling_figures(pid, 999_999)
    with pytest.raises(NotFound):
        svc.key_figures.get_afdeling_figures(pid + 1, afdeling_id(svc, pid, "Folehaven"))
    with pytest.raises(NotFound, match="Indikatoren"):
        svc.indicators.get_indikator(pid, "findes-ikke")
    with pytest.raises(NotFound):
        svc.key_figures.key_figures(pid + 1)


def test_form_fields_match_the_record() -> None:
    names = [spec.name for spec in KEY_FIGURE_FIELDS]
    assert len(names) == len(set(names))
    assert {"beboere", "boliger", "ikke_vestlige_pct", "indkomst_region_gns"} <= set(names)


# --------------------------------------------------------------------------------------------------
# Indicator values


def test_measurements(example_sessions: Sessions) -> None:
    mette, jens = service(example_sessions, "Mette"), service(example_sessions, "Jens")
    pid = plan_id(example_sessions)
    added = mette.indicators.add_or_update_maaling(pid, "beskaeftigelse", "2027", "59,1", None)
    assert (added.aar, added.vaerdi, added.vaerdi_text, added.version) == (2027, Decimal("59.1"), "59,1", 1)
    with pytest.raises(ConflictError, match="Der er allerede en måling for 2027, gemt af Mette"):
        jens.indicators.add_or_update_maaling(pid, "beskaeftigelse", 2027, "60", None)
    updated = jens.indicators.add_or_update_maaling(pid, "beskaeftigelse", 2027, "60,2", added.version)
    assert (updated.id, updated.vaerdi, updated.version) == (added.id, Decimal("60.2"), 2)
    with pytest.raises(ConflictError, match="Målingen for 2027 er ændret af Jens"):
        mette.indicators.add_or_update_maaling(pid, "beskaeftigelse", 2027, "61", added.version)
    indikator = mette.indicators.get_indikator(pid, "beskaeftigelse").indikator
    assert [(m.aar, m.vaerdi) for m in indikator.maalinger] == [
        (2023, Decimal("58.7")),
        (2025, Decimal("59.8")),  # the example's synthetic value
        (2027, Decimal("60.2")),
    ]
    assert indikator.seneste is not None and indikator.seneste.aar == 2027
    assert mette.plans.get_plan(pid).find_indikator("beskaeftigelse") == indikator

    # A value without a year is changed by its id.
    (socialsager,) = mette.indicators.get_indikator(pid, "socialsager").maalinger
    changed = mette.indicators.update_maaling(pid, socialsager.id, "1.964", socialsager.version)
    assert changed.vaerdi == Decimal(1964) and changed.aar is None
    with pytest.raises(ConflictError):
        mette.indicators.update_maaling(pid, socialsager.id, "5", socialsager.version)
    mette.indicators.delete_maaling(pid, changed.id, changed.version)
    assert mette.indicators.get_indikator(pid, "socialsager").maalinger == ()


@pytest.mark.parametrize(
    ("aar", "vaerdi", "expected"),
    [
        ("2024", "abc", {"vaerdi": '"abc" er ikke et tal'}),
        ("2024", "-", {"vaerdi": "Værdien skal udfyldes"}),
        ("2024", "101", {"vaerdi": '"101" ligger ikke mellem 0 og 100 %'}),
        ("24", "5", {"aar": '"24" er ikke et årstal'}),
        ("1800", "5", {"aar": "Året skal ligge mellem 1950 og 2029"}),
        ("2035", "ti", {"aar": "Året skal ligge mellem 1950 og 2029", "vaerdi": '"ti" er ikke et tal'}),
    ],
)
def test_measurement_validation(example_sessions: Sessions, aar: str, vaerdi: str, expected: dict[str, str]) -> None:
    svc = service(example_sessions)
    pid = plan_id(example_sessions)
    before = snapshot(svc, pid)
    with pytest.raises(ValidationFailed) as caught:
        svc.indicators.add_or_update_maaling(pid, "fravaer-grundskole", aar, vaerdi, None)
    assert set(caught.value.errors) == set(expected)
    for field, text in expected.items():
        assert text in caught.value.errors[field]
    assert snapshot(svc, pid) == before


# --------------------------------------------------------------------------------------------------
# Prose, audit, overview


def test_prose(example_sessions: Sessions) -> None:
    svc = service(example_sessions)
    pid = plan_id(example_sessions)
    created = svc.prose.save_prose(pid, "noter.md", "Første udgave\n", 0)
    assert created.version == 1
    with pytest.raises(ConflictError):
        svc.prose.save_prose(pid, "noter.md", "Anden udgave\n", 0)
    assert svc.prose.save_prose(pid, "noter.md", "Anden udgave\n", 1).version == 2
    with pytest.raises(ValidationFailed):
        svc.prose.save_prose(pid, "../hemmelig.md", "x", 0)


def test_audit_events_name_the_actor(example_sessions: Sessions) -> None:
    mette = service(example_sessions, "Mette", "redaktoer")
    pid = plan_id(example_sessions)
    (loaded,) = mette.audit.audit_events(pid)
    assert (loaded.actor, loaded.role, loaded.action, loaded.entity) == ("system", "system", "importer_plan", "plan")
    afd = afdeling_id(mette, pid, "Folehaven")
    record = mette.key_figures.get_afdeling_figures(pid, afd)
    mette.key_figures.update_key_figures(pid, afd, {"ikke_vestlige_pct": "29,0"}, record.version)
    mette.indicators.add_or_update_maaling(pid, "fravaer-grundskole", 2024, "7", None)
    maaling, noegletal, _ = mette.audit.audit_events(pid)
    assert (noegletal.actor, noegletal.role, noegletal.action, noegletal.entity) == (
        "Mette",
        "redaktoer",
        "ret_noegletal",
        "noegletal",
    )
    assert noegletal.before == {"ikke_vestlige_pct": "47,5"}
    assert noegletal.after == {"ikke_vestlige_pct": "29,0"}
    assert "Folehaven" in noegletal.summary and "47,5 → 29,0" in noegletal.summary
    assert noegletal.at.tzinfo is not None
    assert (maaling.action, maaling.before, maaling.after["vaerdi"]) == ("opret_maaling", None, "7")


def test_plan_context_without_key_figures(db_url: str, tmp_path: Path) -> None:
    sessions = bootstrap(db_url, load_example=False)
    try:
        plan = load_plan(EXAMPLE)
        plan.noegletal = None
        save_plan(plan, tmp_path / "plan")
        svc = service(sessions)
        pid = svc.plans.import_plan_folder(tmp_path / "plan")
        overview = svc.overview.plan_context(pid)
        assert overview.result is None and overview.problem is not None
        assert "ingen nøgletal" in overview.problem
    finally:
        sessions.kw["bind"].dispose()


def test_simultaneous_saves_of_the_same_version_let_exactly_one_win(example_sessions: Sessions) -> None:
    """Real concurrency: eight people save the form they all opened at the same version at the
    same moment. One save wins; every other gets a ConflictError; nothing is lost or mixed."""
    import threading

    pid = plan_id(example_sessions)
    afd = afdeling_id(service(example_sessions), pid, "Folehaven")
    version = service(example_sessions).key_figures.get_afdeling_figures(pid, afd).version
    start = threading.Barrier(8)
    outcomes: dict[int, str] = {}

    def save(number: int) -> None:
        svc = service(example_sessions, f"Person {number}")
        start.wait()
        try:
            svc.key_figures.update_key_figures(pid, afd, {"beboere": str(2000 + number)}, version)
            outcomes[number] = "gemt"
        except ConflictError:
            outcomes[number] = "konflikt"

    threads = [threading.Thread(target=save, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    winners = [n for n, outcome in outcomes.items() if outcome == "gemt"]
    assert len(outcomes) == 8 and len(winners) == 1, outcomes
    record = service(example_sessions).key_figures.get_afdeling_figures(pid, afd)
    assert (record.version, record.figures.residents) == (version + 1, 2000 + winners[0])
    assert [e.actor for e in service(example_sessions).audit.audit_events(pid)[:1]] == [f"Person {winners[0]}"]

"""Key-figure import into a stored plan: dry-run preview by row and column, all-or-nothing commit."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from boligsocial.law.figures import Measure
from boligsocial.plan.folder import load_plan, save_plan
from boligsocial.store import Actor, ConflictError, ImportRefused, Services, UnitOfWork, bootstrap

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter"
HEADER = (
    "boligorganisation;afdeling;boliger;beboere;uden_for_arbejdsmarked_pct;ikke_vestlige_pct;doemte_pct;"
    "kun_grundskole_pct;indkomst_pct_af_region;kommune;listeaar"
)

Sessions = sessionmaker[Session]


def service(sessions: Sessions, name: str = "Mette") -> Services:
    return Services(sessions, Actor(name, "administrator"))


def plan_id(svc: Services) -> int:
    (summary,) = svc.plans.list_plans()
    return summary.id


def csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def snapshot(svc: Services, pid: int) -> tuple[object, ...]:
    return (
        svc.plans.get_plan(pid),
        svc.key_figures.key_figures(pid),
        [(a.id, a.version) for a in svc.key_figures.afdelinger(pid)],
        svc.plans.plan_version(pid),
        len(svc.audit.audit_events(pid)),
    )


def test_preview_lists_every_problem_by_row_and_column_and_commit_refuses(example_sessions: Sessions) -> None:
    svc = service(example_sessions)
    pid = plan_id(svc)
    before = snapshot(svc, pid)
    data = csv(
        "3B;Folehaven;973;1.964;30,9;abc;1,79;57,3;59,3;København;2022",
        "3B;Damagervej;141;243;36,2;136,6;2,10;57,3;57,7;København;2022",
    )
    preview = svc.imports.preview_import(pid, "noegletal.csv", data)
    assert not preview.ok
    assert [(i.file, i.row, i.column) for i in preview.issues] == [
        ("noegletal.csv", 2, "ikke_vestlige_pct"),
        ("noegletal.csv", 3, "ikke_vestlige_pct"),
    ]
    assert preview.issues[0].message == '"abc" er ikke et tal'
    assert preview.issues[1].message == '"136,6" ligger ikke mellem 0 og 100 %'
    with pytest.raises(ImportRefused) as caught:
        svc.imports.commit_import(pid, "noegletal.csv", data)
    assert caught.value.issues == list(preview.issues)
    assert 'noegletal.csv, række 2, kolonne "ikke_vestlige_pct": "abc" er ikke et tal' in str(caught.value)
    assert snapshot(svc, pid) == before


def test_plan_level_problems_have_row_and_column(example_sessions: Sessions) -> None:
    svc = service(example_sessions)
    pid = plan_id(svc)
    before = snapshot(svc, pid)
    data = csv(
        "3B;Folehaven;973;1.964;30,9;47,5;1,79;57,3;59,3;København;2022",
        "3B;Valbyejendommene;389;709;37,9;45,4;3,17;56,2;54,5;København;2022",
        "3B;Ukendt Vænge;10;20;1;1;1;1;60;København;2022",
        "XYZ;Elleparken;270;439;35,6;51,3;3,31;55,2;54,0;København;2022",
        "3B;Folehaven;973;1.964;30,9;47,5;1,79;57,3;59,3;København;-",
    )
    preview = svc.imports.preview_import(pid, "nye-tal.csv", data)
    issues = {(i.row, i.column): i.message for i in preview.issues}
    assert set(issues) == {(3, "afdeling"), (4, "afdeling"), (5, "boligorganisation"), (6, "afdeling")}
    assert 'i planen hedder den "Valby ejendommene"' in issues[(3, "afdeling")]
    assert 'afdelingen "Ukendt Vænge" hos "3B" findes ikke i planen' in issues[(4, "afdeling")]
    assert 'boligorganisationen "XYZ" findes ikke i planen' in issues[(5, "boligorganisation")]
    assert "står to gange for listeår 2022 (første gang i række 2)" in issues[(6, "afdeling")]
    assert all(issue.file == "nye-tal.csv" for issue in preview.issues)
    with pytest.raises(ImportRefused):
        svc.imports.commit_import(pid, "nye-tal.csv", data)
    assert snapshot(svc, pid) == before


def test_unreadable_file_is_a_preview_issue(example_sessions: Sessions) -> None:
    svc = service(example_sessions)
    pid = plan_id(svc)
    preview = svc.imports.preview_import(pid, "C:\\Users\\mette\\tal.pdf", b"%PDF-1.4")
    assert not preview.ok and preview.rows == ()
    (issue,) = preview.issues
    assert issue.file == "tal.pdf" and "understøttes ikke" in issue.message
    with pytest.raises(ImportRefused):
        svc.imports.commit_import(pid, "tal.pdf", b"%PDF-1.4")


def test_clean_import_commits_every_row(example_sessions: Sessions) -> None:
    mette = service(example_sessions)
    pid = plan_id(mette)
    data = csv(
        "3B;Folehaven;973;1.964;30,9;29,0;1,79;57,3;59,3;København;2022",  # changed
        "SAB;Elleparken;270;450;35,6;51,3;3,31;55,2;54,0;København;2022",  # changed
        "PAB;Hornemanns Vænge;288;579;33,9;47,3;2,97;61,9;54,2;København;2022",  # unchanged
        "3B;Folehaven;973;1.950;30,1;46,0;1,70;57,0;59,0;København;2023",  # new year
    )
    preview = mette.imports.preview_import(pid, "noegletal.csv", data)
    assert preview.ok, preview.issues
    assert [(r.row, r.afdeling, r.list_year, r.status) for r in preview.rows] == [
        (2, "Folehaven", 2022, "ændret"),
        (3, "Elleparken", 2022, "ændret"),
        (4, "Hornemanns Vænge", 2022, "uændret"),
        (5, "Folehaven", 2023, "ny"),
    ]
    assert [(c.field, c.old, c.new) for c in preview.rows[0].changes] == [("ikke_vestlige_pct", "47,5", "29,0")]
    assert [(c.field, c.old, c.new) for c in preview.rows[1].changes] == [("beboere", "439", "450")]
    assert preview.changed == 3

    committed = service(example_sessions, "Jens").imports.commit_import(pid, "noegletal.csv", data, preview.token)
    assert committed == preview
    units = {(u.name, u.list_year): u for u in mette.key_figures.key_figures(pid)}
    assert units[("Folehaven", 2022)].measurement(Measure.IKKE_VESTLIGE).value == 29
    # Read back with the precision it was written with ("29,0": within 0,05), which bounds the areas
    # built from it; "1.950" residents and "30,1" keep theirs too.
    assert units[("Folehaven", 2022)].measurement(Measure.IKKE_VESTLIGE).precision == Fraction(1, 20)
    assert units[("Folehaven", 2023)].measurement(Measure.UDEN_FOR_ARBEJDSMARKED).precision == Fraction(1, 20)
    assert units[("Folehaven", 2023)].measurement(Measure.DOEMTE).precision == Fraction(1, 200)
    assert units[("Elleparken", 2022)].residents == 450
    assert units[("Folehaven", 2023)].residents == 1950
    assert len(units) == 29  # the other afdelinger are kept

    events = mette.audit.audit_events(pid)
    assert [e.action for e in events[:4]] == [
        "importer_noegletalsfil",
        "importer_noegletal",
        "importer_noegletal",
        "importer_noegletal",
    ]
    assert all(e.actor == "Jens" for e in events[:4])
    assert "1 nye, 2 ændrede og 1 uændrede rækker" in events[0].summary
    # The verdict follows at once.
    overview = mette.overview.plan_context(pid)
    folehaven = overview.plan.find_afdeling("Folehaven")
    assert folehaven is not None
    verdict = overview.verdict(folehaven)
    assert verdict is not None and verdict.lists["forebyggelsesomraade"].status is False


def test_rows_without_a_list_year_take_the_plans(example_sessions: Sessions) -> None:
    svc = service(example_sessions)
    pid = plan_id(svc)
    header = HEADER.removesuffix(";listeaar")
    data = csv("3B;Folehaven;973;1.964;30,9;29,0;1,79;57,3;59,3;København", header=header)
    preview = svc.imports.preview_import(pid, "uden-aar.csv", data)
    assert [(r.list_year, r.status) for r in preview.rows] == [(2022, "ændret")]
    svc.imports.commit_import(pid, "uden-aar.csv", data)
    assert [u.list_year for u in svc.key_figures.key_figures(pid) if u.name == "Folehaven"] == [2022]


def test_exported_workbook_imports_unchanged(example_sessions: Sessions) -> None:
    svc = service(example_sessions)
    pid = plan_id(svc)
    before = svc.key_figures.key_figures(pid)
    workbook = svc.exports.export_key_figures_xlsx(pid)
    preview = svc.imports.preview_import(pid, "noegletal.xlsx", workbook)
    assert preview.ok, preview.issues
    assert len(preview.rows) == 28 and {r.status for r in preview.rows} == {"uændret"}
    versions = [(a.id, a.version) for a in svc.key_figures.afdelinger(pid)]
    svc.imports.commit_import(pid, "noegletal.xlsx", workbook)
    assert svc.key_figures.key_figures(pid) == before
    assert [(a.id, a.version) for a in svc.key_figures.afdelinger(pid)] == versions


def test_failed_commit_leaves_the_database_unchanged(
    example_sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = service(example_sessions)
    pid = plan_id(svc)
    before = snapshot(svc, pid)
    data = csv(
        "3B;Folehaven;973;1.964;30,9;29,0;1,79;57,3;59,3;København;2022",
        "SAB;Elleparken;270;450;35,6;51,3;3,31;55,2;54,0;København;2022",
        "3B;Folehaven;973;1.950;30,1;46,0;1,70;57,0;59,0;København;2023",
    )
    calls = 0
    original = UnitOfWork._audit

    def failing_audit(self: UnitOfWork, *args: object, **kwargs: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:  # two rows are written (and flushed) when the third fails
            raise OSError("disken er fuld")
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(UnitOfWork, "_audit", failing_audit)
    with pytest.raises(OSError, match="disken er fuld"):
        svc.imports.commit_import(pid, "noegletal.csv", data)
    monkeypatch.undo()
    assert calls == 3
    assert snapshot(svc, pid) == before


def test_commit_refuses_when_rows_changed_after_the_preview(example_sessions: Sessions) -> None:
    mette, jens = service(example_sessions, "Mette"), service(example_sessions, "Jens")
    pid = plan_id(mette)
    data = csv("3B;Folehaven;973;1.964;30,9;29,0;1,79;57,3;59,3;København;2022")
    preview = mette.imports.preview_import(pid, "noegletal.csv", data)
    folehaven = next(a.id for a in jens.key_figures.afdelinger(pid) if a.navn == "Folehaven")
    record = jens.key_figures.get_afdeling_figures(pid, folehaven)
    jens.key_figures.update_key_figures(pid, folehaven, {"beboere": "2.000"}, record.version)
    before = snapshot(mette, pid)
    with pytest.raises(ConflictError, match="efter forhåndsvisningen"):
        mette.imports.commit_import(pid, "noegletal.csv", data, preview.token)
    assert snapshot(mette, pid) == before
    with pytest.raises(ConflictError):  # a different file than the one previewed
        mette.imports.commit_import(pid, "noegletal.csv", data.replace(b"29,0", b"28,0"), preview.token)


def test_import_into_a_plan_without_key_figures(db_url: str, tmp_path: Path) -> None:
    sessions = bootstrap(db_url, load_example=False)
    try:
        plan = load_plan(EXAMPLE)
        plan.noegletal = None
        save_plan(plan, tmp_path / "plan")
        svc = service(sessions)
        pid = svc.plans.import_plan_folder(tmp_path / "plan")
        assert svc.key_figures.key_figures(pid) == []
        data = (EXAMPLE / "noegletal.csv").read_bytes()
        assert svc.imports.preview_import(pid, "tal.csv", data).changed == 28
        svc.imports.commit_import(pid, "tal.csv", data)
        assert svc.plans.get_plan(pid).noegletal == "noegletal.csv"
        folder = svc.exports.export_plan_folder(pid, tmp_path / "eksport")
        copy = svc.plans.import_plan_folder(folder)
        assert svc.plans.get_plan(copy) == svc.plans.get_plan(pid)
        assert svc.key_figures.key_figures(copy) == svc.key_figures.key_figures(pid)
    finally:
        sessions.kw["bind"].dispose()

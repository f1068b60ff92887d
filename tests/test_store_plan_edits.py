"""The plan's structured sections edited through `PlanEditService` (SQLite and PostgreSQL): every
section saved and read back through `get_plan`, refused values with Danish messages naming row and
field and nothing changed, optimistic locking, the audit trail, afdelinger renamed (key figures
kept) and removed (key figures deleted), the budget stored, and an edit reaching the application
document."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from boligsocial.plan.assessment import load_assessment
from boligsocial.plan.folder import load_plan
from boligsocial.reports.document import BulletList, Paragraph, plain_text
from boligsocial.reports.projektbeskrivelse import build_projektbeskrivelse
from boligsocial.store import (
    SECTIONS,
    SYSTEM_ACTOR,
    Actor,
    ConflictError,
    NotAllowed,
    NotFound,
    Services,
    ValidationFailed,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter"
BUDGET_TOML = """
[budget]
noter = ["Overslag"]

[[budget.finansiering]]
kilde = "lbf"
beloeb = "3000000,50"

[[budget.finansiering]]
kilde = "kommune"
beloeb = 1500
betegnelse = "Københavns Kommune"
aar = 2025

[[budget.udgifter]]
post = "Personale"
beloeb = "3001500,50"
"""


def _services(sessions: sessionmaker[Session]) -> tuple[Services, int]:
    services = Services(sessions, Actor("Mette", "redaktoer"))
    return services, services.plans.list_plans()[0].id


def _edit(services: Services, plan_id: int, name: str, change: Any) -> Any:
    """Apply `change` to a copy of the section's value and save it; the saved record."""
    record = services.edits.section(plan_id, name)
    value = copy.deepcopy(record.value)
    value = change(value) or value
    saved = services.edits.update_section(plan_id, name, value, record.version)
    assert saved.version == record.version + 1
    return saved


def _afdeling(value: list[dict[str, Any]], navn: str) -> dict[str, Any]:
    return next(row for row in value if row["navn"] == navn)


def _figures_of(services: Services, plan_id: int, navn: str) -> int:
    return sum(1 for unit in services.key_figures.key_figures(plan_id) if unit.name == navn)


def test_a_plan_with_a_budget_round_trips_through_import(
    example_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    folder = tmp_path / "plan"
    shutil.copytree(EXAMPLE, folder)
    toml = folder / "helhedsplan.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + BUDGET_TOML, encoding="utf-8")
    expected = load_plan(folder).budget
    assert expected is not None and expected.finansiering_i_alt == expected.udgifter_i_alt
    setup = Services(example_sessions, SYSTEM_ACTOR)
    plan_id = setup.plans.import_plan_folder(folder)
    assert setup.plans.get_plan(plan_id).budget == expected
    assert setup.edits.section(plan_id, "budget").value["finansiering"][0]["beloeb"] == "3000000,50"


def test_every_section_reads_and_an_unchanged_save_writes_nothing(example_sessions: sessionmaker[Session]) -> None:
    services, plan_id = _services(example_sessions)
    plan = services.plans.get_plan(plan_id)
    events = len(services.audit.audit_events(plan_id))
    for name in SECTIONS:
        record = services.edits.section(plan_id, name)
        again = services.edits.update_section(plan_id, name, record.value, record.version)
        assert again.version == record.version, name
    assert services.plans.get_plan(plan_id) == plan
    assert len(services.audit.audit_events(plan_id)) == events
    with pytest.raises(NotFound):
        services.edits.section(plan_id, "rettelser")


def _add(row: dict[str, Any]) -> Any:
    return lambda value: value.append(row)


def test_each_section_is_saved_and_read_back(example_sessions: sessionmaker[Session]) -> None:
    services, plan_id = _services(example_sessions)

    def stamdata(value: dict[str, Any]) -> None:
        value["navn"] = "Mit Kvarter II"
        value["periode"]["slut"] = "2029-06-30"

    def organisation(value: dict[str, Any]) -> None:
        value["fora"].append({"navn": "Beboerrådet", "niveau": "helhedsplan", "deltagere": ["Beboere"]})

    def targets(value: list[dict[str, Any]]) -> None:
        value[0]["maal"]["vaerdi"] = "7,2"
        value[0]["milepaele"] = [{"aar": 2026, "vaerdi": "7,9"}]

    _edit(services, plan_id, "stamdata", stamdata)
    _edit(services, plan_id, "boligorganisationer", _add({"kortnavn": "NY", "navn": "Ny Boligforening"}))
    _edit(services, plan_id, "afdelinger", lambda v: _afdeling(v, "Folehaven").update(boliger=980))
    _edit(services, plan_id, "omraader", lambda v: v[0]["noter"].append("En ny note"))
    _edit(services, plan_id, "indsatsomraader", lambda v: v[0]["maalgrupper"].append("Unge 18-25 år"))
    _edit(services, plan_id, "opmaerksomhedspunkter", lambda v: v[0].update(beskrivelse="Ny beskrivelse"))
    _edit(services, plan_id, "partnere", _add({"navn": "Valby Lokaludvalg", "bidrag": "Lokal forankring"}))
    _edit(services, plan_id, "organisation", organisation)
    _edit(services, plan_id, "forkortelser", _add({"forkortelse": "VLU", "betydning": "Valby Lokaludvalg"}))
    budget = {
        "finansiering": [{"kilde": "lbf", "beloeb": "1000000"}],
        "udgifter": [{"post": "Løn", "beloeb": "1000000"}],
    }
    _edit(services, plan_id, "budget", lambda _: budget)
    _edit(services, plan_id, "maalstyring", targets)

    plan = services.plans.get_plan(plan_id)
    assert plan.navn == "Mit Kvarter II" and plan.periode.slut.isoformat() == "2029-06-30"
    assert plan.boligorganisationer[-1].kortnavn == "NY"
    assert plan.find_afdeling("Folehaven").boliger == 980  # type: ignore[union-attr]
    assert plan.omraader[0].noter[-1] == "En ny note"
    assert plan.indsatsomraader[0].maalgrupper[-1] == "Unge 18-25 år"
    assert plan.opmaerksomhedspunkter[0].beskrivelse == "Ny beskrivelse"
    assert plan.partnere[-1].navn == "Valby Lokaludvalg"
    assert plan.organisation is not None and plan.organisation.fora[-1].navn == "Beboerrådet"
    assert plan.forkortelser["VLU"] == "Valby Lokaludvalg"
    assert plan.budget is not None and plan.budget.lbf_finansiering == 1000000
    indikator = plan.indikatorer[0]
    assert indikator.maal is not None and str(indikator.maal.vaerdi) == "7.2"
    assert [(m.aar, str(m.vaerdi)) for m in indikator.milepaele] == [(2026, "7.9")]
    # the overview (the classified plan the pages show) sees the stored plan
    assert services.overview.plan_context(plan_id).plan.navn == "Mit Kvarter II"


def test_each_save_is_one_audit_event_with_before_and_after(example_sessions: sessionmaker[Session]) -> None:
    services, plan_id = _services(example_sessions)
    _edit(services, plan_id, "partnere", _add({"navn": "Valby Lokaludvalg"}))
    event = services.audit.audit_events(plan_id, limit=1)[0]
    assert (event.action, event.entity, event.actor) == ("ret_partnere", "plan", "Mette")
    assert "Partnere er ændret" in event.summary
    assert len(event.after) == len(event.before) + 1
    assert event.after[-1]["navn"] == "Valby Lokaludvalg"
    assert all(p["navn"] != "Valby Lokaludvalg" for p in event.before)


REFUSED = [
    ("afdelinger", lambda v: v[2].update(boliger=-5), "2.boliger", "Afdeling 3", "boliger: skal være et helt tal ≥ 0"),
    ("afdelinger", lambda v: v[0].update(navn=""), "0.navn", "Afdeling 1", "navn: skal udfyldes"),
    ("afdelinger", lambda v: v[1].update(navn=v[0]["navn"]), "1.navn", "Afdeling 2", "har allerede en afdeling"),
    (
        "omraader",
        lambda v: v[0]["afdelinger"].append({"afdeling": "Ukendtvej"}),
        "0.afdelinger",
        "Område 1",
        'afdelingen "Ukendtvej" findes ikke',
    ),
    ("partnere", lambda v: v.append({"navn": "  "}), f"{11}.navn", "Partner 12", "navn: skal udfyldes"),
    ("stamdata", lambda v: v.update(navn=""), "navn", "Navn", "skal udfyldes"),
    (
        "budget",
        lambda _: {"finansiering": [{"kilde": "lbf", "beloeb": "1.500"}]},
        "finansiering.0.beloeb",
        "",
        "tvetydigt",
    ),
    (
        "forkortelser",
        lambda v: v.append(dict(v[0])),
        f"{len(load_plan(EXAMPLE).forkortelser)}.forkortelse",
        "",
        "nævnt før",
    ),
]


@pytest.mark.parametrize(("name", "change", "key", "row", "text"), REFUSED, ids=[f"{r[0]}-{r[2]}" for r in REFUSED])
def test_a_refused_value_names_row_and_field_and_changes_nothing(
    example_sessions: sessionmaker[Session], name: str, change: Any, key: str, row: str, text: str
) -> None:
    services, plan_id = _services(example_sessions)
    plan = services.plans.get_plan(plan_id)
    record = services.edits.section(plan_id, name)
    value = copy.deepcopy(record.value)
    value = change(value) or value
    with pytest.raises(ValidationFailed) as refused:
        services.edits.update_section(plan_id, name, value, record.version)
    assert key in refused.value.errors, refused.value.errors
    assert row in refused.value.errors[key] and text in refused.value.errors[key]
    assert services.plans.get_plan(plan_id) == plan
    assert services.edits.section(plan_id, name).version == record.version


def test_a_stale_version_is_a_conflict_and_changes_nothing(example_sessions: sessionmaker[Session]) -> None:
    services, plan_id = _services(example_sessions)
    opened = services.edits.section(plan_id, "partnere")
    other = Services(example_sessions, Actor("Jens", "redaktoer"))
    _edit(other, plan_id, "stamdata", lambda v: v.update(kommune="Københavns Kommune (K)"))
    plan = services.plans.get_plan(plan_id)
    with pytest.raises(ConflictError, match="Jens"):
        services.edits.update_section(plan_id, "partnere", [*opened.value, {"navn": "Ny"}], opened.version)
    assert services.plans.get_plan(plan_id) == plan


def test_a_reader_may_read_but_not_save(example_sessions: sessionmaker[Session]) -> None:
    reader = Services(example_sessions, Actor("Læser", "laeser"))
    plan_id = reader.plans.list_plans()[0].id
    record = reader.edits.section(plan_id, "partnere")
    with pytest.raises(NotAllowed):
        reader.edits.update_section(plan_id, "partnere", [], record.version)
    assert reader.edits.section(plan_id, "partnere").value == record.value


def test_renaming_an_afdeling_keeps_its_key_figures_and_the_references(example_sessions: sessionmaker[Session]) -> None:
    services, plan_id = _services(example_sessions)
    plan = services.plans.get_plan(plan_id)
    omraade = next(o for o in plan.omraader if any(r.afdeling == "Sjælør Boulevard" for r in o.afdelinger))
    figures = _figures_of(services, plan_id, "Sjælør Boulevard")
    assert figures > 0
    _edit(services, plan_id, "afdelinger", lambda v: _afdeling(v, "Sjælør Boulevard").update(navn="Sjælør Blvd."))
    assert _figures_of(services, plan_id, "Sjælør Blvd.") == figures
    assert _figures_of(services, plan_id, "Sjælør Boulevard") == 0
    renamed = services.plans.get_plan(plan_id).find_omraade(omraade.navn)
    assert renamed is not None and "Sjælør Blvd." in [r.afdeling for r in renamed.afdelinger]
    # two afdelinger swap names: the rows (and key figures) follow the ids, not the names
    before = {a: _figures_of(services, plan_id, a) for a in ("Folehaven", "Grønrisvej")}

    def swap(value: list[dict[str, Any]]) -> None:
        first, second = _afdeling(value, "Folehaven"), _afdeling(value, "Grønrisvej")
        first["navn"], second["navn"] = "Grønrisvej", "Folehaven"

    _edit(services, plan_id, "afdelinger", swap)
    assert {a: _figures_of(services, plan_id, a) for a in ("Folehaven", "Grønrisvej")} == {
        "Folehaven": before["Grønrisvej"],
        "Grønrisvej": before["Folehaven"],
    }


def test_removing_an_afdeling_removes_its_key_figures(example_sessions: sessionmaker[Session]) -> None:
    services, plan_id = _services(example_sessions)
    total = len(services.key_figures.key_figures(plan_id))
    gone = _figures_of(services, plan_id, "Grønrisvej")
    assert gone > 0
    _edit(services, plan_id, "afdelinger", lambda v: v.remove(_afdeling(v, "Grønrisvej")))
    assert len(services.key_figures.key_figures(plan_id)) == total - gone
    assert services.plans.get_plan(plan_id).find_afdeling("Grønrisvej") is None
    event = services.audit.audit_events(plan_id, limit=1)[0]
    assert "1 fjernet" in event.summary and "nøgletal er slettet" in event.summary


def test_an_edit_reaches_the_application_document(example_sessions: sessionmaker[Session], tmp_path: Path) -> None:
    """The package is built from the stored plan exported as a folder (web/routes/exports.py)."""
    services, plan_id = _services(example_sessions)
    _edit(services, plan_id, "partnere", _add({"navn": "Valby Lokaludvalg", "bidrag": "Lokal forankring"}))
    folder = services.exports.export_plan_folder(plan_id, tmp_path / "plan")
    document = build_projektbeskrivelse(load_assessment(folder))
    texts = [plain_text(b.content) for b in document.blocks if isinstance(b, Paragraph)]
    texts += [plain_text(i.content) for b in document.blocks if isinstance(b, BulletList) for i in b.items]
    assert any("Valby Lokaludvalg" in text for text in texts)


def test_a_target_with_three_decimals_reads_back_exactly() -> None:
    """1,964 is stored as Decimal's text "1.964"; reading it must not take it for 1.964 thousand
    or refuse it as ambiguous (the whole plan would become unreadable)."""
    from decimal import Decimal

    from boligsocial.plan.model import Maal, Milepael
    from boligsocial.store.mapping import new_plan_rows, plan_from_rows

    plan = load_plan(EXAMPLE)
    first = plan.indikatorer[0].model_copy(
        update={
            "maal": Maal(vaerdi=Decimal("1.964"), aar=2027),
            "milepaele": [Milepael(aar=2026, vaerdi=Decimal("2.5"))],
        }
    )
    plan = plan.model_copy(update={"indikatorer": [first, *plan.indikatorer[1:]]})
    row, _ = new_plan_rows(plan, "test")
    again = plan_from_rows(row).indikatorer[0]
    assert again.maal is not None and again.maal.vaerdi == Decimal("1.964")
    assert [m.vaerdi for m in again.milepaele] == [Decimal("2.5")]

"""Every write of every entity service records its audit event in the same transaction.

The check watches the SQL itself: per database transaction it notes whether any row other than an
audit event was inserted, updated or deleted, and whether an `audit_event` row was inserted. Every
public method of every entity service is called once on the example plan (`CALLS`), and

* no committed transaction changes data without an audit event;
* a method listed in `WRITES` does change data with its example call (so the first check is not
  vacuous for it), and a method not listed there changes nothing.

A new public method fails `test_every_public_method_is_called_here` until it is added to `CALLS`
(and, if it writes, to `WRITES`); a new entity service fails until `Services` holds it.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session, sessionmaker

import boligsocial.store
from boligsocial.register.atlas import Atlas, AtlasEntry
from boligsocial.store import SYSTEM_ACTOR, Actor, NotAllowed, PlanService, Services, UnitOfWork, UserRecord

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter"
INDIKATOR = "fravaer-grundskole"
FIGURES_CSV = (
    "boligorganisation;afdeling;boliger;beboere;uden_for_arbejdsmarked_pct;ikke_vestlige_pct;doemte_pct;"
    "kun_grundskole_pct;indkomst_pct_af_region;kommune;listeaar\n"
    "3B;Folehaven;973;1.950;30,1;46,0;1,70;57,0;59,0;København;2023\n"
).encode()

_DML = re.compile(r"\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)


@dataclass
class TransactionLog:
    """What each committed transaction did: (changed data other than the trail, added audit events)."""

    committed: list[tuple[bool, bool]] = field(default_factory=list)
    paused: bool = False

    def listen(self, engine: Engine) -> None:
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def forget(self, engine: Engine) -> None:
        event.remove(engine, "begin", self._begin)
        event.remove(engine, "before_cursor_execute", self._statement)
        event.remove(engine, "commit", self._commit)

    def _begin(self, connection: Connection) -> None:
        connection.info["audit_check"] = [False, False]

    def _statement(self, connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        found = _DML.match(statement)
        if found is None:
            return
        seen = connection.info.setdefault("audit_check", [False, False])
        seen[1 if found.group(2).lower() == "audit_event" else 0] = True

    def _commit(self, connection: Connection) -> None:
        wrote, audited = connection.info.pop("audit_check", [False, False])
        if not self.paused:
            self.committed.append((wrote, audited))

    @contextmanager
    def unrecorded(self) -> Iterator[None]:
        """Preparation of a call that is not part of what is checked."""
        self.paused = True
        try:
            yield
        finally:
            self.paused = False


@dataclass
class Example:
    services: Services  # acting as the actor under test
    setup: Services  # acting as the system: look-ups that prepare a call
    plan_id: int
    afdeling_id: int
    folder: Path
    log: TransactionLog
    token: str = ""


def _maaling(example: Example) -> tuple[int, int]:
    record = example.setup.indicators.get_indikator(example.plan_id, INDIKATOR)
    return record.maalinger[0].id, record.maalinger[0].version


def _update_key_figures(example: Example) -> object:
    svc, pid, afd = example.services, example.plan_id, example.afdeling_id
    record = example.setup.key_figures.get_afdeling_figures(pid, afd)
    return svc.key_figures.update_key_figures(pid, afd, {"beboere": "2.000"}, record.version)


def _update_maaling(example: Example) -> object:
    maaling_id, version = _maaling(example)
    return example.services.indicators.update_maaling(example.plan_id, maaling_id, "8,00", version)


def _delete_maaling(example: Example) -> object:
    maaling_id, version = _maaling(example)
    example.services.indicators.delete_maaling(example.plan_id, maaling_id, version)
    return None


def _update_section(example: Example) -> object:
    record = example.setup.edits.section(example.plan_id, "partnere")
    value = [*record.value, {"navn": "Valby Lokaludvalg"}]
    return example.services.edits.update_section(example.plan_id, "partnere", value, record.version)


MAIL = "mette@example.dk"
PASSWORD = "en lang adgangskode"


def _add_user(example: Example) -> object:
    return example.services.users.add_user(MAIL, PASSWORD, "redaktoer", example.plan_id)


def _user(example: Example) -> UserRecord:
    return next(u for u in example.setup.users.users() if u.email == MAIL)


def _reset_password(example: Example) -> object:
    user = _user(example)
    return example.services.users.reset_password(user.id, "en anden lang adgangskode", user.version)


def _set_role(example: Example) -> object:
    user = _user(example)
    return example.services.users.set_role(user.id, example.plan_id, "laeser", user.version)


def _close_account(example: Example) -> object:
    user = _user(example)
    return example.services.users.set_active(user.id, False, user.version)


def _sign_in(example: Example) -> object:
    return example.services.sign_in.sign_in(MAIL, "en anden lang adgangskode", "127.0.0.1")


def _signed_in(example: Example) -> object:
    with example.log.unrecorded():
        example.token = example.setup.sign_in.sign_in(MAIL, "en anden lang adgangskode", "127.0.0.1").token
    return example.services.sign_in.session_user(example.token)


def _archive_plan(example: Example) -> object:
    plans = example.services.plans
    archived = plans.archive_plan(example.plan_id, True, example.setup.plans.plan_version(example.plan_id))
    return plans.archive_plan(example.plan_id, False, archived.version)


def _import_plan_archive(example: Example) -> object:
    archive = example.setup.exports.export_plan_archive(example.plan_id)
    return example.services.plans.import_plan_archive(archive, "plan.zip")


def _preview_plan_archive(example: Example) -> object:
    archive = example.setup.exports.export_plan_archive(example.plan_id)
    return example.services.plans.preview_plan_archive(archive, "plan.zip")


def _delete_plan(example: Example) -> object:
    example.services.plans.delete_plan(example.plan_id, example.setup.plans.plan_version(example.plan_id))
    return None


def _import_first_plan(example: Example) -> object:
    setup = example.setup.plans
    with example.log.unrecorded():  # only into an empty database
        for summary in setup.list_plans():
            setup.delete_plan(summary.id, summary.version)
    return example.services.plans.import_first_plan(EXAMPLE, "eksemplet")


AVERAGE = {"doemte_pct": "0,73", "kilde": "Ministeriets udmelding", "kilde_dato": "2024-12-01"}


def _save_national_average(example: Example) -> object:
    return example.services.national_averages.save_national_average(example.plan_id, 2024, AVERAGE, 0)


def _delete_national_average(example: Example) -> object:
    """Deletes the average `_save_national_average` entered (version 0 where it was refused)."""
    records = example.setup.national_averages.national_averages(example.plan_id)
    version = next((r.version for r in records if r.list_year == 2024), 0)
    return example.services.national_averages.delete_national_average(example.plan_id, 2024, version)


ATLAS = Atlas(
    "officiel", "Officielle lister", (2022,), [AtlasEntry("omraade", "Mjølnerparken", 2022, {"parallelsamfund": True})]
)


# Every public method of every entity service, with an example call; run in this order on one
# database (the deletions come last).
CALLS: dict[str, Callable[[Example], object]] = {
    "plans.list_plans": lambda e: e.services.plans.list_plans(),
    "plans.listing": lambda e: e.services.plans.listing(),
    "plans.listing_version": lambda e: e.services.plans.listing_version(),
    "plans.has_plans": lambda e: e.services.plans.has_plans(),
    "plans.get_plan": lambda e: e.services.plans.get_plan(e.plan_id),
    "plans.summary": lambda e: e.services.plans.summary(e.plan_id),
    "plans.plan_version": lambda e: e.services.plans.plan_version(e.plan_id),
    "plans.archived_at": lambda e: e.services.plans.archived_at(e.plan_id),
    "overview.plan_context": lambda e: e.services.overview.plan_context(e.plan_id),
    "overview.versions": lambda e: e.services.overview.versions(e.plan_id),
    "key_figures.afdelinger": lambda e: e.services.key_figures.afdelinger(e.plan_id),
    "key_figures.key_figures": lambda e: e.services.key_figures.key_figures(e.plan_id),
    "key_figures.get_afdeling_figures": lambda e: e.services.key_figures.get_afdeling_figures(e.plan_id, e.afdeling_id),
    "imports.preview_import": lambda e: e.services.imports.preview_import(e.plan_id, "tal.csv", FIGURES_CSV),
    "indicators.indikatorer": lambda e: e.services.indicators.indikatorer(e.plan_id),
    "indicators.get_indikator": lambda e: e.services.indicators.get_indikator(e.plan_id, INDIKATOR),
    "prose.prose": lambda e: e.services.prose.prose(e.plan_id),
    "exports.export_plan_folder": lambda e: e.services.exports.export_plan_folder(e.plan_id, e.folder),
    "exports.export_plan_archive": lambda e: e.services.exports.export_plan_archive(e.plan_id),
    "exports.export_key_figures_xlsx": lambda e: e.services.exports.export_key_figures_xlsx(e.plan_id),
    "exports.export_key_figures_csv": lambda e: e.services.exports.export_key_figures_csv(e.plan_id),
    "audit.audit_events": lambda e: e.services.audit.audit_events(e.plan_id),
    "audit.audit_choices": lambda e: e.services.audit.audit_choices(e.plan_id),
    "users.add_user": _add_user,
    "users.users": lambda e: e.services.users.users(),
    "users.get_user": lambda e: e.services.users.get_user(_user(e).id),
    "users.authenticate": lambda e: e.services.users.authenticate(MAIL, PASSWORD),
    "users.reset_password": _reset_password,
    "sign_in.sign_in": _sign_in,
    "sign_in.session_user": _signed_in,
    "sign_in.sign_out": lambda e: e.services.sign_in.sign_out(e.token),
    "users.set_role": _set_role,
    "users.set_active": _close_account,
    "plans.preview_plan_archive": _preview_plan_archive,
    "plans.archive_plan": _archive_plan,
    "key_figures.update_key_figures": _update_key_figures,
    "imports.commit_import": lambda e: e.services.imports.commit_import(e.plan_id, "tal.csv", FIGURES_CSV),
    "indicators.add_or_update_maaling": lambda e: e.services.indicators.add_or_update_maaling(
        e.plan_id, INDIKATOR, "2024", "7,95", None
    ),
    "indicators.update_maaling": _update_maaling,
    "indicators.delete_maaling": _delete_maaling,
    "prose.save_prose": lambda e: e.services.prose.save_prose(e.plan_id, "noter.md", "# Noter\n", 0),
    "edits.section": lambda e: e.services.edits.section(e.plan_id, "partnere"),
    "edits.update_section": _update_section,
    "national_averages.national_averages": lambda e: e.services.national_averages.national_averages(e.plan_id),
    "national_averages.save_national_average": _save_national_average,
    "national_averages.delete_national_average": _delete_national_average,
    "plans.import_plan_folder": lambda e: e.services.plans.import_plan_folder(EXAMPLE),
    "plans.import_plan_archive": _import_plan_archive,
    "plans.delete_plan": _delete_plan,
    "plans.import_first_plan": _import_first_plan,
    "atlas.replace_atlas": lambda e: e.services.atlas.replace_atlas(ATLAS),
    "atlas.sources": lambda e: e.services.atlas.sources(),
    "atlas.entries": lambda e: e.services.atlas.entries("officiel"),
    "atlas.unit_history": lambda e: e.services.atlas.unit_history("officiel", "Mjølnerparken"),
    "atlas.source_token": lambda e: e.services.atlas.source_token("officiel"),
    "atlas.may_load": lambda e: e.services.atlas.may_load(),
}

WRITES = {
    "users.add_user",
    "users.reset_password",
    "users.set_role",
    "users.set_active",
    "sign_in.sign_in",
    "sign_in.sign_out",
    "plans.archive_plan",
    "key_figures.update_key_figures",
    "imports.commit_import",
    "indicators.add_or_update_maaling",
    "indicators.update_maaling",
    "indicators.delete_maaling",
    "prose.save_prose",
    "edits.update_section",
    "plans.import_plan_folder",
    "plans.import_plan_archive",
    "plans.delete_plan",
    "plans.import_first_plan",
    "atlas.replace_atlas",
    "national_averages.save_national_average",
    "national_averages.delete_national_average",
}

# The role each call needs on the example plan ("administrator*": on every plan); calls not
# listed need no role (signing in, and whether the database holds any plan at all).
NEEDS: dict[str, str] = {
    **{name: "laeser" for name in CALLS if name.split(".")[0] in ("overview", "key_figures", "indicators", "prose")},
    **{
        name: "laeser"
        for name in (
            "plans.get_plan",
            "plans.summary",
            "plans.plan_version",
            "imports.preview_import",
            "audit.audit_events",
            "audit.audit_choices",
        )
    },
    **{name: "laeser" for name in CALLS if name.startswith("exports.")},
    **{name: "redaktoer" for name in WRITES if name.split(".")[0] in ("key_figures", "imports", "indicators", "prose")},
    "plans.archived_at": "laeser",
    "national_averages.national_averages": "laeser",
    "national_averages.save_national_average": "redaktoer",
    "national_averages.delete_national_average": "redaktoer",
    "edits.section": "laeser",
    "edits.update_section": "redaktoer",
    "plans.archive_plan": "administrator",
    "plans.delete_plan": "administrator",
    "users.add_user": "administrator",
    **{
        name: "administrator*"
        for name in (
            "plans.import_plan_folder",
            "plans.import_plan_archive",
            "plans.preview_plan_archive",
            "plans.import_first_plan",
            "users.users",
            "users.get_user",
            "users.reset_password",
            "users.set_active",
            "atlas.replace_atlas",
            "atlas.source_token",
        )
    },
    "users.set_role": "administrator",
}
OPEN = {
    "plans.list_plans",
    "plans.listing",
    "plans.listing_version",
    "plans.has_plans",
    "users.authenticate",
    *(n for n in CALLS if n.startswith("sign_in.")),
    # national data: any signed-in user (tests/test_store_atlas.py refuses an actor without one)
    *("atlas.sources", "atlas.entries", "atlas.unit_history"),
    "atlas.may_load",  # a question anyone may ask (the answer is no below the role on every plan)
}


def weaker_actor(need: str, plan_id: int) -> Actor:
    """An actor with the role just below `need` on the example plan."""
    return {
        "laeser": Actor("Ingen", None, ((plan_id + 1000, "administrator"),)),
        "redaktoer": Actor("Læser", "laeser"),
        "administrator": Actor("Redaktør", "redaktoer"),
        "administrator*": Actor("Planens administrator", None, ((plan_id, "administrator"),)),
    }[need]


def public_methods(services: Services) -> set[str]:
    """ "attribute.method" for every public method of every entity service in `services`."""
    return {
        f"{attribute}.{name}"
        for attribute, service in services.all().items()
        for name, _ in inspect.getmembers(type(service), inspect.isfunction)
        if not name.startswith("_")
    }


def test_services_hold_every_entity_service(example_sessions: sessionmaker[Session]) -> None:
    entity_services = {
        value for value in vars(boligsocial.store).values() if inspect.isclass(value) and issubclass(value, UnitOfWork)
    } - {UnitOfWork}
    held = {type(service) for service in Services(example_sessions, Actor("Mette")).all().values()}
    assert entity_services == held


def test_every_public_method_is_called_here(example_sessions: sessionmaker[Session]) -> None:
    assert set(CALLS) == public_methods(Services(example_sessions, Actor("Mette")))
    assert set(CALLS) >= WRITES


def _example(sessions: sessionmaker[Session], actor: Actor, folder: Path) -> Example:
    setup = Services(sessions, SYSTEM_ACTOR)
    (summary,) = setup.plans.list_plans()
    folehaven = next(a.id for a in setup.key_figures.afdelinger(summary.id) if a.navn == "Folehaven")
    return Example(Services(sessions, actor), setup, summary.id, folehaven, folder, TransactionLog())


def test_every_call_declares_the_role_it_needs() -> None:
    assert set(CALLS) == set(NEEDS) | OPEN
    assert not set(NEEDS) & OPEN


def test_each_call_is_refused_to_the_role_below_the_one_it_needs(
    example_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """The store itself refuses, whatever page or command calls it; nothing is written."""
    plan_id = _example(example_sessions, SYSTEM_ACTOR, tmp_path).plan_id
    # what the refused calls would act on, made by the system
    Services(example_sessions, SYSTEM_ACTOR).users.add_user(MAIL, "en anden lang adgangskode", "redaktoer", plan_id)
    for name, need in sorted(NEEDS.items(), key=lambda item: item[0] == "plans.import_first_plan"):
        example = _example(example_sessions, weaker_actor(need, plan_id), tmp_path / "eksport")
        before = len(example.setup.audit.audit_events(None, limit=1000))
        with pytest.raises(NotAllowed):
            CALLS[name](example)
            pytest.fail(f"{name} was not refused to a role below {need}")
        if name != "plans.import_first_plan":  # its preparation empties the database
            assert len(example.setup.audit.audit_events(None, limit=1000)) == before, name


def test_a_user_sees_only_the_plans_they_hold_a_role_on(example_sessions: sessionmaker[Session]) -> None:
    setup = Services(example_sessions, SYSTEM_ACTOR)
    (summary,) = setup.plans.list_plans()
    other = setup.plans.import_plan_folder(EXAMPLE)
    assert [p.id for p in PlanService(example_sessions, Actor("R", None, ((other, "redaktoer"),))).list_plans()] == [
        other
    ]
    assert {p.id for p in PlanService(example_sessions, Actor("A", "laeser")).list_plans()} == {summary.id, other}
    assert PlanService(example_sessions, Actor("Ingen", None)).list_plans() == []


def test_every_write_records_an_audit_event(example_sessions: sessionmaker[Session], tmp_path: Path) -> None:
    example = _example(example_sessions, Actor("Mette", "administrator"), tmp_path / "eksport")
    log = example.log
    engine = example_sessions.kw["bind"]
    assert isinstance(engine, Engine)
    log.listen(engine)
    try:
        for name, call in CALLS.items():
            log.committed.clear()
            call(example)
            unaudited = [wrote and not audited for wrote, audited in log.committed]
            assert not any(unaudited), f"{name} changed data without an audit event"
            wrote = any(wrote for wrote, _ in log.committed)
            assert wrote == (name in WRITES), f"{name}: changed data {wrote}, listed as a write {name in WRITES}"
    finally:
        log.forget(engine)

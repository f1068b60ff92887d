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

from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session, sessionmaker

import boligsocial.store
from boligsocial.store import Actor, Services, UnitOfWork, UserService

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
    services: Services
    plan_id: int
    afdeling_id: int
    folder: Path
    log: TransactionLog


def _maaling(example: Example) -> tuple[int, int]:
    record = example.services.indicators.get_indikator(example.plan_id, INDIKATOR)
    return record.maalinger[0].id, record.maalinger[0].version


def _update_key_figures(example: Example) -> object:
    svc, pid, afd = example.services, example.plan_id, example.afdeling_id
    record = svc.key_figures.get_afdeling_figures(pid, afd)
    return svc.key_figures.update_key_figures(pid, afd, {"beboere": "2.000"}, record.version)


def _update_maaling(example: Example) -> object:
    maaling_id, version = _maaling(example)
    return example.services.indicators.update_maaling(example.plan_id, maaling_id, "8,00", version)


def _delete_maaling(example: Example) -> object:
    maaling_id, version = _maaling(example)
    example.services.indicators.delete_maaling(example.plan_id, maaling_id, version)
    return None


def _admin(example: Example) -> UserService:
    return UserService(example.services.users.sessions, Actor("Admin", "administrator"))


def _add_user(example: Example) -> object:
    return _admin(example).add_user("mette@example.dk", "en lang adgangskode", "redaktoer", example.plan_id)


def _reset_password(example: Example) -> object:
    user = next(u for u in example.services.users.users() if u.email == "mette@example.dk")
    return _admin(example).reset_password(user.id, "en anden lang adgangskode", user.version)


def _import_plan_archive(example: Example) -> object:
    archive = example.services.exports.export_plan_archive(example.plan_id)
    return example.services.plans.import_plan_archive(archive, "plan.zip")


def _delete_plan(example: Example) -> object:
    plans = example.services.plans
    plans.delete_plan(example.plan_id, plans.plan_version(example.plan_id))
    return None


def _import_first_plan(example: Example) -> object:
    plans = example.services.plans
    with example.log.unrecorded():  # only into an empty database
        for summary in plans.list_plans():
            plans.delete_plan(summary.id, summary.version)
    return plans.import_first_plan(EXAMPLE, "eksemplet")


# Every public method of every entity service, with an example call; run in this order on one
# database (the deletions come last).
CALLS: dict[str, Callable[[Example], object]] = {
    "plans.list_plans": lambda e: e.services.plans.list_plans(),
    "plans.has_plans": lambda e: e.services.plans.has_plans(),
    "plans.get_plan": lambda e: e.services.plans.get_plan(e.plan_id),
    "plans.plan_version": lambda e: e.services.plans.plan_version(e.plan_id),
    "overview.plan_context": lambda e: e.services.overview.plan_context(e.plan_id),
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
    "users.add_user": _add_user,
    "users.users": lambda e: e.services.users.users(),
    "users.authenticate": lambda e: e.services.users.authenticate("mette@example.dk", "en lang adgangskode"),
    "users.reset_password": _reset_password,
    "key_figures.update_key_figures": _update_key_figures,
    "imports.commit_import": lambda e: e.services.imports.commit_import(e.plan_id, "tal.csv", FIGURES_CSV),
    "indicators.add_or_update_maaling": lambda e: e.services.indicators.add_or_update_maaling(
        e.plan_id, INDIKATOR, "2024", "7,95", None
    ),
    "indicators.update_maaling": _update_maaling,
    "indicators.delete_maaling": _delete_maaling,
    "prose.save_prose": lambda e: e.services.prose.save_prose(e.plan_id, "noter.md", "# Noter\n", 0),
    "plans.import_plan_folder": lambda e: e.services.plans.import_plan_folder(EXAMPLE),
    "plans.import_plan_archive": _import_plan_archive,
    "plans.delete_plan": _delete_plan,
    "plans.import_first_plan": _import_first_plan,
}

WRITES = {
    "users.add_user",
    "users.reset_password",
    "key_figures.update_key_figures",
    "imports.commit_import",
    "indicators.add_or_update_maaling",
    "indicators.update_maaling",
    "indicators.delete_maaling",
    "prose.save_prose",
    "plans.import_plan_folder",
    "plans.import_plan_archive",
    "plans.delete_plan",
    "plans.import_first_plan",
}


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


def test_every_write_records_an_audit_event(example_sessions: sessionmaker[Session], tmp_path: Path) -> None:
    services = Services(example_sessions, Actor("Mette"))
    (summary,) = services.plans.list_plans()
    folehaven = next(a.id for a in services.key_figures.afdelinger(summary.id) if a.navn == "Folehaven")
    log = TransactionLog()
    example = Example(services, summary.id, folehaven, tmp_path / "eksport", log)
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

"""The store's schema: migrations on SQLite and PostgreSQL, exact numbers, engine settings."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text, update
from sqlalchemy.orm.exc import StaleDataError

from boligsocial.store import StoreError, create_engine_for, session_factory, upgrade_to_head
from boligsocial.store.db import current_revision, head_revision, normalize_url
from boligsocial.store.errors import ExampleNotFound
from boligsocial.store.models import Base, IndikatorRow, MaalingRow, PlanRow
from boligsocial.store.startup import EXAMPLE_ENV, example_plan_folder

TABLES = {
    "alembic_version",
    "audit_event",
    "bruger",
    "plan_rolle",
    "web_session",
    "login_forsoeg",
    "plan",
    "boligorganisation",
    "afdeling",
    "omraade",
    "noegletal",
    "indikator",
    "maaling",
    "tekst",
    "atlas_kilde",
    "atlas_enhed",
    "landsgennemsnit",
}


def test_migrations_create_the_schema(db_url: str) -> None:
    engine = create_engine_for(db_url)
    try:
        assert current_revision(engine) is None
        assert upgrade_to_head(engine) == head_revision()
        assert set(inspect(engine).get_table_names()) == TABLES
        assert current_revision(engine) == head_revision()
        upgrade_to_head(engine)  # a second start is a no-op
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_migrations_match_the_models(db_url: str) -> None:
    """A change to models.py without a migration (or the other way round) fails here."""
    engine = create_engine_for(db_url)
    try:
        upgrade_to_head(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_upgrade_from_a_url(db_url: str) -> None:
    assert upgrade_to_head(db_url) == head_revision()


def _plan(number: int = 1) -> PlanRow:
    from datetime import date

    return PlanRow(
        navn=f"Plan {number}",
        kommune="K",
        ansoeger="A",
        periode_start=date(2025, 1, 1),
        periode_slut=date(2028, 12, 31),
        dokument={},
    )


def test_decimals_are_stored_exactly(db_url: str) -> None:
    engine = create_engine_for(db_url)
    upgrade_to_head(engine)
    sessions = session_factory(engine)
    values = [
        Decimal("24.30"),
        Decimal("0.1000000000000000055511151231257827"),
        Decimal("123456789012345678901234567890.123456789"),
        Decimal("-1.5"),
        Decimal("0"),
    ]
    try:
        with sessions.begin() as session:
            indikator = IndikatorRow(position=0, ident="x", navn="X", enhed="pct", gaelder="G", afdelinger=[], noter=[])
            indikator.plan = _plan()
            for position, value in enumerate(values):
                indikator.vaerdier.append(MaalingRow(art="maaling", position=position, vaerdi=value))
            session.add(indikator)
        with sessions() as session:
            stored = list(session.scalars(select(MaalingRow.vaerdi).order_by(MaalingRow.position)))
        assert stored == values
        assert [str(v) for v in stored] == [str(v) for v in values]  # also the written precision
    finally:
        engine.dispose()


def test_float_is_refused_as_a_decimal(sqlite_url: str) -> None:
    engine = create_engine_for(sqlite_url)
    upgrade_to_head(engine)
    try:
        with (
            pytest.raises(Exception, match="ExactDecimal needs a finite Decimal"),
            session_factory(engine).begin() as s,
        ):
            indikator = IndikatorRow(position=0, ident="x", navn="X", enhed="pct", gaelder="G", afdelinger=[], noter=[])
            indikator.plan = _plan()
            indikator.vaerdier.append(MaalingRow(art="maaling", position=0, vaerdi=0.1))  # type: ignore[arg-type]
            s.add(indikator)
    finally:
        engine.dispose()


def test_version_column_refuses_a_stale_update(db_url: str) -> None:
    """The optimistic lock itself: an UPDATE of a row changed since it was read changes nothing."""
    engine = create_engine_for(db_url)
    upgrade_to_head(engine)
    sessions = session_factory(engine)
    try:
        with sessions.begin() as session:
            session.add(_plan())
        first = sessions()
        row = first.scalars(select(PlanRow)).one()
        assert row.version == 1
        first.commit()  # the read ends (as when a form is shown); the object is kept, not expired
        with sessions.begin() as other:
            other.scalars(select(PlanRow)).one().navn = "Ændret af en anden"
        row.navn = "Min ændring"
        with pytest.raises(StaleDataError):
            first.commit()
        first.close()
        with sessions() as session:
            stored = session.scalars(select(PlanRow)).one()
            assert (stored.navn, stored.version) == ("Ændret af en anden", 2)
    finally:
        engine.dispose()


def test_foreign_keys_cascade(db_url: str) -> None:
    engine = create_engine_for(db_url)
    upgrade_to_head(engine)
    sessions = session_factory(engine)
    try:
        with sessions.begin() as session:
            indikator = IndikatorRow(position=0, ident="x", navn="X", enhed="pct", gaelder="G", afdelinger=[], noter=[])
            indikator.plan = _plan()
            indikator.vaerdier.append(MaalingRow(art="maaling", position=0, vaerdi=Decimal(1)))
            session.add(indikator)
        with engine.begin() as connection:  # below the ORM: the database's own ON DELETE CASCADE
            connection.execute(text("DELETE FROM plan"))
            assert connection.execute(text("SELECT count(*) FROM maaling")).scalar() == 0
    finally:
        engine.dispose()


def test_sqlite_settings(sqlite_url: str) -> None:
    engine = create_engine_for(sqlite_url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    finally:
        engine.dispose()


def test_sqlite_transactions_are_real(sqlite_url: str) -> None:
    """A failed transaction leaves nothing behind (the driver's implicit transactions are off)."""
    engine = create_engine_for(sqlite_url)
    upgrade_to_head(engine)
    sessions = session_factory(engine)
    try:
        with pytest.raises(RuntimeError), sessions.begin() as session:
            session.add(_plan())
            session.flush()
            session.execute(update(PlanRow).values(navn="x"))
            raise RuntimeError("fejl midt i transaktionen")
        with sessions() as session:
            assert session.scalars(select(PlanRow)).all() == []
    finally:
        engine.dispose()


def test_urls() -> None:
    assert normalize_url("postgresql://u:p@h:5432/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("sqlite:///x.db").drivername == "sqlite+pysqlite"
    with pytest.raises(StoreError, match="understøttes ikke"):
        normalize_url("mysql://u@h/db")
    with pytest.raises(StoreError, match="kan ikke forstås"):
        normalize_url("ikke en adresse")


def test_sqlite_in_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="Mappen til databasefilen findes ikke"):
        create_engine_for(f"sqlite:///{tmp_path / 'mangler' / 'x.db'}")


def test_in_memory_sqlite_works() -> None:
    engine = create_engine_for("sqlite://")
    try:
        upgrade_to_head(engine)
        assert "plan" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_example_folder_is_found(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert (example_plan_folder() / "helhedsplan.toml").is_file()
    own = tmp_path / "eksempel"
    own.mkdir()
    (own / "helhedsplan.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv(EXAMPLE_ENV, str(own))
    assert example_plan_folder() == own


def test_missing_example_folder_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(ExampleNotFound) as caught:
        example_plan_folder([tmp_path / "a", tmp_path / "b"])
    message = str(caught.value)
    assert "blev ikke fundet" in message
    assert str(tmp_path / "a") in message and str(tmp_path / "b") in message
    assert EXAMPLE_ENV in message

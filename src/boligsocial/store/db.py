"""Engines, sessions and migrations from a database URL.

* `sqlite:///boligsocial.db` (the default, a file next to where the app runs), `sqlite:////abs/path.db`
  or `sqlite://` (in memory, for experiments) - or
* `postgresql://user:password@host:port/dbname` (psycopg 3 is used; `postgres://` and
  `postgresql+psycopg://` are accepted too).

SQLite connections get foreign keys on, WAL journaling (readers never block the writer), a busy
timeout, and real transactions: the driver's implicit transactions are replaced by explicit
`BEGIN` statements, and a write transaction starts with `BEGIN IMMEDIATE` so two writers queue
instead of failing half-way (see `writing()`).

The schema is created and upgraded only by the Alembic migrations in `store/migrations/`:
`upgrade_to_head(url)` runs them programmatically (no alembic.ini needed).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from boligsocial.store.errors import StoreError

__all__ = [
    "DEFAULT_URL",
    "MIGRATIONS_DIR",
    "WRITE",
    "alembic_config",
    "create_engine_for",
    "current_revision",
    "head_revision",
    "normalize_url",
    "session_factory",
    "upgrade_to_head",
]

DEFAULT_URL: Final = "sqlite:///boligsocial.db"
MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS: Final = 10_000

#: Execution option that marks a write transaction (SQLite: `BEGIN IMMEDIATE`).
WRITE: Final[dict[str, Any]] = {"boligsocial_write": True}


def normalize_url(url: str | URL) -> URL:
    """The URL with the driver this project uses: psycopg 3 for PostgreSQL, pysqlite for SQLite.
    Raises StoreError (Danish) for a URL that is not understood or names another database."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except ArgumentError:
        raise StoreError(
            f'Databaseadressen "{url}" kan ikke forstås; brug fx sqlite:///boligsocial.db '
            "eller postgresql://bruger:adgangskode@vært/database"
        ) from None
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+pysqlite")
    raise StoreError(f'Databasetypen "{backend}" understøttes ikke; brug SQLite (sqlite:///…) eller PostgreSQL')


POOL_SIZE: Final = 20
"""Connections an engine keeps open (more are opened for a moment when needed). The web app reads
from up to one connection per page being built at once; with SQLAlchemy's default of 5, twenty
concurrent pages opened and closed a connection for most of their reads (PostgreSQL: a new server
process each time), which cost more than the read itself. Opened only as they are needed."""


def create_engine_for(url: str | URL = DEFAULT_URL, **kwargs: Any) -> Engine:
    """An engine for `url`, configured as described in the module docstring."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_size", POOL_SIZE)
        return create_engine(parsed, pool_pre_ping=True, **kwargs)

    database = parsed.database or ""
    if database in ("", ":memory:"):
        kwargs.setdefault("poolclass", StaticPool)  # one shared connection: the data lives in it
        kwargs.setdefault("connect_args", {"check_same_thread": False})
    else:
        folder = Path(database).expanduser().resolve().parent
        if not folder.is_dir():
            raise StoreError(f"Mappen til databasefilen findes ikke: {folder}")
        kwargs.setdefault("pool_size", POOL_SIZE)
    engine = create_engine(parsed, **kwargs)
    _configure_sqlite(engine, in_memory=database in ("", ":memory:"))
    return engine


def _configure_sqlite(engine: Engine, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Take over transaction control from the driver (SQLAlchemy's documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            if not in_memory:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("boligsocial_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def session_factory(bind: Engine | str | URL = DEFAULT_URL) -> sessionmaker[Session]:
    """A session factory for an engine or URL. Objects stay readable after commit."""
    engine = bind if isinstance(bind, Engine) else create_engine_for(bind)
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


# --------------------------------------------------------------------------------------------------
# Migrations


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the package's migrations. With `connection`, the migrations
    run on that connection (inside its transaction)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration's revision id."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(bind: Engine | Connection) -> str | None:
    """The revision the database is at (None: an empty database)."""
    if isinstance(bind, Engine):
        with bind.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    return MigrationContext.configure(bind).get_current_revision()


def upgrade_to_head(bind: Engine | str | URL = DEFAULT_URL) -> str:
    """Create or upgrade the schema to the newest migration, in one transaction; returns the
    revision. Safe to call on every start-up (a no-op when already at head)."""
    engine = bind if isinstance(bind, Engine) else create_engine_for(bind)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(**WRITE)
            with connection.begin():
                command.upgrade(alembic_config(connection), "head")
    finally:
        if not isinstance(bind, Engine):
            engine.dispose()
    return head_revision()

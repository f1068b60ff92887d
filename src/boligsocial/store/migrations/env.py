"""Alembic environment for the store's migrations, run programmatically by
`boligsocial.store.db.upgrade_to_head` (no alembic.ini): the caller passes an open connection in
`config.attributes["connection"]`; without one, `sqlalchemy.url` is used."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from boligsocial.store.db import create_engine_for
from boligsocial.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection and no sqlalchemy.url given to the migrations")
    engine = create_engine_for(url)
    try:
        with engine.connect() as new_connection, new_connection.begin():
            _run(new_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported; run upgrade_to_head(url)")
_run_online()

"""Shared fixtures. Databases for the store tests:

* `db_url`: a fresh, empty database, parametrised over SQLite (a file in tmp_path) and PostgreSQL
  (a new database in the session's PostgreSQL server). A test using it runs once per backend.
* `sqlite_url`, `pg_url`: one backend only.
* `example_url`, `example_sessions`: a fresh database (both backends) migrated and holding the
  example plan, as `boligsocial serve` leaves it on first start; the URL or its session factory.
* `pg_server`: the session's PostgreSQL server (URL of its maintenance database). It is
  `$BOLIGSOCIAL_TEST_PG_URL` when set (a server you run; the tests create and drop databases in
  it), otherwise a throwaway cluster made with `initdb` and started with `pg_ctl` on a free port
  in a temporary directory, stopped and deleted at the end of the session. If the PostgreSQL
  server programs are not installed, the PostgreSQL tests FAIL (they are never skipped): CI
  installs them (Debian package `postgresql`).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

PG_URL_ENV = "BOLIGSOCIAL_TEST_PG_URL"
EXAMPLE_FOLDER = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter"
_PG_BIN_GLOBS = ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin", "/opt/homebrew/opt/postgresql*/bin")


def _pg_bin_dir() -> Path | None:
    """The directory with initdb and pg_ctl: the newest Debian/Ubuntu install, else $PATH."""
    candidates = [Path(found) for pattern in _PG_BIN_GLOBS for found in glob.glob(pattern)]
    for folder in sorted(candidates, key=_version_key, reverse=True):
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    return None


def _version_key(path: Path) -> tuple[int, ...]:
    digits = "".join(ch if ch.isdigit() else " " for ch in str(path)).split()
    return tuple(int(d) for d in digits)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_postgres_user(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` system user then."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--", *command]
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(_quote(part) for part in command)]


def _quote(part: str) -> str:
    return "'" + part.replace("'", "'\"'\"'") + "'"


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    if result.returncode != 0:
        pytest.fail(f"{what} failed ({' '.join(command)}):\n{result.stdout}\n{result.stderr}", pytrace=False)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """URL of a PostgreSQL server's maintenance database, for the whole test session."""
    configured = os.environ.get(PG_URL_ENV)
    if configured:
        yield configured
        return
    bin_dir = _pg_bin_dir()
    if bin_dir is None:
        pytest.fail(
            "The PostgreSQL server programs (initdb, pg_ctl) are not installed, so the store cannot be tested "
            "on PostgreSQL. Install them (Debian/Ubuntu: `apt-get install postgresql`; `python3 dev.py test` "
            f"does this as root) or point {PG_URL_ENV} to a server, e.g. "
            "postgresql://postgres@127.0.0.1:5432/postgres.",
            pytrace=False,
        )
    root = Path(tempfile.mkdtemp(prefix="boligsocial-pg-"))
    data = root / "data"
    log = root / "server.log"
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    _run(
        _as_postgres_user(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]
        ),
        "initdb",
    )
    # A throwaway server: durability off (fsync, full pages, synchronous commit) for speed.
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root} "
        "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
    )
    _run(
        _as_postgres_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"]),
        "pg_ctl start",
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
            check=False,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


def _create_database(pg_server: str, template: str | None = None) -> str:
    name = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(make_url(pg_server).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            copy = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
            connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    finally:
        admin.dispose()
    return name


def _drop_database(pg_server: str, name: str) -> None:
    admin = create_engine(make_url(pg_server).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _database_url(pg_server: str, name: str) -> str:
    url = make_url(pg_server).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    name = _create_database(pg_server)
    try:
        yield _database_url(pg_server, name)
    finally:
        _drop_database(pg_server, name)


@pytest.fixture(scope="session")
def pg_example_template(pg_server: str) -> Iterator[str]:
    """Name of a PostgreSQL database migrated and holding the example plan, made once per session
    and copied (CREATE DATABASE ... TEMPLATE) for each test that needs it."""
    from boligsocial.store import bootstrap

    name = _create_database(pg_server)
    sessions = bootstrap(_database_url(pg_server, name), EXAMPLE_FOLDER)
    _dispose(sessions)  # a template must have no open connections
    try:
        yield name
    finally:
        _drop_database(pg_server, name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A new SQLite database file for one test."""
    return f"sqlite:///{tmp_path / 'boligsocial.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """A new, empty database; the test runs once on SQLite and once on PostgreSQL."""
    url: str = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def example_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database (SQLite and PostgreSQL) migrated to head and holding the bundled Mit
    Kvarter example plan, as `boligsocial serve` leaves it after its first start."""
    from boligsocial.store import bootstrap

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'boligsocial.db'}"
        _dispose(bootstrap(url, EXAMPLE_FOLDER))
        yield url
        return
    pg_server: str = request.getfixturevalue("pg_server")
    name = _create_database(pg_server, template=request.getfixturevalue("pg_example_template"))
    try:
        yield _database_url(pg_server, name)
    finally:
        _drop_database(pg_server, name)


@pytest.fixture
def example_sessions(example_url: str) -> Iterator[sessionmaker[Session]]:
    """A session factory on `example_url` (what `bootstrap` returns to the app)."""
    from boligsocial.store import bootstrap

    sessions = bootstrap(example_url, EXAMPLE_FOLDER)
    yield sessions
    _dispose(sessions)


def _dispose(sessions: sessionmaker[Session]) -> None:
    bind = sessions.kw["bind"]
    assert isinstance(bind, Engine)
    bind.dispose()

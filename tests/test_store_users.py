"""Accounts: users with argon2-hashed passwords and a role per plan, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from boligsocial.cli import app
from boligsocial.store import (
    Actor,
    AuditService,
    ConflictError,
    NotAllowed,
    PlanService,
    UserService,
    ValidationFailed,
    bootstrap,
)
from boligsocial.store.models import UserRow

ADMIN = Actor("Admin", "administrator")
PASSWORD = "korrekt hest batteri"


def _plan_id(sessions: sessionmaker[Session]) -> int:
    (summary,) = PlanService(sessions, ADMIN).list_plans()
    return summary.id


def test_a_user_signs_in_with_the_right_password_only(example_sessions: sessionmaker[Session]) -> None:
    plan_id = _plan_id(example_sessions)
    users = UserService(example_sessions, ADMIN)
    created = users.add_user(" Mette@Example.DK ", PASSWORD, "redaktoer", plan_id)
    assert created.email == "mette@example.dk"
    assert created.role_on(plan_id) == "redaktoer"
    assert created.role_on(plan_id + 1) is None
    signed_in = users.authenticate("METTE@example.dk", PASSWORD)
    assert signed_in is not None and signed_in.id == created.id
    assert users.authenticate("mette@example.dk", PASSWORD + "x") is None
    assert users.authenticate("ukendt@example.dk", PASSWORD) is None


def test_the_password_is_stored_only_as_an_argon2_hash(example_sessions: sessionmaker[Session]) -> None:
    UserService(example_sessions, ADMIN).add_user("jens@example.dk", PASSWORD, "laeser")
    with example_sessions() as session:
        stored = session.scalars(select(UserRow.password_hash)).one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    events = AuditService(example_sessions, ADMIN).audit_events(None, limit=5)
    assert events[0].action == "opret_bruger"
    assert PASSWORD not in repr((events[0].before, events[0].after, events[0].summary))


def test_an_administrator_role_on_every_plan(example_sessions: sessionmaker[Session]) -> None:
    plan_id = _plan_id(example_sessions)
    admin = UserService(example_sessions, ADMIN).add_user("admin@example.dk", PASSWORD, "administrator")
    assert admin.roles == ((None, "administrator"),)
    assert admin.role_on(plan_id) == "administrator"


@pytest.mark.parametrize(
    ("email", "password", "role", "field", "message"),
    [
        ("mette", PASSWORD, "redaktoer", "email", "er ikke en e-mailadresse"),
        ("mette@example.dk", "kort", "redaktoer", "password", "mindst 10 tegn"),
        ("mette@example.dk", " " + PASSWORD, "redaktoer", "password", "mellemrum"),
        ("mette@example.dk", PASSWORD, "chef", "role", 'Ukendt rolle "chef"'),
    ],
)
def test_bad_input_is_refused_with_a_danish_message(
    example_sessions: sessionmaker[Session], email: str, password: str, role: str, field: str, message: str
) -> None:
    users = UserService(example_sessions, ADMIN)
    with pytest.raises(ValidationFailed) as caught:
        users.add_user(email, password, role)
    assert message in caught.value.errors[field]
    assert users.users() == []


def test_the_same_email_twice_and_an_unknown_plan_are_refused(example_sessions: sessionmaker[Session]) -> None:
    users = UserService(example_sessions, ADMIN)
    users.add_user("mette@example.dk", PASSWORD, "laeser")
    with pytest.raises(ValidationFailed) as twice:
        users.add_user("METTE@example.dk", PASSWORD, "redaktoer")
    assert "allerede" in twice.value.errors["email"]
    with pytest.raises(ValidationFailed) as caught:
        users.add_user("jens@example.dk", PASSWORD, "laeser", plan_id=9999)
    assert "findes ikke" in caught.value.errors["plan"]
    assert [u.email for u in users.users()] == ["mette@example.dk"]


def test_only_an_administrator_manages_users(example_sessions: sessionmaker[Session]) -> None:
    for role in ("redaktoer", "laeser"):
        with pytest.raises(NotAllowed):
            UserService(example_sessions, Actor("Mette", role)).add_user("x@example.dk", PASSWORD, "laeser")
    assert UserService(example_sessions, ADMIN).users() == []


def test_an_administrator_resets_a_password(example_sessions: sessionmaker[Session]) -> None:
    users = UserService(example_sessions, ADMIN)
    user = users.add_user("mette@example.dk", PASSWORD, "redaktoer")
    new = "et helt nyt kodeord"
    changed = users.reset_password(user.id, new, user.version)
    assert users.authenticate("mette@example.dk", PASSWORD) is None
    assert users.authenticate("mette@example.dk", new) is not None
    with pytest.raises(ConflictError):
        users.reset_password(user.id, "endnu et nyt kodeord", user.version)  # stale version
    assert changed.version > user.version


def test_the_command_creates_the_first_administrator(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/boligsocial.db"
    runner = CliRunner()
    result = runner.invoke(app, ["users", "add", "admin@example.dk", "--role", "administrator", "--db", url],
                           input=PASSWORD + "\n")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "Oprettede admin@example.dk som administrator på alle planer." in result.stdout
    sessions = bootstrap(url)
    signed_in = UserService(sessions, ADMIN).authenticate("admin@example.dk", PASSWORD)
    assert signed_in is not None and signed_in.roles == ((None, "administrator"),)
    refused = runner.invoke(
        app, ["users", "add", "jens@example.dk", "--role", "laeser", "--plan", "Ingen plan", "--db", url,
              "--password", PASSWORD],
    )  # fmt: skip
    assert refused.exit_code == 2
    assert 'der er ingen plan med navnet "Ingen plan"' in refused.stderr
    added = runner.invoke(
        app, ["users", "add", "jens@example.dk", "--role", "laeser", "--plan", "Mit Kvarter", "--db", url,
              "--password", PASSWORD],
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    short = runner.invoke(app, ["users", "add", "kim@example.dk", "--role", "laeser", "--db", url], input="kort\n")
    assert short.exit_code == 2 and "mindst 10 tegn" in short.stderr


def test_the_command_gives_a_forgotten_password_anew(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'glemt.db'}"
    runner = CliRunner()
    added = runner.invoke(
        app, ["users", "add", "lokal@example.dk", "--role", "administrator", "--db", url], input=PASSWORD + "\n"
    )
    assert added.exit_code == 0, added.output
    unknown = runner.invoke(
        app, ["users", "password", "ingen@example.dk", "--db", url], input="en ny lang adgangskode\n"
    )
    assert unknown.exit_code != 0 and "der er ingen bruger med e-mailen ingen@example.dk" in unknown.output
    short = runner.invoke(app, ["users", "password", "lokal@example.dk", "--db", url, "--password", "kort"])
    assert short.exit_code != 0 and "mindst 10 tegn" in short.output
    changed = runner.invoke(
        app, ["users", "password", "LOKAL@example.dk", "--db", url], input="en ny lang adgangskode\n"
    )
    assert changed.exit_code == 0 and "lokal@example.dk har fået en ny adgangskode." in changed.output
    users = UserService(bootstrap(url), ADMIN)
    assert users.authenticate("lokal@example.dk", PASSWORD) is None
    assert users.authenticate("lokal@example.dk", "en ny lang adgangskode") is not None

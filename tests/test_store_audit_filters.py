"""Reading the audit trail back with filters done in the database (SQLite and PostgreSQL): by
person, action, entity, free text and time, newest first, page by page; and the filter menus."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from boligsocial.store import SYSTEM_ACTOR, Actor, NotAllowed, Services


def _services(sessions: sessionmaker[Session], name: str, role: str = "redaktoer") -> Services:
    return Services(sessions, Actor(name, role))


def test_filters_pages_and_choices(example_sessions: sessionmaker[Session]) -> None:
    plan_id = Services(example_sessions, SYSTEM_ACTOR).plans.list_plans()[0].id
    mette = _services(example_sessions, "mette@example.dk")
    jonas = _services(example_sessions, "jonas@example.dk")
    mette.prose.save_prose(plan_id, "noter.md", "# Noter\n\nFørste udkast.\n", 0)
    jonas.prose.save_prose(plan_id, "noter.md", "# Noter\n\nAndet udkast (100%_sikkert).\n", 1)
    mette.prose.save_prose(plan_id, "andet.md", "# Andet\n", 0)
    trail = mette.audit
    everything = trail.audit_events(plan_id)
    assert [e.actor for e in everything[:3]] == ["mette@example.dk", "jonas@example.dk", "mette@example.dk"]
    assert trail.audit_events(plan_id, limit=8) == everything[:8]  # the old signature still works

    assert [e.after for e in trail.audit_events(plan_id, actor="jonas@example.dk")] == [
        "# Noter\n\nAndet udkast (100%_sikkert).\n"
    ]
    assert len(trail.audit_events(plan_id, action="gem_tekst")) == 3
    assert {e.entity for e in trail.audit_events(plan_id, entity="plan")} == {"plan"}
    assert trail.audit_events(plan_id, action="gem_tekst", actor="mette@example.dk", offset=1) == [
        trail.audit_events(plan_id, action="gem_tekst", actor="mette@example.dk")[1]
    ]
    # Free text, ignoring case, in the summary, actor and entity; LIKE's wildcards are literal.
    assert [e.summary for e in trail.audit_events(plan_id, text="ANDET.MD")] == ["Teksten andet.md er gemt"]
    assert len(trail.audit_events(plan_id, text="JONAS")) == 1
    assert trail.audit_events(plan_id, text="%") == [] and trail.audit_events(plan_id, text="_sikkert") == []
    # Time: a moment in any zone; `until` is exclusive.
    now = datetime.now(UTC)
    assert len(trail.audit_events(plan_id, since=now - timedelta(minutes=5))) >= 3
    assert trail.audit_events(plan_id, since=now + timedelta(minutes=5)) == []
    assert trail.audit_events(plan_id, until=now - timedelta(days=1)) == []
    copenhagen = datetime.now().astimezone()  # aware, local zone of the test machine
    assert (
        len(
            trail.audit_events(
                plan_id, since=copenhagen - timedelta(minutes=5), until=copenhagen + timedelta(minutes=5)
            )
        )
        >= 3
    )

    choices = trail.audit_choices(plan_id)
    assert {"mette@example.dk", "jonas@example.dk"} <= set(choices.actors) and choices.actors == sorted(choices.actors)
    assert "gem_tekst" in choices.actions and "tekst" in choices.entities


def test_only_the_plans_readers_see_its_trail(example_sessions: sessionmaker[Session]) -> None:
    plan_id = Services(example_sessions, SYSTEM_ACTOR).plans.list_plans()[0].id
    stranger = Services(example_sessions, Actor("fremmed@example.dk", None, ((plan_id + 1000, "administrator"),)))
    with pytest.raises(NotAllowed):
        stranger.audit.audit_events(plan_id, actor="system")
    with pytest.raises(NotAllowed):
        stranger.audit.audit_choices(plan_id)
    assert Services(example_sessions, Actor("læser", "laeser")).audit.audit_choices(plan_id).actions

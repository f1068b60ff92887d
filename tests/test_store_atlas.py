"""The atlas in the database (SQLite and PostgreSQL): a source is replaced as a whole or not at
all, exact values come back exact, anyone signed in reads it, only an administrator of every plan
loads it, and the load is in the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

import pytest
from sqlalchemy.orm import Session, sessionmaker

from boligsocial.law.figures import Measure
from boligsocial.register.atlas import Atlas, AtlasCriterion, AtlasEntry, AtlasThreshold
from boligsocial.store import SYSTEM_ACTOR, Actor, AtlasService, ConflictError, NotAllowed, NotFound, Services
from boligsocial.store.atlas import NO_SOURCE_TOKEN
from boligsocial.store.db import create_engine_for, session_factory, upgrade_to_head

ADMIN = Actor("admin@example.dk", "administrator", user_id=1)


def _entry(name: str, year: int, on: bool | None, value: Fraction = Fraction(1201, 3)) -> AtlasEntry:
    criterion = AtlasCriterion(
        Measure.IKKE_VESTLIGE,
        value / 10,
        value / 10 - Fraction(1, 7),
        value / 10 + Fraction(1, 7),
        True,
        (AtlasThreshold("parallelsamfund", "ikke_vestlige", ">", Fraction(50), "opfyldt"),),
    )
    return AtlasEntry(
        "omraade",
        name,
        year,
        {"udsat_boligomraade": on, "parallelsamfund": False},
        kommune="Odense",
        region="Region Syddanmark",
        residents=2_345,
        eligible=True,
        criteria=(criterion,),
    )


def _atlas(names: tuple[str, ...], years: tuple[int, ...] = (2021, 2022)) -> Atlas:
    entries = [_entry(n, y, y == 2022 or None) for n in names for y in years]
    return Atlas("persondata", "Beregnet fra persondata (test)", years, entries, ["En note."])


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = create_engine_for(db_url)
    upgrade_to_head(engine)
    yield session_factory(engine)
    engine.dispose()


def test_load_and_read_back_exactly(sessions: sessionmaker[Session]) -> None:
    service = AtlasService(sessions, ADMIN)
    loaded = service.replace_atlas(_atlas(("Vollsmose", "Bøgeparken")))
    assert (loaded.name, loaded.years, loaded.units, loaded.loaded_by) == (
        "persondata",
        (2021, 2022),
        4,
        "admin@example.dk",
    )
    reader = AtlasService(sessions, Actor("laeser@example.dk", None, ((7, "laeser"),)))
    (source,) = reader.sources()
    assert source.notes == ("En note.",) and source.title == "Beregnet fra persondata"
    table = reader.entries("persondata")
    assert [(e.name, e.list_year) for e in table] == [
        ("Bøgeparken", 2021),
        ("Bøgeparken", 2022),
        ("Vollsmose", 2021),
        ("Vollsmose", 2022),
    ]
    assert table[0].criteria == ()  # the table of paths reads no criteria
    assert table[0].lists == {"udsat_boligomraade": None, "parallelsamfund": False}
    history = reader.unit_history("persondata", "Vollsmose")
    assert history == [_entry("Vollsmose", 2021, None), _entry("Vollsmose", 2022, True)]


def test_a_new_load_replaces_the_source_and_a_failed_one_changes_nothing(sessions: sessionmaker[Session]) -> None:
    service = AtlasService(sessions, ADMIN)
    service.replace_atlas(_atlas(("Vollsmose",)))
    service.replace_atlas(_atlas(("Gellerup",), (2020,)))
    assert [e.name for e in service.entries("persondata")] == ["Gellerup"]
    broken = _atlas(("Ny",))
    broken.entries.append(AtlasEntry("omraade", None, 2022, {}))  # type: ignore[arg-type]
    with pytest.raises(ConflictError):
        service.replace_atlas(broken)
    assert [e.name for e in service.entries("persondata")] == ["Gellerup"]
    assert service.sources()[0].years == (2020,)


def test_sources_are_kept_apart_and_a_missing_one_is_named(sessions: sessionmaker[Session]) -> None:
    service = AtlasService(sessions, ADMIN)
    service.replace_atlas(_atlas(("Vollsmose",)))
    official = Atlas(
        "officiel",
        "Officielle lister",
        (2022,),
        [AtlasEntry("omraade", "Mjølnerparken", 2022, {"parallelsamfund": True})],
    )
    service.replace_atlas(official)
    assert [s.name for s in service.sources()] == ["persondata", "officiel"]
    assert [e.name for e in service.entries("officiel")] == ["Mjølnerparken"]
    with pytest.raises(NotFound, match="noegletal"):
        service.entries("noegletal")
    with pytest.raises(NotFound, match="Tingbjerg"):
        service.unit_history("officiel", "Tingbjerg")


@pytest.mark.parametrize(
    "actor",
    [
        Actor("laeser", "laeser"),
        Actor("redaktoer", "redaktoer"),
        Actor("planens administrator", None, ((1, "administrator"),)),
    ],
)
def test_only_an_administrator_of_every_plan_loads(sessions: sessionmaker[Session], actor: Actor) -> None:
    with pytest.raises(NotAllowed):
        AtlasService(sessions, actor).replace_atlas(_atlas(("Vollsmose",)))
    assert AtlasService(sessions, SYSTEM_ACTOR).sources() == []


def test_reading_needs_a_signed_in_user(sessions: sessionmaker[Session]) -> None:
    nobody = AtlasService(sessions, Actor("ingen", None))
    for call in (nobody.sources, lambda: nobody.entries("persondata")):
        with pytest.raises(NotAllowed, match="logget ind"):
            call()
    assert AtlasService(sessions, Actor("bruger", None, user_id=5)).sources() == []


def test_the_load_is_audited(sessions: sessionmaker[Session]) -> None:
    AtlasService(sessions, ADMIN).replace_atlas(_atlas(("Vollsmose",)))
    AtlasService(sessions, ADMIN).replace_atlas(_atlas(("Vollsmose", "Gellerup")))
    events = [e for e in Services(sessions, SYSTEM_ACTOR).audit.audit_events(None, limit=10) if e.entity == "atlas"]
    assert len(events) == 2
    newest = events[0]
    assert newest.actor == "admin@example.dk" and "4 enheder" in newest.summary
    assert newest.before == {"beskrivelse": "Beregnet fra persondata (test)", "listeaar": [2021, 2022], "enheder": 2}


def test_a_load_pinned_to_a_stale_token_is_refused_and_changes_nothing(sessions: sessionmaker[Session]) -> None:
    service = AtlasService(sessions, ADMIN)
    empty = service.source_token("persondata")
    assert empty == NO_SOURCE_TOKEN
    service.replace_atlas(_atlas(("Vollsmose",)), expected_token=empty)
    first = service.source_token("persondata")
    assert first != empty and service.source_token("persondata") == first  # reading does not change it
    with pytest.raises(ConflictError, match=r"indlæst igen af admin@example\.dk"):
        service.replace_atlas(_atlas(("Gellerup",)), expected_token=empty)  # previewed before the first load
    assert [e.name for e in service.entries("persondata")] == ["Vollsmose", "Vollsmose"]
    service.replace_atlas(_atlas(("Vollsmose",)))  # the same content loaded again is another load
    second = service.source_token("persondata")
    assert second != first
    with pytest.raises(ConflictError):
        service.replace_atlas(_atlas(("Gellerup",)), expected_token=first)
    service.replace_atlas(_atlas(("Gellerup",)), expected_token=second)
    assert {e.name for e in service.entries("persondata")} == {"Gellerup"}
    assert service.source_token("officiel") == NO_SOURCE_TOKEN  # each source has its own


def test_who_may_load_is_the_stores_rule(sessions: sessionmaker[Session]) -> None:
    assert AtlasService(sessions, ADMIN).may_load() and AtlasService(sessions, SYSTEM_ACTOR).may_load()
    for actor in (
        Actor("laeser", "laeser"),
        Actor("redaktoer", "redaktoer"),
        Actor("planens administrator", None, ((1, "administrator"),)),
    ):
        service = AtlasService(sessions, actor)
        assert not service.may_load()
        with pytest.raises(NotAllowed):
            service.source_token("officiel")

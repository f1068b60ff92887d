"""The database schema as typed SQLAlchemy 2 ORM classes.

What is edited and imported is stored as real rows: organisations, afdelinger, omraader, the key
figures per afdeling and list year, indicators and their values, prose files. Parts of the plan
that are only ever replaced as a whole (indsatsomraader, opmaerksomhedspunkter, partners, the
organisation, abbreviations, corrections) are kept as one JSON document on the plan row, in the
shape of `helhedsplan.toml`. References to afdelinger inside omraader, indsatsomraader and
indicators are kept as written in the plan (`{"afdeling": ..., "boligorganisation": ...}`), so a
plan round-trips exactly.

Numbers are exact: `ExactDecimal` is NUMERIC on PostgreSQL and the decimal text on SQLite (whose
NUMERIC would turn them into binary floats). Never float.

Every editable row has a `version` (SQLAlchemy's `version_id_col`): an UPDATE that finds another
version than it read changes nothing and raises `StaleDataError`, which the service turns into a
`ConflictError`. `updated_at`/`updated_by` say who changed the row last.

The schema is created by the Alembic migrations in `migrations/versions/`; a change here needs a
new migration (see docs/storage.md). A test checks that the migrations and these classes agree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeEngine

__all__ = [
    "AfdelingRow",
    "AtlasEntryRow",
    "AtlasSourceRow",
    "AuditEvent",
    "Base",
    "BoligorganisationRow",
    "ExactDecimal",
    "IndikatorRow",
    "KeyFigureRow",
    "MaalingRow",
    "NationalAverageRow",
    "OmraadeRow",
    "PlanRoleRow",
    "PlanRow",
    "TekstRow",
    "UserRow",
]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class ExactDecimal(TypeDecorator[Decimal]):
    """A `Decimal` stored exactly: NUMERIC (no fixed scale) on PostgreSQL, the decimal text on
    other databases. The written precision is kept ("24.30" stays "24.30")."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(asdecimal=True))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal) or not value.is_finite():
            raise TypeError(f"ExactDecimal needs a finite Decimal, got {value!r}")
        return value if dialect.name == "postgresql" else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - read once by SQLAlchemy
        dict[str, Any]: JSON,
        list[Any]: JSON,
        Decimal: ExactDecimal,
        datetime: DateTime(timezone=True),
        date: Date,
        str: String,
    }


# --------------------------------------------------------------------------------------------------
# The plan


class PlanRow(Base):
    """A helhedsplan: the top-level fields of `helhedsplan.toml`, plus the rarely edited nested
    parts as one JSON document (`dokument`: indsatsomraader, opmaerksomhedspunkter, partnere,
    organisation, forkortelser, rettelser)."""

    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    navn: Mapped[str]
    kommune: Mapped[str]
    ansoeger: Mapped[str]
    periode_start: Mapped[date]
    periode_slut: Mapped[date]
    liste_aar: Mapped[int | None]
    beboere_dato: Mapped[date | None]
    noegletal: Mapped[str | None]
    baggrund: Mapped[str | None] = mapped_column(Text)
    kriterier_tekst: Mapped[str | None] = mapped_column(Text)
    dokument: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    archived_at: Mapped[datetime | None] = mapped_column(default=None)
    """When an administrator archived the plan (None: active). An archived plan is kept, readable
    and exportable, but refuses every change until it is taken back."""

    boligorganisationer: Mapped[list[BoligorganisationRow]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="BoligorganisationRow.position"
    )
    afdelinger: Mapped[list[AfdelingRow]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="AfdelingRow.position"
    )
    omraader: Mapped[list[OmraadeRow]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="OmraadeRow.position"
    )
    indikatorer: Mapped[list[IndikatorRow]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="IndikatorRow.position"
    )
    tekster: Mapped[list[TekstRow]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="TekstRow.navn"
    )
    noegletal_rows: Mapped[list[KeyFigureRow]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="KeyFigureRow.position"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - read once by SQLAlchemy


class BoligorganisationRow(Base):
    __tablename__ = "boligorganisation"
    __table_args__ = (UniqueConstraint("plan_id", "kortnavn"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    kortnavn: Mapped[str]
    navn: Mapped[str]
    administrator: Mapped[str | None]
    aliaser: Mapped[list[Any]]
    noter: Mapped[list[Any]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    plan: Mapped[PlanRow] = relationship(back_populates="boligorganisationer")
    afdelinger: Mapped[list[AfdelingRow]] = relationship(back_populates="organisation")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - read once by SQLAlchemy


class AfdelingRow(Base):
    __tablename__ = "afdeling"
    __table_args__ = (UniqueConstraint("boligorganisation_id", "navn"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    boligorganisation_id: Mapped[int] = mapped_column(
        ForeignKey("boligorganisation.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    navn: Mapped[str]
    afdelingsnummer: Mapped[str | None]
    boliger: Mapped[int]
    status: Mapped[str]
    betingelse: Mapped[str | None] = mapped_column(Text)
    aliaser: Mapped[list[Any]]
    oplyst_paa_lister: Mapped[list[Any]]
    noter: Mapped[list[Any]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    plan: Mapped[PlanRow] = relationship(back_populates="afdelinger")
    organisation: Mapped[BoligorganisationRow] = relationship(back_populates="afdelinger")
    noegletal_rows: Mapped[list[KeyFigureRow]] = relationship(
        back_populates="afdeling", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - read once by SQLAlchemy


class OmraadeRow(Base):
    __tablename__ = "omraade"
    __table_args__ = (UniqueConstraint("plan_id", "navn"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    navn: Mapped[str]
    afdelinger: Mapped[list[Any]]  # afdeling references as in the plan file
    afgraensning: Mapped[str | None] = mapped_column(Text)
    oplyst_paa_lister: Mapped[list[Any]]
    noter: Mapped[list[Any]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    plan: Mapped[PlanRow] = relationship(back_populates="omraader")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - read once by SQLAlchemy


# --------------------------------------------------------------------------------------------------
# Key figures


class KeyFigureRow(Base):
    """An afdeling's key figures in one list year (`listeaar` NULL: the file gave no year). The
    columns are the key-figure file's columns. A measure is either a percentage (`*_pct`) or,
    when the counts are known, `*_taeller`/`*_naevner` (income: also `indkomst_region_gns`), from
    which the share is computed; then the percentage column is NULL."""

    __tablename__ = "noegletal"
    __table_args__ = (UniqueConstraint("afdeling_id", "listeaar"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    afdeling_id: Mapped[int] = mapped_column(ForeignKey("afdeling.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    listeaar: Mapped[int | None]
    beboere: Mapped[int | None]
    boliger: Mapped[int | None]
    afdelingsnummer: Mapped[str | None]
    omraade: Mapped[str | None]
    kommune: Mapped[str | None]

    uden_for_arbejdsmarked_pct: Mapped[Decimal | None]
    ikke_vestlige_pct: Mapped[Decimal | None]
    doemte_pct: Mapped[Decimal | None]
    kun_grundskole_pct: Mapped[Decimal | None]
    indkomst_pct_af_region: Mapped[Decimal | None]

    uden_for_arbejdsmarked_taeller: Mapped[Decimal | None]
    uden_for_arbejdsmarked_naevner: Mapped[Decimal | None]
    ikke_vestlige_taeller: Mapped[Decimal | None]
    ikke_vestlige_naevner: Mapped[Decimal | None]
    doemte_taeller: Mapped[Decimal | None]
    doemte_naevner: Mapped[Decimal | None]
    kun_grundskole_taeller: Mapped[Decimal | None]
    kun_grundskole_naevner: Mapped[Decimal | None]
    indkomst_taeller: Mapped[Decimal | None]
    indkomst_naevner: Mapped[Decimal | None]
    indkomst_region_gns: Mapped[Decimal | None]

    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    plan: Mapped[PlanRow] = relationship(back_populates="noegletal_rows")
    afdeling: Mapped[AfdelingRow] = relationship(back_populates="noegletal_rows")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - read once by SQLAlchemy


class NationalAverageRow(Base):
    """The national average share of convicted residents (percent) for one list year, entered by an
    editor of the plan with its source, for a year the law's parameters do not know
    (store/national_averages.py). The plan's verdicts for that year (and the look-back of later
    years) use it."""

    __tablename__ = "landsgennemsnit"
    __table_args__ = (UniqueConstraint("plan_id", "listeaar"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    listeaar: Mapped[int]
    doemte_pct: Mapped[Decimal]
    kilde: Mapped[str] = mapped_column(Text)
    kilde_dato: Mapped[date]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - read once by SQLAlchemy


# --------------------------------------------------------------------------------------------------
# Indicators


class IndikatorRow(Base):
    __tablename__ = "indikator"
    __table_args__ = (UniqueConstraint("plan_id", "ident"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    ident: Mapped[str]  # Indikator.id, e.g. "fravaer-grundskole"
    navn: Mapped[str]
    enhed: Mapped[str]
    gaelder: Mapped[str]
    indsatsomraade: Mapped[str | None]
    kilde: Mapped[str | None] = mapped_column(Text)
    definition: Mapped[str | None] = mapped_column(Text)
    afsnit: Mapped[str | None]
    afdelinger: Mapped[list[Any]]
    noter: Mapped[list[Any]]
    katalog: Mapped[str | None]  # catalogue definition id
    katalog_version: Mapped[int | None]
    retning: Mapped[str | None]
    # The frozen baseline, the target and the milestones, in the shape of helhedsplan.toml with every
    # number as its exact decimal text ("8.21"): {"baseline": {...}, "maal": {...}, "milepaele": [...]}.
    maalstyring: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    plan: Mapped[PlanRow] = relationship(back_populates="indikatorer")
    vaerdier: Mapped[list[MaalingRow]] = relationship(
        back_populates="indikator", cascade="all, delete-orphan", order_by="MaalingRow.position"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - read once by SQLAlchemy


class MaalingRow(Base):
    """A value of an indicator: `art` "maaling" (the plan's own measurement) or "sammenligning"
    (a comparison figure, with `betegnelse`)."""

    __tablename__ = "maaling"

    id: Mapped[int] = mapped_column(primary_key=True)
    indikator_id: Mapped[int] = mapped_column(ForeignKey("indikator.id", ondelete="CASCADE"), index=True)
    art: Mapped[str]
    position: Mapped[int]
    betegnelse: Mapped[str | None]
    vaerdi: Mapped[Decimal]
    aar: Mapped[int | None]
    til_aar: Mapped[int | None]
    kvalifikator: Mapped[str | None]
    kilde: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    indikator: Mapped[IndikatorRow] = relationship(back_populates="vaerdier")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - read once by SQLAlchemy


# --------------------------------------------------------------------------------------------------
# Prose and audit


class TekstRow(Base):
    """A prose file of the plan folder, `tekst/<navn>` (Markdown), kept byte-for-byte as text."""

    __tablename__ = "tekst"
    __table_args__ = (UniqueConstraint("plan_id", "navn"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    navn: Mapped[str]
    indhold: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    plan: Mapped[PlanRow] = relationship(back_populates="tekster")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - read once by SQLAlchemy


# --------------------------------------------------------------------------------------------------
# Accounts


class UserRow(Base):
    """A person who signs in: e-mail (stored lower-case) and an argon2 hash of the password, never
    the password itself."""

    __tablename__ = "bruger"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String, unique=True)
    password_hash: Mapped[str]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    roles: Mapped[list[PlanRoleRow]] = relationship(back_populates="user", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - read once by SQLAlchemy


class PlanRoleRow(Base):
    """A user's role on one plan, or on every plan when `plan_id` is None (an administrator of
    the installation). At most one role per user and plan (kept by the service: NULLs are
    distinct in a unique constraint)."""

    __tablename__ = "plan_rolle"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("bruger.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    role: Mapped[str]

    user: Mapped[UserRow] = relationship(back_populates="roles")


class SignInSession(Base):
    """A signed-in browser: the SHA-256 of the random token in its cookie (never the token), its
    CSRF token and when it ends. Signing out deletes the row, so a copied cookie dies with it."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String, unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("bruger.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class SignInAttempt(Base):
    """A failed sign-in (e-mail as typed, lower-case, and the client's address), kept to slow
    down password guessing; old attempts are deleted as new ones come."""

    __tablename__ = "login_forsoeg"
    __table_args__ = (
        Index("ix_login_forsoeg_email_at", "email", "at"),
        Index("ix_login_forsoeg_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str]
    client: Mapped[str]
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """One write, by whom and when, with the entity's data before and after (JSON). Not linked by
    foreign key, so that the trail survives the deletion of what it describes."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_plan_at", "plan_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str]
    user_id: Mapped[int | None] = mapped_column(default=None)
    role: Mapped[str]
    action: Mapped[str]
    entity: Mapped[str]
    entity_id: Mapped[str | None]
    plan_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(Text)
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)


# --------------------------------------------------------------------------------------------------
# The atlas: national data, not per plan (store/atlas.py)


class AtlasSourceRow(Base):
    """One loaded atlas source ("persondata", "noegletal" or "officiel"), replaced as a whole."""

    __tablename__ = "atlas_kilde"

    id: Mapped[int] = mapped_column(primary_key=True)
    navn: Mapped[str] = mapped_column(String, unique=True)
    beskrivelse: Mapped[str] = mapped_column(Text)
    listeaar: Mapped[list[Any]] = mapped_column(JSON)
    noter: Mapped[list[Any]] = mapped_column(JSON)
    enheder: Mapped[int]
    indlaest_at: Mapped[datetime] = mapped_column(default=utcnow)
    indlaest_af: Mapped[str]


class AtlasEntryRow(Base):
    """One afdeling or boligomraade in one list year of a source: its list statuses (JSON, today's
    list names -> true/false/null) and its criteria (JSON, exact fractions as text)."""

    __tablename__ = "atlas_enhed"
    __table_args__ = (Index("ix_atlas_enhed_kilde_type_navn", "kilde_id", "enhedstype", "navn"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kilde_id: Mapped[int] = mapped_column(ForeignKey("atlas_kilde.id", ondelete="CASCADE"))
    enhedstype: Mapped[str]
    navn: Mapped[str]
    listeaar: Mapped[int]
    boligorganisation: Mapped[str | None]
    omraade: Mapped[str | None]
    kommune: Mapped[str | None]
    region: Mapped[str | None]
    beboere: Mapped[int | None]
    vurderet: Mapped[bool | None]
    lister: Mapped[dict[str, Any]] = mapped_column(JSON)
    kriterier: Mapped[list[Any]] = mapped_column(JSON)

"""`UserService`: the people who sign in, their passwords (argon2 hashes) and their role per plan.

Roles (`PLAN_ROLES`): a *laeser* reads a plan and exports it, a *redaktoer* also edits it, an
*administrator* also manages users, roles and plans. A role is held on one plan, or on every plan
(`plan_id` None). Only an administrator (or the system, e.g. the `boligsocial users` command) may
add users or reset passwords. Passwords are hashed with argon2id (argon2-cffi's defaults) and are
never stored, logged or written to the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from boligsocial.store.errors import NotAllowed, NotFound, ValidationFailed
from boligsocial.store.models import PlanRoleRow, SignInSession, UserRow
from boligsocial.store.records import ROLES, Actor
from boligsocial.store.unit_of_work import UnitOfWork, changed_by, plan_row

__all__ = ["MIN_PASSWORD_LENGTH", "PLAN_ROLES", "UserRecord", "UserService", "actor_of"]

PLAN_ROLES: Final[dict[str, str]] = {role: label for role, label in ROLES.items() if role != "system"}

MIN_PASSWORD_LENGTH: Final = 10
"""Long enough to resist guessing once sign-in is rate-limited; a passphrase is encouraged."""

_HASHER: Final = PasswordHasher()
# Verified against when the e-mail is unknown, so that an unknown address takes as long to refuse
# as a wrong password (no telling which addresses have accounts by the time it takes).
_DUMMY_HASH: Final = _HASHER.hash("ingen bruger har denne adgangskode")


@dataclass(frozen=True)
class UserRecord:
    id: int
    email: str
    active: bool
    roles: tuple[tuple[int | None, str], ...]  # (plan id or None for every plan, role)
    version: int

    def role_on(self, plan_id: int) -> str | None:
        """The user's role on a plan: the plan's own role, else the role on every plan."""
        own = next((role for plan, role in self.roles if plan == plan_id), None)
        return own or next((role for plan, role in self.roles if plan is None), None)


def normalise_email(email: str) -> str:
    return email.strip().casefold()


def record_of(row: UserRow) -> UserRecord:
    roles = tuple(sorted(((r.plan_id, r.role) for r in row.roles), key=lambda r: (r[0] is not None, r[0] or 0)))
    return UserRecord(id=row.id, email=row.email, active=row.active, roles=roles, version=row.version)


def _check_password(password: str, errors: dict[str, str]) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = f"Adgangskoden skal være mindst {MIN_PASSWORD_LENGTH} tegn."
    elif password.strip() != password:
        errors["password"] = "Adgangskoden må ikke begynde eller slutte med mellemrum."


def _check_role(role: str, errors: dict[str, str]) -> None:
    if role not in PLAN_ROLES:
        errors["role"] = f'Ukendt rolle "{role}"; kendte: {", ".join(PLAN_ROLES)}.'


def _check_email(email: str, errors: dict[str, str]) -> None:
    local, at, domain = email.partition("@")
    if not (local and at and "." in domain and " " not in email):
        errors["email"] = f'"{email}" er ikke en e-mailadresse.'


class UserService(UnitOfWork):
    """Users and their roles, on behalf of one `Actor`."""

    def add_user(self, email: str, password: str, role: str, plan_id: int | None = None) -> UserRecord:
        """Create a user with a role on one plan (or every plan). Raises ValidationFailed (Danish
        messages by field: email, password, role, plan) and NotAllowed: a role on one plan may be
        given by that plan's administrator, a role on every plan only by an administrator of
        every plan."""
        self._require(plan_id, "administrator")
        email = normalise_email(email)
        errors: dict[str, str] = {}
        _check_email(email, errors)
        _check_password(password, errors)
        _check_role(role, errors)
        if errors:
            raise ValidationFailed(errors)
        with self._writing() as session:
            if plan_id is not None:
                try:
                    plan_row(session, plan_id)
                except NotFound as error:
                    raise ValidationFailed({"plan": str(error)}) from None
            if session.scalars(select(UserRow.id).where(UserRow.email == email)).first() is not None:
                raise ValidationFailed({"email": f"Der findes allerede en bruger med e-mailen {email}."})
            row = UserRow(email=email, password_hash=_HASHER.hash(password), active=True, updated_by=self.actor.name)
            row.roles.append(PlanRoleRow(plan_id=plan_id, role=role))
            session.add(row)
            session.flush()
            where = "alle planer" if plan_id is None else f"plan {plan_id}"
            summary = f"Brugeren {email} er oprettet som {role} på {where}"
            after = {"email": email, "roller": [[plan_id, role]]}
            self._audit(session, "opret_bruger", "bruger", row.id, plan_id, summary, after=after)
            return record_of(row)

    def authenticate(self, email: str, password: str) -> UserRecord | None:
        """The active user with this e-mail and password, or None. Takes as long for an unknown
        e-mail as for a wrong password."""
        with self._reading() as session:
            row = verified_user(session, email, password)
            return None if row is None else record_of(row)

    def reset_password(self, user_id: int, password: str, expected_version: int) -> UserRecord:
        """Set a new password (an administrator's reset). Raises ValidationFailed, NotFound,
        NotAllowed, or ConflictError when the user changed since `expected_version`."""
        self._require(None, "administrator")
        errors: dict[str, str] = {}
        _check_password(password, errors)
        if errors:
            raise ValidationFailed(errors)
        with self._writing() as session:
            row = _user_row(session, user_id, expected_version)
            row.password_hash = _HASHER.hash(password)
            self._touch(row)
            session.flush()
            self._audit(
                session, "nulstil_adgangskode", "bruger", row.id, None, f"Adgangskoden for {row.email} er ændret"
            )
            return record_of(row)

    def set_role(self, user_id: int, plan_id: int | None, role: str | None, expected_version: int) -> UserRecord:
        """Give a user `role` on a plan (or every plan), or take the role away (`role` None).
        The plan's administrator may change roles on the plan; roles on every plan need an
        administrator of every plan. Nobody can take away their own administrator role."""
        self._require(plan_id, "administrator")
        errors: dict[str, str] = {}
        if role is not None:
            _check_role(role, errors)
        if errors:
            raise ValidationFailed(errors)
        if user_id == self.actor.user_id and role != "administrator":
            raise NotAllowed("Du kan ikke fjerne din egen administratorrolle; bed en anden administrator.")
        with self._writing() as session:
            row = _user_row(session, user_id, expected_version)
            before = [[r.plan_id, r.role] for r in row.roles]
            for held in [r for r in row.roles if r.plan_id == plan_id]:
                row.roles.remove(held)
            if role is not None:
                row.roles.append(PlanRoleRow(plan_id=plan_id, role=role))
            self._touch(row)
            session.flush()
            where = "alle planer" if plan_id is None else f"plan {plan_id}"
            what = f"er nu {role} på {where}" if role else f"har ikke længere en rolle på {where}"
            after = [[r.plan_id, r.role] for r in row.roles]
            self._audit(
                session,
                "saet_rolle",
                "bruger",
                row.id,
                plan_id,
                f"{row.email} {what}",
                {"roller": before},
                {"roller": after},
            )
            return record_of(row)

    def set_active(self, user_id: int, active: bool, expected_version: int) -> UserRecord:
        """Close a user's account (they can no longer sign in; their sessions end) or open it
        again. Only an administrator of every plan may."""
        self._require(None, "administrator")
        if user_id == self.actor.user_id:
            raise NotAllowed("Du kan ikke lukke din egen konto.")
        with self._writing() as session:
            row = _user_row(session, user_id, expected_version)
            row.active = active
            if not active:
                session.execute(delete(SignInSession).where(SignInSession.user_id == user_id))
            self._touch(row)
            session.flush()
            what = "er åbnet igen" if active else "er lukket"
            self._audit(
                session,
                "aabn_konto" if active else "luk_konto",
                "bruger",
                row.id,
                None,
                f"Kontoen for {row.email} {what}",
                {"aktiv": not active},
                {"aktiv": active},
            )
            return record_of(row)

    def get_user(self, user_id: int) -> UserRecord:
        """One user with their roles. Only an administrator of every plan, or the user themself."""
        if user_id != self.actor.user_id:
            self._require(None, "administrator")
        with self._reading() as session:
            row = session.get(UserRow, user_id, options=[selectinload(UserRow.roles)])
            if row is None:
                raise NotFound(f"Brugeren (id {user_id}) findes ikke.")
            return record_of(row)

    def users(self) -> list[UserRecord]:
        """Every user (administrators of every plan only)."""
        self._require(None, "administrator")
        """Every user, by e-mail."""
        with self._reading() as session:
            query = select(UserRow).options(selectinload(UserRow.roles)).order_by(UserRow.email)  # stored lower-case
            return [record_of(row) for row in session.scalars(query)]


def _user_row(session: Session, user_id: int, expected_version: int) -> UserRow:
    row = session.get(UserRow, user_id, options=[selectinload(UserRow.roles)])
    if row is None:
        raise NotFound(f"Brugeren (id {user_id}) findes ikke.")
    if row.version != expected_version:
        raise changed_by("Brugeren", row.updated_by, row.updated_at)
    return row


def actor_of(user: UserRecord) -> Actor:
    """The store's `Actor` for a signed-in user: named by e-mail, with their roles."""
    every = next((role for plan, role in user.roles if plan is None), None)
    own = tuple((plan, role) for plan, role in user.roles if plan is not None)
    return Actor(user.email, every, own, user.id)


def verified_user(session: Session, email: str, password: str) -> UserRow | None:
    """The active user with this e-mail and password, or None; as slow for an unknown e-mail."""
    row = _user_by_email(session, normalise_email(email))
    try:
        _HASHER.verify(row.password_hash if row is not None else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    return row


def _user_by_email(session: Session, email: str) -> UserRow | None:
    query = select(UserRow).where(UserRow.email == email).options(selectinload(UserRow.roles))
    return session.scalars(query).one_or_none()

"""`SignInService`: signing in and out of the web app, and who a browser's session belongs to.

A session is a random token in an HttpOnly cookie; the database keeps only its SHA-256, so a copy
of the database does not let anyone in. Each session has its own CSRF token (the web app puts it
in every form and htmx request). Sessions end after `SESSION_LIFETIME` or at sign-out.

Password guessing is slowed down in the database (so it holds across worker processes): after
`MAX_FAILURES_PER_EMAIL` failed sign-ins for one e-mail, or `MAX_FAILURES_PER_CLIENT` from one
address, within `FAILURE_WINDOW`, further attempts are refused without checking the password
until the window has passed. Every sign-in, sign-out and failed attempt is in the audit trail.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from boligsocial.danish import as_utc
from boligsocial.store.errors import NotAllowed
from boligsocial.store.models import SignInAttempt, SignInSession, UserRow, utcnow
from boligsocial.store.unit_of_work import UnitOfWork
from boligsocial.store.users import UserRecord, actor_of, normalise_email, record_of, verified_user

__all__ = [
    "FAILURE_WINDOW",
    "MAX_FAILURES_PER_CLIENT",
    "MAX_FAILURES_PER_EMAIL",
    "SESSION_LIFETIME",
    "SessionUser",
    "SignInRefused",
    "SignInService",
    "SignedIn",
    "TooManyAttempts",
]

SESSION_LIFETIME: Final = timedelta(hours=12)
"""A working day: long enough not to interrupt, short enough that a forgotten session dies."""
FAILURE_WINDOW: Final = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL: Final = 5
MAX_FAILURES_PER_CLIENT: Final = 20
"""Higher than per e-mail: several colleagues may share one office address."""


class SignInRefused(NotAllowed):
    """Wrong e-mail or password (never saying which), or a closed account."""


class TooManyAttempts(NotAllowed):
    """Too many failed sign-ins lately; `minutes` until the next attempt is heard."""

    def __init__(self, minutes: int) -> None:
        unit = "minut" if minutes == 1 else "minutter"
        super().__init__(f"For mange forkerte forsøg på at logge ind. Prøv igen om {minutes} {unit}.")
        self.minutes = minutes


@dataclass(frozen=True)
class SignedIn:
    token: str  # for the cookie only; the database keeps its hash
    csrf_token: str
    user: UserRecord
    expires_at: datetime


@dataclass(frozen=True)
class SessionUser:
    user: UserRecord
    csrf_token: str
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SignInService(UnitOfWork):
    """Sign-in and sessions; the actor is whoever is at the door (anonymous until signed in)."""

    def sign_in(self, email: str, password: str, client: str) -> SignedIn:
        """A new session for the user with this e-mail and password. Raises TooManyAttempts
        (checked first, without looking at the password) or SignInRefused; both are recorded."""
        email = normalise_email(email)[:200]
        client = client[:100]
        with self._reading() as session:
            wait = _wait_minutes(session, email, client)
        if wait:
            raise TooManyAttempts(wait)
        with self._writing() as session:
            row = verified_user(session, email, password)
            if row is None:
                session.add(SignInAttempt(email=email, client=client, at=utcnow()))
                self._audit(
                    session, "mislykket_log_ind", "bruger", None, None, f"Mislykket log ind som {email} fra {client}"
                )
            else:
                return self._open_session(session, row, client)
        raise SignInRefused("Forkert e-mail eller adgangskode.")

    def _open_session(self, session: Session, row: UserRow, client: str) -> SignedIn:
        now = utcnow()
        session.execute(delete(SignInSession).where(SignInSession.expires_at < now))
        session.execute(delete(SignInAttempt).where(SignInAttempt.at < now - FAILURE_WINDOW))
        session.execute(delete(SignInAttempt).where(SignInAttempt.email == row.email))
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = now + SESSION_LIFETIME
        session.add(SignInSession(token_hash=token_hash(token), user_id=row.id, csrf_token=csrf, expires_at=expires))
        user = record_of(row)
        summary = f"{row.email} er logget ind fra {client}"
        self._audit(session, "log_ind", "bruger", row.id, None, summary, actor=actor_of(user))
        return SignedIn(token, csrf, user, expires)

    def session_user(self, token: str) -> SessionUser | None:
        """Who holds the session with this token, or None when it is unknown, ended or expired,
        or the account is closed."""
        if not token or len(token) > 100:
            return None
        with self._reading() as session:
            query = (
                select(SignInSession, UserRow)
                .join(UserRow, UserRow.id == SignInSession.user_id)
                .where(SignInSession.token_hash == token_hash(token), SignInSession.expires_at > utcnow())
                .options(selectinload(UserRow.roles))
            )
            found = session.execute(query).first()
            if found is None or not found[1].active:
                return None
            held, user = found
            return SessionUser(record_of(user), held.csrf_token, as_utc(held.expires_at))

    def sign_out(self, token: str) -> bool:
        """End the session with this token; False when there was none."""
        with self._writing() as session:
            held = session.scalars(select(SignInSession).where(SignInSession.token_hash == token_hash(token))).first()
            if held is None:
                return False
            user = session.get(UserRow, held.user_id)
            session.delete(held)
            email = user.email if user is not None else "?"
            self._audit(session, "log_ud", "bruger", held.user_id, None, f"{email} er logget ud")
            return True


def _wait_minutes(session: Session, email: str, client: str) -> int:
    """Minutes until the next attempt for this e-mail and address is heard (0: now)."""
    since = utcnow() - FAILURE_WINDOW
    waits: list[datetime] = []
    for column, value, limit in (
        (SignInAttempt.email, email, MAX_FAILURES_PER_EMAIL),
        (SignInAttempt.client, client, MAX_FAILURES_PER_CLIENT),
    ):
        recent = select(SignInAttempt.at).where(SignInAttempt.at >= since, column == value)
        latest = list(session.scalars(recent.order_by(SignInAttempt.at.desc()).limit(limit)))
        if len(latest) == limit:  # the oldest of the last `limit` must age out before one more
            waits.append(as_utc(latest[-1]) + FAILURE_WINDOW)
    if not waits:
        return 0
    seconds = (max(waits) - utcnow()).total_seconds()
    return max(1, math.ceil(seconds / 60))

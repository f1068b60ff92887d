"""What the app keeps between requests: the session factory, the signed-in sessions (briefly) and
a cache of classified plans.

Classifying a plan (the law applied to every unit, with flips and areas) takes a few hundred
milliseconds, far more than a page may take. The result depends only on the stored data, so it is
cached per (plan id, data version, list year); the data version is read from the database (at
most once a second per process, see `VersionCache`), so a write by anyone - this process, another
worker, the command line - makes the next request read the plan again. The verdicts themselves
depend only on the key figures and the list year: a write that changes neither (a text, an
indicator value) reuses the last verdicts (`LatestOverviews`) instead of classifying again.
Rendered charts are cached by what they show.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker

from boligsocial.store import SYSTEM_ACTOR, Actor, PlanOverview, PlanVersions, Services, SessionUser
from boligsocial.store.sign_in import SignInService
from boligsocial.web.views import DepartmentRow

K = TypeVar("K")
V = TypeVar("V")

VERSION_TTL = 1.0  # seconds a plan's data version is trusted without asking the database
SESSION_TTL = 1.0  # seconds a session is trusted without asking the database (sign-out elsewhere)
MAX_PAGE_CACHE_BYTES = 64 * 1024 * 1024  # rendered pages kept per process
MAX_FRAGMENT_CACHE_CHARS = 32 * 1024 * 1024  # rendered charts and table rows kept per process
MAX_REPORT_CACHE_BYTES = 32 * 1024 * 1024  # built status reports (about 0,3-0,7 MB each)
STORED_READS = 1024  # a data version's reads: a department's figures per year, an indicator, ...
FRAGMENTS = 8192  # at most; the table rows of each data version must not push the charts out


class ComputeOnceCache(Generic[K, V]):
    """A small LRU cache that computes each missing key once, even when many threads ask at the
    same moment (the others wait for the first instead of computing it again). It holds at most
    `size` items and, with `weight`, at most `max_weight` in total (e.g. bytes)."""

    def __init__(self, size: int, weight: Callable[[V], int] | None = None, max_weight: int = 0) -> None:
        self.size = size
        self.weight = weight
        self.max_weight = max_weight
        self._total = 0
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self._pending: dict[K, threading.Lock] = {}

    def get(self, key: K, compute: Callable[[], V], keep: Callable[[V], bool] | None = None) -> V:
        """The cached value, or `compute()` stored (unless `keep(value)` is False)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            pending = self._pending.setdefault(key, threading.Lock())
        with pending:
            with self._lock:
                if key in self._items:
                    return self._items[key]
            try:
                value = compute()
                if keep is None or keep(value):
                    self._store(key, value)
            finally:
                with self._lock:
                    self._pending.pop(key, None)
            return value

    def _store(self, key: K, value: V) -> None:
        with self._lock:
            if key in self._items:
                self._total -= self._weigh(self._items.pop(key))
            self._items[key] = value
            self._total += self._weigh(value)
            while len(self._items) > 1 and (
                len(self._items) > self.size or (self.weight is not None and self._total > self.max_weight)
            ):
                _, dropped = self._items.popitem(last=False)
                self._total -= self._weigh(dropped)

    def _weigh(self, value: V) -> int:
        return self.weight(value) if self.weight is not None else 0

    def peek(self, key: K) -> V | None:
        """The cached value, or None (never computes)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._total = 0


class VersionCache:
    """Each plan's data versions (`PlanVersions`) as last read from the database, trusted for `ttl` seconds.

    Writes made through this app forget the plan's entry at once, so the next page reads the new
    version; a write by another process (a second worker, the command line) is seen within `ttl`.
    Pages served from the cache within `ttl` thus need no database round trip at all.

    A version read before a write's commit must not be kept after the write forgot the entry
    (a page that began just before the write would otherwise have the old version trusted for
    another `ttl`, and the writer's next page show the data before its write): `read` keeps a
    version only if nothing was forgotten since the read began."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._items: dict[int, tuple[float, PlanVersions]] = {}
        self._forgotten: dict[int, int] = {}  # per plan, how many times forgotten
        self._running: dict[tuple[int, int], _Running] = {}  # reads in progress by (plan, ticket)
        self._lock = threading.Lock()

    def peek(self, plan_id: int) -> PlanVersions | None:
        with self._lock:
            item = self._items.get(plan_id)
        if item is None or time.monotonic() - item[0] > self.ttl:
            return None
        return item[1]

    def _store(self, plan_id: int, version: PlanVersions, ticket: int) -> None:
        with self._lock:
            if self._forgotten.get(plan_id, 0) == ticket:  # else a write came between read and store
                self._items[plan_id] = (time.monotonic(), version)

    def forget(self, plan_id: int) -> None:
        with self._lock:
            self._items.pop(plan_id, None)
            self._forgotten[plan_id] = self._forgotten.get(plan_id, 0) + 1

    def read(self, plan_id: int, read: Callable[[], PlanVersions]) -> PlanVersions:
        """The versions from `read()`, kept unless a write came between. Requests that ask while a
        read begun after the last write is running wait for it instead of reading too: after each
        write every client asks at once, and each read is a database round trip."""
        with self._lock:
            ticket = self._forgotten.get(plan_id, 0)
            running = self._running.get((plan_id, ticket))
            if running is None:
                running = self._running[(plan_id, ticket)] = _Running()
                leader = True
            else:
                leader = False
        if not leader:
            running.done.wait()
            return running.value if running.value is not None else read()  # the first read failed
        try:
            running.value = read()
            self._store(plan_id, running.value, ticket)
            return running.value
        finally:
            running.done.set()
            with self._lock:
                self._running.pop((plan_id, ticket), None)


@dataclass
class _Running:
    """A version read in progress, and its answer once done (None: not done, or it failed)."""

    done: threading.Event = field(default_factory=threading.Event)
    value: PlanVersions | None = None


class LatestOverviews:
    """The newest classified overview of each plan and list year, whatever its data version: the
    next version reuses its verdicts when its key figures are equal (`OverviewService.plan_context`
    compares them, so an old entry is never wrong, only not reused)."""

    def __init__(self) -> None:
        self._items: dict[tuple[int, int | None], PlanOverview] = {}
        self._lock = threading.Lock()

    def of(self, plan_id: int) -> list[PlanOverview]:
        with self._lock:
            return [view for (plan, _), view in self._items.items() if plan == plan_id]

    def keep(self, view: PlanOverview) -> None:
        with self._lock:
            self._items[(view.plan_id, view.list_year)] = view


@dataclass(frozen=True)
class CachedResponse:
    status_code: int
    body: bytes
    headers: tuple[tuple[str, str], ...]
    keep: bool


class SessionCache:
    """Signed-in sessions by token, trusted for `ttl` seconds: a page from the page cache then
    needs no database round trip. A sign-out through this app forgets the token at once; one in
    another worker process is seen within `ttl`."""

    def __init__(self, ttl: float, size: int = 4096) -> None:
        self.ttl = ttl
        self.size = size
        self._items: OrderedDict[str, tuple[float, SessionUser | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str, look_up: Callable[[str], SessionUser | None]) -> SessionUser | None:
        now = time.monotonic()
        with self._lock:
            item = self._items.get(token)
            if item is not None and now - item[0] <= self.ttl:
                return item[1]
        found = look_up(token)
        if found is not None and found.expires_at.timestamp() <= time.time():
            found = None
        with self._lock:
            self._items[token] = (now, found)
            self._items.move_to_end(token)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return found

    def forget(self, token: str) -> None:
        with self._lock:
            self._items.pop(token, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


@dataclass
class AppState:
    sessions: sessionmaker[Session]
    templates: Jinja2Templates
    db_url: str
    overviews: ComputeOnceCache[tuple[Any, ...], PlanOverview] = field(default_factory=lambda: ComputeOnceCache(32))
    latest: LatestOverviews = field(default_factory=LatestOverviews)
    fragments: ComputeOnceCache[tuple[Any, ...], str] = field(
        default_factory=lambda: ComputeOnceCache(FRAGMENTS, len, MAX_FRAGMENT_CACHE_CHARS)
    )
    archived: ComputeOnceCache[tuple[int, int], datetime | None] = field(default_factory=lambda: ComputeOnceCache(64))
    # What a page reads of one data version (by role), shared by every address (`pages.stored`).
    reads: ComputeOnceCache[tuple[Any, ...], Any] = field(default_factory=lambda: ComputeOnceCache(STORED_READS))
    # What a page derives from one data version, shared by every address of it (a text's preview).
    derived: ComputeOnceCache[tuple[Any, ...], Any] = field(default_factory=lambda: ComputeOnceCache(256))
    pages: ComputeOnceCache[tuple[Any, ...], CachedResponse] = field(
        default_factory=lambda: ComputeOnceCache(512, lambda page: len(page.body), MAX_PAGE_CACHE_BYTES)
    )
    versions: VersionCache = field(default_factory=lambda: VersionCache(VERSION_TTL))
    rows: ComputeOnceCache[tuple[int, int, int | None], list[DepartmentRow]] = field(
        default_factory=lambda: ComputeOnceCache(32)
    )
    # Status reports by (plan id, data version, year, "docx" | "pdf"): built once per version.
    status_reports: ComputeOnceCache[tuple[int, int, int, str], bytes] = field(
        default_factory=lambda: ComputeOnceCache(16, len, MAX_REPORT_CACHE_BYTES)
    )

    # The front page's list of plans by (newest audit event of all, the reader's roles).
    front_page: ComputeOnceCache[tuple[Any, ...], Any] = field(default_factory=lambda: ComputeOnceCache(64))

    signed_in: SessionCache = field(default_factory=lambda: SessionCache(SESSION_TTL))

    def service(self, actor: Actor) -> Services:
        return Services(self.sessions, actor)

    def session_user(self, token: str) -> SessionUser | None:
        """Who holds the session with this token (None: unknown, ended or expired)."""
        return self.signed_in.get(token, SignInService(self.sessions, SYSTEM_ACTOR).session_user)

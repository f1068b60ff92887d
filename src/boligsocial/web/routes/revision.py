"""The plan's audit trail (revisionsspor): who changed what, when, and what it was before and
after; filtered by person, action, entity, free text and dates (in the database), newest first,
page by page, and as CSV and JSON with the same filters."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from boligsocial.danish import as_utc, local_stamp, local_zone
from boligsocial.store.records import ROLE_NAME_DA, AuditRecord
from boligsocial.web.formats import csv_text, is_htmx
from boligsocial.web.pages import cached_page, overview, respond, service, stored

router = APIRouter()

ZONE: Final = local_zone()  # the audit trail's dates are Danish days

PAGE_SIZE: Final = 50
CSV_LIMIT: Final = 20_000
VALUE_CHARS: Final = 160
TEXT_DIFF_LINES: Final = 40
KEPT_ROWS: Final = 1_000  # a CSV's rows are kept between requests up to this many


# ---- filters --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrailQuery:
    """The filters of the page, as the query string carries them."""

    hvem: str = ""
    handling: str = ""
    enhed: str = ""
    q: str = ""
    fra: str = ""
    til: str = ""
    side: int = 1

    def params(self, **changes: object) -> str:
        """The query string of these filters (with `changes`), empty values left out."""
        values = {**self.__dict__, **changes}
        shown = {k: v for k, v in values.items() if v not in ("", None) and not (k == "side" and v == 1)}
        return ("?" + urlencode(shown)) if shown else ""


def _date(value: str, field: str) -> date | None:
    text = value.strip()
    if not text:
        return None
    for form in ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise HTTPException(400, f'{field} skal være en dato, fx 2025-02-03 eller 03.02.2025, ikke "{value}".')


def _query(request: Request) -> TrailQuery:
    params = request.query_params
    side_text = params.get("side", "1").strip() or "1"
    if not side_text.isdigit() or int(side_text) < 1:
        raise HTTPException(400, f'Sidetallet skal være et positivt helt tal, ikke "{side_text}".')
    query = TrailQuery(
        hvem=params.get("hvem", "").strip(),
        handling=params.get("handling", "").strip(),
        enhed=params.get("enhed", "").strip(),
        q=params.get("q", "").strip(),
        fra=params.get("fra", "").strip(),
        til=params.get("til", "").strip(),
        side=int(side_text),
    )
    since, until = _date(query.fra, "Fra-datoen"), _date(query.til, "Til-datoen")
    if since is not None and until is not None and until < since:
        raise HTTPException(400, "Til-datoen ligger før fra-datoen; byt om på dem.")
    return query


def _bounds(query: TrailQuery) -> tuple[datetime | None, datetime | None]:
    """The dates as moments: from the start of the first day to the end of the last, Danish time."""
    since, until = _date(query.fra, "Fra-datoen"), _date(query.til, "Til-datoen")
    start = None if since is None else datetime.combine(since, time(), ZONE)
    end = None if until is None else datetime.combine(until + timedelta(days=1), time(), ZONE)
    return start, end


# ---- before -> after ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One changed value (`key` None: the value as a whole) or, for texts, a line diff."""

    key: str | None
    before: str | None = None
    after: str | None = None
    lines: tuple[tuple[str, str], ...] = ()  # (kind "+", "-", " " or "@", line) of a text diff

    def as_text(self) -> str:
        if self.lines:
            return "\n".join(f"{kind} {line}" if kind != "@" else line for kind, line in self.lines)
        shown = f"{self.before if self.before is not None else '–'} → {self.after if self.after is not None else '–'}"
        return f"{self.key}: {shown}" if self.key else shown


def _value(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def changes(before: Any, after: Any) -> list[Change]:
    """What changed, readably: the changed keys of two dicts with old → new, a compact line diff of
    two texts, else the two values."""
    if isinstance(before, dict | None) and isinstance(after, dict | None) and (before or after):
        old, new = before or {}, after or {}
        keys = [k for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k) or (k in old) != (k in new)]
        return [Change(str(k), _value(old.get(k)), _value(new.get(k))) for k in keys]
    texts = isinstance(before, str | None) and isinstance(after, str | None) and (before or after)
    if texts and (before is None or after is None or "\n" in f"{before}{after}"):
        return [Change(None, lines=text_diff(before or "", after or ""))]
    if before == after:
        return []
    return [Change(None, _value(before), _value(after))]


def text_diff(before: str, after: str) -> tuple[tuple[str, str], ...]:
    """The changed lines of two texts with one line of context, at most `TEXT_DIFF_LINES`."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=1)
    lines: list[tuple[str, str]] = []
    for line in diff:
        if line.startswith(("---", "+++")) or (line.startswith("@@") and not lines):
            continue  # file headers, and the first hunk's marker (a marker separates hunks)
        kind = "@" if line.startswith("@@") else line[:1]
        lines.append((kind, "…" if kind == "@" else line[1:]))
    if len(lines) > TEXT_DIFF_LINES:
        hidden = len(lines) - TEXT_DIFF_LINES
        lines = [*lines[:TEXT_DIFF_LINES], ("@", f"… og {hidden} linjer mere")]
    return tuple(lines)


# ---- the page ------------------------------------------------------------------------------------------


def _row(event: AuditRecord) -> dict[str, Any]:
    found = changes(event.before, event.after)
    return {
        "id": event.id,
        "tidspunkt": as_utc(event.at).astimezone(ZONE).isoformat(timespec="seconds"),
        "tid": local_stamp(event.at),
        "hvem": event.actor,
        "rolle": event.role,
        "rolle_tekst": ROLE_NAME_DA.get(event.role, event.role),
        "handling": event.action,
        "enhed": event.entity,
        "enheds_id": event.entity_id,
        "beskrivelse": event.summary,
        "aendringer": [c.as_text() for c in found],
        "changes": found,
        "foer": event.before,
        "efter": event.after,
    }


def _rows(request: Request, plan_id: int, query: TrailQuery, limit: int, offset: int) -> list[dict[str, Any]]:
    """The rows of the events the filters find (newest first), read and made once per data version
    and filter values (`stored`: every audit event of the plan is a new data version, so a new
    event shows on the next page); shared between requests: read, never changed. A long trail's
    CSV is made anew each time instead, so that a few of them cannot fill the memory."""
    since, until = _bounds(query)
    filters = (query.hvem, query.handling, query.enhed, query.q, since, until)

    def read() -> list[dict[str, Any]]:
        events = service(request).audit.audit_events(
            plan_id,
            limit,
            actor=query.hvem or None,
            action=query.handling or None,
            entity=query.enhed or None,
            text=query.q or None,
            since=since,
            until=until,
            offset=offset,
        )
        return [_row(e) for e in events]

    what = ("revisionsspor", *filters, limit, offset)
    return stored(request, plan_id, what, read, keep=lambda rows: len(rows) <= KEPT_ROWS)


@router.get("/plan/{plan_id}/revision")
async def revision(request: Request, plan_id: int) -> Response:
    query = _query(request)
    return await cached_page(request, plan_id, lambda: _revision(request, plan_id, query))


CSV_HEADER: Final = ["tidspunkt", "hvem", "rolle", "handling", "enhed", "id", "beskrivelse", "aendringer"]


def _revision(request: Request, plan_id: int, query: TrailQuery) -> Response:
    offset = (query.side - 1) * PAGE_SIZE
    found = _rows(request, plan_id, query, PAGE_SIZE + 1, offset)
    rows = found[:PAGE_SIZE]
    has_next = len(found) > PAGE_SIZE

    def csv() -> str:
        every = _rows(request, plan_id, query, CSV_LIMIT, 0)
        keys = ("tidspunkt", "hvem", "rolle", "handling", "enhed", "enheds_id", "beskrivelse")
        return csv_text(CSV_HEADER, [[*(r[k] for k in keys), "\n".join(r["aendringer"])] for r in every])

    filters = {k: v for k, v in query.__dict__.items() if k != "side"}
    data = {
        "plan_id": plan_id,
        "filtre": filters,
        "side": query.side,
        "naeste_side": query.side + 1 if has_next else None,
        "haendelser": [{k: v for k, v in r.items() if k not in ("changes", "tid", "rolle_tekst")} for r in rows],
    }
    context = {
        "plan_id": plan_id,
        "plan": overview(request, plan_id).plan,
        "rows": rows,
        "query": query,
        "choices": stored(request, plan_id, ("audit choices",), lambda: service(request).audit.audit_choices(plan_id)),
        "has_next": has_next,
        "here": f"/plan/{plan_id}/revision",
        "page": "revision",
    }
    template = "_revision_tabel.html" if is_htmx(request) else "revision.html"
    return respond(request, template, context, data=data, csv=csv, csv_name="revisionsspor.csv")

"""Every page in three formats: HTML, JSON and (for tables) CSV, at the same URL.

The format is chosen by a suffix (`/plan/1/afdelinger.json`, `.csv`) or, without one, by the
`Accept` header (`application/json`, `text/csv`). A small ASGI middleware strips the suffix before
routing, so each page is written once and asks `request_format(request)` what to produce.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from boligsocial.danish import as_utc


class Format(StrEnum):
    HTML = "html"
    JSON = "json"
    CSV = "csv"


SUFFIXES: dict[str, Format] = {".json": Format.JSON, ".csv": Format.CSV}
FORMAT_KEY = "boligsocial.format"
# Paths whose endings are real file names (downloads, static files), not format suffixes.
RAW_PREFIXES = ("/static/",)
RAW_SEGMENTS = ("/eksport/",)


class FormatSuffixMiddleware:
    """Strip `.json`/`.csv` from the request path and remember the format in the scope."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if not path.startswith(RAW_PREFIXES) and not any(s in path for s in RAW_SEGMENTS):
                for suffix, fmt in SUFFIXES.items():
                    if path.endswith(suffix):
                        stripped = path[: -len(suffix)] or "/"
                        if stripped.endswith("/") and stripped != "/":
                            stripped = stripped.rstrip("/") or "/"
                        scope = dict(scope)
                        scope["path"] = stripped
                        if scope.get("raw_path"):
                            raw: bytes = scope["raw_path"]
                            scope["raw_path"] = raw[: -len(suffix)] or b"/"
                        scope[FORMAT_KEY] = fmt
                        break
        await self.app(scope, receive, send)


def suffix_format(request: Request) -> Format | None:
    value = request.scope.get(FORMAT_KEY)
    return value if isinstance(value, Format) else None


def request_format(request: Request) -> Format:
    """The format asked for: the suffix first, then the `Accept` header, else HTML."""
    explicit = suffix_format(request)
    if explicit is not None:
        return explicit
    accept = request.headers.get("accept", "")
    best: tuple[float, Format] | None = None
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        fmt = {
            "text/html": Format.HTML,
            "application/xhtml+xml": Format.HTML,
            "application/json": Format.JSON,
            "text/csv": Format.CSV,
        }.get(media)
        if fmt is not None and quality > 0 and (best is None or quality > best[0]):
            best = (quality, fmt)
    return best[1] if best else Format.HTML


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def to_jsonable(value: Any) -> Any:
    """Exact numbers become JSON numbers (rounded to 4 decimals for fractions), dates ISO text."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, Fraction):
        return round(float(value), 4)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float):
        return value
    if isinstance(value, datetime):
        return as_utc(value).isoformat()  # SQLite gives stored UTC moments back without their zone
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class EncodedJSON:
    """A page's JSON text made already (from parts kept between requests): answered as it is."""

    text: str


def json_text(data: Any) -> str:
    """The JSON of a page. Compact: with `indent` json uses its pure-Python encoder, several times
    slower on big pages."""
    return json.dumps(to_jsonable(data), ensure_ascii=False, separators=(",", ":"))


def json_response(data: Any, status_code: int = 200) -> Response:
    body = data.text if isinstance(data, EncodedJSON) else json_text(data)
    return Response(body, status_code=status_code, media_type="application/json", headers={"Vary": "Accept"})


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """`;`-separated with Danish decimals, as Danish spreadsheets expect (like `check --format csv`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue()


def csv_response(text: str, filename: str, status_code: int = 200) -> Response:
    return Response(
        "\ufeff" + text,
        status_code=status_code,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Vary": "Accept"},
    )

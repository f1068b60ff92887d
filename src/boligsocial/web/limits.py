"""How much a browser may send: a cap on every request body, applied while it arrives.

Starlette parses a multipart form (into temporary files) before a route sees it, and the sign-in
guard reads the form for its CSRF token; a route that checks an upload's size afterwards has
already received all of it. `BodyLimitMiddleware` stops earlier: a request whose Content-Length
says it is too large is refused before its body is read, and one without (chunked) is refused as
soon as the bytes received pass the limit. The refusal is an HTTP 413 with a Danish message,
raised where the body is read, so the app's error page (HTML or JSON) shows it.

The routes keep their own, smaller limits for each kind of file (a key-figure file, a plan
folder); this is the ceiling above them all.
"""

from __future__ import annotations

from typing import Final

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MB: Final = 1024 * 1024
MAX_PLAN_UPLOAD: Final = 20 * MB
"""A plan folder as uploaded: the ZIP file, or the files of a folder together (docs/security.md)."""
MAX_REQUEST_BODY: Final = MAX_PLAN_UPLOAD + 2 * MB
"""Every request body: the largest upload plus the form around it (field names, one header per
file of a folder of up to 1.000 files)."""

TOO_LARGE_TEXT: Final = (
    f"Filen er for stor: en upload må højst fylde {MAX_PLAN_UPLOAD // MB} MB. Intet er gemt. "
    "En plan-mappe fylder sjældent mere end et par MB; fjern store filer, der ikke hører til planen."
)


def too_large() -> HTTPException:
    return HTTPException(413, TOO_LARGE_TEXT)


class BodyLimitMiddleware:
    """Refuse (413) a request body over `limit` bytes without reading past the limit."""

    def __init__(self, app: ASGIApp, limit: int = MAX_REQUEST_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        limit = self.limit
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise too_large()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large()
            return message

        await self.app(scope, limited_receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None

"""Errors of the store's service layer.

Every error a page may show is a `StoreError` whose `str()` is a complete Danish sentence for the
user. The web layer maps them to responses: `NotFound` -> 404, `NotAllowed` -> 403,
`ValidationFailed` -> 422 with the messages by field, `ConflictError` -> 409, `ImportRefused` -> 422
with the issues by row and column. Anything else is a bug (500).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from boligsocial.plan.keyfigures import ImportIssue

__all__ = [
    "ConflictError",
    "ExampleNotFound",
    "ExportError",
    "ImportRefused",
    "NotAllowed",
    "NotFound",
    "StoreError",
    "ValidationFailed",
]


class StoreError(Exception):
    """Base class: `str(error)` is a Danish message for the user."""


class NotFound(StoreError):
    """The plan, afdeling, indicator or measurement does not exist (or not in this plan)."""


class NotAllowed(StoreError):
    """The actor's role does not allow the write."""


class ValidationFailed(StoreError):
    """Values typed in a form were refused. `errors` maps each field name (as submitted) to a
    Danish message for that field; nothing was saved."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        count = len(self.errors)
        summary = "Ændringerne er ikke gemt: " + ("ét felt" if count == 1 else f"{count} felter") + " skal rettes."
        super().__init__(summary)


class ConflictError(StoreError):
    """The record was changed by someone else after the user opened it (optimistic locking).
    Nothing was saved. `changed_by`/`changed_at` say who changed it and when, when known."""

    def __init__(self, message: str, *, changed_by: str | None = None, changed_at: datetime | None = None) -> None:
        self.changed_by = changed_by
        self.changed_at = changed_at
        super().__init__(message)


class ImportRefused(StoreError):
    """An import (key-figure file or plan folder) has problems and was not committed; nothing was
    stored. `issues` lists every problem, each with file, row and column where known."""

    def __init__(self, issues: Sequence[ImportIssue], summary: str | None = None) -> None:
        self.issues: list[ImportIssue] = list(issues)
        count = len(self.issues)
        self.summary = summary or (
            "Importen er ikke gennemført: " + ("der er 1 fejl" if count == 1 else f"der er {count} fejl") + "."
        )
        super().__init__("\n".join([self.summary, *(f"  {issue}" for issue in self.issues[:50])]))


class ExportError(StoreError):
    """The plan could not be written as a plan folder or file."""


class ExampleNotFound(StoreError):
    """The bundled example plan folder could not be found."""

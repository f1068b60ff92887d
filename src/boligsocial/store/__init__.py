"""Persistence: plans in a database (SQLite file by default, PostgreSQL by URL) behind one
service layer. Import what you need from here; see `docs/storage.md`.

    from boligsocial.store import Actor, PlanService, bootstrap

    sessions = bootstrap("sqlite:///boligsocial.db")   # migrate, load the example on first start
    service = PlanService(sessions, Actor("Mette"))
"""

from boligsocial.store.db import DEFAULT_URL, create_engine_for, session_factory, upgrade_to_head
from boligsocial.store.errors import (
    ConflictError,
    ExampleNotFound,
    ExportError,
    ImportRefused,
    NotAllowed,
    NotFound,
    StoreError,
    ValidationFailed,
)
from boligsocial.store.records import (
    KEY_FIGURE_FIELDS,
    ROLES,
    Actor,
    AfdelingRecord,
    AuditRecord,
    FieldChange,
    FieldSpec,
    ImportPreview,
    IndikatorRecord,
    KeyFigureRecord,
    MaalingRecord,
    PlanOverview,
    PlanSummary,
    PreviewRow,
    ProseRecord,
)
from boligsocial.store.service import PlanService, bootstrap, example_plan_folder

__all__ = [
    "DEFAULT_URL",
    "KEY_FIGURE_FIELDS",
    "ROLES",
    "Actor",
    "AfdelingRecord",
    "AuditRecord",
    "ConflictError",
    "ExampleNotFound",
    "ExportError",
    "FieldChange",
    "FieldSpec",
    "ImportPreview",
    "ImportRefused",
    "IndikatorRecord",
    "KeyFigureRecord",
    "MaalingRecord",
    "NotAllowed",
    "NotFound",
    "PlanOverview",
    "PlanService",
    "PlanSummary",
    "PreviewRow",
    "ProseRecord",
    "StoreError",
    "ValidationFailed",
    "bootstrap",
    "create_engine_for",
    "example_plan_folder",
    "session_factory",
    "upgrade_to_head",
]

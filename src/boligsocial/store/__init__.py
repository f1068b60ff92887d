"""Persistence: plans in a database (SQLite file by default, PostgreSQL by URL) behind one
service layer, split by entity: `PlanService` (plans as a whole, plan-folder import),
`OverviewService` (a plan classified), `KeyFigureService` (afdelinger and their key figures),
`KeyFigureImportService` (key-figure files), `IndicatorService` (indicators and their values),
`ProseService` (prose texts), `ExportService` (plan folder, ZIP, key-figure files),
`AuditService` (the trail) and `UserService` (accounts and roles per plan). Each is a
`UnitOfWork` (store/unit_of_work.py): one transaction per call, every write with its audit event
in the same transaction. `Services` builds them all for one actor. Import what you need from
here; see `docs/storage.md`.

    from boligsocial.store import Actor, Services, bootstrap

    sessions = bootstrap("sqlite:///boligsocial.db")   # migrate, load the example on first start
    services = Services(sessions, Actor("Mette"))
    plans = services.plans.list_plans()
"""

from boligsocial.store.atlas import AtlasService
from boligsocial.store.audit import AuditService
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
from boligsocial.store.exports import ExportService
from boligsocial.store.imports import KeyFigureImportService
from boligsocial.store.indicators import IndicatorService
from boligsocial.store.key_figures import KeyFigureService
from boligsocial.store.national_averages import NationalAverageRecord, NationalAverageService
from boligsocial.store.overview import OverviewService
from boligsocial.store.plan_edits import PlanEditService
from boligsocial.store.plan_sections import SECTIONS, EditField, EditSection, EditTable, SectionRecord
from boligsocial.store.plans import PlanService
from boligsocial.store.prose import ProseService
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
    PlanPreview,
    PlanSummary,
    PlanVersions,
    PreviewRow,
    ProseRecord,
)
from boligsocial.store.services import Services
from boligsocial.store.sign_in import SessionUser, SignedIn, SignInRefused, SignInService, TooManyAttempts
from boligsocial.store.startup import SYSTEM_ACTOR, bootstrap, example_plan_folder
from boligsocial.store.unit_of_work import UnitOfWork
from boligsocial.store.users import PLAN_ROLES, UserRecord, UserService, actor_of

__all__ = [
    "DEFAULT_URL",
    "KEY_FIGURE_FIELDS",
    "PLAN_ROLES",
    "ROLES",
    "SECTIONS",
    "SYSTEM_ACTOR",
    "Actor",
    "AfdelingRecord",
    "AtlasService",
    "AuditRecord",
    "AuditService",
    "ConflictError",
    "EditField",
    "EditSection",
    "EditTable",
    "ExampleNotFound",
    "ExportError",
    "ExportService",
    "FieldChange",
    "FieldSpec",
    "ImportPreview",
    "ImportRefused",
    "IndicatorService",
    "IndikatorRecord",
    "KeyFigureImportService",
    "KeyFigureRecord",
    "KeyFigureService",
    "MaalingRecord",
    "NationalAverageRecord",
    "NationalAverageService",
    "NotAllowed",
    "NotFound",
    "OverviewService",
    "PlanEditService",
    "PlanOverview",
    "PlanPreview",
    "PlanService",
    "PlanSummary",
    "PlanVersions",
    "PreviewRow",
    "ProseRecord",
    "ProseService",
    "SectionRecord",
    "Services",
    "SessionUser",
    "SignInRefused",
    "SignInService",
    "SignedIn",
    "StoreError",
    "TooManyAttempts",
    "UnitOfWork",
    "UserRecord",
    "UserService",
    "ValidationFailed",
    "actor_of",
    "bootstrap",
    "create_engine_for",
    "example_plan_folder",
    "session_factory",
    "upgrade_to_head",
]

"""Plain data the service layer returns and takes: the acting `Actor`, the key-figure form fields
and the records (frozen dataclasses, safe to keep after the transaction). The entity services are
listed in `store/__init__.py` and docs/storage.md."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy.orm import Session, sessionmaker

from boligsocial.law.figures import Measure, UnitFigures
from boligsocial.law.vocabulary import MEASURE_LABELS_DA
from boligsocial.plan.assessment import PlanAssessment
from boligsocial.plan.keyfigures import PCT_COLUMN, ImportIssue
from boligsocial.plan.model import Afdeling, Indikator

SessionFactory = sessionmaker[Session]

ROLES: Final[dict[str, str]] = {
    "laeser": "Læser (må se og eksportere planen)",
    "redaktoer": "Redaktør (må også ændre planen)",
    "administrator": "Administrator (må også styre brugere, roller og planer)",
    "system": "Systemet (opstart, vedligehold og kommandolinjen)",
}
"""Every role and its Danish label, from the least to the most allowed."""

ROLE_RANK: Final[dict[str, int]] = {role: rank for rank, role in enumerate(ROLES, start=1)}
"""A role may do what every lower-ranked role may."""

ROLE_NAME_DA: Final[dict[str, str]] = {
    "laeser": "læser",
    "redaktoer": "redaktør",
    "administrator": "administrator",
    "system": "systemet",
}


# --------------------------------------------------------------------------------------------------
# Who acts


@dataclass(frozen=True)
class Actor:
    """The person (or process) on whose behalf the service acts; recorded in every audit event.

    `role` is held on every plan (None: none); `plan_roles` are roles on single plans, which win
    over `role` for their plan. `user_id` is the signed-in user's id (None for the command line
    and start-up)."""

    name: str
    role: str | None = "redaktoer"
    plan_roles: tuple[tuple[int, str], ...] = ()
    user_id: int | None = None

    def role_on(self, plan_id: int | None) -> str | None:
        """The actor's role on a plan (`plan_id` None: the role held on every plan)."""
        if plan_id is not None:
            own = next((role for plan, role in self.plan_roles if plan == plan_id), None)
            if own is not None:
                return own
        return self.role

    def may(self, plan_id: int | None, need: str) -> bool:
        """Whether the actor's role on the plan is `need` or above."""
        held = self.role_on(plan_id)
        return held is not None and ROLE_RANK.get(held, 0) >= ROLE_RANK[need]

    def sees_every_plan(self) -> bool:
        return self.role is not None

    def plan_ids(self) -> frozenset[int]:
        """The plans the actor holds a role on of its own (every plan if `sees_every_plan`)."""
        return frozenset(plan for plan, _ in self.plan_roles)


# --------------------------------------------------------------------------------------------------
# Key-figure form fields


@dataclass(frozen=True)
class FieldSpec:
    """One editable field of an afdeling's key figures. `name` is the key-figure column name
    (docs/key-figures.md) and the key in `KeyFigureRecord.values`, in `update_key_figures`'s
    `changes` and in `ValidationFailed.errors`."""

    name: str
    label: str  # Danish label for the form
    kind: str  # "integer" | "pct" | "income_pct" | "count" | "amount" | "text"
    measure: Measure | None = None


def _measure_fields() -> list[FieldSpec]:
    fields: list[FieldSpec] = []
    for measure in Measure:
        label = MEASURE_LABELS_DA[measure]
        kind = "income_pct" if measure is Measure.INDKOMST else "pct"
        fields.append(FieldSpec(PCT_COLUMN[measure], f"{label} (%)", kind, measure))
    for measure in Measure:
        label = MEASURE_LABELS_DA[measure]
        fields.append(FieldSpec(f"{measure.value}_taeller", f"{label}: tæller", "count", measure))
        fields.append(FieldSpec(f"{measure.value}_naevner", f"{label}: nævner", "count", measure))
        if measure is Measure.INDKOMST:
            fields.append(FieldSpec("indkomst_region_gns", "Regionens gns. bruttoindkomst (kr.)", "amount", measure))
    return fields


KEY_FIGURE_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("boliger", "Boliger", "integer"),
    FieldSpec("beboere", "Beboere", "integer"),
    *_measure_fields(),
    FieldSpec("afdelingsnummer", "Afdelingsnummer", "text"),
    FieldSpec("omraade", "Boligområde", "text"),
    FieldSpec("kommune", "Kommune", "text"),
)
"""The fields of the key-figure form, in display order. The five percentages are what most
forms show; the count fields (tæller/nævner) are optional and, when filled in, decide the share."""


# --------------------------------------------------------------------------------------------------
# Records returned by the service (plain frozen data: safe to keep after the transaction)


@dataclass(frozen=True)
class PlanSummary:
    id: int
    navn: str
    kommune: str
    ansoeger: str
    periode_start: date
    periode_slut: date
    liste_aar: int | None
    afdelinger: int  # number of afdelinger
    list_years: tuple[int, ...]  # list years that have key figures
    version: int
    updated_at: datetime | None
    updated_by: str | None
    archived_at: datetime | None = None
    role: str | None = None  # the acting user's role on the plan

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


@dataclass(frozen=True)
class PlanPreview:
    """What importing a plan-folder ZIP would store (the dry run of the upload)."""

    filename: str
    navn: str
    kommune: str
    ansoeger: str
    periode_start: date
    periode_slut: date
    afdelinger: int
    omraader: int
    indikatorer: int
    noegletal: int  # key-figure rows
    list_years: tuple[int, ...]
    tekster: tuple[str, ...]  # prose file names
    same_name: bool  # a stored plan has the same name already


@dataclass(frozen=True)
class AfdelingRecord:
    id: int
    navn: str
    boligorganisation: str  # kortnavn
    afdelingsnummer: str | None
    boliger: int
    status: str  # "i_plan" | "betinget"
    version: int


@dataclass(frozen=True)
class KeyFigureRecord:
    """An afdeling's key figures in one list year, ready for a form.

    `values` maps every field of `KEY_FIGURE_FIELDS` to its Danish text ("1.964", "30,9", "-" for
    unknown, "" for empty text). Percentages backed by counts show the computed share rounded to
    two decimals. `figures` is the same data as the law reads it. `version` is 0 when the afdeling
    has no key figures for this list year yet; saving with expected_version 0 creates them."""

    plan_id: int
    afdeling_id: int
    afdeling: str
    boligorganisation: str
    list_year: int | None
    version: int
    values: dict[str, str]
    figures: UnitFigures
    updated_at: datetime | None = None
    updated_by: str | None = None

    @property
    def exists(self) -> bool:
        return self.version > 0


@dataclass(frozen=True)
class MaalingRecord:
    """One value of an indicator: a measurement (`kind` "maaling") or a comparison figure
    (`kind` "sammenligning", with `betegnelse`)."""

    id: int
    kind: str
    vaerdi: Decimal
    vaerdi_text: str  # Danish: "8,21"
    aar: int | None
    til_aar: int | None
    kvalifikator: str | None
    kilde: str | None
    betegnelse: str | None
    version: int
    updated_at: datetime | None = None
    updated_by: str | None = None


@dataclass(frozen=True)
class IndikatorRecord:
    indikator: Indikator  # the model, as in the plan
    version: int
    maalinger: tuple[MaalingRecord, ...]
    sammenligninger: tuple[MaalingRecord, ...]


@dataclass(frozen=True)
class ProseRecord:
    """A prose file of the plan folder (`tekst/<name>`), e.g. "problemkompleks.md"."""

    name: str
    text: str
    version: int
    updated_at: datetime | None = None  # timezone-aware, UTC
    updated_by: str | None = None


@dataclass(frozen=True)
class PlanVersions:
    """Numbers that change with a plan's stored data: `every` with every write, `without_values`
    with every write but those of an indicator's measured or comparison values. Pages that show no
    such value (the departments, the areas) keep what they build by the second, so the values an
    editor types all year do not make them build it again."""

    every: int
    without_values: int


@dataclass(frozen=True, kw_only=True)
class PlanOverview(PlanAssessment):
    """A stored plan's assessment (`plan/assessment.py`: its key figures of every list year and
    the verdicts of one), with the ids the pages link to."""

    plan_id: int
    version: int
    afdeling_ids: dict[tuple[str, str], int] = field(default_factory=dict)  # (kortnavn, navn) -> id
    versions: PlanVersions | None = None  # the plan's data versions it was read at
    asked_year: int | None = None  # the list year asked for (None: the default)

    @classmethod
    def of(
        cls,
        assessment: PlanAssessment,
        plan_id: int,
        version: int,
        afdeling_ids: dict[tuple[str, str], int],
        versions: PlanVersions | None = None,
        asked_year: int | None = None,
    ) -> PlanOverview:
        fields_ = {f.name: getattr(assessment, f.name) for f in fields(PlanAssessment)}
        return cls(
            **fields_,
            plan_id=plan_id,
            version=version,
            afdeling_ids=afdeling_ids,
            versions=versions,
            asked_year=asked_year,
        )

    def afdeling_id(self, afdeling: Afdeling) -> int:
        return self.afdeling_ids[(afdeling.boligorganisation, afdeling.navn)]


@dataclass(frozen=True)
class FieldChange:
    field: str  # key-figure column name
    label: str  # Danish label
    old: str  # Danish text, "-" for unknown
    new: str


@dataclass(frozen=True)
class PreviewRow:
    """What one row of an uploaded key-figure file would do. `status` is "ny" (no key figures
    for that afdeling and list year yet), "ændret" or "uændret"."""

    row: int | None
    afdeling: str
    boligorganisation: str
    list_year: int | None
    status: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class ImportPreview:
    """The dry run of a key-figure import. `ok` is True only when there are no issues; only then
    can `commit_import` commit it. `token` identifies the data previewed and the state of the rows
    it would change: pass it to `commit_import` to refuse the commit if anything changed since."""

    filename: str
    rows: tuple[PreviewRow, ...]
    issues: tuple[ImportIssue, ...]
    token: str

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def changed(self) -> int:
        return sum(1 for row in self.rows if row.status != "uændret")


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime  # timezone-aware, UTC
    actor: str
    role: str
    action: str  # e.g. "opret_plan", "ret_noegletal", "importer_noegletal"
    entity: str  # e.g. "plan", "noegletal", "maaling"
    entity_id: str | None
    plan_id: int | None
    summary: str  # Danish one-liner
    before: Any
    after: Any

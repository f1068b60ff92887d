"""`Services`: every entity service of the store for one `Actor`, built together. What a page,
command or script takes when it needs more than one kind of record::

    services = Services(sessions, Actor("Mette"))
    record = services.key_figures.get_afdeling_figures(plan_id, afdeling_id)
"""

from __future__ import annotations

from boligsocial.store.atlas import AtlasService
from boligsocial.store.audit import AuditService
from boligsocial.store.exports import ExportService
from boligsocial.store.imports import KeyFigureImportService
from boligsocial.store.indicators import IndicatorService
from boligsocial.store.key_figures import KeyFigureService
from boligsocial.store.national_averages import NationalAverageService
from boligsocial.store.overview import OverviewService
from boligsocial.store.plan_edits import PlanEditService
from boligsocial.store.plans import PlanService
from boligsocial.store.prose import ProseService
from boligsocial.store.records import Actor, SessionFactory
from boligsocial.store.sign_in import SignInService
from boligsocial.store.unit_of_work import UnitOfWork
from boligsocial.store.users import UserService

__all__ = ["Services"]


class Services:
    """The store's entity services acting for `actor`. Cheap to create: make one per request."""

    def __init__(self, sessions: SessionFactory, actor: Actor) -> None:
        self.actor = actor
        self.plans = PlanService(sessions, actor)
        self.overview = OverviewService(sessions, actor)
        self.key_figures = KeyFigureService(sessions, actor)
        self.imports = KeyFigureImportService(sessions, actor)
        self.indicators = IndicatorService(sessions, actor)
        self.prose = ProseService(sessions, actor)
        self.edits = PlanEditService(sessions, actor)
        self.exports = ExportService(sessions, actor)
        self.audit = AuditService(sessions, actor)
        self.users = UserService(sessions, actor)
        self.sign_in = SignInService(sessions, actor)
        self.atlas = AtlasService(sessions, actor)
        self.national_averages = NationalAverageService(sessions, actor)

    def require(self, plan_id: int | None, need: str) -> None:
        """Refuse (NotAllowed, Danish) unless the actor holds `need` or above on the plan; what
        a page asks before it reads a form, so a refused user gets 403 whatever they sent."""
        self.plans._require(plan_id, need)

    def all(self) -> dict[str, UnitOfWork]:
        """Every entity service by its attribute name."""
        return {name: value for name, value in vars(self).items() if isinstance(value, UnitOfWork)}

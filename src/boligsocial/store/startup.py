"""Start-up: the schema brought to the newest migration and, on a database without plans, the
bundled example plan (Mit Kvarter) loaded, so the app has something to show on its first start."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from boligsocial.store.db import create_engine_for, session_factory, upgrade_to_head
from boligsocial.store.errors import ExampleNotFound
from boligsocial.store.plans import PlanService
from boligsocial.store.records import Actor, SessionFactory

__all__ = [
    "EXAMPLE_ENV",
    "SYSTEM_ACTOR",
    "bootstrap",
    "ensure_example_loaded",
    "example_candidates",
    "example_plan_folder",
]

SYSTEM_ACTOR: Final = Actor("system", "system")
EXAMPLE_ENV: Final = "BOLIGSOCIAL_EXAMPLE_PLAN"
"""Environment variable that may point to the example plan folder loaded on first start."""


def example_candidates() -> list[Path]:
    """Where `example_plan_folder` looks, in order."""
    candidates: list[Path] = []
    configured = os.environ.get(EXAMPLE_ENV)
    if configured:
        candidates.append(Path(configured).expanduser())
    package = Path(__file__).resolve().parents[1]  # .../boligsocial
    candidates += [
        package / "examples" / "mit-kvarter",  # bundled inside an installed package
        package.parents[1] / "examples" / "mit-kvarter",  # the root of a source checkout (src layout)
        Path.cwd() / "examples" / "mit-kvarter",
    ]
    return candidates


def example_plan_folder(candidates: Sequence[Path] | None = None) -> Path:
    """The bundled example plan folder (examples/mit-kvarter): the first of `example_candidates()`
    (the folder named by $BOLIGSOCIAL_EXAMPLE_PLAN, then inside the installed package, the source
    checkout the package runs from, the current directory) that holds a helhedsplan.toml. Raises
    ExampleNotFound (Danish, listing where it looked)."""
    places = list(example_candidates() if candidates is None else candidates)
    for candidate in places:
        if (candidate / "helhedsplan.toml").is_file():
            return candidate
    tried = "\n".join(f"  {c}" for c in places)
    raise ExampleNotFound(
        f"Eksempelplanen (Mit Kvarter) blev ikke fundet. Der blev ledt i:\n{tried}\n"
        f"Angiv mappen med miljøvariablen {EXAMPLE_ENV}."
    )


def ensure_example_loaded(sessions: SessionFactory, example_folder: Path | None = None) -> int | None:
    """Load the bundled example plan (Mit Kvarter) if the database holds no plan yet; returns
    the new plan's id, or None when there were plans already (then the example is not looked for)."""
    plans = PlanService(sessions, SYSTEM_ACTOR)
    if plans.has_plans():
        return None
    return plans.import_first_plan(example_folder or example_plan_folder(), source="eksemplet")


def bootstrap(
    url: str = "sqlite:///boligsocial.db", example_folder: Path | None = None, *, load_example: bool = True
) -> SessionFactory:
    """Start-up of the app: create or upgrade the schema (migrations), load the example plan when
    the database holds no plan (unless `load_example` is False), and return the session factory to
    build the services (`Services`) with."""
    engine = create_engine_for(url)
    upgrade_to_head(engine)
    sessions = session_factory(engine)
    if load_example:
        ensure_example_loaded(sessions, example_folder)
    return sessions

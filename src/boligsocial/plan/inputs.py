"""What `check` and friends accept as input: a key-figure file or a whole plan folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from boligsocial.law.figures import UnitFigures
from boligsocial.plan.keyfigures import KeyFigureError, read_key_figures

if TYPE_CHECKING:
    from boligsocial.plan.model import Helhedsplan

# The plan's model and folder reader (pydantic models, ~0,1 s to import) are imported where a plan
# folder is read: `check` on a national key-figure file needs neither.


class InputError(Exception):
    """The input could not be read; the message (Danish) says where and why."""


@dataclass(frozen=True)
class KeyFigureInput:
    units: list[UnitFigures]
    default_year: int | None  # the plan's list year, when a plan folder was given
    title: str | None  # the plan's name, when a plan folder was given
    # national conviction averages entered for the plan (its landsgennemsnit.csv), list year -> pct
    conviction_averages: dict[int, Fraction] = field(default_factory=dict)


def load_plan_and_figures(folder: Path) -> tuple[Helhedsplan, list[UnitFigures]]:
    """A plan folder's plan and the key figures of the file it names. Raises `InputError`
    (Danish, naming the file) when either cannot be read or the plan names no key-figure file."""
    from boligsocial.plan.folder import PlanError, load_plan, noegletal_path

    try:
        plan = load_plan(folder)
        figures = noegletal_path(plan, folder)
        if figures is None:
            raise InputError(f"{folder}: planen angiver ingen nøgletalsfil (feltet 'noegletal')")
        return plan, read_key_figures(figures)
    except (PlanError, KeyFigureError) as error:
        raise InputError(str(error)) from error


def load_folder_averages(folder: Path) -> dict[int, Fraction]:
    """The national conviction averages entered for the plan in `folder` (its
    `landsgennemsnit.csv`; none without the file). Raises `InputError` naming row and column."""
    from boligsocial.plan.national_averages import AveragesFileError, conviction_averages, read_folder_averages

    try:
        return conviction_averages(read_folder_averages(folder))
    except AveragesFileError as error:
        raise InputError(str(error)) from error


def load_key_figure_input(path: Path) -> KeyFigureInput:
    if not path.exists():
        raise InputError(f"{path}: filen eller mappen findes ikke")
    if path.is_dir():
        plan, units = load_plan_and_figures(path)
        averages = load_folder_averages(path)
        return KeyFigureInput(units=units, default_year=plan.liste_aar, title=plan.navn, conviction_averages=averages)
    try:
        return KeyFigureInput(units=read_key_figures(path), default_year=None, title=None)
    except KeyFigureError as error:
        raise InputError(str(error)) from error

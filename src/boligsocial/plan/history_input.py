"""Key figures of several list years for the forecast: one file, a plan folder, or a folder of
yearly key-figure files (every CSV and XLSX in it, read in name order)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

from boligsocial.law.figures import UnitFigures
from boligsocial.plan.folder import PLAN_FILENAME
from boligsocial.plan.inputs import InputError, load_folder_averages, load_key_figure_input
from boligsocial.plan.keyfigures import KeyFigureError, read_key_figures

SUFFIXES = (".csv", ".xlsx")


def load_history(path: Path) -> list[UnitFigures]:
    """Every unit of every list year at `path`. A row without a list year takes the plan's list
    year (a plan folder) and is refused otherwise: a forecast needs to know each row's year."""
    if path.is_dir() and not (path / PLAN_FILENAME).exists():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and not p.name.startswith("."))
        if not files:
            raise InputError(f"{path}: mappen har ingen nøgletalsfiler (.csv eller .xlsx) og ingen plan")
        units: list[UnitFigures] = []
        for file in files:
            try:
                units.extend(_dated(read_key_figures(file), None, file))
            except KeyFigureError as error:
                raise InputError(str(error)) from error
        return units
    loaded = load_key_figure_input(path)
    return _dated(loaded.units, loaded.default_year, path)


def load_history_averages(path: Path) -> dict[int, Fraction]:
    """The national conviction averages entered for the plan when `path` is a plan folder
    (its landsgennemsnit.csv), else none."""
    return load_folder_averages(path) if path.is_dir() and (path / PLAN_FILENAME).exists() else {}


def _dated(units: list[UnitFigures], default_year: int | None, path: Path) -> list[UnitFigures]:
    if all(u.list_year is not None for u in units):
        return units
    if default_year is None:
        raise InputError(f"{path}: filen har ingen kolonne 'listeaar'; prognosen skal kende hver rækkes listeår")
    return [u if u.list_year is not None else dataclasses.replace(u, list_year=default_year) for u in units]

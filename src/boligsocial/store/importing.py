"""Reading uploaded key figures and form values with the key-figure import's own rules.

Nothing here decides what a valid number or percentage is: uploads are read by
`plan.keyfigures.read_key_figures`, and so are the values typed in the key-figure form (written as
a one-row key-figure file), so every message by row and column, range check and number format is
the import's (docs/key-figures.md). What is added here are the plan's checks: every row must be an
afdeling of the plan, once per list year.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from boligsocial.law.figures import UnitFigures
from boligsocial.plan.keyfigures import ImportIssue, KeyFigureError, read_key_figures
from boligsocial.plan.model import Helhedsplan
from boligsocial.store.records import KEY_FIGURE_FIELDS

__all__ = ["MatchedUnit", "match_units", "read_upload", "safe_filename", "validate_figure_texts"]

AFDELING_COLUMN = "afdeling"


def safe_filename(filename: str) -> str:
    """The bare file name of an upload (browsers may send a path), never empty."""
    name = Path(PureWindowsPath(filename).name).name.strip()
    return name or "noegletal"


def read_upload(filename: str, data: bytes) -> list[UnitFigures]:
    """Read an uploaded key-figure file (its type from the name's ending). Raises KeyFigureError
    with every problem, each naming the file by `filename`, row and column."""
    name = safe_filename(filename)
    with tempfile.TemporaryDirectory(prefix="boligsocial-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return read_key_figures(path)


def validate_figure_texts(
    afdeling: str, boligorganisation: str, list_year: int | None, texts: Mapping[str, str]
) -> UnitFigures | dict[str, str]:
    """Read one afdeling's form values (every field of KEY_FIGURE_FIELDS, as typed) through the
    key-figure import. Returns the figures, or the Danish messages by field name ("" for a
    message not tied to a field)."""
    names = [spec.name for spec in KEY_FIGURE_FIELDS]
    header = ["boligorganisation", AFDELING_COLUMN, "listeaar", *names]
    row = [boligorganisation, afdeling, "-" if list_year is None else str(list_year)]
    row += [" ".join(texts.get(name, "").split()) for name in names]  # one line: no newlines in a cell
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerow(row)
    try:
        units = read_upload("noegletal.csv", buffer.getvalue().encode("utf-8"))
    except KeyFigureError as error:
        errors: dict[str, str] = {}
        for issue in error.issues:
            field = issue.column if issue.column in names else ""
            errors.setdefault(field, _capitalise(issue.message))
        return errors
    assert len(units) == 1
    return units[0]


def _capitalise(message: str) -> str:
    return message[:1].upper() + message[1:] if message[:1].islower() else message


@dataclass(frozen=True)
class MatchedUnit:
    """A row of a key-figure file matched to an afdeling of the plan, with the list year it is
    stored under (a row without a year takes the plan's `liste_aar`)."""

    unit: UnitFigures
    afdeling: tuple[str, str]  # (kortnavn, navn)
    list_year: int | None


def match_units(
    plan: Helhedsplan, units: Sequence[UnitFigures], file: str
) -> tuple[list[MatchedUnit], list[ImportIssue]]:
    """Match every row to exactly one afdeling of the plan (exact navn, and boligorganisation's
    kortnavn when the file gives one). Every row that does not match, and every afdeling given
    twice for the same list year, is an issue with row and column."""
    matched: list[MatchedUnit] = []
    issues: list[ImportIssue] = []
    seen: dict[tuple[tuple[str, str], int | None], int | None] = {}
    kortnavne = {org.kortnavn for org in plan.boligorganisationer}
    for unit in units:
        row = unit.source.row if unit.source is not None else None

        def issue(message: str, column: str | None = AFDELING_COLUMN, row: int | None = row) -> None:
            issues.append(ImportIssue(file, row, column, message))

        if unit.kind != "afdeling":
            issue(
                f'"{unit.name}" er et boligområde; en plan kan kun importere nøgletal for sine afdelinger',
                "enhedstype",
            )
            continue
        if unit.boligorganisation is not None and unit.boligorganisation not in kortnavne:
            known = ", ".join(f'"{k}"' for k in sorted(kortnavne))
            org = plan.find_boligorganisation(unit.boligorganisation)
            hint = f'; brug kortnavnet "{org.kortnavn}"' if org is not None else f" (planens kortnavne: {known})"
            issue(
                f'boligorganisationen "{unit.boligorganisation}" findes ikke i planen{hint}',
                "boligorganisation",
            )
            continue
        hits = [
            afd
            for afd in plan.afdelinger
            if afd.navn == unit.name and unit.boligorganisation in (None, afd.boligorganisation)
        ]
        if not hits:
            issue(_unknown_afdeling(plan, unit))
            continue
        if len(hits) > 1:
            orgs = ", ".join(f'"{afd.boligorganisation}"' for afd in hits)
            issue(
                f'der er flere afdelinger ved navn "{unit.name}" (i {orgs}); udfyld kolonnen boligorganisation',
            )
            continue
        key = (hits[0].boligorganisation, hits[0].navn)
        list_year = unit.list_year if unit.list_year is not None else plan.liste_aar
        first = seen.setdefault((key, list_year), row)
        if first != row:
            year = f"listeår {list_year}" if list_year is not None else "uden listeår"
            where = f" (første gang i række {first})" if first is not None else ""
            issue(f'afdelingen "{unit.name}" står to gange for {year}{where}')
            continue
        matched.append(MatchedUnit(unit, key, list_year))
    return matched, issues


def _unknown_afdeling(plan: Helhedsplan, unit: UnitFigures) -> str:
    where = f' hos "{unit.boligorganisation}"' if unit.boligorganisation else ""
    message = f'afdelingen "{unit.name}"{where} findes ikke i planen'
    try:
        candidate = plan.find_afdeling(unit.name, unit.boligorganisation)
    except LookupError:
        candidate = None
    if candidate is not None:
        return message + f'; i planen hedder den "{candidate.navn}" - brug det navn i filen'
    return message + " (navnet skal stå præcis som i planens afdelinger)"

"""The published lists as an atlas: a CSV of official list memberships by year (docs/atlas.md).

One row per area, list year and list it was on:

    omraade;kommune;listeaar;liste
    Mjølnerparken;København;2018;haardt_ghettoomraade

The list is named as the law's parameter files name it, in that year's words
(`ghettoomraade`, `haardt_ghettoomraade`) or today's (`parallelsamfund`, ...), or by its Danish title
("Hårdt ghettoområde"). An area of the file is on no list in a year the file holds but where it has
no row. Every problem is reported with file, row and column (`AtlasFileError`), nothing is
returned half-read.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final

from boligsocial.law.errors import LawError
from boligsocial.law.parameters import Law, RuleSet, load_law
from boligsocial.law.verdicts import Status
from boligsocial.plan.keyfigures import ImportIssue
from boligsocial.plan.keyfigures.columns import normalise
from boligsocial.register.atlas import SOURCE_OFFICIAL, Atlas, AtlasEntry, kommune_region
from boligsocial.register.schema import KOMMUNER, RegisterError

__all__ = ["COLUMNS", "AtlasFileError", "YearCounts", "atlas_from_official", "list_counts", "read_official"]

COLUMNS: Final[tuple[str, ...]] = ("omraade", "kommune", "listeaar", "liste")
_ALIASES: Final[dict[str, str]] = {
    "omraade": "omraade",
    "boligomraade": "omraade",
    "kommune": "kommune",
    "listeaar": "listeaar",
    "aar": "listeaar",
    "liste": "liste",
}
_KOMMUNE_NAMES: Final[dict[str, str]] = {normalise(name): name for name, _ in KOMMUNER.values()}
MAX_ISSUES: Final = 50


class AtlasFileError(RegisterError):
    """The official-lists file cannot be read; `issues` holds every problem found."""

    def __init__(self, file: str, issues: Sequence[ImportIssue]) -> None:
        self.issues = list(issues)
        lines = [f"{file} kan ikke indlæses ({len(self.issues)} fejl):"]
        lines += [f"  {issue}" for issue in self.issues[:MAX_ISSUES]]
        if len(self.issues) > MAX_ISSUES:
            lines.append(f"  … og {len(self.issues) - MAX_ISSUES} fejl mere")
        super().__init__("\n".join(lines))


def _decode(data: bytes, file: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise AtlasFileError(
            file,
            [
                ImportIssue(
                    file,
                    data[: error.start].count(b"\n") + 1,
                    None,
                    "filen er ikke UTF-8 (måske Windows-1252/ANSI); gem den igen som 'CSV UTF-8', så æ, ø og å "
                    "læses rigtigt",
                )
            ],
        ) from None


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ";"))


class _ListNames:
    """The names a list may be given by in a year: the rule set's list ids, today's reported names
    and the Danish titles, all normalised (`normalise`)."""

    def __init__(self, law: Law) -> None:
        self.law = law
        self.everywhere: set[str] = set()
        for rule_set in law.rule_sets:
            for list_id, param in rule_set.lists.items():
                self.everywhere |= {normalise(list_id), normalise(param.reported_as), normalise(param.label)}

    def reported(self, rule_set: RuleSet, written: str) -> str | None:
        key = normalise(written)
        for list_id, param in rule_set.lists.items():
            if key in (normalise(list_id), normalise(param.reported_as), normalise(param.label)):
                return param.reported_as
        return None

    def known(self, written: str) -> bool:
        return normalise(written) in self.everywhere

    def of_year(self, rule_set: RuleSet) -> str:
        return ", ".join(rule_set.lists)


class _Reader:
    def __init__(self, file: str, law: Law, last_year: int) -> None:
        self.file = file
        self.law = law
        self.names = _ListNames(law)
        self.last_year = last_year
        self.issues: list[ImportIssue] = []
        self.rows: dict[tuple[str, str, int, str], int] = {}  # (omraade, kommune, year, list) -> row

    def issue(self, row: int | None, column: str | None, message: str) -> None:
        self.issues.append(ImportIssue(self.file, row, column, message))

    def header(self, fields: list[str]) -> dict[str, int] | None:
        found: dict[str, int] = {}
        for index, label in enumerate(fields):
            name = _ALIASES.get(normalise(label))
            if name is None:
                self.issue(1, label, f"ukendt kolonne; filen skal have kolonnerne {', '.join(COLUMNS)}")
            elif name in found:
                self.issue(1, label, f'kolonnen "{name}" står to gange')
            else:
                found[name] = index
        missing = [c for c in COLUMNS if c not in found]
        if missing:
            self.issue(1, None, f"kolonnen mangler: {', '.join(missing)}")
            return None
        return found

    def year(self, row: int, text: str) -> int | None:
        if not text.isdigit():
            self.issue(row, "listeaar", f'"{text}" er ikke et årstal (fx 2022)')
            return None
        year = int(text)
        if year > self.last_year:
            self.issue(row, "listeaar", f"listeår {year} er ikke offentliggjort endnu (seneste: {self.last_year})")
            return None
        try:
            self.law.rule_set(year)
        except LawError:
            first = min(rs.list_years.first for rs in self.law.rule_sets)
            self.issue(row, "listeaar", f"listeår {year} er ukendt; listerne findes fra {first}")
            return None
        return year

    def kommune(self, row: int, text: str) -> str | None:
        key = normalise(text.removesuffix(" Kommune").removesuffix(" kommune"))
        name = _KOMMUNE_NAMES.get(key) or (_KOMMUNE_NAMES.get(key[:-1]) if key.endswith("s") else None)
        if name is not None:
            return name
        guess = difflib.get_close_matches(key, list(_KOMMUNE_NAMES), n=1)
        hint = (
            f'; mente du "{_KOMMUNE_NAMES[guess[0]]}"?' if guess else " (Danmarks Statistiks navne på de 98 kommuner)"
        )
        self.issue(row, "kommune", f'"{text}" er ikke en kommune{hint}')
        return None

    def liste(self, row: int, text: str, year: int | None) -> str | None:
        if year is None:
            return None
        rule_set = self.law.rule_set(year)
        reported = self.names.reported(rule_set, text)
        if reported is not None:
            return reported
        if self.names.known(text):
            self.issue(
                row, "liste", f'listen "{text}" fandtes ikke i listeår {year} (dét år: {self.names.of_year(rule_set)})'
            )
        else:
            self.issue(row, "liste", f'ukendt liste "{text}"; brug lovens navne, fx {self.names.of_year(rule_set)}')
        return None

    def add(self, row: int, cells: dict[str, str]) -> None:
        for column in COLUMNS:
            if not cells[column]:
                self.issue(row, column, "cellen er tom")
        if not all(cells.values()):
            return
        year = self.year(row, cells["listeaar"])
        kommune = self.kommune(row, cells["kommune"])
        reported = self.liste(row, cells["liste"], year)
        if year is None or kommune is None or reported is None:
            return
        key = (cells["omraade"], kommune, year, reported)
        if key in self.rows:
            self.issue(row, None, f"rækken gentager række {self.rows[key]} ({cells['omraade']}, {year}, {reported})")
            return
        self.rows[key] = row


def read_official(
    data: bytes, file: str, law: Law | None = None, last_year: int | None = None
) -> dict[tuple[str, str, int, str], int]:
    """The memberships of an official-lists file: (omraade, kommune, year, reported list) -> row."""
    reader = _Reader(file, law or load_law(), last_year or date.today().year)
    text = _decode(data, file)
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise AtlasFileError(file, [ImportIssue(file, None, None, "filen er tom")])
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(lines[0])))
    columns = reader.header([c.strip() for c in rows[0]])
    if columns is None:
        raise AtlasFileError(file, reader.issues)
    if not any(any(f.strip() for f in fields) for fields in rows[1:]):
        raise AtlasFileError(file, [ImportIssue(file, None, None, "filen har ingen rækker under overskriften")])
    for number, fields in enumerate(rows[1:], start=2):
        if not any(f.strip() for f in fields):
            continue
        cells = {c: (fields[i].strip() if i < len(fields) else "") for c, i in columns.items()}
        reader.add(number, cells)
    if reader.issues:
        raise AtlasFileError(file, reader.issues)
    return reader.rows


def atlas_from_official(path: Path, law: Law | None = None, last_year: int | None = None) -> Atlas:
    """The atlas of the published lists in a CSV file (statuses only; no criteria)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RegisterError(f"{path}: kan ikke læses ({error.strerror or error})") from None
    return atlas_from_official_bytes(data, path.name, law, last_year)


def atlas_from_official_bytes(data: bytes, file: str, law: Law | None = None, last_year: int | None = None) -> Atlas:
    law = law or load_law()
    memberships = read_official(data, file, law, last_year)
    years = sorted({year for _, _, year, _ in memberships})
    areas = sorted({(area, kommune) for area, kommune, _, _ in memberships})
    entries: list[AtlasEntry] = []
    for year in years:
        rule_set = law.rule_set(year)
        for area, kommune in areas:
            lists: dict[str, Status] = {
                param.reported_as: (area, kommune, year, param.reported_as) in memberships
                for param in rule_set.lists.values()
            }
            entries.append(
                AtlasEntry(
                    kind="omraade",
                    name=area,
                    list_year=year,
                    lists=lists,
                    kommune=kommune,
                    region=kommune_region(kommune),
                )
            )
    return Atlas(
        source=SOURCE_OFFICIAL,
        description=f"Officielle lister fra {file}, listeår {years[0]}-{years[-1]}",
        years=tuple(years),
        entries=entries,
        notes=["Officielle lister: kun status på listerne; kriteriernes værdier følger ikke med."],
    )


@dataclass
class YearCounts:
    """One list year of an atlas of areas: how many areas it holds and how many were on each list."""

    year: int
    areas: int = 0
    on: dict[str, int] = field(default_factory=dict)


def list_counts(entries: Iterable[AtlasEntry]) -> dict[int, YearCounts]:
    """The areas of an atlas counted per list year and list (what a load of the official lists
    replaces, and with what)."""
    counts: dict[int, YearCounts] = {}
    for e in entries:
        if e.kind != "omraade":
            continue
        year = counts.setdefault(e.list_year, YearCounts(e.list_year))
        year.areas += 1
        for name, status in e.lists.items():
            year.on[name] = year.on.get(name, 0) + (status is True)
    return dict(sorted(counts.items()))

"""A national conviction average entered for a plan, and the plan folder's file of them.

From 2018 the convicted criterion is a multiple of a national average the ministry publishes with
each year's lists. The law ships the years it knows; for a later year an editor enters the average
with its source (the web app's /plan/{id}/landsgennemsnit, stored by
store/national_averages.py). The plan folder keeps them in `landsgennemsnit.csv` beside
`helhedsplan.toml`, so that exporting a plan and importing it again gives the same verdicts, and
`boligsocial check` on the folder uses them:

    listeaar;doemte_pct;kilde;kilde_dato
    2024;0,71;Social- og Boligministeriet, listerne pr. 1. december 2024;2024-12-01

Every value is checked here, once, for the form and the file alike: the percentage, the source,
its date, and whether the law takes an entered average for the year at all.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Final

from boligsocial.danish import date_text, format_danish_number, parse_danish_number, written_decimals
from boligsocial.law.errors import LawError
from boligsocial.law.parameters import load_law
from boligsocial.law.thresholds import compile_rules
from boligsocial.plan.folder import plan_file
from boligsocial.plan.keyfigures import ImportIssue

__all__ = [
    "AVERAGES_FILE",
    "AVERAGE_FIELDS",
    "MAX_AVERAGE_PCT",
    "AveragesFileError",
    "EnteredAverage",
    "PublishedAverage",
    "YearStatus",
    "averages_csv",
    "conviction_averages",
    "parse_percent",
    "parse_source",
    "parse_source_date",
    "read_averages_file",
    "read_folder_averages",
    "validated_fields",
    "year_status",
]

AVERAGES_FILE: Final = "landsgennemsnit.csv"
"""The file in a plan folder holding the entered averages (optional)."""

AVERAGE_FIELDS: Final = {
    "doemte_pct": "Landsgennemsnit for dømte (pct.)",
    "kilde": "Kilde",
    "kilde_dato": "Kildens dato",
}
"""The fields of an entered average and their Danish labels (the form's and the file's)."""

YEAR_COLUMN: Final = "listeaar"

MAX_AVERAGE_PCT: Final = Decimal(10)
"""The largest average accepted. The known years lie between 0,66 and 0,73 pct.; a value above
10 pct. is a typing error (e.g. "73" for 0,73), and 3 x it would exceed any plausible share."""
MAX_DECIMALS: Final = 4
MAX_SOURCE_CHARS: Final = 500

_DANISH_DATE: Final = re.compile(r"(\d{1,2})[.\-/](\d{1,2})[.\-/](\d{4})")
_ISO_DATE: Final = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class EnteredAverage:
    """A list year's national conviction average as entered, with its source."""

    list_year: int
    doemte_pct: Decimal
    kilde: str
    kilde_dato: date


@dataclass(frozen=True)
class PublishedAverage:
    """The law's own conviction thresholds for a list year: multiple -> threshold in percent."""

    thresholds: dict[int, Fraction]
    source: str  # the citation's title and paragraph, in Danish


@dataclass(frozen=True)
class YearStatus:
    """What the law says about entering an average for a list year: whether its convicted
    criterion needs one, the published one if the law has it, or why the law cannot say."""

    needed: bool
    published: PublishedAverage | None
    problem: str | None  # the law has no rules for the year (Danish)

    @property
    def takes_entry(self) -> bool:
        return self.needed and self.published is None and self.problem is None

    def refusal(self, list_year: int) -> str | None:
        """Why no average may be entered for the year (Danish), or None when one may."""
        if self.problem is not None:
            return f"Listeår {list_year}: lovens regler dækker ikke året ({self.problem})"
        if not self.needed:
            return f"Listeår {list_year}: dømte-kriteriet bygger ikke på landsgennemsnittet det år"
        if self.published is not None:
            return (
                f"Listeår {list_year}: lovens parametre har det offentliggjorte tal ({self.published.source}); "
                "det bruges og kan ikke overskrives i en plan"
            )
        return None


def year_status(list_year: int) -> YearStatus:
    """The law's answer for a list year, from its parameters."""
    try:
        rules = compile_rules(load_law(), list_year)
    except LawError as error:
        return YearStatus(False, None, str(error))
    if not rules.rule_set.needs_national_average:
        return YearStatus(False, None, None)
    if not rules.conviction:
        return YearStatus(True, None, None)
    citation = next(iter(rules.conviction.values()))[1]
    thresholds = {multiple: value for multiple, (value, _) in rules.conviction.items()}
    return YearStatus(True, PublishedAverage(thresholds, f"{citation.title}, {citation.paragraph}"), None)


# --------------------------------------------------------------------------------------------------
# The fields, as typed in the form or written in the file


def parse_percent(text: str) -> tuple[Decimal | None, str | None]:
    """(value, None) or (None, the problem in Danish, starting with the field's label)."""
    label = AVERAGE_FIELDS["doemte_pct"]
    if not text.strip():
        return None, f"{label}: skal udfyldes, fx 0,73"
    try:
        value = parse_danish_number(text)
    except ValueError as error:
        return None, f"{label}: {error}; skriv procenten med decimalkomma, fx 0,73"
    if value is None:
        return None, f"{label}: skal være et tal, fx 0,73 (ikke et diskretioneret tal)"
    if value <= 0 or value > MAX_AVERAGE_PCT:
        return None, (
            f"{label}: skal være en procentdel over 0 og højst {format_danish_number(MAX_AVERAGE_PCT)}, fx 0,73; "
            f'"{text.strip()}" er ikke et muligt landsgennemsnit (de kendte år ligger under 1 pct.)'
        )
    if written_decimals(value) > MAX_DECIMALS:
        return None, f"{label}: højst {MAX_DECIMALS} decimaler, fx 0,7251"
    return value, None


def parse_source_date(text: str, today: date | None = None) -> tuple[date | None, str | None]:
    """A date as the browser's date field sends it (2024-12-01) or as typed (1.12.2024)."""
    label = AVERAGE_FIELDS["kilde_dato"]
    shown = text.strip()
    if not shown:
        return None, f"{label}: skal udfyldes, fx 01.12.2024"
    iso, danish = _ISO_DATE.fullmatch(shown), _DANISH_DATE.fullmatch(shown)
    try:
        if iso is not None:
            value = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        elif danish is not None:
            value = date(int(danish.group(3)), int(danish.group(2)), int(danish.group(1)))
        else:
            return None, f'{label}: "{shown}" er ikke en dato; skriv fx 01.12.2024'
    except ValueError:
        return None, f'{label}: "{shown}" er ikke en dato i kalenderen'
    if value > (today or date.today()):
        return None, f"{label}: {date_text(value)} ligger i fremtiden"
    if value.year < 2000:
        return None, f"{label}: {date_text(value)} er før de første lister"
    return value, None


def parse_source(text: str) -> tuple[str | None, str | None]:
    label = AVERAGE_FIELDS["kilde"]
    shown = " ".join(text.split())
    if not shown:
        return None, f"{label}: skal udfyldes, fx ministeriets udmelding om listerne pr. 1. december"
    if len(shown) > MAX_SOURCE_CHARS:
        return None, f"{label}: højst {MAX_SOURCE_CHARS} tegn (der er {len(shown)})"
    return shown, None


def validated_fields(values: Mapping[str, str]) -> tuple[tuple[Decimal, str, date] | None, dict[str, str]]:
    """The three fields read and checked: ((percent, source, date), {}) or (None, problems by field)."""
    pct, pct_error = parse_percent(values.get("doemte_pct", ""))
    source, source_error = parse_source(values.get("kilde", ""))
    when, date_error = parse_source_date(values.get("kilde_dato", ""))
    errors = {
        name: message
        for name, message in (("doemte_pct", pct_error), ("kilde", source_error), ("kilde_dato", date_error))
        if message is not None
    }
    if errors or pct is None or source is None or when is None:
        return None, errors
    return (pct, source, when), {}


# --------------------------------------------------------------------------------------------------
# The plan folder's file


class AveragesFileError(Exception):
    """`landsgennemsnit.csv` could not be read; `issues` names every problem by row and column."""

    def __init__(self, issues: Sequence[ImportIssue]) -> None:
        self.issues = list(issues)
        lines = [f"{AVERAGES_FILE} kan ikke indlæses:", *(f"  {issue}" for issue in self.issues)]
        super().__init__("\n".join(lines))


_COLUMNS: Final = (YEAR_COLUMN, *AVERAGE_FIELDS)


def read_averages_file(path: Path, today: date | None = None) -> list[EnteredAverage]:
    """The averages of a plan folder's `landsgennemsnit.csv` (semicolon-separated, UTF-8), in
    the file's order. Raises AveragesFileError with every problem: encoding, header, a year the
    law takes no average for, a repeated year, and each field as the form checks it."""
    rows = list(csv.reader(io.StringIO(_text(path)), delimiter=";"))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise AveragesFileError(
            [_issue(path, None, None, f"filen er tom; første række skal være {';'.join(_COLUMNS)}")]
        )
    header = [cell.strip() for cell in rows[0]]
    header_problem = _header_problem(header)
    if header_problem is not None:
        raise AveragesFileError([_issue(path, 1, None, header_problem)])
    issues: list[ImportIssue] = []
    entries: list[EnteredAverage] = []
    first_row: dict[int, int] = {}
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        if len(cells) != len(header):
            issues.append(_issue(path, number, None, f"rækken har {len(cells)} felter, overskriften {len(header)}"))
            continue
        entry, problems = _row(dict(zip(header, cells, strict=True)), number, first_row, today)
        issues.extend(_issue(path, number, column, message) for column, message in problems)
        if entry is not None:
            entries.append(entry)
    if issues:
        raise AveragesFileError(issues)
    return entries


def read_folder_averages(folder: Path) -> list[EnteredAverage]:
    """The averages of the plan folder `folder` (its `landsgennemsnit.csv`; none without the
    file). Raises AveragesFileError as `read_averages_file`."""
    path = plan_file(folder).parent / AVERAGES_FILE
    return read_averages_file(path) if path.is_file() else []


def _issue(path: Path, row: int | None, column: str | None, message: str) -> ImportIssue:
    return ImportIssue(path.name, row, column, message)


def _text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AveragesFileError([_issue(path, None, None, "filen er ikke gemt som UTF-8")]) from None
    except OSError as error:
        message = f"filen kan ikke læses ({error.strerror or error})"
        raise AveragesFileError([_issue(path, None, None, message)]) from None


def _header_problem(header: list[str]) -> str | None:
    parts = []
    missing = [column for column in _COLUMNS if column not in header]
    if missing:
        parts.append(f"mangler kolonnen {', '.join(missing)}")
    unknown = [column for column in header if column not in _COLUMNS]
    if unknown:
        parts.append(f"ukendt kolonne {', '.join(repr(c) for c in unknown)}")
    if len(set(header)) != len(header):
        parts.append("en kolonne står to gange")
    if not parts:
        return None
    return f"{'; '.join(parts)}; første række skal være {';'.join(_COLUMNS)} (adskilt med semikolon)"


def _row(
    values: dict[str, str], number: int, first_row: dict[int, int], today: date | None
) -> tuple[EnteredAverage | None, list[tuple[str, str]]]:
    """One data row: the entry, or the problems by column. `first_row` records each year's row."""
    year = _year(values[YEAR_COLUMN])
    if year is None:
        return None, [(YEAR_COLUMN, f'"{values[YEAR_COLUMN].strip()}" er ikke et årstal, fx 2024')]
    refusal = year_status(year).refusal(year)
    if refusal is not None:
        return None, [(YEAR_COLUMN, refusal)]
    if year in first_row:
        return None, [(YEAR_COLUMN, f"listeår {year} står også i række {first_row[year]}")]
    first_row[year] = number
    pct, pct_error = parse_percent(values["doemte_pct"])
    source, source_error = parse_source(values["kilde"])
    when, date_error = parse_source_date(values["kilde_dato"], today)
    problems = [
        (column, message.split(": ", 1)[1])  # the column names the field; its label is not repeated
        for column, message in (("doemte_pct", pct_error), ("kilde", source_error), ("kilde_dato", date_error))
        if message is not None
    ]
    if pct is None or source is None or when is None:
        return None, problems
    return EnteredAverage(year, pct, source, when), problems


def _year(text: str) -> int | None:
    shown = text.strip()
    if not re.fullmatch(r"\d{4}", shown):
        return None
    return int(shown)


def averages_csv(entries: Sequence[EnteredAverage]) -> str:
    """The file's text for `entries`, by year; `read_averages_file` reads it back to the same."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(_COLUMNS)
    for entry in sorted(entries, key=lambda e: e.list_year):
        writer.writerow(
            [entry.list_year, format_danish_number(entry.doemte_pct), entry.kilde, entry.kilde_dato.isoformat()]
        )
    return buffer.getvalue()


def conviction_averages(entries: Sequence[EnteredAverage]) -> dict[int, Fraction]:
    """The entries as the law takes them: list year -> percent."""
    return {entry.list_year: Fraction(entry.doemte_pct) for entry in entries}

"""Key-figure files (nøgletal): one row per afdeling, as CSV or XLSX.

`read_key_figures` turns a file into `UnitFigures` (the contract in `law/figures.py`) or raises
`KeyFigureError` with *every* problem found, each naming file, row and column in Danish. It never
returns a partial result. `write_key_figures` writes units in the same format, atomically, and
checks that the file reads back to the same figures before it replaces anything.

The format is documented for users in `docs/key-figures.md`; keep the two in step.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import difflib
import io
import os
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import IO, Literal

import openpyxl  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from boligsocial.law.figures import (
    Measure,
    Measurement,
    SourceRef,
    UnitFigures,
    UnitKind,
)
from boligsocial.law.vocabulary import MEASURE_LABELS_DA
from boligsocial.plan.numbers import (
    format_danish_number,
    fraction_to_decimal,
    parse_danish_number,
    round_half_up,
)

__all__ = [
    "ACCEPTED_SUFFIXES",
    "COLUMNS",
    "ImportIssue",
    "KeyFigureColumn",
    "KeyFigureError",
    "read_key_figures",
    "write_key_figures",
]

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
#: File name endings `read_key_figures` understands (compared case-insensitively).
ACCEPTED_SUFFIXES = TEXT_SUFFIXES + EXCEL_SUFFIXES

#: Sheet names preferred over the first sheet in a workbook (compared after normalising).
SHEET_NAMES = ("noegletal", "nøgletal")

MIN_LIST_YEAR = 2000
MAX_LIST_YEAR = 2100
#: Income in percent of the region above this is surely an amount in kroner, not a percentage.
MAX_INCOME_PCT = 1000
#: How many issues `str(KeyFigureError)` lists; all of them are in `.issues`.
MAX_ISSUES_SHOWN = 50

#: Keys of `UnitFigures.extra` that the format stores.
EXTRA_AFDELINGSNUMMER = "afdelingsnummer"
EXTRA_INDKOMST_REGION_GNS = "indkomst_region_gns"


# --------------------------------------------------------------------------------------------
# Errors


@dataclass(frozen=True)
class ImportIssue:
    """One problem in a key-figure file. `row` is the row number a person sees in the file
    (header = 1 in a normal file; the sheet row in XLSX); `column` the header text as written."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"række {self.row}")
        if self.column is not None:
            where.append(f'kolonne "{self.column}"')
        return f"{', '.join(where)}: {self.message}"


class KeyFigureError(Exception):
    """A key-figure file could not be read (or written); `issues` holds every problem found."""

    def __init__(self, issues: Sequence[ImportIssue], summary: str | None = None) -> None:
        self.issues: list[ImportIssue] = list(issues)
        if summary is None:
            files = sorted({issue.file for issue in self.issues})
            name = files[0] if len(files) == 1 else "nøgletalsfilen"
            summary = f"{name} kan ikke indlæses ({_count_errors(len(self.issues))}):"
        self.summary = summary
        super().__init__(self._render())

    def _render(self) -> str:
        lines = [self.summary]
        lines += [f"  {issue}" for issue in self.issues[:MAX_ISSUES_SHOWN]]
        hidden = len(self.issues) - MAX_ISSUES_SHOWN
        if hidden > 0:
            lines.append(f"  … og {_count_errors(hidden)} mere")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._render()


def _count_errors(n: int) -> str:
    return f"{format_danish_number(n)} fejl"


# --------------------------------------------------------------------------------------------
# Columns

ColumnKind = Literal["text", "name", "integer", "year", "pct", "income_pct", "count", "amount"]


@dataclass(frozen=True)
class KeyFigureColumn:
    """A column of the format: canonical name, the Danish labels also accepted, value kind."""

    name: str
    kind: ColumnKind
    labels: tuple[str, ...] = ()
    measure: Measure | None = None
    required: bool = False


def _count_columns(measure: Measure) -> list[KeyFigureColumn]:
    columns = [
        KeyFigureColumn(f"{measure.value}_taeller", "count", measure=measure),
        KeyFigureColumn(f"{measure.value}_naevner", "count", measure=measure),
    ]
    if measure is Measure.INDKOMST:
        columns.append(KeyFigureColumn("indkomst_region_gns", "amount", measure=measure))
    return columns


PCT_COLUMN: dict[Measure, str] = {
    Measure.UDEN_FOR_ARBEJDSMARKED: "uden_for_arbejdsmarked_pct",
    Measure.IKKE_VESTLIGE: "ikke_vestlige_pct",
    Measure.DOEMTE: "doemte_pct",
    Measure.KUN_GRUNDSKOLE: "kun_grundskole_pct",
    Measure.INDKOMST: "indkomst_pct_af_region",
}

#: Every column of the format, in the order `write_key_figures` writes them.
COLUMNS: tuple[KeyFigureColumn, ...] = (
    KeyFigureColumn("boligorganisation", "text", ("Boligorganisation", "Boligselskab")),
    KeyFigureColumn("afdeling", "name", ("Afdeling", "Afdelingsnavn"), required=True),
    KeyFigureColumn("afdelingsnummer", "text", ("Afdelingsnummer", "Afdelingsnr.", "Afd.nr.")),
    KeyFigureColumn("boliger", "integer", ("Boliger", "Lejeboliger", "Antal boliger")),
    KeyFigureColumn("beboere", "integer", ("Beboere", "Antal beboere", "Beboere 1/1- 2022"), required=True),
    KeyFigureColumn(
        "uden_for_arbejdsmarked_pct",
        "pct",
        (
            "Udenfor arbejdsmarked",
            "Uden for arbejdsmarkedet",
            "Udenfor arbejds- marked",
            "Uden for arbejdsmarked og uddannelse",
        ),
        Measure.UDEN_FOR_ARBEJDSMARKED,
    ),
    KeyFigureColumn(
        "ikke_vestlige_pct",
        "pct",
        ("IE ikke vestlige", "Ikke-vestlige", "Ikke-vestlige indvandrere og efterkommere"),
        Measure.IKKE_VESTLIGE,
    ),
    KeyFigureColumn("doemte_pct", "pct", ("Dømte",), Measure.DOEMTE),
    KeyFigureColumn("kun_grundskole_pct", "pct", ("Kun grundskole", "Kun grund- skole"), Measure.KUN_GRUNDSKOLE),
    KeyFigureColumn(
        "indkomst_pct_af_region",
        "income_pct",
        (
            "Gns. indkomst",
            "Gns. Ind- komst",
            "Gns. bruttoindkomst i pct. af regionen",
            "Indkomst i pct. af regionen",
        ),
        Measure.INDKOMST,
    ),
    *[column for measure in Measure for column in _count_columns(measure)],
    KeyFigureColumn("omraade", "text", ("Område", "Boligområde")),
    KeyFigureColumn("kommune", "text", ("Kommune",)),
    KeyFigureColumn("listeaar", "year", ("Listeår",)),
    # Register output holds areas too: their rows carry the area's name in `afdeling`.
    KeyFigureColumn("enhedstype", "text", ("Enhedstype", "Type")),
)
_BY_NAME: dict[str, KeyFigureColumn] = {column.name: column for column in COLUMNS}


def _normalise(label: str) -> str:
    """The matching key of a header: casefolded, æøå spelt out, only letters and digits, and
    without a trailing 'pct'/'procent' (so "Dømte (%)", "doemte_pct" and "Dømte" are one key)."""
    text = label.casefold().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if char.isascii() and char.isalnum())
    for suffix in ("procent", "pct"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text.removesuffix(suffix)
    return text


_ALIASES: dict[str, str] = {}
for _column in COLUMNS:
    for _label in (_column.name, *_column.labels):
        _ALIASES.setdefault(_normalise(_label), _column.name)
# Headers that carry a date or year, as in the published table: "Beboere 1/1- 2022".
_DATED = re.compile(r"(antal)?(?P<what>beboere|boliger|lejeboliger)(pr|per)?\d+")


def _column_for(header: str) -> str | None:
    key = _normalise(header)
    if key in _ALIASES:
        return _ALIASES[key]
    if dated := _DATED.fullmatch(key):
        return "beboere" if dated.group("what") == "beboere" else "boliger"
    return None


def _accepted_labels(name: str, *, with_name: bool = True) -> str:
    column = _BY_NAME[name]
    labels = [*([column.name] if with_name else []), *column.labels]
    return _or_list([f'"{label}"' for label in labels])


def _or_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} eller {items[-1]}"


def _and_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} og {items[-1]}"


# --------------------------------------------------------------------------------------------
# Cells as read from a file


@dataclass(frozen=True, slots=True)
class _Number:
    """A numeric spreadsheet cell: exact value, shown the Danish way in messages."""

    value: Decimal
    percent_format: bool  # Excel shows 0.243 as "24,3 %" when the cell is formatted as percent

    @property
    def shown(self) -> str:
        """As a number in a message: `1.964`, `24,3 %`."""
        if self.percent_format:
            return f"{format_danish_number(self.value * 100)} %"
        return format_danish_number(self.value)

    @property
    def text(self) -> str:
        """As text (a name, a header, an afdelingsnummer): `1964`, `12,5`."""
        return format_danish_number(self.value, grouping=False)


@dataclass(frozen=True, slots=True)
class _NotNumber:
    """A spreadsheet cell that holds something other than a number or text (date, TRUE/FALSE)."""

    shown: str
    reason: str  # completes the message '"<shown>" <reason>'


_Cell = str | _Number | _NotNumber | None
_EXCEL_ERROR = re.compile(r"#(?:DIV/0!|N/A|NAME\?|NULL!|NUM!|REF!|VALUE!|SPILL!|CALC!|GETTING_DATA)")


def _shown(cell: _Cell) -> str:
    """The cell as quoted in a message about its value."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell.strip()
    return cell.shown


def _text(cell: _Cell) -> str:
    """The cell as text, whitespace collapsed: a header, a name."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return " ".join(cell.split())
    return cell.text if isinstance(cell, _Number) else cell.shown


def _is_empty(cell: _Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


@dataclass
class _Sheet:
    """Rows as a person sees them: (row number, cells). Fully empty rows are left out."""

    rows: list[tuple[int, list[_Cell]]]
    delimited: bool  # CSV-like: a row may have too many or too few fields
    delimiter: str = ";"


# --------------------------------------------------------------------------------------------
# Reading files


def read_key_figures(path: Path) -> list[UnitFigures]:
    """Read a key-figure file (CSV, TSV, TXT or XLSX): one `UnitFigures` (kind "afdeling") per row.

    Raises `KeyFigureError` listing every problem; never returns a partial result.
    """
    return _read(Path(path), Path(path).name)


def _read(path: Path, file: str) -> list[UnitFigures]:
    def fail(message: str) -> KeyFigureError:
        return KeyFigureError([ImportIssue(file, None, None, message)])

    suffix = path.suffix.casefold()
    if path.is_dir():
        raise fail("er en mappe, ikke en fil med nøgletal")
    if not path.exists():
        raise fail("filen findes ikke")
    if suffix in (".xls", ".ods", ".numbers"):
        raise fail(
            f'filtypen "{path.suffix}" kan ikke læses; gem regnearket som Excel-projektmappe (.xlsx) '
            "eller som CSV (semikolonsepareret)"
        )
    if suffix not in ACCEPTED_SUFFIXES:
        shown = f'"{path.suffix}"' if path.suffix else "uden endelse"
        raise fail(
            f"filtypen {shown} understøttes ikke; brug {_or_list(list(ACCEPTED_SUFFIXES))} "
            "(CSV med semikolon, komma eller tabulator som skilletegn)"
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise fail(f"filen kan ikke læses ({error.strerror or error})") from None
    if not data.strip():
        raise fail("filen er tom")
    sheet = _read_workbook(data, file) if suffix in EXCEL_SUFFIXES else _read_delimited(data, file)
    return _Parser(file, sheet).parse()


def _read_delimited(data: bytes, file: str) -> _Sheet:
    def fail(message: str) -> KeyFigureError:
        return KeyFigureError([ImportIssue(file, None, None, message)])

    if data.startswith(b"PK\x03\x04"):
        raise fail("filen er en Excel-projektmappe, ikke tekst; giv den endelsen .xlsx")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise fail("filen er en gammel Excel-fil (.xls); gem den som .xlsx eller som CSV")
    text = _decode(data)
    if any(garbled in text for garbled in ("Ã¦", "Ã¸", "Ã¥", "Ã†", "Ã˜", "Ã…")):
        raise fail(
            "filen blander tegnsæt (både UTF-8 og Windows-1252), så æ, ø og å kan ikke læses sikkert; "
            "gem den igen som CSV UTF-8"
        )
    if "\x00" in text:
        raise fail("filen indeholder binære data og er ikke en tekstfil (CSV)")
    delimiter = _sniff_delimiter(text)
    rows: list[tuple[int, list[_Cell]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    number = 0
    try:
        for number, fields in enumerate(reader, start=1):
            if any(field.strip() for field in fields):
                rows.append((number, list(fields)))
    except csv.Error as error:
        raise KeyFigureError(
            [ImportIssue(file, number + 1, None, f"rækken kan ikke læses som CSV ({error})")]
        ) from None
    return _Sheet(rows, delimited=True, delimiter=delimiter)


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode-tekst"), else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # cp1252 leaves five bytes undefined; latin-1 never fails


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header line into the most fields (';' wins ties)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    best, most = ";", 1
    for candidate in (";", "\t", ","):
        fields = next(csv.reader([header], delimiter=candidate), [])
        if len(fields) > most:
            best, most = candidate, len(fields)
    return best


def _read_workbook(data: bytes, file: str) -> _Sheet:
    def fail(message: str) -> KeyFigureError:
        return KeyFigureError([ImportIssue(file, None, None, message)])

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (BadZipFile, KeyError, XML errors, ...)
        hint = ""
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            hint = "; den er gemt i det gamle format (.xls) eller krypteret med adgangskode"
        elif _looks_like_text(data):
            hint = "; den ser ud til at være en tekstfil, så giv den endelsen .csv"
        raise fail(f"filen er ikke en gyldig Excel-projektmappe (.xlsx){hint}") from None
    try:
        worksheets = list(workbook.worksheets)
        if not worksheets:
            raise fail("projektmappen har ingen regneark")
        wanted = {_normalise(name) for name in SHEET_NAMES}
        sheet = next((ws for ws in worksheets if _normalise(str(ws.title)) in wanted), worksheets[0])
        sheet.reset_dimensions()  # some generators write a wrong dimension; read every row
        rows: list[tuple[int, list[_Cell]]] = []
        for number, cells in enumerate(sheet.iter_rows(min_row=1, min_col=1), start=1):
            row = [_excel_cell(cell) for cell in cells]
            if not all(_is_empty(cell) for cell in row):
                rows.append((number, row))
    except KeyFigureError:
        raise
    except Exception:
        raise fail("regnearket i projektmappen kan ikke læses; er filen beskadiget?") from None
    finally:
        workbook.close()
    return _Sheet(rows, delimited=False)


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    return b"\x00" not in head and all(byte >= 9 for byte in head[:64])


def _excel_cell(cell: object) -> _Cell:
    value: object = getattr(cell, "value", None)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return _NotNumber("SAND" if value else "FALSK", "er en sandhedsværdi, ikke et tal")
    if isinstance(value, int | float):
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                return _NotNumber(str(value), "er ikke et endeligt tal")
            # 15 significant digits: what Excel itself shows and stores reliably, so 8.21 stays
            # 8.21 and a formula's 24.299999999999997 becomes 24.3.
            number = Decimal(format(value, ".15g"))
        else:
            number = Decimal(value)
        return _Number(number, _is_percent_format(getattr(cell, "number_format", None)))
    if isinstance(value, datetime | date | time | timedelta):
        return _NotNumber(str(value), "er en dato eller et klokkeslæt, ikke et tal")
    return str(value)


def _is_percent_format(number_format: object) -> bool:
    if not isinstance(number_format, str):
        return False
    unquoted = re.sub(r'"[^"]*"|\\.', "", number_format)  # a quoted or escaped % does not scale
    return "%" in unquoted


# --------------------------------------------------------------------------------------------
# From rows to units


class _Skip(Exception):
    """A value was wrong; the issue is recorded and the unit is not built."""


@dataclass
class _Counts:
    numerator: Decimal
    denominator: Decimal
    region_average: Decimal | None = None


class _Parser:
    def __init__(self, file: str, sheet: _Sheet) -> None:
        self.file = file
        self.sheet = sheet
        self.issues: list[ImportIssue] = []
        self.index: dict[str, int] = {}  # canonical column -> position
        self.header: dict[str, str] = {}  # canonical column -> header as written
        self.positions: dict[str, int] = {}  # header as written -> position
        self.identities: list[tuple[tuple[str, str, int | None, str], int, str]] = []  # key, row, text
        self.header_row = 0
        self.width = 0

    # -- issues

    def issue(self, message: str, row: int | None = None, column: str | None = None) -> None:
        self.issues.append(ImportIssue(self.file, row, column, message))

    def fail(self) -> KeyFigureError:
        # File-level issues first, then by row, and within a row in the order of the columns.
        def order(issue: ImportIssue) -> tuple[bool, int, int]:
            column = self.positions.get(issue.column, -1) if issue.column is not None else -1
            return (issue.row is not None, issue.row or 0, column)

        self.issues.sort(key=order)
        return KeyFigureError(self.issues)

    # -- whole file

    def parse(self) -> list[UnitFigures]:
        rows = self.sheet.rows
        if not rows:
            self.issue("filen er tom")
            raise self.fail()
        self.header_row, header_cells = rows[0]
        data = rows[1:]
        if not self.read_header(header_cells, data):
            raise self.fail()
        if not data:
            self.issue(f"filen har kun en overskrift (række {self.header_row}) og ingen rækker med nøgletal")
        units: list[UnitFigures] = []
        for number, cells in data:
            unit = self.read_row(number, cells)
            if unit is not None:
                units.append(unit)
        self.check_duplicates()
        if self.issues:
            raise self.fail()
        return units

    def read_header(self, cells: list[_Cell], data: list[tuple[int, list[_Cell]]]) -> bool:
        """Map header cells to columns; False when nothing sensible can be read below it."""
        shown = [_text(cell) for cell in cells]
        self.width = max((i + 1 for i, text in enumerate(shown) if text), default=0)
        unknown: list[str] = []
        for position, text in enumerate(shown[: self.width]):
            self.positions.setdefault(text, position)
            if not text:
                self.check_unnamed(position, data)
                continue
            name = _column_for(text)
            if name is None:
                unknown.append(text)
            elif name in self.index:
                first = self.header[name]
                self.issue(
                    f'kolonnen betyder det samme som kolonnen "{first}" ({name}); fjern den ene',
                    self.header_row,
                    text,
                )
            else:
                self.index[name] = position
                self.header[name] = text
        if not self.sheet.delimited:
            for position in range(self.width, max((len(c) for _, c in data), default=0)):
                self.check_unnamed(position, data)

        if not self.index:
            found = ", ".join(f'"{text}"' for text in shown if text)
            self.issue(
                f"ingen af overskrifterne ({found}) er kendte kolonnenavne. Den første udfyldte række "
                "skal være overskriften, fx afdeling;beboere;uden_for_arbejdsmarked_pct;"
                "ikke_vestlige_pct;doemte_pct;kun_grundskole_pct;indkomst_pct_af_region" + self.delimiter_hint(),
                self.header_row,
            )
            return False
        for text in unknown:
            self.issue(self.unknown_column_message(text), self.header_row, text)
        self.check_required_columns()
        return True

    def delimiter_hint(self) -> str:
        if self.sheet.delimited and self.sheet.delimiter == ",":
            return " (filen er læst med komma som skilletegn; danske filer bruger normalt semikolon)"
        return ""

    def unknown_column_message(self, text: str) -> str:
        close = difflib.get_close_matches(_normalise(text), list(_ALIASES), n=1, cutoff=0.75)
        guess = f' (mente du "{_ALIASES[close[0]]}"?)' if close else ""
        names = ", ".join(column.name for column in COLUMNS)
        return (
            f"ukendt kolonne{guess}. Slet kolonnen eller omdøb den. Kendte kolonner: {names} "
            "(samt de danske overskrifter fra de offentliggjorte tabeller, se docs/key-figures.md)"
        )

    def check_unnamed(self, position: int, data: list[tuple[int, list[_Cell]]]) -> None:
        """A column without a header is fine when it is empty (Excel exports), an error if not."""
        if self.sheet.delimited and position >= self.width:
            return  # reported per row as a wrong number of fields
        for number, cells in data:
            if position < len(cells) and not _is_empty(cells[position]):
                self.issue(
                    f"kolonne nr. {position + 1} ({get_column_letter(position + 1)}) har ingen "
                    f'overskrift, men indeholder "{_shown(cells[position])}" i række {number}; '
                    "giv kolonnen et navn eller slet den",
                    self.header_row,
                )
                return

    def check_required_columns(self) -> None:
        for name in (column.name for column in COLUMNS if column.required):
            if name not in self.index:
                self.issue(f'kolonnen "{name}" mangler (den kan også hedde {_accepted_labels(name, with_name=False)})')
        for measure in Measure:
            counts = [column.name for column in _count_columns(measure)]
            present = [name for name in counts if name in self.index]
            if present and len(present) < len(counts):
                missing = [f'"{name}"' for name in counts if name not in self.index]
                given = [f'"{self.header[name]}"' for name in present]
                self.issue(
                    f"{_and_list(given)} kræver også {_and_list(missing)} "
                    f'("{MEASURE_LABELS_DA[measure]}" beregnes af tæller og nævner)'
                )
            if PCT_COLUMN[measure] not in self.index and not present:
                quoted = _and_list([f'"{name}"' for name in counts])
                self.issue(
                    f'der mangler en kolonne for "{MEASURE_LABELS_DA[measure]}": enten '
                    f"{_accepted_labels(PCT_COLUMN[measure])}, eller både {quoted}"
                )

    # -- one row

    def read_row(self, number: int, cells: list[_Cell]) -> UnitFigures | None:
        if self.sheet.delimited and len(cells) != self.width:
            overflow = cells[self.width :]
            if len(cells) < self.width:
                self.issue(
                    f"rækken har {len(cells)} felter, men overskriften har {self.width}; "
                    "mangler der skilletegn?" + self.delimiter_hint(),
                    number,
                )
                return None
            if any(not _is_empty(cell) for cell in overflow):
                self.issue(
                    f"rækken har {len(cells)} felter, men overskriften har {self.width}; står der "
                    f'"{self.sheet.delimiter}" i en værdi uden anførselstegn om?' + self.delimiter_hint(),
                    number,
                )
                return None
        before = len(self.issues)
        row = _Row(self, number, cells)
        name = row.text("afdeling")
        if "afdeling" in self.index and not name:
            self.issue("afdelingens navn mangler", number, self.header["afdeling"])
        residents = row.integer("beboere")
        dwellings = row.integer("boliger")
        issues_before_year = len(self.issues)
        list_year = row.year()
        if name and len(self.issues) == issues_before_year:
            organisation = row.text("boligorganisation")
            key = (_identity(name), _identity(organisation), list_year, _identity(row.text("enhedstype")))
            context = [organisation] if organisation else []
            if list_year is not None:
                context.append(f"listeår {list_year}")
            shown = f'"{name}" ({", ".join(context)})' if context else f'"{name}"'
            self.identities.append((key, number, shown))
        measures: dict[Measure, Measurement] = {}
        extra: dict[str, str] = {}
        for measure in Measure:
            with contextlib.suppress(_Skip):
                measures[measure] = row.measurement(measure, extra)
        number_text = row.text("afdelingsnummer")
        if number_text:
            extra[EXTRA_AFDELINGSNUMMER] = number_text
        kind = _unit_kind(row.text("enhedstype"))
        if kind is None:
            self.issue(
                f'"{row.text("enhedstype")}" er ikke en enhedstype; brug "afdeling" eller "omraade"',
                number,
                self.header.get("enhedstype"),
            )
        if len(self.issues) > before or not name or kind is None:
            return None
        return UnitFigures(
            name=name,
            kind=kind,
            list_year=list_year,
            residents=residents,
            measures=measures,
            boligorganisation=row.text("boligorganisation") or None,
            omraade=row.text("omraade") or None,
            kommune=row.text("kommune") or None,
            dwellings=dwellings,
            source=SourceRef(self.file, number),
            extra=extra,
        )

    def check_duplicates(self) -> None:
        """The same afdeling (name, boligorganisation, listeår) may appear only once."""
        first_rows: dict[tuple[str, str, int | None, str], int] = {}
        for key, row, shown in self.identities:
            first = first_rows.setdefault(key, row)
            if first != row:
                self.issue(
                    f"afdelingen {shown} står to gange: i række {first} og i række {row}",
                    row,
                    self.header.get("afdeling"),
                )


def _unit_kind(text: str) -> UnitKind | None:
    normalised = _normalise(text)
    if normalised in ("", "afdeling"):
        return "afdeling"
    if normalised in ("omraade", "boligomraade"):
        return "omraade"
    return None


def _identity(text: str) -> str:
    return " ".join(text.casefold().split())


class _Row:
    """The values of one data row, converted by column kind; problems go to the parser."""

    def __init__(self, parser: _Parser, number: int, cells: list[_Cell]) -> None:
        self.parser = parser
        self.number = number
        self.cells = cells

    def cell(self, name: str) -> _Cell:
        position = self.parser.index.get(name)
        if position is None or position >= len(self.cells):
            return None
        return self.cells[position]

    def issue(self, name: str, message: str) -> _Skip:
        self.parser.issue(message, self.number, self.parser.header[name])
        return _Skip()

    def text(self, name: str) -> str:
        return _text(self.cell(name))

    def decimal(self, name: str) -> Decimal | None:
        """The cell as an exact number; `None` when empty or suppressed; `_Skip` when invalid."""
        cell = self.cell(name)
        if cell is None:
            return None
        if isinstance(cell, _NotNumber):
            raise self.issue(name, f'"{cell.shown}" {cell.reason}')
        if isinstance(cell, _Number):
            kind = _BY_NAME[name].kind
            if cell.percent_format and kind in ("pct", "income_pct"):
                return cell.value * 100
            return cell.value
        if _EXCEL_ERROR.fullmatch(cell.strip()):
            raise self.issue(name, f'"{cell.strip()}" er en fejlværdi fra Excel, ikke et tal')
        try:
            return parse_danish_number(cell)
        except ValueError as error:
            raise self.issue(name, str(error)) from None

    def integer(self, name: str) -> int | None:
        try:
            value = self.decimal(name)
        except _Skip:
            return None
        if value is None:
            return None
        shown = _shown(self.cell(name))
        if value != value.to_integral_value():
            self.issue(name, f'"{shown}" er ikke et helt tal')
            return None
        if value < 0:
            self.issue(name, f'"{shown}" er negativt; et antal kan ikke være negativt')
            return None
        return int(value)

    def year(self) -> int | None:
        name = "listeaar"
        try:
            value = self.decimal(name)
        except _Skip:
            return None
        if value is None:
            return None
        shown = _shown(self.cell(name))
        if value != value.to_integral_value() or not MIN_LIST_YEAR <= value <= MAX_LIST_YEAR:
            self.issue(name, f'"{shown}" er ikke et listeår mellem {MIN_LIST_YEAR} og {MAX_LIST_YEAR}')
            return None
        return int(value)

    def percentage(self, measure: Measure) -> Decimal | None:
        name = PCT_COLUMN[measure]
        value = self.decimal(name)
        if value is None:
            return None
        shown = _shown(self.cell(name))
        if measure is Measure.INDKOMST:
            if value < 0:
                raise self.issue(name, f'"{shown}" er negativt; indkomsten kan ikke være negativ')
            if value > MAX_INCOME_PCT:
                raise self.issue(
                    name,
                    f'"{shown}" er for stort til at være indkomst i procent af regionens '
                    "gennemsnit; er det et beløb i kroner? (beløb hører til i indkomst_taeller)",
                )
        elif not 0 <= value <= 100:
            raise self.issue(name, f'"{shown}" ligger ikke mellem 0 og 100 %')
        return value

    def counts(self, measure: Measure) -> _Counts | None:
        names = [column.name for column in _count_columns(measure)]
        if not all(name in self.parser.index for name in names):
            return None
        values: dict[str, Decimal | None] = {}
        failed = False
        for name in names:
            try:
                values[name] = self.decimal(name)
            except _Skip:
                failed = True
                continue
            value = values[name]
            if value is not None and value < 0:
                self.issue(name, f'"{_shown(self.cell(name))}" er negativt; det kan et antal ikke være')
                failed = True
        if failed:
            raise _Skip()
        given = [name for name in names if values[name] is not None]
        if not given:
            return None
        if len(given) < len(names):
            filled = _and_list([f'"{self.parser.header[name]}"' for name in given])
            for name in names:
                if values[name] is None:
                    self.issue(name, f"mangler, når {filled} er udfyldt (udfyld alle eller ingen)")
            raise _Skip()
        numerator, denominator = values[names[0]], values[names[1]]
        assert numerator is not None and denominator is not None
        if measure is not Measure.INDKOMST:
            if numerator > denominator:
                raise self.issue(
                    names[0],
                    f'tælleren "{_shown(self.cell(names[0]))}" er større end nævneren "{_shown(self.cell(names[1]))}"',
                )
            return _Counts(numerator, denominator)
        region = values[names[2]]
        assert region is not None
        if region == 0:
            raise self.issue(names[2], "regionens gennemsnitsindkomst kan ikke være 0")
        return _Counts(numerator, denominator, region)

    def measurement(self, measure: Measure, extra: dict[str, str]) -> Measurement:
        pct_name = PCT_COLUMN[measure]
        percentage: Decimal | None = None
        pct_failed = False
        if pct_name in self.parser.index:
            try:
                percentage = self.percentage(measure)
            except _Skip:
                pct_failed = True
        counts = self.counts(measure)
        if pct_failed:
            raise _Skip()
        if counts is None:
            return Measurement.unknown() if percentage is None else Measurement(Fraction(percentage))
        numerator = Fraction(counts.numerator)
        if counts.region_average is not None:
            numerator /= Fraction(counts.region_average)
            extra[EXTRA_INDKOMST_REGION_GNS] = format(counts.region_average, "f")
        measurement = Measurement.from_counts(numerator, Fraction(counts.denominator))
        if percentage is not None:
            self.check_agreement(measure, percentage, measurement)
        return measurement

    def check_agreement(self, measure: Measure, percentage: Decimal, counts: Measurement) -> None:
        """A percentage given next to counts must be the counts' share, rounded as written."""
        name = PCT_COLUMN[measure]
        shown = _shown(self.cell(name))
        if counts.value is None:
            raise self.issue(name, f'"{shown}" er udfyldt, men nævneren er 0, så andelen er ukendt')
        exponent = percentage.as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
        tolerance = Fraction(1, 2 * 10**decimals)
        if abs(counts.value - Fraction(percentage)) > tolerance:
            computed = format_danish_number(counts.value, decimals=decimals + 2)
            raise self.issue(
                name,
                f'"{shown}" passer ikke med tæller og nævner, som giver {computed} '
                f"(højst {format_danish_number(tolerance)} "
                "procentpoint afvigelse for afrunding)",
            )


# --------------------------------------------------------------------------------------------
# Writing


def write_key_figures(units: Sequence[UnitFigures], path: Path) -> None:
    """Write afdelinger as a key-figure file: CSV (';', Danish numbers, '-' for unknown; UTF-8 with
    BOM so Excel shows æøå) or XLSX, chosen by the suffix.

    The file is written to a temporary file in the same folder, read back with `read_key_figures`
    and compared with `units`; only then does it replace `path`. On any problem `KeyFigureError` is
    raised and `path` is untouched. Not stored: `kind` (must be "afdeling"), `members`, `source`,
    and `extra` keys other than "afdelingsnummer" and "indkomst_region_gns".
    """
    path = Path(path)
    file = path.name
    suffix = path.suffix.casefold()
    if not units:
        raise KeyFigureError(
            [ImportIssue(file, None, None, "der er ingen afdelinger at gemme")],
            summary=f"Nøgletallene blev ikke gemt i {file}:",
        )
    if suffix not in ACCEPTED_SUFFIXES:
        raise KeyFigureError(
            [ImportIssue(file, None, None, f"nøgletal kan kun gemmes som {_or_list(list(ACCEPTED_SUFFIXES))}")],
            summary=f"Nøgletallene blev ikke gemt i {file}:",
        )
    columns, rows = _table(units, file)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp{path.suffix}")
    try:
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            with os.fdopen(descriptor, "wb") as stream:
                if suffix in EXCEL_SUFFIXES:
                    _write_workbook(columns, rows, stream)
                else:
                    _write_delimited(columns, rows, stream, "\t" if suffix == ".tsv" else ";")
                stream.flush()
                os.fsync(stream.fileno())
        except OSError as error:
            raise KeyFigureError(
                [ImportIssue(file, None, None, f"filen kan ikke gemmes ({error.strerror or error})")],
                summary=f"Nøgletallene blev ikke gemt i {file}:",
            ) from None
        try:
            _check_read_back(units, _read(temporary, file), file)
        except KeyFigureError as error:
            raise KeyFigureError(error.issues, f"Nøgletallene blev ikke gemt i {file}:") from None
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


_Out = str | Decimal | int  # text, a number, or a year (never grouped)


def _table(units: Sequence[UnitFigures], file: str) -> tuple[list[str], list[list[_Out]]]:
    """The columns to write and one row of values per unit; `KeyFigureError` if a unit cannot be
    written exactly."""
    with_counts = {
        measure
        for unit in units
        for measure, measurement in unit.measures.items()
        if measurement.numerator is not None and measurement.denominator is not None
    }
    optional = {
        "afdelingsnummer": any(EXTRA_AFDELINGSNUMMER in unit.extra for unit in units),
        "listeaar": any(unit.list_year is not None for unit in units),
        "enhedstype": any(unit.kind != "afdeling" for unit in units),
    }
    columns = [
        column.name
        for column in COLUMNS
        if optional.get(column.name, True) and (column.kind not in ("count", "amount") or column.measure in with_counts)
    ]
    issues: list[ImportIssue] = []
    rows = []
    for index, unit in enumerate(units):

        def problem(message: str, column: str | None, row: int = index + 2) -> None:
            issues.append(ImportIssue(file, row, column, message))

        values = _unit_values(unit, problem)
        rows.append([values.get(name, "-") for name in columns])
    if issues:
        raise KeyFigureError(issues, summary=f"Nøgletallene blev ikke gemt i {file}:")
    return columns, rows


def _unit_values(unit: UnitFigures, problem: Callable[[str, str | None], None]) -> dict[str, _Out]:
    """A unit's values by column; "-" for unknown numbers. Problems go to `problem`."""
    values: dict[str, _Out] = {
        "boligorganisation": unit.boligorganisation or "",
        "afdeling": unit.name,
        "afdelingsnummer": unit.extra.get(EXTRA_AFDELINGSNUMMER, ""),
        "boliger": "-" if unit.dwellings is None else Decimal(unit.dwellings),
        "beboere": "-" if unit.residents is None else Decimal(unit.residents),
        "omraade": unit.omraade or "",
        "kommune": unit.kommune or "",
        "listeaar": "-" if unit.list_year is None else unit.list_year,
        "enhedstype": unit.kind,
    }
    about = f'afdelingen "{unit.name}"'
    for measure in Measure:
        measurement = unit.measurement(measure)
        label = MEASURE_LABELS_DA[measure].lower()
        pct = PCT_COLUMN[measure]
        counts = [column.name for column in _count_columns(measure)]
        if measurement.approximate:
            problem(f"{about}: {label} er et tilnærmet tal og kan ikke gemmes som nøgletal", pct)
        if measurement.numerator is None or measurement.denominator is None:
            if measurement.value is not None:
                exact = fraction_to_decimal(measurement.value)
                if exact is None:
                    problem(f"{about}: {label} = {measurement.value} har ingen endelig decimalbrøk", pct)
                else:
                    values[pct] = exact
            continue
        if measurement.value is not None:
            values[pct] = round_half_up(measurement.value, 2)
        numerator = measurement.numerator
        if measure is Measure.INDKOMST:
            region = _region_average(unit, numerator)
            values[counts[2]] = region
            numerator *= Fraction(region)
        for name, count in ((counts[0], numerator), (counts[1], measurement.denominator)):
            exact = fraction_to_decimal(count)
            if exact is None:
                problem(f"{about}: {count} har ingen endelig decimalbrøk og kan ikke skrives eksakt", name)
            else:
                values[name] = exact
    return values


def _region_average(unit: UnitFigures, numerator: Fraction) -> Decimal:
    """The region's average income to write beside the income sum: the one read from the file
    (kept in `extra`) when it gives an exact sum, otherwise the smallest whole number that does."""
    given = unit.extra.get(EXTRA_INDKOMST_REGION_GNS)
    if given is not None:
        try:
            region = Decimal(given)
        except ArithmeticError:
            region = Decimal(0)
        if region.is_finite() and region > 0 and fraction_to_decimal(numerator * Fraction(region)) is not None:
            return region
    return Decimal(numerator.denominator)


def _danish(value: _Out, column: str) -> str:
    if isinstance(value, str):
        return value
    return format_danish_number(value, grouping=column != "listeaar")


def _write_delimited(columns: list[str], rows: list[list[_Out]], stream: IO[bytes], delimiter: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_danish(value, column) for value, column in zip(row, columns, strict=True)])
    data = buffer.getvalue().encode("utf-8-sig")
    stream.write(data)


def _write_workbook(columns: list[str], rows: list[list[_Out]], stream: IO[bytes]) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Nøgletal")
    sheet.append(columns)
    for row in rows:
        cells = []
        for value, column in zip(row, columns, strict=True):
            cell = WriteOnlyCell(sheet, value=_excel_value(value, column))
            if isinstance(value, str):
                cell.data_type = "s"  # text, even when it starts with "=" (no formulas)
            cells.append(cell)
        sheet.append(cells)
    workbook.save(stream)


def _excel_value(value: _Out, column: str) -> str | int | float:
    """A number cell when Excel's float holds the value exactly, else Danish text (still exact)."""
    if isinstance(value, str | int):
        return value
    if value == value.to_integral_value() and abs(value) < 2**53:
        return int(value)
    as_float = float(value)
    if Decimal(format(as_float, ".15g")) == value:
        return as_float
    return format_danish_number(value, grouping=False)


def _check_read_back(units: Sequence[UnitFigures], read: list[UnitFigures], file: str) -> None:
    """The file must give back exactly the figures it was written from."""
    issues = []
    for index, (unit, back) in enumerate(zip(units, read, strict=True)):
        differences = [field for field, ours, theirs in _comparable(unit, back) if ours != theirs]
        if differences:
            issues.append(
                ImportIssue(
                    file,
                    index + 2,
                    None,
                    f'afdelingen "{unit.name}" ville ikke blive læst uændret tilbage '
                    f"({', '.join(differences)}); tjek fx mellemrum før eller efter navne",
                )
            )
    if issues:
        raise KeyFigureError(issues)


def _comparable(unit: UnitFigures, back: UnitFigures) -> Iterator[tuple[str, object, object]]:
    yield "afdeling", unit.name, back.name
    yield "enhedstype", unit.kind, back.kind
    yield "boligorganisation", unit.boligorganisation or None, back.boligorganisation
    yield "omraade", unit.omraade or None, back.omraade
    yield "kommune", unit.kommune or None, back.kommune
    yield "listeaar", unit.list_year, back.list_year
    yield "beboere", unit.residents, back.residents
    yield "boliger", unit.dwellings, back.dwellings
    yield "afdelingsnummer", unit.extra.get(EXTRA_AFDELINGSNUMMER), back.extra.get(EXTRA_AFDELINGSNUMMER)
    for measure in Measure:
        yield PCT_COLUMN[measure], unit.measurement(measure), back.measurement(measure)

"""From rows to units: the header mapped to columns, each row's cells read as exact values by the
kind of their column, and every problem recorded with its row and column."""

from __future__ import annotations

import contextlib
import difflib
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from boligsocial.danish import format_danish_number, parse_danish_number, written_decimals
from boligsocial.law.figures import Measure, Measurement, SourceRef, UnitFigures, UnitKind
from boligsocial.law.vocabulary import MEASURE_LABELS_DA
from boligsocial.plan.keyfigures.cells import (
    EXCEL_ERROR,
    Cell,
    NumberCell,
    OtherCell,
    Sheet,
    cell_shown,
    cell_text,
    is_empty,
)
from boligsocial.plan.keyfigures.columns import (
    ALIASES,
    BY_NAME,
    COLUMNS,
    EXTRA_AFDELINGSNUMMER,
    EXTRA_INDKOMST_REGION_GNS,
    MAX_INCOME_PCT,
    MAX_LIST_YEAR,
    MIN_LIST_YEAR,
    PCT_COLUMN,
    accepted_labels,
    and_list,
    column_for,
    count_columns,
    normalise,
)
from boligsocial.plan.keyfigures.errors import ImportIssue, KeyFigureError


def column_letter(number: int) -> str:
    """A spreadsheet column's letters (1 -> A, 27 -> AA), as openpyxl writes them, without
    importing openpyxl for a CSV file."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class _Skip(Exception):
    """A value was wrong; the issue is recorded and the unit is not built."""


@dataclass
class _Counts:
    numerator: Decimal
    denominator: Decimal
    region_average: Decimal | None = None


class Parser:
    def __init__(self, file: str, sheet: Sheet) -> None:
        self.file = file
        self.sheet = sheet
        self.issues: list[ImportIssue] = []
        self.index: dict[str, int] = {}  # canonical column -> position
        self.header: dict[str, str] = {}  # canonical column -> header as written
        self.positions: dict[str, int] = {}  # header as written -> position
        self.identities: list[tuple[tuple[str, str, int | None, str], int, str]] = []  # key, row, text
        self.header_row = 0
        self.width = 0
        # Written numbers already read: a national file's 216.000 cells hold 41.000 distinct
        # texts (denominators, region averages, zeros), and a Decimal is immutable.
        self.numbers: dict[str, Decimal | None] = {}
        self.fractions: dict[Decimal, Fraction] = {}
        # A measure's cells as written -> its measurement and the region's average it sets: a
        # national file's 45.000 measurements have 24.000 distinct sets of cells.
        self.measurements: dict[tuple[object, ...], tuple[Measurement, str | None]] = {}
        self.measure_cells: dict[Measure, list[int]] = {}  # the positions a measure is read from

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

    def read_header(self, cells: list[Cell], data: list[tuple[int, list[Cell]]]) -> bool:
        """Map header cells to columns; False when nothing sensible can be read below it."""
        shown = [cell_text(cell) for cell in cells]
        self.width = max((i + 1 for i, text in enumerate(shown) if text), default=0)
        unknown: list[str] = []
        for position, text in enumerate(shown[: self.width]):
            self.positions.setdefault(text, position)
            if not text:
                self.check_unnamed(position, data)
                continue
            name = column_for(text)
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
        close = difflib.get_close_matches(normalise(text), list(ALIASES), n=1, cutoff=0.75)
        guess = f' (mente du "{ALIASES[close[0]]}"?)' if close else ""
        names = ", ".join(column.name for column in COLUMNS)
        return (
            f"ukendt kolonne{guess}. Slet kolonnen eller omdøb den. Kendte kolonner: {names} "
            "(samt de danske overskrifter fra de offentliggjorte tabeller, se docs/key-figures.md)"
        )

    def check_unnamed(self, position: int, data: list[tuple[int, list[Cell]]]) -> None:
        """A column without a header is fine when it is empty (Excel exports), an error if not."""
        if self.sheet.delimited and position >= self.width:
            return  # reported per row as a wrong number of fields
        for number, cells in data:
            if position < len(cells) and not is_empty(cells[position]):
                self.issue(
                    f"kolonne nr. {position + 1} ({column_letter(position + 1)}) har ingen "
                    f'overskrift, men indeholder "{cell_shown(cells[position])}" i række {number}; '
                    "giv kolonnen et navn eller slet den",
                    self.header_row,
                )
                return

    def check_required_columns(self) -> None:
        for name in (column.name for column in COLUMNS if column.required):
            if name not in self.index:
                self.issue(f'kolonnen "{name}" mangler (den kan også hedde {accepted_labels(name, with_name=False)})')
        for measure in Measure:
            counts = [column.name for column in count_columns(measure)]
            present = [name for name in counts if name in self.index]
            if present and len(present) < len(counts):
                missing = [f'"{name}"' for name in counts if name not in self.index]
                given = [f'"{self.header[name]}"' for name in present]
                self.issue(
                    f"{and_list(given)} kræver også {and_list(missing)} "
                    f'("{MEASURE_LABELS_DA[measure]}" beregnes af tæller og nævner)'
                )
            if PCT_COLUMN[measure] not in self.index and not present:
                quoted = and_list([f'"{name}"' for name in counts])
                self.issue(
                    f'der mangler en kolonne for "{MEASURE_LABELS_DA[measure]}": enten '
                    f"{accepted_labels(PCT_COLUMN[measure])}, eller både {quoted}"
                )

    # -- one row

    def read_row(self, number: int, cells: list[Cell]) -> UnitFigures | None:
        if self.sheet.delimited and len(cells) != self.width:
            overflow = cells[self.width :]
            if len(cells) < self.width:
                self.issue(
                    f"rækken har {len(cells)} felter, men overskriften har {self.width}; "
                    "mangler der skilletegn?" + self.delimiter_hint(),
                    number,
                )
                return None
            if any(not is_empty(cell) for cell in overflow):
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
                measures[measure] = self.measurement(row, measure, extra)
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

    def measurement(self, row: _Row, measure: Measure, extra: dict[str, str]) -> Measurement:
        """`row.measurement`, memoised by the measure's cells in a delimited file (all text there)
        when they gave no issue: the same texts give the same measurement, which is immutable.
        Cells that gave an issue are read again, so that every row reports its own."""
        if not self.sheet.delimited:
            return row.measurement(measure, extra)
        positions = self.measure_cells.get(measure)
        if positions is None:
            names = [PCT_COLUMN[measure], *_COUNT_NAMES[measure]]
            positions = self.measure_cells[measure] = [self.index[n] for n in names if n in self.index]
        cells = row.cells  # as long as the header at least (`read_row`)
        key = (measure, *[cells[p] for p in positions])
        found = self.measurements.get(key)
        if found is not None:
            if found[1] is not None:
                extra[EXTRA_INDKOMST_REGION_GNS] = found[1]
            return found[0]
        issues = len(self.issues)
        measurement = row.measurement(measure, extra)
        if len(self.issues) == issues:
            region = extra.get(EXTRA_INDKOMST_REGION_GNS) if measure is Measure.INDKOMST else None
            self.measurements[key] = (measurement, region)
        return measurement


def _unit_kind(text: str) -> UnitKind | None:
    normalised = normalise(text)
    if normalised in ("", "afdeling"):
        return "afdeling"
    if normalised in ("omraade", "boligomraade"):
        return "omraade"
    return None


def _identity(text: str) -> str:
    return " ".join(text.casefold().split())


_UNREAD = object()  # a text not in `Parser.numbers`


class _Row:
    """The values of one data row, converted by column kind; problems go to the parser."""

    def __init__(self, parser: Parser, number: int, cells: list[Cell]) -> None:
        self.parser = parser
        self.number = number
        self.cells = cells

    def cell(self, name: str) -> Cell:
        position = self.parser.index.get(name)
        if position is None or position >= len(self.cells):
            return None
        return self.cells[position]

    def issue(self, name: str, message: str) -> _Skip:
        self.parser.issue(message, self.number, self.parser.header[name])
        return _Skip()

    def text(self, name: str) -> str:
        return cell_text(self.cell(name))

    def decimal(self, name: str) -> Decimal | None:
        """The cell as an exact number; `None` when empty or suppressed; `_Skip` when invalid."""
        cell = self.cell(name)
        if cell is None:
            return None
        if isinstance(cell, OtherCell):
            raise self.issue(name, f'"{cell.shown}" {cell.reason}')
        if isinstance(cell, NumberCell):
            kind = BY_NAME[name].kind
            if cell.percent_format and kind in ("pct", "income_pct"):
                return cell.value.scaleb(2)  # 0.523 -> 52.3, keeping the decimals it was written with
            return cell.value
        known = self.parser.numbers.get(cell, _UNREAD)
        if known is not _UNREAD:
            return known  # type: ignore[return-value]
        try:
            parsed = self.parser.numbers[cell] = parse_danish_number(cell)
            return parsed
        except ValueError as error:
            # An Excel error is never a number, so it is looked for only once parsing has failed.
            if EXCEL_ERROR.fullmatch(cell.strip()):
                raise self.issue(name, f'"{cell.strip()}" er en fejlværdi fra Excel, ikke et tal') from None
            raise self.issue(name, str(error)) from None

    def integer(self, name: str) -> int | None:
        try:
            value = self.decimal(name)
        except _Skip:
            return None
        if value is None:
            return None
        shown = cell_shown(self.cell(name))
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
        shown = cell_shown(self.cell(name))
        if value != value.to_integral_value() or not MIN_LIST_YEAR <= value <= MAX_LIST_YEAR:
            self.issue(name, f'"{shown}" er ikke et listeår mellem {MIN_LIST_YEAR} og {MAX_LIST_YEAR}')
            return None
        return int(value)

    def percentage(self, measure: Measure) -> Decimal | None:
        name = PCT_COLUMN[measure]
        value = self.decimal(name)
        if value is None:
            return None
        shown = cell_shown(self.cell(name))
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
        names = _COUNT_NAMES[measure]
        if not all(name in self.parser.index for name in names):
            return None
        values = self.count_values(names)
        given = [name for name in names if values[name] is not None]
        if not given:
            return None
        if len(given) < len(names):
            filled = and_list([f'"{self.parser.header[name]}"' for name in given])
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
                    f'tælleren "{cell_shown(self.cell(names[0]))}" er større end '
                    f'nævneren "{cell_shown(self.cell(names[1]))}"',
                )
            return _Counts(numerator, denominator)
        region = values[names[2]]
        assert region is not None
        if region == 0:
            raise self.issue(names[2], "regionens gennemsnitsindkomst kan ikke være 0")
        return _Counts(numerator, denominator, region)

    def count_values(self, names: list[str]) -> dict[str, Decimal | None]:
        """The count cells as numbers, none negative; `_Skip` after reporting every bad one."""
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
                self.issue(name, f'"{cell_shown(self.cell(name))}" er negativt; det kan et antal ikke være')
                failed = True
        if failed:
            raise _Skip()
        return values

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
            if percentage is None:
                return Measurement.unknown()
            return Measurement.published(self.fraction(percentage), written_decimals(percentage))
        numerator = self.fraction(counts.numerator)
        if counts.region_average is not None:
            numerator /= self.fraction(counts.region_average)
            extra[EXTRA_INDKOMST_REGION_GNS] = format(counts.region_average, "f")
        measurement = Measurement.from_counts(numerator, self.fraction(counts.denominator))
        if percentage is not None:
            self.check_agreement(measure, percentage, measurement)
        return measurement

    def fraction(self, number: Decimal) -> Fraction:
        """`Fraction(number)`, made once per distinct number of the file (both are immutable)."""
        found = self.parser.fractions.get(number)
        if found is None:
            found = self.parser.fractions[number] = Fraction(number)
        return found

    def check_agreement(self, measure: Measure, percentage: Decimal, counts: Measurement) -> None:
        """A percentage given next to counts must be the counts' share, rounded as written."""
        name = PCT_COLUMN[measure]
        shown = cell_shown(self.cell(name))
        if counts.value is None:
            raise self.issue(name, f'"{shown}" er udfyldt, men nævneren er 0, så andelen er ukendt')
        decimals = written_decimals(percentage)
        tolerance = Fraction(1, 2 * 10**decimals)
        if _disagrees(counts.value, percentage, decimals):
            computed = format_danish_number(counts.value, decimals=decimals + 2)
            raise self.issue(
                name,
                f'"{shown}" passer ikke med tæller og nævner, som giver {computed} '
                f"(højst {format_danish_number(tolerance)} "
                "procentpoint afvigelse for afrunding)",
            )


def _disagrees(share: Fraction, percentage: Decimal, decimals: int) -> bool:
    """|share - percentage| > 1 / (2 * 10**decimals), in integers: share = a/b (b > 0) and
    percentage = p / 10**decimals give 2 * |a * 10**decimals - p * b| > b (a national file checks
    tens of thousands of cells, and Fraction arithmetic is slow)."""
    sign, digits, exponent = percentage.as_tuple()
    assert isinstance(exponent, int)  # a read number is finite
    shift: int = 10 ** (exponent + decimals)  # exponent + decimals >= 0: an integer
    unit: int = 10**decimals
    scaled = int("".join(map(str, digits)) or "0") * shift
    a, b = share.numerator, share.denominator
    return 2 * abs(a * unit - (-scaled if sign else scaled) * b) > b


_COUNT_NAMES: dict[Measure, list[str]] = {m: [column.name for column in count_columns(m)] for m in Measure}
"""Each measure's count columns (numerator, denominator, and for income the region's average)."""

"""Writing key-figure files: the columns a set of units needs, each unit's values written exactly
(CSV with Danish numbers, or XLSX), atomically, and only after the file reads back unchanged."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import IO

from boligsocial.danish import format_danish_number, fraction_to_decimal, round_half_up
from boligsocial.files import write_atomically
from boligsocial.law.figures import Measure, UnitFigures
from boligsocial.law.vocabulary import MEASURE_LABELS_DA
from boligsocial.plan.keyfigures.columns import (
    ACCEPTED_SUFFIXES,
    COLUMNS,
    EXCEL_SUFFIXES,
    EXTRA_AFDELINGSNUMMER,
    EXTRA_INDKOMST_REGION_GNS,
    PCT_COLUMN,
    count_columns,
    or_list,
)
from boligsocial.plan.keyfigures.errors import ImportIssue, KeyFigureError
from boligsocial.plan.keyfigures.reading import read_file


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
            [ImportIssue(file, None, None, f"nøgletal kan kun gemmes som {or_list(list(ACCEPTED_SUFFIXES))}")],
            summary=f"Nøgletallene blev ikke gemt i {file}:",
        )
    columns, rows = _table(units, file)
    summary = f"Nøgletallene blev ikke gemt i {file}:"

    def write(stream: IO[bytes]) -> None:
        if suffix in EXCEL_SUFFIXES:
            _write_workbook(columns, rows, stream)
        else:
            _write_delimited(columns, rows, stream, "\t" if suffix == ".tsv" else ";")

    def read_back(temporary: Path) -> None:
        try:
            _check_read_back(units, read_file(temporary, file), file)
        except KeyFigureError as error:
            raise KeyFigureError(error.issues, summary) from None

    try:
        write_atomically(path, write, verify=read_back)
    except OSError as error:
        raise KeyFigureError(
            [ImportIssue(file, None, None, f"filen kan ikke gemmes ({error.strerror or error})")], summary=summary
        ) from None


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
        counts = [column.name for column in count_columns(measure)]
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
            region = region_average(unit, numerator)
            values[counts[2]] = region
            numerator *= Fraction(region)
        for name, count in ((counts[0], numerator), (counts[1], measurement.denominator)):
            exact = fraction_to_decimal(count)
            if exact is None:
                problem(f"{about}: {count} har ingen endelig decimalbrøk og kan ikke skrives eksakt", name)
            else:
                values[name] = exact
    return values


def region_average(unit: UnitFigures, numerator: Fraction) -> Decimal:
    """The region's average income to write (or store) beside the income sum: the one read from the
    file (kept in `extra`) when it gives an exact sum, otherwise the smallest whole number that does.
    The database keeps key figures the way the file does, so store/mapping.py uses this too."""
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
    import openpyxl  # type: ignore[import-untyped]  # a second at start-up; only Excel files need it
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

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

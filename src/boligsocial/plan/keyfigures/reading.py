"""Reading key-figure files: the file type, the text encoding and the delimiter of a CSV, and the
sheet of an Excel workbook, into rows of cells for the parser."""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from boligsocial.law.figures import UnitFigures
from boligsocial.plan.keyfigures.cells import Cell, NumberCell, OtherCell, Sheet, is_empty
from boligsocial.plan.keyfigures.columns import ACCEPTED_SUFFIXES, EXCEL_SUFFIXES, SHEET_NAMES, normalise, or_list
from boligsocial.plan.keyfigures.errors import ImportIssue, KeyFigureError
from boligsocial.plan.keyfigures.parsing import Parser


def read_key_figures(path: Path) -> list[UnitFigures]:
    """Read a key-figure file (CSV, TSV, TXT or XLSX): one `UnitFigures` (kind "afdeling") per row.

    Raises `KeyFigureError` listing every problem; never returns a partial result.
    """
    return read_file(Path(path), Path(path).name)


def read_file(path: Path, file: str) -> list[UnitFigures]:
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
            f"filtypen {shown} understøttes ikke; brug {or_list(list(ACCEPTED_SUFFIXES))} "
            "(CSV med semikolon, komma eller tabulator som skilletegn)"
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise fail(f"filen kan ikke læses ({error.strerror or error})") from None
    if not data.strip():
        raise fail("filen er tom")
    sheet = _read_workbook(data, file) if suffix in EXCEL_SUFFIXES else _read_delimited(data, file)
    return Parser(file, sheet).parse()


def _read_delimited(data: bytes, file: str) -> Sheet:
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
    rows: list[tuple[int, list[Cell]]] = []
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
    return Sheet(rows, delimited=True, delimiter=delimiter)


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


def _read_workbook(data: bytes, file: str) -> Sheet:
    def fail(message: str) -> KeyFigureError:
        return KeyFigureError([ImportIssue(file, None, None, message)])

    try:
        import openpyxl  # type: ignore[import-untyped]  # a second at start-up; only Excel files need it

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
        wanted = {normalise(name) for name in SHEET_NAMES}
        sheet = next((ws for ws in worksheets if normalise(str(ws.title)) in wanted), worksheets[0])
        sheet.reset_dimensions()  # some generators write a wrong dimension; read every row
        rows: list[tuple[int, list[Cell]]] = []
        for number, cells in enumerate(sheet.iter_rows(min_row=1, min_col=1), start=1):
            row = [_excel_cell(cell) for cell in cells]
            if not all(is_empty(cell) for cell in row):
                rows.append((number, row))
    except KeyFigureError:
        raise
    except Exception:
        raise fail("regnearket i projektmappen kan ikke læses; er filen beskadiget?") from None
    finally:
        workbook.close()
    return Sheet(rows, delimited=False)


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    return b"\x00" not in head and all(byte >= 9 for byte in head[:64])


def _excel_cell(cell: object) -> Cell:
    value: object = getattr(cell, "value", None)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return OtherCell("SAND" if value else "FALSK", "er en sandhedsværdi, ikke et tal")
    if isinstance(value, int | float):
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                return OtherCell(str(value), "er ikke et endeligt tal")
            # 15 significant digits: what Excel itself shows and stores reliably, so 8.21 stays
            # 8.21 and a formula's 24.299999999999997 becomes 24.3.
            number = Decimal(format(value, ".15g"))
        else:
            number = Decimal(value)
        return NumberCell(number, _is_percent_format(getattr(cell, "number_format", None)))
    if isinstance(value, datetime | date | time | timedelta):
        return OtherCell(str(value), "er en dato eller et klokkeslæt, ikke et tal")
    return str(value)


def _is_percent_format(number_format: object) -> bool:
    if not isinstance(number_format, str):
        return False
    unquoted = re.sub(r'"[^"]*"|\\.', "", number_format)  # a quoted or escaped % does not scale
    return "%" in unquoted

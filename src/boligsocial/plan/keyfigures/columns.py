"""The format's columns: their canonical names, value kinds and the Danish headers also accepted,
with the file types and limits of the format (documented in `docs/key-figures.md`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from boligsocial.law.figures import Measure

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

#: Keys of `UnitFigures.extra` that the format stores.
EXTRA_AFDELINGSNUMMER = "afdelingsnummer"
EXTRA_INDKOMST_REGION_GNS = "indkomst_region_gns"


ColumnKind = Literal["text", "name", "integer", "year", "pct", "income_pct", "count", "amount"]


@dataclass(frozen=True)
class KeyFigureColumn:
    """A column of the format: canonical name, the Danish labels also accepted, value kind."""

    name: str
    kind: ColumnKind
    labels: tuple[str, ...] = ()
    measure: Measure | None = None
    required: bool = False


def count_columns(measure: Measure) -> list[KeyFigureColumn]:
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
    *[column for measure in Measure for column in count_columns(measure)],
    KeyFigureColumn("omraade", "text", ("Område", "Boligområde")),
    KeyFigureColumn("kommune", "text", ("Kommune",)),
    KeyFigureColumn("listeaar", "year", ("Listeår",)),
    # Register output holds areas too: their rows carry the area's name in `afdeling`.
    KeyFigureColumn("enhedstype", "text", ("Enhedstype", "Type")),
)
BY_NAME: dict[str, KeyFigureColumn] = {column.name: column for column in COLUMNS}


def normalise(label: str) -> str:
    """The matching key of a header: casefolded, æøå spelt out, only letters and digits, and
    without a trailing 'pct'/'procent' (so "Dømte (%)", "doemte_pct" and "Dømte" are one key)."""
    text = label.casefold().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if char.isascii() and char.isalnum())
    for suffix in ("procent", "pct"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text.removesuffix(suffix)
    return text


ALIASES: dict[str, str] = {}
for _column in COLUMNS:
    for _label in (_column.name, *_column.labels):
        ALIASES.setdefault(normalise(_label), _column.name)
# Headers that carry a date or year, as in the published table: "Beboere 1/1- 2022".
_DATED = re.compile(r"(antal)?(?P<what>beboere|boliger|lejeboliger)(pr|per)?\d+")


def column_for(header: str) -> str | None:
    key = normalise(header)
    if key in ALIASES:
        return ALIASES[key]
    if dated := _DATED.fullmatch(key):
        return "beboere" if dated.group("what") == "beboere" else "boliger"
    return None


def accepted_labels(name: str, *, with_name: bool = True) -> str:
    column = BY_NAME[name]
    labels = [*([column.name] if with_name else []), *column.labels]
    return or_list([f'"{label}"' for label in labels])


def or_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} eller {items[-1]}"


def and_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} og {items[-1]}"

"""The engine's input: the person files of one run (Parquet or CSV), checked before any pass.

`open_source` finds the files and checks that each has every required column with a usable
type; `proven_by_statistics` reads what the row-group statistics of Parquet files already prove,
so that the data pass can skip those row-by-row checks.
"""

from __future__ import annotations

import glob
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb

from boligsocial.register.schema import COLUMNS, Column, RegisterError

__all__ = ["Proven", "Source", "first_line", "open_source", "proven_by_statistics", "quote"]

_INTEGER_TYPES = {
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
    "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
}  # fmt: skip
_KIND_DA = {"integer": "et heltal", "boolean": "sand/falsk (BOOLEAN)", "text": "tekst (VARCHAR)"}


@dataclass(frozen=True)
class Source:
    """The person files of one run: all Parquet or all CSV."""

    files: tuple[Path, ...]
    format: Literal["parquet", "csv"]
    shown: str  # how messages name the input
    present: frozenset[str] = frozenset()  # schema columns found in every file

    def scan_sql(self, diagnostics: bool = False) -> str:
        files = "[" + ", ".join(quote(str(f)) for f in self.files) + "]"
        if self.format == "parquet":
            extra = ", filename=true, file_row_number=true" if diagnostics else ""
            return f"read_parquet({files}, union_by_name=true{extra})"
        # One scan per file, united by column name: DuckDB keeps rejected rows (for exact error
        # messages) only without union_by_name.
        types = "{" + ", ".join(f"{quote(c.name)}: {quote(c.sql_type)}" for c in COLUMNS if c.name in self.present)
        types += "}"
        extra = ", filename=true" if diagnostics else ", store_rejects=true"
        scans = [f"SELECT * FROM read_csv({quote(str(f))}, header=true, types={types}{extra})" for f in self.files]
        return "(" + " UNION ALL BY NAME ".join(scans) + ")"

    def name_of(self, file: str | Path) -> str:
        return Path(file).name if len(self.files) > 1 else self.shown


def quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def first_line(error: BaseException) -> str:
    """The first line of an error's message, for a one-line Danish message around it."""
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _data_files(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.suffix.casefold() in (".parquet", ".csv") and p.is_file())
        if not found:
            raise RegisterError(f"{path}: mappen indeholder ingen .parquet- eller .csv-filer")
        return found
    if any(char in str(path) for char in "*?["):
        found = sorted(Path(p) for p in glob.glob(str(path)) if Path(p).is_file())
        if not found:
            raise RegisterError(f"{path}: ingen filer passer til mønsteret")
        return found
    if not path.exists():
        raise RegisterError(f"{path}: filen findes ikke")
    return [path]


def open_source(paths: Sequence[Path], con: duckdb.DuckDBPyConnection) -> Source:
    """Find the files, check that every file has every required column with a usable type."""
    files: list[Path] = []
    for path in paths:
        files.extend(_data_files(Path(path)))
    suffixes = {f.suffix.casefold() for f in files}
    if not suffixes <= {".parquet", ".csv"}:
        odd = sorted(f.name for f in files if f.suffix.casefold() not in (".parquet", ".csv"))
        raise RegisterError(f"{odd[0]}: persondata skal være Parquet (.parquet) eller CSV (.csv)")
    if len(suffixes) > 1:
        raise RegisterError("persondata må ikke blande Parquet- og CSV-filer i samme kørsel")
    fmt: Literal["parquet", "csv"] = "parquet" if suffixes == {".parquet"} else "csv"
    shown = str(paths[0]) if len(paths) == 1 else f"{len(files)} filer"
    present: set[str] | None = None
    for file in files:
        columns = _describe(con, file, fmt)
        problems = []
        for c in COLUMNS:
            found = columns.get(c.name)
            if found is None:
                if not c.optional:
                    problems.append(f'kolonnen "{c.name}" mangler')
                continue
            if fmt == "parquet" and not _type_ok(c, found):
                problems.append(f'kolonnen "{c.name}" har typen {found}, men skal være {_KIND_DA[c.kind]}')
        if problems:
            raise RegisterError(f"{file.name}: " + "; ".join(problems) + " (se docs/register.md)")
        names = {c.name for c in COLUMNS if c.name in columns}
        present = names if present is None else present & names
    return Source(tuple(files), fmt, shown, frozenset(present or ()))


def _describe(con: duckdb.DuckDBPyConnection, file: Path, fmt: str) -> dict[str, str]:
    reader = "read_parquet" if fmt == "parquet" else "read_csv"
    options = "" if fmt == "parquet" else ", header=true, all_varchar=true"
    try:
        rows = con.execute(f"DESCRIBE SELECT * FROM {reader}({quote(str(file))}{options})").fetchall()
    except duckdb.Error as error:
        kind = "Parquet" if fmt == "parquet" else "CSV"
        raise RegisterError(f"{file.name}: filen kan ikke læses som {kind} ({first_line(error)})") from None
    return {str(name): str(type_) for name, type_, *_ in rows}


def _type_ok(c: Column, found: str) -> bool:
    if c.kind == "integer":
        return found in _INTEGER_TYPES
    if c.kind == "boolean":
        return found == "BOOLEAN"
    return found == "VARCHAR"


# --------------------------------------------------------------------------------------------
# What Parquet statistics already prove

# Per row group of a column: (rows, NULLs, smallest value, largest value); any may be None.
_GroupStats = tuple[Any, ...]


@dataclass(frozen=True)
class Proven:
    columns: frozenset[str]  # columns whose NULL and range rules hold in every row group
    person_range: tuple[int, int] | None  # smallest and largest person_id in the files


NOTHING_PROVEN = Proven(frozenset(), None)


def proven_by_statistics(con: duckdb.DuckDBPyConnection, source: Source, checked_elsewhere: Collection[str]) -> Proven:
    """Rules that the row-group statistics of Parquet files prove, so that the data pass need not
    check them row by row: no NULLs where none are allowed, and integer ranges. Set membership
    (herkomst) and NULL rules that depend on another column stay row-by-row checks, as does
    everything for CSV or where a file has no statistics. `checked_elsewhere` names columns the
    caller checks anyway (the group keys)."""
    stats = _row_group_stats(con, source)
    if stats is None:
        return NOTHING_PROVEN
    proven = frozenset(
        c.name for c in COLUMNS if c.name not in checked_elsewhere and _rules_hold(c, stats.get(c.name, []))
    )
    return Proven(proven, _person_range(stats.get("person_id", [])))


def _row_group_stats(con: duckdb.DuckDBPyConnection, source: Source) -> dict[str, list[_GroupStats]] | None:
    """Each column's statistics per row group; None for CSV or when the metadata cannot be read."""
    if source.format != "parquet":
        return None
    files = "[" + ", ".join(quote(str(f)) for f in source.files) + "]"
    try:
        rows = con.execute(
            "SELECT path_in_schema, row_group_num_rows, stats_null_count, stats_min_value, stats_max_value "
            f"FROM parquet_metadata({files})"
        ).fetchall()
    except duckdb.Error:
        return None
    stats: dict[str, list[_GroupStats]] = {}
    for name, *values in rows:
        stats.setdefault(str(name), []).append(tuple(values))
    return stats


def _rules_hold(c: Column, entries: list[_GroupStats]) -> bool:
    """Whether every row group proves the column's NULL rule and range."""
    if not entries or (c.values is not None and c.nullable is not True):
        return False
    return all(_group_holds(c, entry) for entry in entries)


def _group_holds(c: Column, entry: _GroupStats) -> bool:
    count, nulls, low, high = entry
    if nulls is None or (c.nullable is not True and nulls > 0):
        return False
    if c.bounds is None or nulls >= count:  # no range rule, or no values to bound
        return True
    try:
        return low is not None and high is not None and c.bounds[0] <= int(low) and int(high) <= c.bounds[1]
    except ValueError:
        return False


def _person_range(entries: list[_GroupStats]) -> tuple[int, int] | None:
    """The smallest and largest person_id when every row group gives both."""
    if not entries or any(low is None or high is None for _, _, low, high in entries):
        return None
    try:
        return (min(int(low) for _, _, low, _ in entries), max(int(high) for _, _, _, high in entries))
    except ValueError:
        return None

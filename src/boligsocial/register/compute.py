"""The DuckDB engine: person rows (Parquet or CSV) -> integer sums per address group and year.

One pass over the files computes, per (aar, region, kommune, omraade, afdeling,
boligorganisation), every count and sum the criteria need (`FIELDS`, SQL in `onepass.py`), and
in the same pass counts the rows that break the schema. Two cheap reads complete the checks: the
person ids, for no person twice in a data year (one bitmap over the ids of every year; a hash
count where ids are too sparse for a bitmap), and, for Parquet, `herkomst`, which DuckDB tests
on the files' dictionaries. Everything is an integer: shares are formed later, exactly, in Python.

Nothing is read into Python except the sums rolled up per afdeling, area, region and country
(some ten thousand rows per data year).
DuckDB streams the files, and spills to `temp_directory` if a query needs more than
`memory_limit`.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import duckdb
import numpy as np

from boligsocial.danish import number
from boligsocial.law.figures import Measure
from boligsocial.register.measures import AgeBand, YearPlan
from boligsocial.register.method import Method, PopulationBase
from boligsocial.register.onepass import (
    KEYS,
    PASS_FIELDS,
    ROLLUP,
    VALUE_FIELDS,
    Pass,
    aggregate_sql,
    herkomst_check_sql,
    rollup_sql,
)
from boligsocial.register.schema import COLUMNS, REGIONER, RegisterError, column, valid_sql
from boligsocial.register.source import Source, first_line, proven_by_statistics, quote

__all__ = [
    "FIELDS",
    "KEYS",
    "Aggregates",
    "EngineOptions",
    "SumTable",
    "UnitInfo",
    "aggregate",
    "aggregating",
    "connect",
]

#: The integer sums per group: the columns of `g` (see `onepass`).
FIELDS = PASS_FIELDS
_VALUE_FIELDS = tuple(VALUE_FIELDS)
_F = {name: i for i, name in enumerate(_VALUE_FIELDS)}

#: Largest id range checked for duplicates with a bitmap (bits); wider ranges use a hash count.
BITMAP_LIMIT = 1 << 28


# --------------------------------------------------------------------------------------------
# Connection


@dataclass(frozen=True)
class EngineOptions:
    threads: int | None = None
    memory_limit: str | None = None  # DuckDB syntax, e.g. "4GB"
    temp_directory: Path | None = None  # default: a fresh folder under the system temp folder
    progress: Callable[[str, float], None] | None = None  # (stage text, fraction done)
    full_duplicate_check: bool = False  # always use the hash count, never the bitmap


@contextmanager
def connect(options: EngineOptions) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB connection with the run's limits; its spill folder is removed after."""
    made = options.temp_directory is None
    temp = Path(tempfile.mkdtemp(prefix="boligsocial-duckdb-")) if made else options.temp_directory
    assert temp is not None
    con = duckdb.connect(":memory:")
    try:
        try:
            if options.threads:
                con.execute(f"SET threads = {int(options.threads)}")
            if options.memory_limit:
                con.execute(f"SET memory_limit = {quote(options.memory_limit)}")
        except duckdb.Error as error:
            raise RegisterError(f"ugyldig motorindstilling ({first_line(error)})") from None
        con.execute(f"SET temp_directory = {quote(str(temp))}")
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = true")
        con.execute("SET enable_progress_bar_print = false")
        yield con
    finally:
        con.close()
        if made:
            shutil.rmtree(temp, ignore_errors=True)


def _run(
    con: duckdb.DuckDBPyConnection, sql: str, options: EngineOptions, stage: str, params: Sequence[Any] = ()
) -> list[tuple[Any, ...]]:
    """Execute with progress reports (DuckDB's own estimate, polled from a thread)."""
    if options.progress is None:
        return con.execute(sql, params).fetchall()
    report = options.progress
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.2):
            value = con.query_progress()
            if value >= 0:
                report(stage, min(value, 100.0) / 100)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        return con.execute(sql, params).fetchall()
    finally:
        done.set()
        thread.join()
        report(stage, 1.0)


# --------------------------------------------------------------------------------------------
# The aggregation


def _bands(plans: Sequence[YearPlan]) -> dict[Measure, AgeBand | None]:
    bands: dict[Measure, AgeBand | None] = {}
    for measure in Measure:
        found = {plan.measures[measure].band for plan in plans if measure in plan.measures}
        if len(found) > 1:
            years = ", ".join(str(p.list_year) for p in plans)
            raise RegisterError(
                f"listeårene {years} bruger forskellige aldersgrupper for {measure.value}; beregn dem hver for sig"
            )
        bands[measure] = found.pop() if found else None
    return bands


@dataclass(frozen=True)
class UnitInfo:
    """Where an afdeling or area lies (from its persons' rows, all data years)."""

    region: int
    kommuner: tuple[int, ...]
    omraade: str | None = None
    boligorganisation: str | None = None


@dataclass(frozen=True)
class SumTable:
    """Integer sums for one kind of unit: `values[unit, year, field]` (int64), zeros where a unit
    has no persons in a year."""

    names: tuple[str, ...]
    years: tuple[int, ...]
    values: np.ndarray

    def column(self, field: str, aar: int) -> np.ndarray:
        """One field for every unit in one data year."""
        if aar not in self.years:
            return np.zeros(len(self.names), dtype=np.int64)
        result: np.ndarray = self.values[:, self.years.index(aar), _F[field]]
        return result


@dataclass
class Aggregates:
    """The engine's result: integer sums per unit kind ("afdeling", "omraade", "region" with the
    region code as name, "land" with the name ""), unit and data year; and where units lie.

    `current[list year]` holds the sums of the averaged years with persons placed at their
    address on 1 January of the list year (population base `current`)."""

    tables: dict[str, SumTable]
    afdelinger: dict[str, UnitInfo]
    omraader: dict[str, UnitInfo]
    current: dict[int, dict[str, SumTable]] = field(default_factory=dict)


def aggregate(
    source: Source,
    con: duckdb.DuckDBPyConnection,
    plans: Sequence[YearPlan],
    method: Method,
    options: EngineOptions,
) -> Aggregates:
    """Run the engine for the list years in `plans`; raises `RegisterError` on bad input."""
    with aggregating(source, con, plans, method, options) as result:
        return result


@contextmanager
def aggregating(
    source: Source,
    con: duckdb.DuckDBPyConnection,
    plans: Sequence[YearPlan],
    method: Method,
    options: EngineOptions,
) -> Iterator[Aggregates]:
    """`aggregate`, giving the sums to the block while the duplicate check may still be running.

    The block (the tally and discretion, single-threaded Python) overlaps the check, which DuckDB
    runs on the other core; leaving the block waits for it. A duplicate found is the error raised,
    also in place of an error of the block: it is the error `aggregate` would have raised before
    the block ran."""
    bands = _bands(plans)
    years = sorted({y for plan in plans for y in plan.data_years})
    proven = proven_by_statistics(con, source, checked_elsewhere=KEYS)
    cleans = frozenset(plan.clean_foreign_education for plan in plans)
    spec = Pass(source, years, bands, method, proven, cleans)
    _query(con, "CREATE TEMP TABLE g AS " + aggregate_sql(spec), source, options, "Læser persondata")
    present = _check_rows(con, spec)
    _check_years(con, plans, present, source)
    ids = _id_range(con, proven.person_range)
    quiet = dataclasses.replace(options, progress=None)
    # The duplicate check reads the files again, on a second connection, while this one rolls up
    # the sums and the block tallies them: on two cores, reading ids and Python's work overlap.
    with _in_background(con, lambda cursor: _check_duplicates(cursor, source, years, quiet, ids)) as duplicates:
        afdelinger, omraader = _check_units(con, source)
        result = Aggregates(tables=_fetch_sums(con, "g"), afdelinger=afdelinger, omraader=omraader)
        if method.population_base is PopulationBase.CURRENT:
            for plan in plans:
                averaged = sorted({y for measure in plan.averaged() for y in measure.years})
                if not averaged:
                    continue
                current = Pass(source, averaged, bands, method, proven, frozenset({plan.clean_foreign_education}))
                sql = "CREATE OR REPLACE TEMP TABLE gc AS " + aggregate_sql(current, plan.residents_year)
                _query(con, sql, source, options, f"Følger beboerne pr. 1. januar {plan.list_year} tilbage")
                result.current[plan.list_year] = _fetch_sums(con, "gc")
        try:
            yield result
        except Exception:
            duplicates.wait()
            raise
        duplicates.wait()


class _Background:
    """A check running on a second connection to the same database, in a thread of its own
    (DuckDB releases the GIL while it works)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, check: Callable[[duckdb.DuckDBPyConnection], None]) -> None:
        self.cursor = con.cursor()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, args=(check,), daemon=True)
        self.thread.start()

    def _work(self, check: Callable[[duckdb.DuckDBPyConnection], None]) -> None:
        try:
            check(self.cursor)
        except BaseException as error:  # handed to the waiting thread
            self.error = error

    def wait(self) -> None:
        """Wait for the check; its error, if any, is raised here."""
        self.thread.join()
        if self.error is not None:
            raise self.error


@contextmanager
def _in_background(
    con: duckdb.DuckDBPyConnection, check: Callable[[duckdb.DuckDBPyConnection], None]
) -> Iterator[_Background]:
    """Run `check` alongside the block; if the block fails first, the check is interrupted."""
    job = _Background(con, check)
    try:
        yield job
    finally:
        if job.thread.is_alive():
            job.cursor.interrupt()
            job.thread.join()
        job.cursor.close()


def _fetch_sums(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, SumTable]:
    """The roll-up as one array per unit kind."""
    data = con.execute(rollup_sql(table)).fetchnumpy()
    kinds = np.asarray(data["kind"], dtype=object)
    names = np.asarray([("" if n is None else str(n)) for n in data["name"]], dtype=object)
    years = np.asarray(data["aar"], dtype=np.int64)
    values = np.stack([np.asarray(data[name], dtype=np.int64) for name in _VALUE_FIELDS], axis=1)
    tables: dict[str, SumTable] = {}
    for kind, _, _ in ROLLUP:
        mask = kinds == kind
        unit_names, unit_index = np.unique(names[mask], return_inverse=True)
        unit_years, year_index = np.unique(years[mask], return_inverse=True)
        grid = np.zeros((len(unit_names), len(unit_years), len(_VALUE_FIELDS)), dtype=np.int64)
        grid[unit_index, year_index] = values[mask]
        tables[kind] = SumTable(tuple(str(n) for n in unit_names), tuple(int(y) for y in unit_years), grid)
    return tables


def _query(
    con: duckdb.DuckDBPyConnection, sql: str, source: Source, options: EngineOptions, stage: str
) -> list[tuple[Any, ...]]:
    """Run an engine query; DuckDB's errors become Danish messages naming the input."""
    try:
        rows = _run(con, sql, options, stage)
    except duckdb.ConversionException as error:
        raise RegisterError(_csv_error(str(error), source)) from None
    except duckdb.Error as error:
        if isinstance(error, duckdb.OutOfMemoryException):
            raise RegisterError(
                f"DuckDB løb tør for hukommelse ({first_line(error)}); giv mere med --memory-limit "
                "eller sørg for plads i --temp-dir"
            ) from None
        raise RegisterError(f"{source.shown}: persondata kan ikke læses ({first_line(error)})") from None
    if source.format == "csv":
        _check_rejects(con, source)
    return rows


def _csv_error(message: str, source: Source) -> str:
    """DuckDB's CSV conversion error, in Danish with file, line and column."""
    line = re.search(r"Line: (\d+)", message)
    col = re.search(r'converting column "([^"]+)"', message)
    value = re.search(r'Could not convert string "([^"]*)"', message)
    file = re.search(r"file = (.+)", message)
    where = source.name_of(file.group(1).strip()) if file else source.shown
    parts = [where]
    if line:
        parts.append(f"linje {line.group(1)}")
    if col:
        parts.append(f'kolonne "{col.group(1)}"')
    shown = f'"{value.group(1)}"' if value else "værdien"
    rule = column(col.group(1)).rule_da if col and col.group(1) in {c.name for c in COLUMNS} else "en gyldig værdi"
    return f"{', '.join(parts)}: {shown} kan ikke læses; værdien skal være {rule}"


def _check_rejects(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    try:
        rejects = con.execute(
            "SELECT s.file_path, e.line, e.column_name, e.csv_line, e.error_message, count(*) OVER () "
            "FROM reject_errors e JOIN reject_scans s USING (scan_id, file_id) ORDER BY s.file_path, e.line LIMIT 1"
        ).fetchall()
    except duckdb.Error:
        return
    if not rejects:
        return
    file, line, name, _, message, total = rejects[0]
    value = re.search(r'Could not convert string "([^"]*)"', str(message))
    rule = column(str(name)).rule_da if str(name) in {c.name for c in COLUMNS} else "en gyldig værdi"
    shown = f'"{value.group(1)}"' if value else "rækken"
    more = f" ({number(int(total), 0)} rækker i alt)" if int(total) > 1 else ""
    raise RegisterError(
        f'{source.name_of(file)}, linje {line}, kolonne "{name}": {shown} kan ikke læses; '
        f"værdien skal være {rule}{more}"
    )


# --------------------------------------------------------------------------------------------
# Checks


def _check_rows(con: duckdb.DuckDBPyConnection, spec: Pass) -> set[int]:
    """Key columns from the group keys, the rest from the per-group counts of invalid rows (and,
    for Parquet, the dictionary check of `herkomst`). Returns the data years present."""
    regions = ", ".join(str(code) for code in REGIONER)
    bad_aar, bad_region, bad_kommune, bad_rows, years = con.execute(
        f"SELECT count_if(aar IS NULL), count_if(region IS NULL OR region NOT IN ({regions})), "
        "count_if(kommune IS NULL OR kommune NOT BETWEEN 1 AND 999), "
        "coalesce(sum(ugyldige), 0), list(DISTINCT aar) FILTER (aar IS NOT NULL) "
        "FROM g"
    ).fetchone() or (0, 0, 0, 0, [])
    if spec.herkomst_apart and not bad_rows:
        bad_rows = (con.execute(herkomst_check_sql(spec)).fetchone() or (0,))[0]
    if bad_aar or bad_region or bad_kommune or bad_rows:
        first = [name for name, bad in (("aar", bad_aar), ("region", bad_region), ("kommune", bad_kommune)) if bad]
        _report_invalid(con, spec, first)
    return {int(y) for y in years or ()}


def _report_invalid(con: duckdb.DuckDBPyConnection, spec: Pass, first: list[str]) -> NoReturn:
    """Find the first column that fails, and an example row, for the message."""
    source = spec.source
    checked = [c for c in COLUMNS if not c.optional or c.name in source.present]
    scan = source.scan_sql(diagnostics=True)
    for c in sorted(checked, key=lambda c: c.name not in first):
        row_number = "file_row_number" if source.format == "parquet" else "NULL"
        sql = (
            f"SELECT filename, {c.name}, person_id, aar, {row_number}, count(*) OVER () FROM {scan} "
            f"WHERE {spec.year_filter()} AND NOT {valid_sql(c)} LIMIT 1"
        )
        found = con.execute(sql).fetchall()
        if not found:
            continue
        file, value, person, aar, row, total = found[0]
        shown = "mangler" if value is None else f"er {value!r}".replace("'", '"')
        where = [f"person_id {person}" if person is not None else None, f"aar {aar}" if aar is not None else None]
        if row is not None:
            where.append(f"række {int(row) + 1}")
        example = ", ".join(w for w in where if w)
        more = f"; {number(int(total), 0)} rækker i alt" if int(total) > 1 else ""
        raise RegisterError(
            f'{source.name_of(file)}: kolonnen "{c.name}" {shown} ({example}){more}; værdien skal være {c.rule_da}'
        )
    raise RegisterError(f"{source.shown}: persondata indeholder ugyldige rækker")  # pragma: no cover


def _check_years(con: duckdb.DuckDBPyConnection, plans: Sequence[YearPlan], present: set[int], source: Source) -> None:
    for plan in plans:
        missing = [y for y in plan.data_years if y not in present]
        if not missing:
            continue
        found = sorted(int(r[0]) for r in con.execute(f"SELECT DISTINCT aar FROM {source.scan_sql()}").fetchall())
        held = _ranges(found) or "ingen"
        uses = []
        for spec in plan.measures.values():
            years = [y for y in spec.years if y in missing]
            if years:
                uses.append(f"{spec.measure.value} ({', '.join(str(y) for y in spec.years)})")
        if plan.residents_year in missing:
            uses.insert(0, f"beboere ({plan.residents_year})")
        raise RegisterError(
            f'{source.shown}: listeår {plan.list_year} kræver data for {_and(missing)} i kolonnen "aar", '
            f"men dataene har årene {held}. Året bruges til: {'; '.join(uses)}."
        )


def _ranges(years: Sequence[int]) -> str:
    """[2018, 2019, 2020, 2023] -> "2018-2020 og 2023"."""
    spans: list[str] = []
    for y in years:
        if spans and int(spans[-1].split("-")[-1]) == y - 1:
            spans[-1] = f"{spans[-1].split('-')[0]}-{y}"
        else:
            spans.append(str(y))
    return _and(spans) if spans else ""


def _and(years: Sequence[int | str]) -> str:
    text = [str(y) for y in years]
    return text[0] if len(text) == 1 else ", ".join(text[:-1]) + " og " + text[-1]


def _check_units(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[dict[str, UnitInfo], dict[str, UnitInfo]]:
    """An afdeling lies in one boligomraade, region, kommune and organisation; an area in one
    region. Returns where each lies."""
    afdelinger: dict[str, UnitInfo] = {}
    # min <> max instead of count(DISTINCT) (NULL organisations are ignored by both), and the
    # kommuner listed only for the few afdelinger with more than one: lists per group cost more
    # than the rest of the query.
    rows = con.execute(
        "SELECT afdeling, min(coalesce(omraade, '')) <> max(coalesce(omraade, '')) OR min(region) <> max(region) "
        "OR min(boligorganisation) <> max(boligorganisation), min(region), min(kommune), "
        "min(omraade), min(boligorganisation) FROM g WHERE afdeling IS NOT NULL GROUP BY afdeling"
    ).fetchall()
    if not any(row[1] for row in rows):
        spread = {
            str(name): tuple(kommuner)
            for name, kommuner in con.execute(
                "SELECT afdeling, list_sort(list(DISTINCT kommune)) FROM g WHERE afdeling IS NOT NULL "
                "GROUP BY afdeling HAVING min(kommune) <> max(kommune)"
            ).fetchall()
        }
        afdelinger = {
            str(name): UnitInfo(int(region), spread.get(str(name)) or (low,), area or None, organisation)
            for name, _, region, low, area, organisation in rows
        }
    else:
        _inconsistent_afdeling(con, source)
    omraader: dict[str, UnitInfo] = {}
    for name, regions, kommuner in con.execute(
        "SELECT omraade, list(DISTINCT region), list(DISTINCT kommune) FROM g "
        "WHERE omraade IS NOT NULL GROUP BY omraade"
    ).fetchall():
        if len(regions) > 1:
            _inconsistent(con, source, "omraade", str(name), "region", regions)
        omraader[str(name)] = UnitInfo(region=int(regions[0]), kommuner=tuple(sorted(int(k) for k in kommuner)))
    return afdelinger, omraader


def _inconsistent_afdeling(con: duckdb.DuckDBPyConnection, source: Source) -> NoReturn:
    """The first afdeling with persons in two areas, regions or organisations, as the error says it."""
    for name, areas, regions, organisations in con.execute(
        "SELECT afdeling, list(DISTINCT coalesce(omraade, '')), list(DISTINCT region), "
        "list(DISTINCT boligorganisation) FILTER (boligorganisation IS NOT NULL) "
        "FROM g WHERE afdeling IS NOT NULL GROUP BY afdeling"
    ).fetchall():
        for attr, values in (("omraade", areas), ("region", regions), ("boligorganisation", organisations or [])):
            if len(values) > 1:
                _inconsistent(con, source, "afdeling", str(name), attr, values)
    raise AssertionError("an inconsistent afdeling was counted but not found")  # pragma: no cover


def _inconsistent(
    con: duckdb.DuckDBPyConnection, source: Source, key: str, name: str, attr: str, values: Sequence[Any]
) -> NoReturn:
    shown = sorted("(tom)" if v in (None, "") else str(v) for v in values)
    files = con.execute(
        f"SELECT DISTINCT filename FROM {source.scan_sql(diagnostics=True)} WHERE {key} = ? LIMIT 3", [name]
    ).fetchall()
    where = ", ".join(source.name_of(f[0]) for f in files) or source.shown
    what = "boligområdet" if key == "omraade" else "afdelingen"
    raise RegisterError(
        f'{where}: kolonnerne "{key}" og "{attr}": {what} "{name}" har personer med forskellige værdier i '
        f'"{attr}" ({", ".join(shown)}); {what} skal ligge i ét {_ATTR_DA[attr]}'
    )


_ATTR_DA = {
    "omraade": "boligområde",
    "region": "region",
    "kommune": "kommune",
    "boligorganisation": "boligorganisation",
}


def _id_range(con: duckdb.DuckDBPyConnection, proven: tuple[int, int] | None) -> tuple[int, int] | None:
    """The smallest and largest person_id: from the statistics, or from the pass."""
    if proven is not None:
        return proven
    low, high = con.execute("SELECT min(min_person), max(max_person) FROM g").fetchone() or (None, None)
    return None if low is None or high is None else (int(low), int(high))


def _check_duplicates(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    years: Sequence[int],
    options: EngineOptions,
    ids: tuple[int, int] | None,
) -> None:
    """No person twice in one data year: one bitmap of (year, id), or one per year where that would
    be too large, or a hash count where ids are too sparse for a bitmap."""
    if ids is None:
        return
    low, high = ids
    year_list = ", ".join(str(y) for y in years)
    scan = f"{source.scan_sql()} WHERE aar IN ({year_list})"
    width, first = high - low + 1, min(years)
    bitmap = width <= BITMAP_LIMIT and not options.full_duplicate_check
    if bitmap and width * (max(years) - first + 1) <= BITMAP_LIMIT:
        # one bitmap for all years, one bit per possible (year, id): distinct = set bits
        bit = f"(aar - {first})::BIGINT * {width} + (person_id - {low})"
        sql = f"SELECT count(person_id) - bit_count(bitstring_agg({bit}, 0, {width * (max(years) - first + 1) - 1}))"
        (extra,) = _query(con, f"{sql} FROM {scan}", source, options, "Tjekker for dubletter")[0]
        if not extra:
            return
    if bitmap:
        # one bitmap per year (and, above, where the one for all years found a duplicate: which year)
        bits = f"bit_count(bitstring_agg(person_id, {int(low)}, {int(high)}))"
        sql = f"SELECT aar FROM {scan} GROUP BY aar HAVING count(person_id) <> {bits}"
    else:
        # a hash aggregate over (aar, person_id), which DuckDB spills to disk when it must
        sql = f"SELECT DISTINCT aar FROM (SELECT aar, person_id FROM {scan} GROUP BY ALL HAVING count(*) > 1)"
    rows = _query(con, sql, source, options, "Tjekker for dubletter")
    doubled = sorted(int(row[0]) for row in rows)
    if not doubled:
        return
    aar = doubled[0]
    example = con.execute(
        f"SELECT person_id, list(DISTINCT filename), count(*), count(*) OVER () FROM "
        f"{source.scan_sql(diagnostics=True)} WHERE aar = ? GROUP BY person_id HAVING count(*) > 1 "
        "ORDER BY person_id LIMIT 1",
        [aar],
    ).fetchall()
    person, files, times, total = example[0]
    where = ", ".join(source.name_of(f) for f in files)
    more = f"; {number(int(total), 0)} personer står mere end én gang i {aar}" if int(total) > 1 else ""
    raise RegisterError(
        f'{where}: kolonnerne "person_id" og "aar": person_id {person} står {times} gange i data for {aar}; '
        f"der må kun være én række pr. person pr. år{more}"
    )

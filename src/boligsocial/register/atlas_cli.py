"""`boligsocial atlas`: every area and afdeling of the country in every list year, as files and in
the web app's database.

The command is defined here and mounted by the main CLI with `add_atlas_command(app, load)`:
loading into the database is the store's business (a layer above this one), so the main CLI hands
the loader in. User-facing text is Danish; errors are one clear message and exit code 2.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from boligsocial.danish import number
from boligsocial.law.given_averages import read_conviction_averages
from boligsocial.register.atlas import Atlas, atlas_from_key_figures, atlas_from_persons
from boligsocial.register.atlas_files import write_atlas
from boligsocial.register.atlas_official import atlas_from_official
from boligsocial.register.compute import EngineOptions
from boligsocial.register.discretion import DEFAULT_MIN_CELL
from boligsocial.register.schema import RegisterError

__all__ = ["DEFAULT_ATLAS_DB", "add_atlas_command", "make_atlas", "summary"]

DEFAULT_ATLAS_DB = "sqlite:///boligsocial.db"
"""The web app's database (`boligsocial serve`'s default)."""

Loader = Callable[[Atlas, str], str]
"""Loads an atlas into the database at a URL and returns a Danish line saying what it did."""


def _fail(message: str) -> NoReturn:
    typer.echo(f"Fejl: {message}", err=True)
    raise typer.Exit(2)


def _averages(values: list[str]) -> dict[int, Fraction]:
    """Each value names its year (`2021:0,72`): an atlas has no one checked year."""
    try:
        return read_conviction_averages(values, None, year_option=False)
    except ValueError as error:
        _fail(str(error))


def make_atlas(
    persons: list[Path],
    first: int,
    last: int,
    keyfigures: Path | None = None,
    official: Path | None = None,
    min_cell: int = DEFAULT_MIN_CELL,
    averages: dict[int, Fraction] | None = None,
    threads: int | None = None,
) -> Atlas:
    """The atlas from exactly one of: person files, key-figure files, an official-lists CSV."""
    given = [name for name, v in (("PERSONDATA", persons), ("--keyfigures", keyfigures), ("--official", official)) if v]
    if len(given) != 1:
        raise RegisterError(
            "angiv præcis én kilde: persondata (filer eller mappe), --keyfigures MAPPE eller --official CSV"
            + (f" (du gav {' og '.join(given)})" if given else "")
        )
    if first > last:
        raise RegisterError(f"--from ({first}) ligger efter --to ({last})")
    if official is not None:
        atlas = atlas_from_official(official)
        kept = [e for e in atlas.entries if first <= e.list_year <= last]
        years = tuple(y for y in atlas.years if first <= y <= last)
        if not years:
            raise RegisterError(f"{official.name}: ingen listeår fra {first} til {last}")
        atlas.entries, atlas.years = kept, years
        return atlas
    if keyfigures is not None:
        return atlas_from_key_figures(keyfigures, first, last, averages)
    if min_cell < 1:
        raise RegisterError("--min-cell skal være mindst 1 (1 slår diskretionen fra)")
    return atlas_from_persons(persons, first, last, min_cell=min_cell, engine=EngineOptions(threads=threads))


def summary(atlas: Atlas) -> str:
    """What the atlas holds, in Danish: units, years, and how many areas were on a list each year."""
    areas = {e.name for e in atlas.of_kind("omraade")}
    afdelinger = {e.key for e in atlas.of_kind("afdeling")}
    listed = []
    for year in atlas.years:
        on = sum(1 for e in atlas.entries if e.kind == "omraade" and e.list_year == year and e.principal != "ingen")
        listed.append(f"{year}: {on}")
    text = (
        f"Atlas ({atlas.description}): {number(len(areas), 0)} boligområder og {number(len(afdelinger), 0)} "
        f"afdelinger i {len(atlas.years)} listeår. Boligområder på (eller måske på) en liste: {', '.join(listed)}."
    )
    return "\n".join([text, *atlas.notes])


def add_atlas_command(app: typer.Typer, load: Loader) -> None:
    """Mount `atlas` on the main CLI; `load` puts an atlas into the database at a URL."""

    @app.command("atlas")
    def atlas_command(
        persons: Annotated[
            list[Path] | None,
            typer.Argument(help="Persondata: Parquet- eller CSV-filer, en mappe eller et mønster (*.parquet)."),
        ] = None,
        first: Annotated[int, typer.Option("--from", help="Første listeår.")] = 2010,
        last: Annotated[int, typer.Option("--to", help="Sidste listeår.")] = 2025,
        out: Annotated[Path | None, typer.Option("--out", help="Mappe, som atlas.csv og atlas.json skrives i.")] = None,
        keyfigures: Annotated[
            Path | None,
            typer.Option("--keyfigures", help="I stedet for persondata: en mappe med nøgletalsfiler (én pr. listeår)."),
        ] = None,
        official: Annotated[
            Path | None,
            typer.Option(
                "--official", help="I stedet for persondata: en CSV med de officielle lister (docs/atlas.md)."
            ),
        ] = None,
        db: Annotated[
            str | None,
            typer.Option(
                "--db",
                help=f"Indlæs atlasset i webappens database (SQLite-fil eller PostgreSQL-URL), fx {DEFAULT_ATLAS_DB}.",
            ),
        ] = None,
        load_default: Annotated[
            bool, typer.Option("--load", help=f"Indlæs atlasset i webappens standarddatabase ({DEFAULT_ATLAS_DB}).")
        ] = False,
        convicted_national_avg: Annotated[
            list[str] | None,
            typer.Option(
                "--convicted-national-avg",
                help="Med --keyfigures: landsgennemsnittet for dømte i et listeår, fx 2023:0,73 (kan gentages).",
            ),
        ] = None,
        min_cell: Annotated[
            int, typer.Option("--min-cell", help="Diskretion: tal bygget på færre personer vises ikke (1 = slået fra).")
        ] = DEFAULT_MIN_CELL,
        threads: Annotated[int | None, typer.Option("--threads", help="Antal tråde til DuckDB.")] = None,
    ) -> None:
        """Atlas over alle boligområder og afdelinger i hvert listeår: status på hver liste og de fem kriterier."""
        target = db if db is not None else (DEFAULT_ATLAS_DB if load_default else None)
        if out is None and target is None:
            _fail("angiv --out MAPPE, --db URL eller --load (ellers gemmes atlasset ingen steder)")
        start = time.perf_counter()
        try:
            averages = _averages(convicted_national_avg or [])
            atlas = make_atlas(persons or [], first, last, keyfigures, official, min_cell, averages, threads)
            written = write_atlas(atlas, out) if out is not None else []
        except RegisterError as error:
            _fail(str(error))
        except OSError as error:
            _fail(f"{out}: kan ikke skrive ({error.strerror or error})")
        typer.echo(summary(atlas))
        for path in written:
            typer.echo(f"Skrev {path}")
        if target is not None:
            try:
                typer.echo(load(atlas, target))
            except (RegisterError, ValueError) as error:
                _fail(str(error))
        typer.echo(f"Færdig på {time.perf_counter() - start:.1f} s.", err=True)

"""`boligsocial register ...`: synthetic register data and the criteria computed from person data.

Mounted by the main CLI with `app.add_typer(register_app, name="register")`. User-facing text is
Danish; errors are one clear message and a non-zero exit, never a traceback, and never a
half-written file.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from boligsocial.danish import number
from boligsocial.register.compute import EngineOptions
from boligsocial.register.discretion import DEFAULT_MIN_CELL
from boligsocial.register.lists import RegisterRun, classify_areas, render, run, write_figures
from boligsocial.register.method import parse_method_overrides
from boligsocial.register.schema import RegisterError
from boligsocial.register.synth import SynthSpec, synth

__all__ = ["register_app"]

register_app = typer.Typer(
    help="Kriterierne beregnet fra persondata (registerdata), som ministeriet gør, og syntetiske testdata.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class DataFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"Fejl: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def _progress(enabled: bool | None) -> Iterator[Progress]:
    console = Console(stderr=True)
    show = console.is_terminal if enabled is None else enabled
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f} %"),
        TimeElapsedColumn(),
        console=console,
        disable=not show,
        transient=True,
    ) as progress:
        yield progress


@register_app.command("synth")
def synth_command(
    persons: Annotated[
        int, typer.Option("--persons", help="Antal personer pr. år (fx 20000; 6000000 for hele landet).")
    ],
    years: Annotated[int, typer.Option("--years", help="Antal dataår (2; 4 for listeår før 2014).")] = 2,
    seed: Annotated[int, typer.Option("--seed", help="Frø til tilfældighederne; samme frø giver samme data.")] = 1,
    out: Annotated[Path, typer.Option("--out", help="Mappe, som filerne skrives i.")] = Path("persondata"),
    last_year: Annotated[
        int, typer.Option("--last-year", help="Sidste dataår; listeåret efter passer til de plantede områder.")
    ] = 2023,
    data_format: Annotated[DataFormat, typer.Option("--format", help="parquet eller csv.")] = DataFormat.parquet,
    progress: Annotated[
        bool | None, typer.Option("--progress/--no-progress", help="Vis fremdrift (standard: i en terminal).")
    ] = None,
) -> None:
    """Lav et syntetisk land: 5 regioner, 98 kommuner, afdelinger og boligområder, én fil pr. dataår."""
    spec = SynthSpec(persons=persons, years=years, seed=seed, last_year=last_year, format=data_format.value)
    start = time.perf_counter()
    try:
        with _progress(progress) as bar:
            task = bar.add_task("Laver syntetiske persondata", total=years)
            result = synth(spec, out, progress=lambda done, _: bar.update(task, completed=done))
    except RegisterError as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"{out}: kan ikke skrive ({error.strerror or error})")
    roles = sorted(set(result.areas.values()))
    typer.echo(
        f"Skrev {number(result.rows, 0)} personrækker ({number(persons, 0)} personer × {years} år, "
        f"{spec.data_years()[0]}-{spec.data_years()[-1]}) til {out} på {time.perf_counter() - start:.1f} s: "
        f"{number(result.afdelinger, 0)} afdelinger, {len(result.areas)} boligområder "
        f"(plantede roller: {', '.join(roles)}; se {out / 'synth.json'}).",
        err=True,
    )
    typer.echo(
        f"Beregn listerne for {last_year + 1} med: boligsocial register compute {out} --year {last_year + 1}", err=True
    )


@register_app.command("compute")
def compute_command(
    persons: Annotated[
        list[Path], typer.Argument(help="Persondata: Parquet- eller CSV-filer, en mappe eller et mønster (*.parquet).")
    ],
    year: Annotated[int, typer.Option("--year", help="Listeåret (listen pr. 1. december).")],
    from_year: Annotated[
        int | None,
        typer.Option("--from-year", help="Beregn også listeårene fra dette år (historik til omdannelsesområder)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Nøgletalsfil (.csv eller .xlsx), som 'boligsocial check' læser.")
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="Listerne som table, json eller csv.")] = (
        OutputFormat.table
    ),
    min_cell: Annotated[
        int, typer.Option("--min-cell", help="Diskretion: tal bygget på færre personer vises ikke (1 = slået fra).")
    ] = DEFAULT_MIN_CELL,
    method: Annotated[
        list[str] | None,
        typer.Option("--method", help="Metodeparameter NAVN=VÆRDI, fx averaging=mean (se docs/register.md)."),
    ] = None,
    all_areas: Annotated[
        bool, typer.Option("--all", help="Vis alle boligområder i tabellen, ikke kun dem på (eller måske på) en liste.")
    ] = False,
    threads: Annotated[int | None, typer.Option("--threads", help="Antal tråde til DuckDB.")] = None,
    memory_limit: Annotated[
        str | None,
        typer.Option("--memory-limit", help="Hukommelsesgrænse for DuckDB, fx 4GB (resten spildes til disk)."),
    ] = None,
    temp_dir: Annotated[
        Path | None, typer.Option("--temp-dir", help="Mappe til DuckDB's midlertidige filer (standard: systemets).")
    ] = None,
    progress: Annotated[
        bool | None, typer.Option("--progress/--no-progress", help="Vis fremdrift (standard: i en terminal).")
    ] = None,
) -> None:
    """Beregn kriterierne pr. boligområde og afdeling fra persondata, og landets lister for listeåret."""
    if min_cell < 1:
        _fail("--min-cell skal være mindst 1 (1 slår diskretionen fra)")
    first = year if from_year is None else from_year
    if first > year:
        _fail(f"--from-year ({first}) ligger efter --year ({year})")
    if out is not None and out.suffix.casefold() not in (".csv", ".xlsx"):
        _fail(f"{out}: nøgletalsfilen skal hedde .csv eller .xlsx")
    try:
        chosen = parse_method_overrides(method or [])
        with _progress(progress) as bar:
            tasks: dict[str, TaskID] = {}

            def report(stage: str, fraction: float) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=1.0)
                bar.update(tasks[stage], completed=fraction)

            engine = EngineOptions(threads=threads, memory_limit=memory_limit, temp_directory=temp_dir, progress=report)
            result = run(persons, range(first, year + 1), chosen, min_cell, engine)
            report("Vurderer boligområderne", 0.0)
            listed = classify_areas(result, year)
            report("Vurderer boligområderne", 1.0)
            text = render(result, listed, output.value, only_listed=not all_areas)
            if out is not None:
                report(f"Skriver {out.name}", 0.0)
                write_figures(result, out)
                report(f"Skriver {out.name}", 1.0)
    except RegisterError as error:
        _fail(str(error))
    sys.stdout.write(text)
    if out is not None:
        typer.echo(_written(result, out, year), err=True)


def _written(result: RegisterRun, out: Path, year: int) -> str:
    afdelinger = sum(len(y.afdeling.names) for y in result.years)
    omraader = sum(len(y.omraade.names) for y in result.years)
    averages = result.national_averages()
    flags = " ".join(
        f"--convicted-national-avg {y}:{number(avg, 6)}"
        if len(averages) > 1
        else f"--convicted-national-avg {number(avg, 6)}"
        for y, avg in sorted(averages.items())
    )
    return (
        f"Skrev nøgletal for {number(afdelinger, 0)} afdelinger og {number(omraader, 0)} boligområder til {out}. "
        f"Vurdér dem med: boligsocial check {out} --year {year} {flags}".rstrip()
    )


if __name__ == "__main__":  # python -m boligsocial.register.cli, before the main CLI mounts it
    register_app()

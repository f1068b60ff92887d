"""The `boligsocial` command. User-facing text is Danish; errors never show a traceback."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ClassVar, NoReturn

import typer
from typer import _click as click  # typer 0.29 vendors click; its commands are of these types
from typer.core import TyperGroup
from typer.main import get_command, get_group

from boligsocial.law.check_run import check_output, cpu_times
from boligsocial.law.classify import Options, list_years_in
from boligsocial.law.errors import LawError
from boligsocial.law.given_averages import read_conviction_averages
from boligsocial.plan.inputs import InputError, load_key_figure_input

if TYPE_CHECKING:
    from boligsocial.register.atlas import Atlas


def _load_atlas(atlas: Atlas, db_url: str) -> str:
    # Imported when used: the store (SQLAlchemy, Alembic, argon2) costs a second at start-up,
    # which every other command, `check` among them, would pay (issue 12).
    from boligsocial.store.atlas import load_atlas

    return load_atlas(atlas, db_url)


@cache
def _register_group() -> click.Command:
    from boligsocial.register.cli import register_app

    group = get_group(register_app)
    group.name = "register"
    return group


@cache
def _atlas_command() -> click.Command:
    from boligsocial.register.atlas_cli import add_atlas_command

    holder = typer.Typer(add_completion=False)
    add_atlas_command(holder, _load_atlas)
    return get_command(holder)


class _LazyGroup(TyperGroup):
    """Mounts `register` and `atlas` only when they are called or listed (`--help`): they import
    DuckDB, numpy and pyarrow, half a second that `check` and the other commands need not pay
    (issue 12)."""

    lazy: ClassVar[Mapping[str, Callable[[], click.Command]]] = {"atlas": _atlas_command, "register": _register_group}

    def list_commands(self, ctx: click.Context) -> list[str]:
        eager = [name for name in super().list_commands(ctx) if name not in self.lazy]
        groups = eager.index("users")
        # The order they had when mounted eagerly: atlas before the commands, register before users.
        return ["atlas", *eager[:groups], "register", *eager[groups:]]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        load = self.lazy.get(cmd_name)
        return load() if load else super().get_command(ctx, cmd_name)


app = typer.Typer(
    cls=_LazyGroup,
    help="Værktøj til boligsociale helhedsplaner: områdelister, nøgletal, ansøgning og opfølgning.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Værktøj til boligsociale helhedsplaner."""


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"Fejl: {message}", err=True)
    raise typer.Exit(code)


def parse_conviction_averages(values: list[str], year: int | None) -> dict[int, Fraction]:
    """`0,73` applies to the checked year; `2021:0,72` to a named year (for history years)."""
    try:
        return read_conviction_averages(values, year)
    except ValueError as error:
        fail(str(error))


@app.command()
def check(
    path: Annotated[Path, typer.Argument(help="Nøgletalsfil (CSV eller XLSX) eller planmappe.")],
    year: Annotated[int | None, typer.Option("--year", help="Listeår (2010 og frem).")] = None,
    ignore_min_residents: Annotated[
        bool, typer.Option("--ignore-min-residents", help="Vurdér alle enheder, også under 1.000 beboere.")
    ] = False,
    convicted_national_avg: Annotated[
        list[str] | None,
        typer.Option(
            "--convicted-national-avg",
            help="Landsgennemsnit for andelen af dømte i pct. (fx 0,73), eller ÅR:PCT for et bestemt år.",
        ),
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="table, json eller csv.")] = OutputFormat.table,
) -> None:
    """Vurdér afdelinger og områder mod lovens lister (almenboligloven § 61 a og § 61 b)."""
    started = cpu_times()  # how busy the machine is while the file is read decides the workers
    with _without_cyclic_gc():
        try:
            loaded = load_key_figure_input(path)
        except InputError as error:
            fail(str(error))
        held = list_years_in(loaded.units)
        if year is None:
            year = loaded.default_year or (held[-1] if held else None)
        if year is None:
            fail(f"{path}: filen har ingen kolonne 'listeaar'; angiv listeåret med --year")
        # a plan folder's entered averages (landsgennemsnit.csv), a year given here overriding them
        averages = {**loaded.conviction_averages, **parse_conviction_averages(convicted_national_avg or [], year)}
        title = f"{loaded.title}: områdelister, listeår {year}" if loaded.title else None
        try:
            # On a national file the units are classified and written in chunks on every idle
            # core (law/check_run.py), the output the same bytes as one process writes.
            options = Options(ignore_min_residents, averages)
            pieces = check_output(loaded.units, year, options, output.value, title, started=started)
        except LawError as error:
            fail(str(error))
        for piece in pieces:
            sys.stdout.write(piece)


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """`check` on a national file makes millions of objects and no cycles worth collecting: the
    cyclic collector's passes over them took a third of the run (issue 12). Reference counting
    still frees everything as before; the collector is back on afterwards (tests run commands
    in one process)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@app.command()
def forecast(
    path: Annotated[
        Path, typer.Argument(help="Nøgletalsfil med flere listeår, planmappe eller mappe med nøgletalsfiler.")
    ],
    year: Annotated[
        int | None, typer.Option("--year", help="Listeåret der forudsiges (standard: året efter det seneste).")
    ] = None,
    backtest: Annotated[
        bool, typer.Option("--backtest", help="Forudsig hvert kendt år fra årene før og mål træfsikkerheden.")
    ] = False,
    ignore_min_residents: Annotated[
        bool, typer.Option("--ignore-min-residents", help="Vurdér alle enheder som områder.")
    ] = False,
    convicted_national_avg: Annotated[
        list[str] | None, typer.Option("--convicted-national-avg", help="ÅR:PCT, fx 2025:0,73.")
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="table, json eller csv.")] = OutputFormat.table,
) -> None:
    """Sandsynligheden for at komme på eller forlade hver liste næste år (docs/forecast.md)."""
    from boligsocial.law import forecast_render as show
    from boligsocial.law.forecast import forecast as make_forecast
    from boligsocial.law.forecast_backtest import backtest as run_backtest
    from boligsocial.plan.history_input import load_history, load_history_averages

    try:
        units = load_history(path)
        averages = load_history_averages(path)
    except InputError as error:
        fail(str(error))
    averages.update(parse_conviction_averages(convicted_national_avg or [], year))
    options = Options(ignore_min_residents, averages)
    try:
        if backtest:
            tested = run_backtest(units, options, years=None if year is None else [year], kinds=("afdeling", "omraade"))
            text = {"json": lambda: show.as_json(show.backtest_dict(tested)), "csv": lambda: show.backtest_csv(tested)}
            sys.stdout.write(text.get(output.value, lambda: show.backtest_table(tested))())
            return
        result = make_forecast(units, year, options)
    except LawError as error:
        fail(str(error))
    shown = {"json": lambda: show.as_json(show.forecast_dict(result)), "csv": lambda: show.forecast_csv(result)}
    sys.stdout.write(shown.get(output.value, lambda: show.forecast_table(result))())


class LintFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
def application(
    plan: Annotated[Path, typer.Argument(help="Planmappe (med helhedsplan.toml, nøgletal og tekst/).")],
    out: Annotated[Path, typer.Option("--out", help="Mappe, som ansøgningspakken skrives til.")],
    template: Annotated[
        Path | None, typer.Option("--template", help="Egen Word-skabelon (.docx) med omdøbte/ændrede typografier.")
    ] = None,
) -> None:
    """Lav prækvalifikationsansøgningen: projektbeskrivelse (Word og PDF), nøgletalsbilag og lint."""
    from boligsocial.plan.prose import ProseError
    from boligsocial.reports.package import build_package

    try:
        result = build_package(plan, out, template)
    except (InputError, ProseError, LawError) as error:
        fail(str(error))
    for path in result.files:
        typer.echo(f"Skrev {path}")
    typer.echo(f"Projektbeskrivelsen fylder {result.pdf_pages} A4-sider. Lint: {result.lint.summary()}")


@app.command()
def lint(
    plan: Annotated[Path, typer.Argument(help="Planmappe.")],
    output: Annotated[LintFormat, typer.Option("--format", help="text eller json.")] = LintFormat.text,
) -> None:
    """Gennemgå ansøgningen som en sagsbehandler i Landsbyggefonden: tal, stavning, lister, budget."""
    from boligsocial.reports.lint import lint_folder

    report = lint_folder(plan)
    typer.echo(report.to_json() if output is LintFormat.json else report.to_text())
    if report.errors():
        raise typer.Exit(1)


class StatusFormat(StrEnum):
    table = "table"
    json = "json"


@app.command()
def status(
    plan: Annotated[Path, typer.Argument(help="Planmappe.")],
    year: Annotated[int, typer.Option("--year", help="Statusåret (inden for planens periode).")],
    output: Annotated[StatusFormat, typer.Option("--format", help="table eller json.")] = StatusFormat.table,
    report: Annotated[
        Path | None, typer.Option("--report", help="Skriv også den årlige statusrapport (DOCX og PDF) i denne mappe.")
    ] = None,
) -> None:
    """Følg planens indikatorer mod baseline, milepæle og mål: foran, på sporet eller bagud."""
    from boligsocial.plan.status import status_command
    from boligsocial.reports.status_report import report_command

    text, code = status_command(plan, year, output.value)
    if code:
        fail(text.removeprefix("Fejl: "), code)
    typer.echo(text)
    if report is not None:
        message, code = report_command(plan, year, report)
        if code:
            fail(message.removeprefix("Fejl: "), code)
        typer.echo(message)


@app.command()
def serve(
    db: Annotated[
        str, typer.Option("--db", help="Database-URL; fx postgresql://bruger@vært/db.")
    ] = "sqlite:///boligsocial.db",
    host: Annotated[str, typer.Option("--host", help="Adresse, der lyttes på.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port.")] = 8000,
) -> None:
    """Start webappen for planteamet. Første gang oprettes databasen med eksemplet Mit Kvarter."""
    from boligsocial.web.app import serve as run_server

    run_server(db, host, port)


users_app = typer.Typer(help="Brugere og roller i webappen.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    email: Annotated[str, typer.Argument(help="Brugerens e-mailadresse (bruges ved login).")],
    role: Annotated[str, typer.Option("--role", help="laeser, redaktoer eller administrator.")],
    plan: Annotated[str | None, typer.Option("--plan", help="Planens navn; uden: rollen gælder alle planer.")] = None,
    db: Annotated[str, typer.Option("--db", help="Database-URL.")] = "sqlite:///boligsocial.db",
    password: Annotated[
        str | None, typer.Option("--password", help="Adgangskoden; uden: læses fra standard input.")
    ] = None,
) -> None:
    """Opret en bruger med en rolle på én plan eller på alle planer (fx den første administrator)."""
    from boligsocial.store import PlanService, StoreError, UserService, ValidationFailed, bootstrap
    from boligsocial.store.startup import SYSTEM_ACTOR

    if password is None:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        sessions = bootstrap(db)
        plan_id = None
        if plan is not None:
            matches = [p.id for p in PlanService(sessions, SYSTEM_ACTOR).list_plans() if p.navn == plan]
            if not matches:
                fail(f'der er ingen plan med navnet "{plan}" i {db}')
            plan_id = matches[0]
        user = UserService(sessions, SYSTEM_ACTOR).add_user(email, password, role, plan_id)
    except ValidationFailed as error:
        fail(" ".join(error.errors.values()))
    except StoreError as error:
        fail(str(error))
    where = f'planen "{plan}"' if plan is not None else "alle planer"
    typer.echo(f"Oprettede {user.email} som {role} på {where}.")


@users_app.command("password")
def users_password(
    email: Annotated[str, typer.Argument(help="Brugerens e-mailadresse.")],
    db: Annotated[str, typer.Option("--db", help="Database-URL.")] = "sqlite:///boligsocial.db",
    password: Annotated[
        str | None, typer.Option("--password", help="Den nye adgangskode; uden: læses fra standard input.")
    ] = None,
) -> None:
    """Giv en bruger en ny adgangskode (fx når den lokale administrators er glemt)."""
    from boligsocial.store import StoreError, UserService, ValidationFailed, bootstrap
    from boligsocial.store.startup import SYSTEM_ACTOR

    if password is None:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        users = UserService(bootstrap(db), SYSTEM_ACTOR)
        user = next((u for u in users.users() if u.email == email.strip().casefold()), None)
        if user is None:
            fail(f"der er ingen bruger med e-mailen {email} i {db}")
        users.reset_password(user.id, password, user.version)
    except ValidationFailed as error:
        fail(" ".join(error.errors.values()))
    except StoreError as error:
        fail(str(error))
    typer.echo(f"{user.email} har fået en ny adgangskode.")


def main() -> None:
    app()


if __name__ == "__main__":
    main()

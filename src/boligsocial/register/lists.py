"""The whole computation: person files -> figures -> discretion -> key-figure file and lists.

`run` does everything except writing; `write_figures` writes the key-figure file that
`boligsocial check` reads (afdelinger and boligomraader, column `enhedstype`); `render` gives the
national lists for a year as table, JSON or CSV. Every output is built from the figures after
discretion, so nothing suppressed reaches a file or the screen.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from boligsocial.danish import fraction_to_decimal, number
from boligsocial.law.classify import Options, classify
from boligsocial.law.errors import LawError
from boligsocial.law.figures import Measure, Measurement, UnitFigures
from boligsocial.law.parameters import CitationRef, ConvictionYear, Law, Source, load_law
from boligsocial.law.render import render_csv, render_table
from boligsocial.law.thresholds import compile_rules
from boligsocial.law.verdicts import ListYearResult, result_dict
from boligsocial.plan.keyfigures import EXTRA_INDKOMST_REGION_GNS, KeyFigureError, write_key_figures
from boligsocial.register.compute import EngineOptions, aggregating, connect
from boligsocial.register.discretion import DEFAULT_MIN_CELL, RESIDENTS, Suppression, suppress
from boligsocial.register.measures import plan_year
from boligsocial.register.method import Method
from boligsocial.register.schema import RegisterError
from boligsocial.register.source import open_source
from boligsocial.register.tally import UnitTally, YearFigures, tally

__all__ = ["RegisterRun", "render", "run", "unit_figures", "write_figures"]


@dataclass
class RegisterRun:
    """The figures of every computed list year, with their suppression."""

    years: list[YearFigures]
    suppression: dict[int, Suppression]
    method: Method
    min_cell: int
    source: str
    files: tuple[Path, ...]
    timings: dict[str, float] = field(default_factory=dict)

    def year(self, list_year: int) -> YearFigures:
        for y in self.years:
            if y.list_year == list_year:
                return y
        raise KeyError(list_year)

    def national_averages(self) -> dict[int, Fraction]:
        return {y.list_year: y.national.average for y in self.years if y.national is not None}

    def units(self, kinds: Sequence[str] = ("afdeling", "omraade")) -> list[UnitFigures]:
        """Every unit of every list year as published (after discretion), areas last."""
        out: list[UnitFigures] = []
        for kind in kinds:
            for y in self.years:
                chosen = y.afdelinger if kind == "afdeling" else y.omraader
                out.extend(unit_figures(u, self.suppression[y.list_year]) for u in chosen)
        return out


def unit_figures(unit: UnitTally, suppression: Suppression | None = None) -> UnitFigures:
    """A unit as the law layer sees it; suppressed figures are unknown."""
    hidden = suppression.hidden_measures(unit) if suppression else set()
    residents_hidden = suppression.is_hidden(unit, RESIDENTS) if suppression else False
    measures = {m: (Measurement.unknown() if m in hidden else c.measurement) for m, c in unit.cells.items()}
    extra: dict[str, str] = {}
    if unit.region_income is not None and Measure.INDKOMST in unit.cells and Measure.INDKOMST not in hidden:
        exact = fraction_to_decimal(unit.region_income)
        if exact is not None:
            extra[EXTRA_INDKOMST_REGION_GNS] = format(exact, "f")
    return UnitFigures(
        name=unit.name,
        kind=unit.kind,
        list_year=unit.list_year,
        residents=None if residents_hidden else unit.residents,
        measures=measures,
        boligorganisation=unit.boligorganisation,
        omraade=unit.omraade,
        kommune=unit.kommune,
        members=unit.members,
        extra=extra,
    )


def run(
    paths: Sequence[Path],
    list_years: Sequence[int],
    method: Method | None = None,
    min_cell: int = DEFAULT_MIN_CELL,
    engine: EngineOptions | None = None,
    law: Law | None = None,
) -> RegisterRun:
    """Compute the figures of `list_years` from the person files at `paths`."""
    method = method or Method()
    engine = engine or EngineOptions()
    law = law or load_law()
    timings: dict[str, float] = {}
    start = time.perf_counter()
    plans = [plan_year(law, y, method) for y in sorted(set(list_years))]
    with connect(engine) as con:
        source = open_source(paths, con)
        timings["schema_s"] = time.perf_counter() - start
        # the tally and discretion run while the engine's duplicate check finishes (`aggregating`)
        with aggregating(source, con, plans, method, engine) as aggregates:
            timings["engine_s"] = time.perf_counter() - start
            years = tally(aggregates, plans, method)
            for y in years:
                if Measure.DOEMTE in y.plan.measures and y.national is None:
                    raise RegisterError(
                        f"listeår {y.list_year}: der er ingen beboere på 18 år og derover i data, så "
                        "landsgennemsnittet for dømte kan ikke beregnes"
                    )
            suppression = {y.list_year: suppress(y, min_cell) for y in years}
    timings["figures_s"] = time.perf_counter() - start
    return RegisterRun(
        years=years,
        suppression=suppression,
        method=method,
        min_cell=min_cell,
        source=source.shown,
        files=source.files,
        timings=timings,
    )


def classify_areas(result: RegisterRun, list_year: int, law: Law | None = None) -> ListYearResult:
    """The national lists of `list_year`: every boligomraade, with the computed national average."""
    areas = result.units(kinds=("omraade",))
    law = _with_computed_averages(law or load_law(), result)
    try:
        if not any(u.list_year == list_year for u in areas):
            rules = compile_rules(law, list_year)
            return ListYearResult(
                list_year=list_year,
                rule_set=rules.rule_set.name,
                rule_set_file=rules.rule_set.file,
                min_residents=rules.min_residents,
                min_residents_ignored=False,
                conviction_thresholds=rules.conviction,
                units=(),
                notes=('Data har ingen boligområder (kolonnen "omraade" er tom), så der er ingen lister at vurdere.',),
            )
        return classify(areas, list_year, Options(), law=law)
    except LawError as error:
        raise RegisterError(str(error)) from None


def _with_computed_averages(law: Law, result: RegisterRun) -> Law:
    """The law with the national conviction averages computed from the data, cited as such.

    They replace any published figure for the same list year: reproducing the lists from person
    data means using the average the same data give."""
    source_id = "register_compute"
    sources = {
        **law.sources,
        source_id: Source(title="Beregnet fra persondata (boligsocial register compute)", url="", certainty="inferred"),
    }
    years = dict(law.conviction_years)
    for y in result.years:
        if y.national is None:
            continue
        first, last = y.national.years[0], y.national.years[-1]
        paragraph = f"{number(y.national.average, 6)} pct., 18 år og derover, dataår {first}-{last}"
        years[y.list_year] = ConvictionYear.model_construct(
            thresholds={}, average=y.national.average, citation=CitationRef(source=source_id, paragraph=paragraph)
        )
    return law.model_copy(update={"sources": sources, "conviction_years": years})


def write_figures(result: RegisterRun, path: Path) -> None:
    """Write the key-figure file (atomically; nothing is left behind on an error)."""
    try:
        write_key_figures(result.units(), path)
    except KeyFigureError as error:
        raise RegisterError(str(error)) from None


# --------------------------------------------------------------------------------------------
# Rendering


def register_dict(result: RegisterRun, list_year: int) -> dict[str, Any]:
    """What the register computation adds to the `check` JSON: method, discretion, averages."""
    y = result.year(list_year)
    s = result.suppression[list_year]
    national: dict[str, Any] | None = None
    if y.national is not None:
        national = {
            "average_pct": float(y.national.average),
            "average_pct_exact": f"{y.national.exact.numerator}/{y.national.exact.denominator}",
            "years": list(y.national.years),
        }
        if s.national_counts:
            national["numerator"] = y.national.numerator
            national["denominator"] = y.national.denominator
    return {
        "source": result.source,
        "files": [f.name for f in result.files],
        "list_years": [x.list_year for x in result.years],
        "data_years": {m.value: list(spec.years) for m, spec in y.plan.measures.items()}
        | {"beboere": [y.plan.residents_year]},
        "method": result.method.as_dict(),
        "discretion": {
            "min_cell": result.min_cell,
            "suppressed_primary": s.primary,
            "suppressed_secondary": s.secondary,
        },
        "national_conviction": national,
        "region_income": {str(region): float(average) for region, (_, _, average) in sorted(y.region_income.items())},
        "units": {"afdelinger": len(y.afdeling.names), "omraader": len(y.omraade.names)},
    }


def render(
    result: RegisterRun, listed: ListYearResult, output: Literal["table", "json", "csv"], only_listed: bool = True
) -> str:
    """The national lists as text. The table shows the areas on (or possibly on) a list."""
    list_year = listed.list_year
    if output == "json":
        data = result_dict(listed)
        data["register"] = register_dict(result, list_year)
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if output == "csv":
        return render_csv(listed)
    shown = listed
    assessed = [u for u in listed.units if u.eligible is not False]
    if only_listed:
        shown = dataclasses.replace(listed, units=tuple(u for u in assessed if u.on_any_list is not False))
    summary = _summary(result, listed, len(assessed))
    return summary + "\n\n" + render_table(shown, f"Områdelister {list_year}, beregnet fra persondata")


def _summary(result: RegisterRun, listed: ListYearResult, assessed: int) -> str:
    y = result.year(listed.list_year)
    s = result.suppression[listed.list_year]
    counts = []
    for name in listed.units[0].lists if listed.units else {}:
        on = sum(1 for u in listed.units if u.lists[name].status is True)
        maybe = sum(1 for u in listed.units if u.lists[name].status is None)
        label = listed.units[0].lists[name].label
        counts.append(f"{label}: {on}" + (f" (+{maybe} ubestemt)" if maybe else ""))
    parts = [
        f"Persondata: {result.source}; listeår {listed.list_year} (beboere pr. 1. januar {listed.list_year}).",
        f"Vurderet: {assessed} af {len(listed.units)} boligområder har mindst "
        f"{number(listed.min_residents, 0)} beboere. " + "; ".join(counts) + ".",
    ]
    if y.national is not None:
        years = "-".join(str(v) for v in (y.national.years[0], y.national.years[-1]))
        parts.append(f"Landsgennemsnit for dømte (18 år og derover, {years}): {number(y.national.average, 6)} pct.")
    parts.append(
        f"Diskretion: tal bygget på færre end {result.min_cell} personer vises ikke ({s.primary} tal, "
        f"og {s.secondary} mere, så de ikke kan regnes tilbage)."
        if result.min_cell > 1
        else "Diskretion: slået fra (--min-cell 1)."
    )
    return "\n".join(parts)

"""Rules on the key figures (BS7xx): suppressed and implausible values, and agreement between the
key-figure file and the plan's afdelinger."""

from __future__ import annotations

from fractions import Fraction

from boligsocial.law.figures import Measure, UnitFigures
from boligsocial.plan.keyfigures import COLUMNS
from boligsocial.plan.model import Afdeling
from boligsocial.reports.lint.common import LintInput, Place, finding, fmt
from boligsocial.reports.lint.findings import Finding

__all__ = ["MAX_LIST_AGE", "check_key_figures"]

MAX_LIST_AGE = 3
"""Key figures more than this many years older than the plan's start are reported (info)."""

MIN_RESIDENTS_PER_DWELLING = 1
MAX_RESIDENTS_PER_DWELLING = 5

_COLUMN: dict[Measure, str] = {
    column.measure: column.name
    for column in COLUMNS
    if column.measure is not None and column.kind in ("pct", "income_pct")
}


def _label(unit: UnitFigures) -> str:
    return f'"{unit.name}" ({unit.boligorganisation})' if unit.boligorganisation else f'"{unit.name}"'


def _place(inp: LintInput, unit: UnitFigures) -> Place:
    row = unit.source.row if unit.source is not None else None
    return Place(f"afdelingen {_label(unit)}", inp.noegletal_file, row)


def check_key_figures(inp: LintInput) -> list[Finding]:
    out: list[Finding] = []
    plan = inp.plan
    if plan.liste_aar is not None and plan.periode.start.year - plan.liste_aar > MAX_LIST_AGE:
        out.append(
            finding(
                "BS707",
                f"Nøgletallene er fra listeår {plan.liste_aar}, mere end {MAX_LIST_AGE} år før planens start "
                f"({plan.periode.start.year}). Overvej at bruge de seneste offentliggjorte tal.",
                inp.at(("liste_aar",)),
            )
        )
    if inp.units is None:
        return out
    units = inp.year_units()
    matched: set[int] = set()
    for afdeling in plan.afdelinger:
        unit = inp.figures_for(afdeling)
        if unit is None:
            year = f" for listeår {plan.liste_aar}" if plan.liste_aar is not None else ""
            out.append(
                finding(
                    "BS704",
                    f'Afdelingen "{afdeling.navn}" ({afdeling.boligorganisation}) findes ikke i nøgletallene'
                    f"{year} ({inp.noegletal_file}). Tilføj en række med afdelingen, stavet som i planen.",
                    inp.at(inp.afdeling_loc(afdeling)),
                )
            )
            continue
        matched.add(id(unit))
        out += _check_unit(inp, unit, afdeling)
    for unit in units:
        if id(unit) in matched:
            continue
        hint = ""
        try:
            candidate = plan.find_afdeling(unit.name, unit.boligorganisation)
        except LookupError:
            candidate = None
        if candidate is not None:
            hint = f' Planen kalder den "{candidate.navn}"; brug samme navn begge steder.'
        out.append(
            finding(
                "BS705",
                f"Afdelingen {_label(unit)} står i nøgletallene, men ikke i planens afdelinger.{hint}",
                _place(inp, unit),
            )
        )
        out += _check_unit(inp, unit, None)
    return out


def _check_unit(inp: LintInput, unit: UnitFigures, afdeling: Afdeling | None) -> list[Finding]:
    out: list[Finding] = []
    place = _place(inp, unit)
    label = _label(unit)

    missing = ([] if unit.residents is not None else ["beboere"]) + [
        _COLUMN[m] for m in Measure if unit.measurement(m).value is None
    ]
    if missing:
        out.append(
            finding(
                "BS701",
                f"Afdelingen {label} har diskretionerede eller manglende tal i "
                f"{'kolonnen' if len(missing) == 1 else 'kolonnerne'} {', '.join(missing)}. "
                "Kriterierne kan ikke afgøres fuldt; skaf tallene, eller forklar i ansøgningen, hvorfor de mangler.",
                place,
            )
        )

    if afdeling is not None and unit.dwellings is not None and unit.dwellings != afdeling.boliger:
        out.append(
            finding(
                "BS706",
                f"Afdelingen {label} har {fmt(unit.dwellings)} boliger i nøgletallene, men {fmt(afdeling.boliger)} "
                "i planen. Ret det tal, der er forkert.",
                place,
            )
        )

    dwellings = afdeling.boliger if afdeling is not None else unit.dwellings
    if unit.residents is not None and dwellings:
        ratio = Fraction(unit.residents, dwellings)
        counts = f"{fmt(unit.residents)} beboere i {fmt(dwellings)} boliger"
        message = None
        if unit.residents == dwellings:
            message = f"beboere = boliger ({counts}); tjek tallet"
        elif ratio < MIN_RESIDENTS_PER_DWELLING:
            message = f"færre beboere end boliger ({counts}, {fmt(ratio, 2)} pr. bolig); tjek tallet"
        elif ratio > MAX_RESIDENTS_PER_DWELLING:
            message = f"{fmt(ratio, 1)} beboere pr. bolig ({counts}); tjek tallet"
        if message is not None:
            out.append(finding("BS702", f"Afdelingen {label}: {message}.", place))

    for measure in Measure:
        value = unit.measurement(measure).value
        if value is None:
            continue
        if value <= 0 or (measure is not Measure.INDKOMST and value >= 100):
            out.append(
                finding(
                    "BS703",
                    f"Afdelingen {label} har {fmt(value, 1)} % i kolonnen {_COLUMN[measure]}. "
                    "Et tal på 0 eller 100 % er usandsynligt; tjek tallet.",
                    place,
                )
            )
    return out

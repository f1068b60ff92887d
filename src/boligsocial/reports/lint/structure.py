"""Rules on the plan's own structure: conditional afdelinger (BS8xx), indsatsomraader (BS4xx) and
indicators (BS9xx)."""

from __future__ import annotations

import re
from decimal import Decimal

from rapidfuzz import fuzz

from boligsocial.danish import format_ungrouped_number
from boligsocial.plan.model import INDSATSOMRAADER, Indikator
from boligsocial.reports.lint.common import LintInput, Passage, finding
from boligsocial.reports.lint.findings import Finding

__all__ = ["check_afdelinger", "check_indikatorer", "check_indsatsomraader", "check_prose_headings"]


# ---- BS801, BS802: conditions -----------------------------------------------------------------------


def check_afdelinger(inp: LintInput) -> list[Finding]:
    out: list[Finding] = []
    for i, afdeling in enumerate(inp.plan.afdelinger):
        stated = bool((afdeling.betingelse or "").strip())
        name = f'"{afdeling.navn}" ({afdeling.boligorganisation})'
        if afdeling.betinget and not stated:
            out.append(
                finding(
                    "BS801",
                    f"Afdelingen {name} deltager betinget, men betingelsen er ikke angivet. "
                    'Skriv betingelsen i feltet "betingelse", fx hvilke ressourcer deltagelsen afhænger af.',
                    inp.at(("afdelinger", i, "status")),
                )
            )
        elif afdeling.i_plan and stated:
            out.append(
                finding(
                    "BS802",
                    f'Afdelingen {name} har en betingelse, men status er "i_plan". '
                    'Sæt status = "betinget", eller fjern betingelsen.',
                    inp.at(("afdelinger", i, "betingelse")),
                )
            )
    return out


# ---- BS402-BS405: indsatsomraader --------------------------------------------------------------------


def check_indsatsomraader(inp: LintInput) -> list[Finding]:
    plan = inp.plan
    out: list[Finding] = []
    if not plan.indsatsomraader:
        out.append(
            finding(
                "BS404",
                "Planen beskriver ingen af LBF's fire indsatsområder. Projektbeskrivelsens problemkompleks "
                "skal holde sig inden for dem: " + ", ".join(INDSATSOMRAADER) + ".",
                inp.at(("indsatsomraader",)),
            )
        )
    for i, tema in enumerate(plan.indsatsomraader):
        if not tema.maalgrupper and not tema.problemstillinger:
            out.append(
                finding(
                    "BS405",
                    f'Indsatsområdet "{tema.navn}" nævner hverken målgrupper eller problemstillinger. '
                    "Projektbeskrivelsen skal beskrive målgrupper og problematikker pr. indsatsområde.",
                    inp.at(("indsatsomraader", i)),
                )
            )
    declared = {tema.navn for tema in plan.indsatsomraader}
    for i, indikator in enumerate(plan.indikatorer):
        if indikator.indsatsomraade is not None:
            continue
        named = _indsatsomraade_in(indikator.afsnit or "")
        if named is None:
            continue
        hint = "" if named in declared else f' (og tilføj "{named}" til planens indsatsomraader)'
        out.append(
            finding(
                "BS402",
                f'Indikatoren "{indikator.id}" står i afsnittet "{indikator.afsnit}", men har intet '
                f'indsatsområde. Sæt indsatsomraade = "{named}"{hint}.',
                inp.at(("indikatorer", i)),
            )
        )
    return out


def _indsatsomraade_in(text: str) -> str | None:
    key = text.casefold()
    return next((name for name in INDSATSOMRAADER if name.casefold() in key), None)


_HEADING_THRESHOLD = 85


def check_prose_headings(passages: list[Passage]) -> list[Finding]:
    """BS403: a Markdown heading that is nearly, but not exactly, one of the four names."""
    out: list[Finding] = []
    for passage in passages:
        for position, heading in passage.headings:
            text = re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", heading).strip()
            if text in INDSATSOMRAADER:
                continue
            best = max(INDSATSOMRAADER, key=lambda name: fuzz.ratio(name.casefold(), text.casefold()))
            if fuzz.ratio(best.casefold(), text.casefold()) >= _HEADING_THRESHOLD:
                out.append(
                    finding(
                        "BS403",
                        f'Overskriften "{heading}" ligner indsatsområdet "{best}", men er skrevet anderledes. '
                        "Skriv indsatsområdets navn, som LBF skriver det.",
                        passage.place(position),
                    )
                )
    return out


# ---- BS901-BS903: indicators ------------------------------------------------------------------------


def check_indikatorer(inp: LintInput) -> list[Finding]:
    out: list[Finding] = []
    for i, indikator in enumerate(inp.plan.indikatorer):
        place = inp.at(("indikatorer", i))
        label = f'Indikatoren "{indikator.navn}" ({indikator.id})'
        if not indikator.maalinger:
            out.append(
                finding(
                    "BS903",
                    f"{label} har ingen værdier. Angiv mindst én måling (baseline) under maalinger.",
                    place,
                )
            )
        without_source = _without_source(indikator)
        if without_source:
            out.append(
                finding(
                    "BS901",
                    f"{label} er citeret uden kilde ({'; '.join(without_source)}). "
                    'Angiv kilden, fx kilde = "LBF beboerdata, 2022".',
                    place,
                )
            )
        without_year = _without_year(indikator)
        if without_year:
            out.append(
                finding(
                    "BS902",
                    f"{label} har tal uden årstal ({'; '.join(without_year)}). Angiv året (aar), tallet gælder.",
                    place,
                )
            )
    return out


def _value(indikator: Indikator, vaerdi: Decimal) -> str:
    return f"{format_ungrouped_number(vaerdi)} {indikator.enhed.label}".strip()


def _without_source(indikator: Indikator) -> list[str]:
    if indikator.kilde:
        return []
    out = [f"målingen {_value(indikator, m.vaerdi)}" for m in indikator.maalinger if not m.kilde]
    out += [
        f'sammenligningen "{s.betegnelse}" {_value(indikator, s.vaerdi)}'
        for s in indikator.sammenligninger
        if not s.kilde
    ]
    return out


def _without_year(indikator: Indikator) -> list[str]:
    out = [f"målingen {_value(indikator, m.vaerdi)}" for m in indikator.maalinger if m.aar is None]
    out += [
        f'sammenligningen "{s.betegnelse}" {_value(indikator, s.vaerdi)}'
        for s in indikator.sammenligninger
        if s.aar is None
    ]
    return out

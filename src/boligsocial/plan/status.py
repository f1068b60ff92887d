"""Yearly status of a plan's indicators: the status rule, the projection and what it takes.

The **status rule** (the text a board member reads is `STATUS_RULE_DA`):

* The milestone for a year is the plan's own milestone (`milepaele`) for that year. In a year
  without one it is read off the straight line between the neighbouring fixed points (baseline,
  milestones, target); from the target year on it is the target.
* The latest value up to the status year is compared with the milestone *for the year of that
  value* (register figures lag: a status for 2026 is often made on figures for 2025).
* The tolerance is 10 % of the distance from the baseline to the target.
* "Foran" (ahead): the value is better than the milestone by more than the tolerance. "På sporet"
  (on track): it is within the tolerance on either side, boundaries included. "Bagud" (behind):
  it is worse than the milestone by more than the tolerance. "Better" follows the indicator's
  direction (higher or lower is better).
* "Ingen mål": the indicator has no target. "Ingen tal": no value after the baseline year yet.

All of this is exact arithmetic (`Fraction`) on the stored decimals. Only the projection uses
floats: a least-squares straight line through the measurements up to the status year, carried to
the plan's last year, with a band (see `project`). It is always labelled a *fremskrivning*.
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any, Final

from boligsocial.plan.folder import PlanError, load_plan
from boligsocial.plan.indicator_text import display_names, fmt_change, fmt_value, shown, value_digits
from boligsocial.plan.indicators import Catalogue, Definition, Retning, default_catalogue
from boligsocial.plan.model import Enhed, Helhedsplan, Indikator, Maaling

__all__ = [
    "PROJECTION_RULE_DA",
    "STATUS_RULE_DA",
    "TOLERANCE_SHARE",
    "IndicatorStatus",
    "Milestone",
    "PlanStatus",
    "Projection",
    "ProjectionPoint",
    "Status",
    "StatusError",
    "classify",
    "fmt_change",
    "fmt_value",
    "indicator_status",
    "indicator_status_dict",
    "milestone_for",
    "plan_status",
    "project",
    "shown",
    "status_command",
    "status_dict",
    "status_json",
    "status_table",
    "value_digits",
    "value_year",
]

TOLERANCE_SHARE: Final = Fraction(1, 10)
"""The tolerance band around a milestone, as a share of the distance from baseline to target."""

PROJECTION_LABEL: Final = "Fremskrivning"

STATUS_RULE_DA: Final = (
    "Status vurderes ud fra det seneste tal til og med statusåret. Tallet sammenlignes med milepælen for det år, "
    "tallet er fra. Har planen ikke sat en milepæl for det år, ligger milepælen på den rette linje mellem "
    "baseline, de fastsatte milepæle og målet; fra målets år er milepælen målet selv. "
    "Tolerancen er 10 % af afstanden mellem baseline og mål. "
    "»Foran«: tallet er bedre end milepælen med mere end tolerancen. "
    "»På sporet«: tallet ligger inden for tolerancen på begge sider af milepælen (grænserne medregnet). "
    "»Bagud«: tallet er dårligere end milepælen med mere end tolerancen. "
    "Bedre betyder højere eller lavere alt efter indikatorens retning. "
    "»Ingen mål«: indikatoren har intet mål. »Ingen tal«: der er ingen tal efter baselineåret endnu."
)

PROJECTION_RULE_DA: Final = (
    "Fremskrivningen er en ret linje gennem målingerne til og med statusåret (mindste kvadraters metode), "
    "forlænget til planens sidste år. Med mindst tre målinger er båndet et 95 %-prædiktionsinterval "
    "(t-fordelingen). Med kun to målinger er der intet mål for spredningen; båndet går da fra »ingen videre "
    "ændring« til »dobbelt så hurtig ændring som hidtil«. En fremskrivning er ikke en prognose: den viser, "
    "hvor tallet ender, hvis udviklingen fortsætter som hidtil."
)

# Two-sided 95 % quantiles of Student's t distribution (df -> t). For df beyond the table the
# nearest smaller df is used (a slightly wider, i.e. conservative, band); above 30: 1.96.
_T975: Final = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    5: 2.571,
    6: 2.447,
    7: 2.365,
    8: 2.306,
    9: 2.262,
    10: 2.228,
    12: 2.179,
    15: 2.131,
    20: 2.086,
    25: 2.060,
    30: 2.042,
}


class StatusError(ValueError):
    """A status cannot be made (a year outside the plan period, an unknown indicator). Danish."""


class Status(StrEnum):
    FORAN = "foran"
    PAA_SPORET = "paa_sporet"
    BAGUD = "bagud"
    INGEN_MAAL = "ingen_maal"
    INGEN_TAL = "ingen_tal"

    @property
    def label(self) -> str:
        return {
            "foran": "Foran",
            "paa_sporet": "På sporet",
            "bagud": "Bagud",
            "ingen_maal": "Ingen mål",
            "ingen_tal": "Ingen tal",
        }[self.value]


@dataclass(frozen=True)
class Milestone:
    """The value expected in `aar`. `kind`: "milepael" (set by the plan), "interpoleret" (read off
    the line between fixed points), "maal" (the target, from its year on) or "baseline"."""

    aar: int
    vaerdi: Fraction
    kind: str

    @property
    def interpoleret(self) -> bool:
        return self.kind == "interpoleret"


@dataclass(frozen=True)
class ProjectionPoint:
    aar: int
    vaerdi: float
    nedre: float
    oevre: float


@dataclass(frozen=True)
class Projection:
    """A straight-line projection to `points[-1].aar`. `points` starts at the last measurement
    (band width 0) and has one point per year after it. `haeldning` is the trend per year."""

    points: tuple[ProjectionPoint, ...]
    haeldning: float
    n: int
    metode: str  # "prediktionsinterval" (n >= 3) or "to_maalinger" (n == 2)

    @property
    def end(self) -> ProjectionPoint:
        return self.points[-1]


def value_year(m: Maaling) -> int | None:
    """The year a measurement belongs to: its last year for a period."""
    return m.til_aar if m.til_aar is not None else m.aar


def _frac(value: Decimal) -> Fraction:
    return Fraction(value)


def milestone_for(indikator: Indikator, year: int) -> Milestone | None:
    """The milestone for `year`: the plan's own, an interpolated one, or the target from its year
    on; the baseline in the baseline year. None without a target or before the baseline year."""
    baseline, maal = indikator.baseline, indikator.maal
    if baseline is None or maal is None or year < baseline.aar:
        return None
    if year >= maal.aar:
        return Milestone(year, _frac(maal.vaerdi), "maal")
    if year == baseline.aar:
        return Milestone(year, _frac(baseline.vaerdi), "baseline")
    fixed = [(m.aar, _frac(m.vaerdi)) for m in indikator.milepaele]
    anchors = sorted([(baseline.aar, _frac(baseline.vaerdi)), *fixed, (maal.aar, _frac(maal.vaerdi))])
    for aar, vaerdi in anchors:
        if aar == year:
            return Milestone(year, vaerdi, "milepael")
    before = max((a for a in anchors if a[0] < year), key=lambda a: a[0])
    after = min((a for a in anchors if a[0] > year), key=lambda a: a[0])
    share = Fraction(year - before[0], after[0] - before[0])
    return Milestone(year, before[1] + (after[1] - before[1]) * share, "interpoleret")


def classify(value: Fraction, milestone: Fraction, tolerance: Fraction, retning: Retning) -> tuple[Status, Fraction]:
    """The status of `value` against `milestone`, and the deviation in the better direction
    (positive: better than the milestone). Boundaries (|deviation| == tolerance) are on track."""
    if retning is Retning.INGEN:
        raise ValueError("a context indicator has no status")
    deviation = (value - milestone) * retning.sign
    if deviation > tolerance:
        return Status.FORAN, deviation
    if deviation < -tolerance:
        return Status.BAGUD, deviation
    return Status.PAA_SPORET, deviation


def _t975(df: int) -> float:
    if df > 30:
        return 1.96
    return _T975[max(k for k in _T975 if k <= df)]


def project(
    points: Sequence[tuple[int, Decimal]], end_year: int, definition: Definition | None = None
) -> Projection | None:
    """Least-squares straight line through `points` (year, value), carried to `end_year`.

    Band: with n >= 3 the 95 % prediction interval, ± t(0.975, n-2) · s · sqrt(1 + 1/n +
    (x - x̄)² / Sxx); with n == 2 the band runs from "no further change" to "twice the change so far",
    i.e. ± |slope| · (years after the last point). Clipped to the definition's range. None with fewer
    than two distinct years or when the last point is already at or after `end_year`."""
    by_year: dict[int, float] = {}
    for aar, vaerdi in points:
        by_year[aar] = float(vaerdi)
    if len(by_year) < 2:
        return None
    xs = sorted(by_year)
    last = xs[-1]
    if last >= end_year:
        return None
    ys = [by_year[x] for x in xs]
    n = len(xs)
    x_mean = sum(xs) / n
    y_mean = sum(ys) / n
    sxx = sum((x - x_mean) ** 2 for x in xs)
    slope = sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = y_mean - slope * x_mean
    low_limit = float(definition.interval[0]) if definition and definition.interval[0] is not None else -math.inf
    high_limit = float(definition.interval[1]) if definition and definition.interval[1] is not None else math.inf

    def clip(v: float) -> float:
        return min(max(v, low_limit), high_limit)

    if n >= 3:
        sse = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
        s = math.sqrt(sse / (n - 2))
        t = _t975(n - 2)
        metode = "prediktionsinterval"
    else:
        s = t = 0.0
        metode = "to_maalinger"
    out: list[ProjectionPoint] = []
    for year in range(last, end_year + 1):
        centre = intercept + slope * year
        if n >= 3:
            # The fitted line with its prediction band, the latest year included: a band of zero
            # width at a fitted value that differs from the measured one would claim a certainty
            # the fit does not have.
            half = t * s * math.sqrt(1 + 1 / n + (year - x_mean) ** 2 / sxx)
        else:
            # Two values: start from the latest measurement.
            centre = ys[-1] + slope * (year - last)
            half = abs(slope) * (year - last)
        out.append(ProjectionPoint(year, clip(centre), clip(centre - half), clip(centre + half)))
    return Projection(tuple(out), slope, n, metode)


@dataclass(frozen=True)
class IndicatorStatus:
    """The status of one indicator in one year, with everything the table, JSON and report show."""

    indikator: Indikator
    aar: int
    retning: Retning | None
    definition: Definition | None
    status: Status
    seneste: Maaling | None
    seneste_aar: int | None
    milepael: Milestone | None
    tolerance: Fraction | None
    afvigelse: Fraction | None
    fremskrivning: Projection | None
    kraevet_pr_aar: Fraction | None
    advarsler: tuple[str, ...] = ()
    forklaring: str = ""

    @property
    def enhed(self) -> Enhed:
        return self.indikator.enhed

    @property
    def fremskrivning_naar_maal(self) -> bool | None:
        """Whether the projection's central line reaches the target by the target year."""
        maal, p = self.indikator.maal, self.fremskrivning
        if maal is None or p is None or self.retning is None or self.retning is Retning.INGEN:
            return None
        point = next((q for q in p.points if q.aar == maal.aar), p.end)
        return (point.vaerdi - float(maal.vaerdi)) * self.retning.sign >= 0


@dataclass(frozen=True)
class PlanStatus:
    plan: Helhedsplan
    aar: int
    indikatorer: tuple[IndicatorStatus, ...] = field(default_factory=tuple)

    def counts(self) -> dict[Status, int]:
        counts = dict.fromkeys(Status, 0)
        for s in self.indikatorer:
            counts[s.status] += 1
        return counts


def indicator_status(
    plan: Helhedsplan, indikator: Indikator, year: int, catalogue: Catalogue | None = None
) -> IndicatorStatus:
    """The status of one indicator in `year` (see the module docstring)."""
    catalogue = catalogue or default_catalogue()
    years = plan.periode.aar
    if year not in years:
        raise StatusError(f"året {year} ligger uden for planens periode ({years[0]}-{years[-1]})")
    definition, warnings = _definition(indikator, catalogue)
    retning = indikator.retning or (definition.retning if definition else None)
    baseline, maal = indikator.baseline, indikator.maal
    if (
        baseline is not None
        and baseline.katalog_version is not None
        and indikator.katalog_version is not None
        and baseline.katalog_version != indikator.katalog_version
    ):
        warnings.append(
            f"Baseline ({baseline.aar}) er beregnet efter definitionens version {baseline.katalog_version}, "
            f"men målingerne følger version {indikator.katalog_version}. Baseline er fastfrosset og ikke ændret; "
            "tallene er ikke direkte sammenlignelige."
        )
    if maal is not None and maal.illustrativ:
        warnings.append("Målet er illustrativt (et eksempel), ikke et aftalt mål.")

    dated = [(value_year(m), i, m) for i, m in enumerate(indikator.maalinger) if value_year(m) is not None]
    upto = sorted(((y, i, m) for y, i, m in dated if y is not None and y <= year), key=lambda t: (t[0], t[1]))
    seneste = upto[-1][2] if upto else None
    seneste_aar = upto[-1][0] if upto else None
    projection = project([(y, m.vaerdi) for y, _, m in upto if y is not None], years[-1], definition)

    def result(status: Status, text: str, **kwargs: Any) -> IndicatorStatus:
        return IndicatorStatus(
            indikator=indikator,
            aar=year,
            retning=retning,
            definition=definition,
            status=status,
            seneste=seneste,
            seneste_aar=seneste_aar,
            fremskrivning=projection,
            advarsler=tuple(warnings),
            forklaring=text,
            **{"milepael": None, "tolerance": None, "afvigelse": None, "kraevet_pr_aar": None, **kwargs},
        )

    enhed = indikator.enhed
    if maal is None or baseline is None or retning is None or retning is Retning.INGEN:
        why = "kontekstindikator; planen sætter ikke mål for den" if retning is Retning.INGEN else "intet mål sat"
        return result(Status.INGEN_MAAL, f"Ingen mål: {why}.")
    if seneste is None or seneste_aar is None or seneste_aar <= baseline.aar:
        return result(Status.INGEN_TAL, f"Ingen tal efter baselineåret {baseline.aar} til og med {year}.")
    if seneste_aar < year:
        warnings.append(f"Seneste tal er fra {seneste_aar}; det er vurderet mod milepælen for {seneste_aar}.")
    milestone = milestone_for(indikator, seneste_aar)
    assert milestone is not None  # seneste_aar > baseline.aar
    tolerance = abs(_frac(maal.vaerdi) - _frac(baseline.vaerdi)) * TOLERANCE_SHARE
    value = _frac(seneste.vaerdi)
    status, deviation = classify(value, milestone.vaerdi, tolerance, retning)
    needed: Fraction | None = None
    remaining = maal.aar - seneste_aar
    if remaining > 0:
        needed = (_frac(maal.vaerdi) - value) / remaining
    kind = {"milepael": "milepælen", "interpoleret": "den interpolerede milepæl", "maal": "målet"}.get(
        milestone.kind, "milepælen"
    )
    text = (
        f"{status.label}: {shown(seneste.vaerdi, indikator)} i {seneste_aar} mod {kind} på "
        f"{shown(milestone.vaerdi, indikator)} (tolerance ±{fmt_change(tolerance, enhed).lstrip('+')})."
    )
    if (value - _frac(maal.vaerdi)) * retning.sign >= 0:
        text += f" Målet på {shown(maal.vaerdi, indikator)} er nået."
    elif needed is not None:
        text += (
            f" For at nå målet på {shown(maal.vaerdi, indikator)} i {maal.aar} kræves {fmt_change(needed, enhed)} "
            "om året"
        )
        if projection is not None:
            text += f"; tendensen er {fmt_change(projection.haeldning, enhed)} om året"
        text += "."
    return result(
        status,
        text,
        milepael=milestone,
        tolerance=tolerance,
        afvigelse=deviation,
        kraevet_pr_aar=needed,
    )


def _definition(indikator: Indikator, catalogue: Catalogue) -> tuple[Definition | None, list[str]]:
    """The catalogue definition the indicator follows, with a warning when a newer one exists."""
    if indikator.katalog is None:
        return None, []
    try:
        definition = catalogue.get(indikator.katalog, indikator.katalog_version)
    except KeyError as exc:
        raise StatusError(f'indikatoren "{indikator.id}": {exc.args[0]}') from None
    latest_def = catalogue.latest(indikator.katalog)
    if latest_def is None or latest_def.version <= definition.version:
        return definition, []
    return definition, [
        f"Kataloget har en nyere definition ({latest_def.ref}, gældende fra "
        f"{latest_def.gyldig_fra.isoformat()}); indikatoren følger fortsat version {definition.version}."
    ]


def plan_status(plan: Helhedsplan, year: int, catalogue: Catalogue | None = None) -> PlanStatus:
    """The status of every indicator of the plan in `year`. Raises StatusError."""
    return PlanStatus(plan, year, tuple(indicator_status(plan, i, year, catalogue) for i in plan.indikatorer))


# --------------------------------------------------------------------------------------------------
# Machine and table formats


def _num(value: Fraction | Decimal | float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def indicator_status_dict(s: IndicatorStatus) -> dict[str, Any]:
    i = s.indikator
    p = s.fremskrivning
    return {
        "id": i.id,
        "navn": i.navn,
        "enhed": i.enhed.value,
        "gaelder": i.gaelder,
        "indsatsomraade": i.indsatsomraade,
        "katalog": i.katalog,
        "katalog_version": i.katalog_version,
        "retning": s.retning.value if s.retning else None,
        "status": s.status.value,
        "status_tekst": s.status.label,
        "forklaring": s.forklaring,
        "baseline": None
        if i.baseline is None
        else {"vaerdi": _num(i.baseline.vaerdi), "aar": i.baseline.aar, "katalog_version": i.baseline.katalog_version},
        "maal": None
        if i.maal is None
        else {"vaerdi": _num(i.maal.vaerdi), "aar": i.maal.aar, "illustrativ": i.maal.illustrativ},
        "seneste": None
        if s.seneste is None
        else {"vaerdi": _num(s.seneste.vaerdi), "aar": s.seneste_aar, "kilde": s.seneste.kilde or i.kilde},
        "milepael": None
        if s.milepael is None
        else {"aar": s.milepael.aar, "vaerdi": _num(s.milepael.vaerdi), "art": s.milepael.kind},
        "tolerance": _num(s.tolerance),
        "afvigelse": _num(s.afvigelse),
        "kraevet_aendring_pr_aar": _num(s.kraevet_pr_aar),
        "fremskrivning": None
        if p is None
        else {
            "betegnelse": PROJECTION_LABEL,
            "metode": p.metode,
            "antal_maalinger": p.n,
            "tendens_pr_aar": _num(p.haeldning),
            "naar_maal": s.fremskrivning_naar_maal,
            "punkter": [
                {"aar": q.aar, "vaerdi": _num(q.vaerdi), "nedre": _num(q.nedre), "oevre": _num(q.oevre)}
                for q in p.points
            ],
        },
        "advarsler": list(s.advarsler),
    }


def status_dict(ps: PlanStatus) -> dict[str, Any]:
    return {
        "plan": ps.plan.navn,
        "aar": ps.aar,
        "periode": {"start": ps.plan.periode.start.isoformat(), "slut": ps.plan.periode.slut.isoformat()},
        "statusregel": STATUS_RULE_DA,
        "fremskrivning": PROJECTION_RULE_DA,
        "optaelling": {k.value: v for k, v in ps.counts().items()},
        "indikatorer": [indicator_status_dict(s) for s in ps.indikatorer],
    }


def status_json(ps: PlanStatus) -> str:
    return json.dumps(status_dict(ps), ensure_ascii=False, indent=2)


def _cell(value: Fraction | Decimal | None, indikator: Indikator) -> str:
    return "-" if value is None else shown(value, indikator)


def _short(name: str, width: int) -> str:
    return name if len(name) <= width else name[: width - 1].rstrip() + "…"


def status_table(ps: PlanStatus) -> str:
    """A plain-text table for the terminal: one row per indicator, then the rule."""
    header = ("Indikator", "Baseline", "Seneste", "Milepæl", "Mål", "Status")
    rows: list[tuple[str, ...]] = []
    names = display_names([s.indikator for s in ps.indikatorer])
    for s in ps.indikatorer:
        i = s.indikator
        name = _short(names[i.id], 72)
        base = "-" if i.baseline is None else f"{_cell(i.baseline.vaerdi, i)} ({i.baseline.aar})"
        latest = "-" if s.seneste is None else f"{_cell(s.seneste.vaerdi, i)} ({s.seneste_aar})"
        mile = "-" if s.milepael is None else f"{_cell(s.milepael.vaerdi, i)} ({s.milepael.aar})"
        target = "-" if i.maal is None else f"{_cell(i.maal.vaerdi, i)} ({i.maal.aar})"
        if i.maal is not None and i.maal.illustrativ:
            target += "*"
        rows.append((name, base, latest, mile, target, s.status.label + (" !" if s.advarsler else "")))
    widths = [max(len(r[c]) for r in (header, *rows)) for c in range(len(header))]
    lines = [f"Status for {ps.plan.navn}, {ps.aar}", ""]
    for r in (header, *rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
        if r is header:
            lines.append("  ".join("-" * w for w in widths))
    counts = ps.counts()
    lines += ["", ", ".join(f"{k.label}: {v}" for k, v in counts.items() if v)]
    if any(s.indikator.maal is not None and s.indikator.maal.illustrativ for s in ps.indikatorer):
        lines.append("* illustrativt mål (eksempel, ikke et aftalt mål)")
    lines.append("! se bemærkninger med --format json eller i statusrapporten")
    lines += ["", *textwrap.wrap("Statusregel: " + STATUS_RULE_DA, 100)]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# The command


def status_command(plan: Path, year: int, fmt: str = "table") -> tuple[str, int]:
    """What `boligsocial status PLAN --year Y [--format table|json]` prints, and its exit code:
    0 on success, 2 with a Danish message (`Fejl: ...`) when the plan cannot be read, the year lies
    outside the plan period or the format is unknown."""
    if fmt not in ("table", "json"):
        return f'Fejl: ukendt format "{fmt}"; brug table eller json', 2
    try:
        loaded = load_plan(Path(plan))
        result = plan_status(loaded, year)
    except (PlanError, StatusError) as exc:
        return f"Fejl: {exc}", 2
    return (status_json(result) if fmt == "json" else status_table(result)), 0

"""The forecast and its backtest as a Danish table, JSON and CSV (`boligsocial forecast`)."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from typing import Any

from boligsocial.danish import number
from boligsocial.law.forecast import ForecastResult, ListForecast
from boligsocial.law.forecast_backtest import BacktestResult
from boligsocial.law.verdicts import Status
from boligsocial.law.vocabulary import LIST_COLUMN_DA, STATUS_WORD_DA


def pct(p: float) -> str:
    """A probability as a Danish whole percent, `<1 %` and `>99 %` near the ends."""
    if 0 < p < 0.005:
        return "<1 %"
    if 0.995 < p < 1:
        return ">99 %"
    return f"{number(round(p * 100), 0)} %"


def score(value: float) -> str:
    """A Brier score with four decimals, Danish style."""
    return number(Fraction(value).limit_denominator(10**9), 4)


def cell_text(f: ListForecast) -> str:
    """`JA → 97 %`: today's status and the chance of being on the list next year."""
    text = f"{STATUS_WORD_DA[f.current]} → {pct(f.p_on)}"
    if f.p_undetermined > 0:
        text += f" (+{pct(f.p_undetermined)} ?)"
    return text


def forecast_table(result: ForecastResult) -> str:
    lists = list(result.lists)
    lines = [
        f"Prognose for listeår {result.year}, fremskrevet fra listeår {result.from_year} "
        f"({number(result.draws, 0)} simuleringer, frø {result.seed})",
        "Hver kolonne: status i dag → sandsynligheden for at være på listen næste år; "
        "(+x % ?) er andelen, hvor skjulte tal afgør det.",
        "",
    ]
    header = f"{'Enhed':<40} {'Type':<9} {'År':>3}  " + "  ".join(f"{LIST_COLUMN_DA[n]:<22}" for n in lists)
    lines.append(header.rstrip())
    quiet = [
        u for u in result.units if all(f.current is False and f.p_on == f.p_undetermined == 0 for f in u.lists.values())
    ]
    for u in result.units:
        if u in quiet:
            continue
        label = u.name if u.kind == "omraade" or not u.boligorganisation else f"{u.name} ({u.boligorganisation})"
        cells = "  ".join(f"{cell_text(u.lists[n]):<22}" for n in lists)
        lines.append(f"{label[:40]:<40} {u.kind:<9} {len(u.years):>3}  {cells}".rstrip())
    lines.append("")
    if quiet:
        lines.append(f"{number(len(quiet), 0)} enheder er ikke vist: ikke på nogen liste i dag og 0 % næste år.")
    lines.extend(result.notes)
    lines.append("Metode og hvor meget prognosen kan bære: docs/forecast.md.")
    return "\n".join(lines) + "\n"


def _status(value: Status) -> bool | None:
    return value


def forecast_dict(result: ForecastResult) -> dict[str, Any]:
    return {
        "listeaar": result.year,
        "fra_listeaar": result.from_year,
        "simuleringer": result.draws,
        "froe": result.seed,
        "noter": list(result.notes),
        "enheder": [
            {
                "navn": u.name,
                "type": u.kind,
                "boligorganisation": u.boligorganisation,
                "listeaar_brugt": list(u.years),
                "tendenser": {
                    t.name: {
                        "punkter": [[x, y] for x, y in t.points],
                        "forventet": t.predicted,
                        "haeldning_pr_aar": t.slope,
                        "spredning": t.sd,
                    }
                    for t in u.trends
                },
                "lister": {
                    name: {
                        "i_dag": _status(f.current),
                        "sandsynlighed_paa_listen": f.p_on,
                        "sandsynlighed_ubestemt": f.p_undetermined,
                        "sandsynlighed_for_skift": f.p_change,
                    }
                    for name, f in u.lists.items()
                },
            }
            for u in result.units
        ],
    }


def forecast_csv(result: ForecastResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    lists = list(result.lists)
    header = ["listeaar", "enhed", "type", "boligorganisation"]
    for n in lists:
        header += [f"{n}_i_dag", f"{n}_sandsynlighed", f"{n}_ubestemt"]
    writer.writerow(header)
    for u in result.units:
        row: list[object] = [result.year, u.name, u.kind, u.boligorganisation or ""]
        for n in lists:
            f = u.lists[n]
            row += [STATUS_WORD_DA[f.current], f"{f.p_on:.4f}", f"{f.p_undetermined:.4f}"]
        writer.writerow(row)
    return out.getvalue()


def backtest_table(result: BacktestResult) -> str:
    years = ", ".join(str(y) for y in result.years)
    lines = [
        f"Tilbagetest: hvert listeår ({years}) forudsagt fra årene før, mod «som i år»",
        f"{len(result.cases)} vurderinger (enhed × liste × år), {result.changes} skift af status; "
        f"Brier-score {score(result.brier)} (prognose) mod {score(result.naive_brier)} (som i år; lavere er bedre).",
        "",
        f"{'Liste':<24} {'Vurd.':>6} {'Skift':>6} {'På listen':>10} {'Brier':>8} {'Som i år':>9}",
    ]
    for s in result.lists:
        lines.append(
            f"{s.label:<24} {s.cases:>6} {s.changes:>6} {s.on:>10} {score(s.brier):>8} {score(s.naive_brier):>9}"
        )
    lines += ["", "Pålidelighed (forudsagt sandsynlighed mod hvor ofte det skete):", ""]
    lines.append(f"{'Forudsagt':<12} {'Antal':>6} {'Gns. forudsagt':>15} {'Observeret':>11}")
    for b in result.reliability:
        span = f"{number(round(b.low * 100), 0)}-{number(round(b.high * 100), 0)} %"
        mean = "-" if b.mean_predicted is None else pct(b.mean_predicted)
        seen = "-" if b.observed is None else pct(b.observed)
        lines.append(f"{span:<12} {b.count:>6} {mean:>15} {seen:>11}")
    return "\n".join(lines) + "\n"


def backtest_dict(result: BacktestResult) -> dict[str, Any]:
    return {
        "listeaar": list(result.years),
        "vurderinger": len(result.cases),
        "skift": result.changes,
        "brier": result.brier,
        "brier_som_i_aar": result.naive_brier,
        "lister": [s.__dict__ for s in result.lists],
        "paalidelighed": [b.__dict__ for b in result.reliability],
    }


def backtest_csv(result: BacktestResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["listeaar", "enhed", "type", "boligorganisation", "liste", "forudsagt", "som_i_aar", "faktisk"])
    for c in result.cases:
        kind, organisation, name = c.key
        writer.writerow([c.year, name, kind, organisation, c.reported_as, f"{c.predicted:.4f}", c.naive, int(c.actual)])
    return out.getvalue()


def as_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

"""The atlas: the whole country over the list years, independent of any plan (docs/atlas.md).

`/atlas` is every area's path across the lists, one column per list year, each cell coloured by
the hardest list the area was on that year and labelled with its letter (never colour alone),
filtered by kommune, region and list (GET parameters). `/atlas/omraade/{navn}` is one area: the
five criteria over the years as charts and a table of the values with each list's threshold.
Both are JSON and CSV too. Every signed-in user reads the atlas; loading it is the command line's
(`boligsocial atlas ... --db URL`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from fastapi import APIRouter, HTTPException, Request
from markupsafe import Markup
from starlette.responses import Response

from boligsocial.danish import natural_key, number
from boligsocial.law.figures import Measure
from boligsocial.law.verdicts import Verdict
from boligsocial.law.vocabulary import (
    LIST_COLOURS,
    LIST_MARK,
    MEASURE_DIGITS,
    MEASURE_LABELS_DA,
    MEASURE_SHORT_DA,
    REPORTED_LISTS,
    STATUS_WORD_DA,
    VERDICT_WORD_DA,
    list_era_names_da,
    list_title_da,
)
from boligsocial.register.atlas import PRINCIPAL_ORDER, AtlasEntry
from boligsocial.register.atlas_files import entry_dict
from boligsocial.reports.charts.history import HistoryPoint, ThresholdPoint, history_chart
from boligsocial.store.atlas import AtlasSource
from boligsocial.web.forecast_view import block_dict, forecast_block
from boligsocial.web.formats import csv_text
from boligsocial.web.pages import respond, service

router = APIRouter()

LOAD_COMMAND: Final = "boligsocial atlas PERSONDATA --from 2010 --to 2025 --out atlas/ --db sqlite:///boligsocial.db"
STATE_LABEL: Final[dict[str, str]] = {
    **{name: list_era_names_da(name).capitalize() for name in REPORTED_LISTS},
    "ubestemt": "Ubestemt (kan være på en liste)",
    "ingen": "Ingen liste",
    "mangler": "Ikke i data det år",
}
STATE_MARK: Final[dict[str, str]] = {**LIST_MARK, "ubestemt": "?", "ingen": "–", "mangler": ""}
STATE_COLOUR: Final[dict[str, str]] = {**LIST_COLOURS, "ubestemt": "#FFFFFF", "ingen": "#F2F2F2", "mangler": "#FFFFFF"}


@dataclass(frozen=True)
class Path_:
    """One area across the years: its cells by year."""

    name: str
    kommune: str | None
    region: str | None
    by_year: dict[int, AtlasEntry]

    def state(self, year: int) -> str:
        entry = self.by_year.get(year)
        return "mangler" if entry is None else entry.principal

    def ever(self, list_name: str) -> bool:
        return any(e.lists.get(list_name) is True for e in self.by_year.values())


def _paths(entries: Sequence[AtlasEntry]) -> list[Path_]:
    grouped: dict[tuple[str, str | None], dict[int, AtlasEntry]] = {}
    for e in entries:
        grouped.setdefault((e.name, e.kommune), {})[e.list_year] = e
    out = []
    for (name, kommune), by_year in grouped.items():
        region = next((e.region for e in by_year.values() if e.region), None)
        out.append(Path_(name, kommune, region, by_year))
    return sorted(out, key=lambda p: (natural_key(p.name), p.kommune or ""))


def _chosen_source(sources: Sequence[AtlasSource], wanted: str | None) -> AtlasSource | None:
    if not sources:
        return None
    if wanted:
        found = next((s for s in sources if s.name == wanted), None)
        if found is None:
            names = ", ".join(s.name for s in sources)
            raise HTTPException(404, f'Atlasset har ingen kilde "{wanted}" (indlæst: {names}).')
        return found
    return sources[0]


def _filtered(paths: list[Path_], kommune: str, region: str, liste: str) -> list[Path_]:
    if liste and liste not in REPORTED_LISTS:
        raise HTTPException(400, f'Ukendt liste "{liste}"; vælg en af: {", ".join(REPORTED_LISTS)}.')
    return [
        p
        for p in paths
        if (not kommune or kommune in (p.kommune or "").split(", "))
        and (not region or p.region == region)
        and (not liste or p.ever(liste))
    ]


def _sources_dict(sources: Sequence[AtlasSource]) -> list[dict[str, Any]]:
    return [
        {
            "kilde": s.name,
            "titel": s.title,
            "beskrivelse": s.description,
            "listeaar": list(s.years),
            "enheder": s.units,
            "indlaest": s.loaded_at,
            "indlaest_af": s.loaded_by,
            "noter": list(s.notes),
        }
        for s in sources
    ]


def _empty(request: Request) -> Response:
    context: dict[str, Any] = {"sources": [], "source": None, "command": LOAD_COMMAND, "page": "atlas"}
    data = {"kilder": [], "omraader": [], "besked": f"Der er ikke indlæst noget atlas. Indlæs et med: {LOAD_COMMAND}"}
    return respond(request, "atlas.html", context, data=data, csv=lambda: csv_text(_csv_header(), []))


def _csv_header() -> list[str]:
    return ["omraade", "kommune", "region", "listeaar", *REPORTED_LISTS, "hoejeste_liste"]


@router.get("/atlas")
def atlas_page(request: Request, kilde: str = "", kommune: str = "", region: str = "", liste: str = "") -> Response:
    svc = service(request).atlas
    sources = svc.sources()
    source = _chosen_source(sources, kilde.strip() or None)
    if source is None:
        return _empty(request)
    every = _paths(svc.entries(source.name))
    shown = _filtered(every, kommune.strip(), region.strip(), liste.strip())
    years = list(source.years)

    def csv() -> str:
        rows = [
            [p.name, p.kommune, p.region, year]
            + [STATUS_WORD_DA[p.by_year[year].lists[n]] if n in p.by_year[year].lists else "" for n in REPORTED_LISTS]
            + [p.state(year)]
            for p in shown
            for year in years
            if year in p.by_year
        ]
        return csv_text(_csv_header(), rows)

    filters = {"kilde": source.name, "kommune": kommune.strip(), "region": region.strip(), "liste": liste.strip()}
    context: dict[str, Any] = {
        "sources": sources,
        "source": source,
        "years": years,
        "paths": shown,
        "total": len(every),
        "filters": filters,
        "kommuner": sorted({k for p in every for k in (p.kommune or "").split(", ") if k}),
        "regioner": sorted({p.region for p in every if p.region}),
        "lists": REPORTED_LISTS,
        "states": [*PRINCIPAL_ORDER, "ubestemt", "ingen"],
        "state_label": STATE_LABEL,
        "state_mark": STATE_MARK,
        "state_colour": STATE_COLOUR,
        "page": "atlas",
    }
    data = {
        "kilder": _sources_dict(sources),
        "kilde": source.name,
        "listeaar": years,
        "filtre": filters,
        "omraader": [
            {
                "navn": p.name,
                "kommune": p.kommune,
                "region": p.region,
                "url": f"/atlas/omraade/{p.name}?kilde={source.name}",
                "aar": {str(y): {"liste": p.state(y), "lister": p.by_year[y].lists} for y in years if y in p.by_year},
            }
            for p in shown
        ],
    }
    return respond(request, "atlas.html", context, data=data, csv=csv, csv_name="atlas.csv")


# --------------------------------------------------------------------------------------------------
# One area


@dataclass(frozen=True)
class ValueRow:
    """One year of one measure: the value (or range) and every list's threshold on it."""

    year: int
    value: str
    thresholds: list[tuple[str, str, str]]  # (list title, "> 50", verdict word)
    met: bool


def _value_text(entry: AtlasEntry, measure: Measure) -> str:
    c = entry.criterion(measure)
    digits = MEASURE_DIGITS[measure]
    if c is None:
        return ""
    if c.approximate and c.lower != c.upper:
        low, high = number(c.lower, digits, "?"), number(c.upper, digits, "?")
        point = f"~{number(c.value, digits)} " if c.value is not None else ""
        return f"{point}({low}–{high})"
    return number(c.value, digits)


def _value_rows(history: Sequence[AtlasEntry], measure: Measure) -> list[ValueRow]:
    rows = []
    for e in history:
        c = e.criterion(measure)
        if c is None:
            continue
        thresholds = [
            (
                list_title_da(t.list_name),
                f"{t.operator} {'ukendt' if t.threshold is None else number(t.threshold, MEASURE_DIGITS[measure])}",
                VERDICT_WORD_DA[Verdict(t.verdict)],
            )
            for t in c.thresholds
        ]
        met = any(t.verdict == Verdict.MET.value for t in c.thresholds)
        rows.append(ValueRow(e.list_year, _value_text(e, measure), thresholds, met))
    return rows


@lru_cache(maxsize=256)
def _chart(key: tuple[Any, ...], title: str, subtitle: str, digits: int) -> Markup:
    """The SVG of one measure's chart; `key` holds the points, so a new load draws anew."""
    points, thresholds = key
    svg = history_chart(title, subtitle, points, thresholds, digits).svg()
    return Markup(svg[svg.find("<svg") :])


def _charts(name: str, history: Sequence[AtlasEntry]) -> dict[Measure, Markup]:
    out: dict[Measure, Markup] = {}
    for measure in Measure:
        points = tuple(
            HistoryPoint(e.list_year, c.value, c.lower, c.upper)
            for e in history
            if (c := e.criterion(measure)) is not None
        )
        if not any(p.value is not None or p.lower is not None for p in points):
            continue
        thresholds = tuple(
            ThresholdPoint(e.list_year, t.list_name, list_title_da(t.list_name), t.threshold)
            for e in history
            if (c := e.criterion(measure)) is not None
            for t in c.thresholds
            if t.threshold is not None
        )
        out[measure] = _chart((points, thresholds), MEASURE_LABELS_DA[measure], name, MEASURE_DIGITS[measure])
    return out


@router.get("/atlas/omraade/{navn:path}")
def atlas_area(request: Request, navn: str, kilde: str = "", kommune: str = "") -> Response:
    svc = service(request).atlas
    source = _chosen_source(svc.sources(), kilde.strip() or None)
    if source is None:
        raise HTTPException(404, f"Der er ikke indlæst noget atlas. Indlæs et med: {LOAD_COMMAND}")
    history = svc.unit_history(source.name, navn)
    kommuner = sorted({e.kommune or "" for e in history})
    if kommune.strip():
        history = [e for e in history if e.kommune == kommune.strip()]
        if not history:
            raise HTTPException(404, f'Atlasset har intet område "{navn}" i {kommune.strip()}.')
    elif len(kommuner) > 1:
        history = [e for e in history if (e.kommune or "") == kommuner[0]]
    paths = _paths(history)
    measures = [m for m in Measure if any(e.criterion(m) for e in history)]

    def csv() -> str:
        header = ["listeaar", "beboere", *REPORTED_LISTS, "hoejeste_liste"] + [f"{m.value}_pct" for m in Measure]
        rows = [
            [e.list_year, e.residents]
            + [STATUS_WORD_DA[e.lists[n]] if n in e.lists else "" for n in REPORTED_LISTS]
            + [e.principal]
            + [_value_text(e, m).replace("~", "") for m in Measure]
            for e in history
        ]
        return csv_text(header, rows)

    context: dict[str, Any] = {
        "name": navn,
        "source": source,
        "path": paths[0],
        "years": list(source.years),
        "history": history,
        "other_kommuner": [k for k in kommuner if k and k != (history[0].kommune or "")],
        "measures": measures,
        "measure_labels": MEASURE_LABELS_DA,
        "measure_short": MEASURE_SHORT_DA,
        "value_rows": {m: _value_rows(history, m) for m in measures},
        "charts": _charts(navn, history) if measures else {},
        "lists": REPORTED_LISTS,
        "state_label": STATE_LABEL,
        "state_mark": STATE_MARK,
        "state_colour": STATE_COLOUR,
        "page": "atlas",
    }
    # Next year's forecast from the area's whole path (docs/forecast.md), as on a plan's area page.
    figures = [e.figures() for e in history]
    prognose = forecast_block(figures, history[-1].list_year, figures[-1].key)
    context["prognose"] = prognose
    data = {
        "navn": navn,
        "kilde": source.name,
        "kommune": history[0].kommune,
        "aar": [entry_dict(e) for e in history],
        "prognose": block_dict(prognose),
    }
    return respond(request, "atlas_omraade.html", context, data=data, csv=csv, csv_name="atlas-omraade.csv")

"""The atlas: the whole country over the list years, independent of any plan (docs/atlas.md).

`/atlas` is every area's path across the lists, one column per list year, each cell coloured by
the hardest list the area was on that year and labelled with its letter (never colour alone),
filtered by kommune, region and list (GET parameters). `/atlas/omraade/{navn}` is one area: the
five criteria over the years as charts and a table of the values with each list's threshold.
Both are JSON and CSV too. Every signed-in user reads the atlas; it is loaded from the command line
(`boligsocial atlas ... --db URL`), and the official lists also here (`/atlas/officielle-lister`,
by whoever the store lets load: a preview of what replaces what, then the load, all or nothing).
The previewed file is sent again with the confirmation, pinned by its digest and by the loaded
source's token, so the server keeps nothing between the two steps and a stale preview is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from fastapi import APIRouter, HTTPException, Request
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse, Response

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
from boligsocial.plan.keyfigures import ImportIssue
from boligsocial.register.atlas import PRINCIPAL_ORDER, SOURCE_OFFICIAL, Atlas, AtlasEntry
from boligsocial.register.atlas_files import entry_dict
from boligsocial.register.atlas_official import AtlasFileError, YearCounts, atlas_from_official_bytes, list_counts
from boligsocial.reports.charts.history import HistoryPoint, ThresholdPoint, history_chart
from boligsocial.store import ConflictError
from boligsocial.store.atlas import LOAD_ROLE, AtlasSource
from boligsocial.store.importing import safe_filename
from boligsocial.web.auth import needs
from boligsocial.web.forecast_view import block_dict, forecast_block
from boligsocial.web.formats import Format, csv_text, is_htmx, request_format
from boligsocial.web.limits import MB
from boligsocial.web.pages import respond, service
from boligsocial.web.routes.imports import issue_dict

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


def _empty(request: Request, may_load: bool) -> Response:
    context: dict[str, Any] = {
        **_upload_context(None, (), None, None),
        "sources": [],
        "source": None,
        "command": LOAD_COMMAND,
        "may_load": may_load,
    }
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
        return _empty(request, svc.may_load())
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
        **_upload_context(None, (), None, None),
        "may_load": svc.may_load(),
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


# --------------------------------------------------------------------------------------------------
# Loading the official lists from the browser


MAX_OFFICIAL_UPLOAD: Final = 1 * MB
"""An official-lists file: some thousands of rows of area, kommune, year and list (the lists since
2010 fill a few hundred kB at most); the limit also bounds the atlas a file makes in memory."""


@dataclass(frozen=True)
class OfficialPreview:
    """What loading an official-lists file would do: the file's counts per year and list beside
    the loaded official source's, and what pins the preview (the file's digest, the source's token)."""

    filename: str
    digest: str
    token: str
    atlas: Atlas
    current: AtlasSource | None
    before: dict[int, YearCounts]
    after: dict[int, YearCounts]

    @property
    def years(self) -> list[int]:
        return sorted(set(self.before) | set(self.after))

    @property
    def areas(self) -> int:
        return len({(e.name, e.kommune) for e in self.atlas.entries})


def _upload_context(
    preview: OfficialPreview | None,
    issues: Sequence[ImportIssue],
    message: str | None,
    error: str | None,
) -> dict[str, Any]:
    return {
        "upload": preview,
        "upload_issues": list(issues),
        "upload_message": message,
        "upload_error": error,
        "upload_lists": REPORTED_LISTS,
        "state_label": STATE_LABEL,
        "max_upload_mb": MAX_OFFICIAL_UPLOAD // MB,
        "page": "atlas",
    }


def _counts_dict(counts: dict[int, YearCounts]) -> dict[str, Any]:
    return {str(y): {"omraader": c.areas, "paa_liste": c.on} for y, c in counts.items()}


def _upload_page(
    request: Request,
    *,
    preview: OfficialPreview | None = None,
    issues: Sequence[ImportIssue] = (),
    message: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    context = _upload_context(preview, issues, message, error)
    data = {
        "besked": message,
        "fejlbesked": error,
        "fejl": [issue_dict(i) for i in issues],
        "forhaandsvisning": None
        if preview is None
        else {
            "fil": preview.filename,
            "listeaar": list(preview.atlas.years),
            "enheder": len(preview.atlas.entries),
            "omraader": preview.areas,
            "nu": None if preview.current is None else _sources_dict([preview.current])[0],
            "foer": _counts_dict(preview.before),
            "efter": _counts_dict(preview.after),
            "kilde_token": preview.token,
            "fil_sha256": preview.digest,
        },
        "hoejst_mb": MAX_OFFICIAL_UPLOAD // MB,
    }
    template = "atlas_indlaes_resultat.html" if is_htmx(request) else "atlas_indlaes.html"
    return respond(request, template, context, data=data, status_code=status_code)


@router.get("/atlas/officielle-lister", dependencies=[needs(LOAD_ROLE)])
def officielle_lister_side(request: Request) -> Response:
    return _upload_page(request)


async def _official_upload(form: FormData) -> tuple[str, bytes]:
    """The uploaded file's name and bytes; HTTPException 400 (no file) or 413 (over the limit)."""
    upload = form.get("fil")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise HTTPException(400, "Vælg en CSV-fil med de officielle lister at indlæse.")
    data = await upload.read(MAX_OFFICIAL_UPLOAD + 1)
    if len(data) > MAX_OFFICIAL_UPLOAD:
        raise HTTPException(
            413,
            f"Filen er for stor: en fil med de officielle lister må højst fylde {MAX_OFFICIAL_UPLOAD // MB} MB "
            "(alle lister siden 2010 fylder højst nogle hundrede kB). Intet er indlæst.",
        )
    return safe_filename(upload.filename), data


@router.post("/atlas/officielle-lister", dependencies=[needs(LOAD_ROLE)])
async def indlaes_officielle_lister(request: Request) -> Response:
    """The preview of an official-lists file, or (`bekraeft=1`, the same form sent again with the
    preview's `fil_sha256` and `kilde_token`) the load: the official source replaced as a whole."""
    form = await request.form()
    try:
        filename, data = await _official_upload(form)
    except HTTPException as refused:
        return _upload_page(request, error=str(refused.detail), status_code=refused.status_code)
    confirm = form.get("bekraeft") == "1"
    pinned = (str(form.get("fil_sha256", "")), str(form.get("kilde_token", "")))
    return await run_in_threadpool(_load if confirm else _preview, request, filename, data, pinned)


def _read_official(request: Request, filename: str, data: bytes) -> OfficialPreview | Response:
    """The file read and compared with the loaded official source, or the page of its errors."""
    try:
        atlas = atlas_from_official_bytes(data, filename)
    except AtlasFileError as refused:
        count = "1 fejl" if len(refused.issues) == 1 else f"{len(refused.issues)} fejl"
        error = f"{filename} kan ikke indlæses: {count}. Intet er indlæst."
        return _upload_page(request, issues=refused.issues, error=error, status_code=422)
    svc = service(request).atlas
    token = svc.source_token(SOURCE_OFFICIAL)  # first: a load while the counts are read makes it stale
    current = next((s for s in svc.sources() if s.name == SOURCE_OFFICIAL), None)
    before = list_counts(svc.entries(SOURCE_OFFICIAL)) if current is not None else {}
    digest = hashlib.sha256(data).hexdigest()
    return OfficialPreview(filename, digest, token, atlas, current, before, list_counts(atlas.entries))


def _preview(request: Request, filename: str, data: bytes, _pinned: tuple[str, str]) -> Response:
    """The preview; `_pinned` (what a confirmation carries) is not needed for it."""
    read = _read_official(request, filename, data)
    if isinstance(read, Response):
        return read
    replaces = "erstatter de officielle lister, der er indlæst nu" if read.current else "indlæses som de første"
    message = (
        f"{filename} er i orden: {read.areas} boligområder i {len(read.atlas.years)} listeår; den {replaces}. "
        "Intet er indlæst endnu."
    )
    return _upload_page(request, preview=read, message=message)


def _load(request: Request, filename: str, data: bytes, pinned: tuple[str, str]) -> Response:
    digest, token = pinned
    if not token:
        return _upload_page(
            request, error="Lav forhåndsvisningen, før listerne indlæses. Intet er indlæst.", status_code=400
        )
    read = _read_official(request, filename, data)
    if isinstance(read, Response):
        return read
    if digest != read.digest:
        error = (
            f"{filename} er ikke den fil, forhåndsvisningen blev lavet af. Intet er indlæst; "
            "forhåndsvisningen nedenfor er af den nye fil."
        )
        return _upload_page(request, preview=read, error=error, status_code=409)
    try:
        loaded = service(request).atlas.replace_atlas(read.atlas, expected_token=token)
    except ConflictError as conflict:
        error = f"{conflict} Forhåndsvisningen nedenfor er lavet nu."
        return _upload_page(request, preview=read, error=error, status_code=409)
    target = f"/atlas?kilde={SOURCE_OFFICIAL}"
    if request_format(request) is Format.HTML:
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    units = "1 enhed" if loaded.units == 1 else f"{loaded.units} enheder"
    message = f"Indlæst: de officielle lister fra {filename}, {len(loaded.years)} listeår, {units}."
    return _upload_page(request, message=message)

"""Indicators: time series with their comparison figures and charts, each indicator's status for a
year (`boligsocial.plan.status`: baseline, milestone, target, projection), and the form that adds or
corrects a year's value (with the value's version, so two people cannot overwrite each other)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from boligsocial.danish import format_ungrouped_number
from boligsocial.plan.model import Helhedsplan, Indikator, Maaling
from boligsocial.plan.status import (
    PROJECTION_RULE_DA,
    STATUS_RULE_DA,
    IndicatorStatus,
    PlanStatus,
    StatusError,
    fmt_change,
    indicator_status,
    indicator_status_dict,
    plan_status,
    shown,
    status_dict,
    value_year,
)
from boligsocial.store import ConflictError, IndikatorRecord, MaalingRecord, ValidationFailed
from boligsocial.web import charts
from boligsocial.web.auth import needs
from boligsocial.web.formats import Format, csv_text, is_htmx, request_format
from boligsocial.web.pages import app_state, cached_page, overview, respond, service, stored, written

router = APIRouter()
T = TypeVar("T")

TARGET_FIELDS = {"katalog", "katalog_version", "retning", "baseline", "maal", "milepaele"}


def maaling_dict(m: Maaling) -> dict[str, Any]:
    return {
        "vaerdi": m.vaerdi,
        "aar": m.aar,
        "til_aar": m.til_aar,
        "kvalifikator": m.kvalifikator,
        "kilde": m.kilde,
        **({"betegnelse": m.betegnelse} if hasattr(m, "betegnelse") else {}),
    }


def indikator_dict(plan_id: int, i: Indikator) -> dict[str, Any]:
    return {
        "id": i.id,
        "url": f"/plan/{plan_id}/indikatorer/{i.id}",
        "navn": i.navn,
        "enhed": i.enhed.value,
        "enhed_tekst": i.enhed.label,
        "gaelder": i.gaelder,
        "indsatsomraade": i.indsatsomraade,
        "kilde": i.kilde,
        "definition": i.definition,
        "maalinger": [maaling_dict(m) for m in i.maalinger],
        "sammenligninger": [maaling_dict(s) for s in i.sammenligninger],
        "noter": list(i.noter),
        # Baseline, target and milestones, when the plan model has them (being added).
        **i.model_dump(include=TARGET_FIELDS),
    }


def chart(request: Request, plan_id: int, indikator: Indikator) -> str:
    """The indicator's chart, cached by what it shows."""
    key = ("indikator", indikator.model_dump_json())
    return app_state(request).fragments.get(key, lambda: str(charts.indicator_svg(indikator)))


def default_status_year(plan: Helhedsplan, today: datetime.date | None = None) -> int:
    """The year a status is shown for by default: the latest year with a value inside the plan
    period, else the current year clamped to the period."""
    years = plan.periode.aar
    with_values = [y for i in plan.indikatorer for m in i.maalinger if (y := value_year(m)) is not None and y in years]
    if with_values:
        return max(with_values)
    current = (today or datetime.date.today()).year
    return min(max(current, years[0]), years[-1])


def status_year(request: Request, plan: Helhedsplan) -> int:
    """The status year asked for (`?aar=`), checked against the plan period (400 in Danish)."""
    value = request.query_params.get("aar", "").strip()
    if not value:
        return default_status_year(plan)
    years = plan.periode.aar
    if not value.isdigit() or int(value) not in years:
        raise HTTPException(
            400, f'Statusåret skal være et år i planens periode ({years[0]}-{years[-1]}), ikke "{value}".'
        )
    return int(value)


def status_of(plan: Helhedsplan, year: int) -> PlanStatus:
    try:
        return plan_status(plan, year)
    except StatusError as error:  # a stored plan that the status cannot read (e.g. unknown catalogue id)
        raise HTTPException(400, f"Status kan ikke beregnes: {error}") from None


def status_view(s: IndicatorStatus) -> dict[str, Any]:
    """The status of one indicator as the pages show it: texts with unit and the plan's decimals."""
    i = s.indikator
    p = s.fremskrivning
    return {
        "status": s.status.value,
        "label": s.status.label,
        "forklaring": s.forklaring,
        "advarsler": list(s.advarsler),
        "seneste": None if s.seneste is None else f"{shown(s.seneste.vaerdi, i)} ({s.seneste_aar})",
        "milepael": None if s.milepael is None else f"{shown(s.milepael.vaerdi, i)} ({s.milepael.aar})",
        "milepael_art": None
        if s.milepael is None
        else {"milepael": "fastsat milepæl", "interpoleret": "interpoleret", "maal": "målet"}.get(s.milepael.kind, ""),
        "maal": None if i.maal is None else f"{shown(i.maal.vaerdi, i)} ({i.maal.aar})",
        "illustrativ": i.maal is not None and i.maal.illustrativ,
        "baseline": None if i.baseline is None else f"{shown(i.baseline.vaerdi, i)} ({i.baseline.aar})",
        "tolerance": None if s.tolerance is None else "±" + fmt_change(s.tolerance, i.enhed).lstrip("+"),
        "kraevet": None if s.kraevet_pr_aar is None else fmt_change(s.kraevet_pr_aar, i.enhed) + " om året",
        "tendens": None if p is None else fmt_change(p.haeldning, i.enhed) + " om året",
        "naar_maal": s.fremskrivning_naar_maal,
        "fremskrivning": []
        if p is None
        else [
            {
                "aar": q.aar,
                "vaerdi": shown(q.vaerdi, i),
                "nedre": shown(q.nedre, i),
                "oevre": shown(q.oevre, i),
            }
            for q in p.points
        ],
        "metode": None
        if p is None
        else (
            f"95 %-prædiktionsinterval, {p.n} målinger"
            if p.metode == "prediktionsinterval"
            else "to målinger: fra ingen videre ændring til dobbelt så hurtig ændring"
        ),
    }


def _drawn(request: Request, plan_id: int, what: tuple[Any, ...], draw: Callable[[], T], blank: T) -> T:
    """A page's charts, drawn for an HTML answer only and kept per data version (`stored`): after a
    value is saved its indicator's charts are drawn anew (about 0,05 s each), which a JSON or CSV
    answer, showing none, need not wait for; `blank` stands in there."""
    if request_format(request) is not Format.HTML:
        return blank
    return stored(request, plan_id, ("tegninger", *what), draw)


def status_chart_svg(request: Request, plan: Helhedsplan, s: IndicatorStatus) -> str:
    """The indicator's status chart (measurements, milestone path, target, projection), cached by
    what it shows; the plain indicator chart stands in if it cannot be drawn."""
    key = ("indikator-status", s.aar, plan.periode.model_dump_json(), s.indikator.model_dump_json())

    return app_state(request).fragments.get(key, lambda: str(charts.status_svg(s)))


STATUS_CSV_HEADER = [
    "status_aar",
    "status",
    "status_tekst",
    "seneste_aar",
    "seneste",
    "milepael_aar",
    "milepael",
    "maal_aar",
    "maal",
    "maal_illustrativ",
]


def status_csv_cells(s: IndicatorStatus) -> list[object]:
    i = s.indikator
    return [
        s.aar,
        s.status.value,
        s.status.label,
        s.seneste_aar,
        None if s.seneste is None else format_ungrouped_number(s.seneste.vaerdi),
        None if s.milepael is None else s.milepael.aar,
        None if s.milepael is None else format_ungrouped_number(Decimal(str(round(float(s.milepael.vaerdi), 4)))),
        None if i.maal is None else i.maal.aar,
        None if i.maal is None else format_ungrouped_number(i.maal.vaerdi),
        None if i.maal is None else ("ja" if i.maal.illustrativ else "nej"),
    ]


def series_csv(ps: PlanStatus) -> str:
    """One row per value (measurement or comparison figure), with the indicator's status for the
    status year on every row; an indicator without values gets one row with its status only."""
    header = ["indikator", "navn", "indsatsomraade", "enhed", "type", "betegnelse", "aar", "til_aar", "vaerdi", "kilde"]
    lines: list[list[object]] = []
    for st in ps.indikatorer:
        i = st.indikator
        first = [i.id, i.navn, i.indsatsomraade, i.enhed.value]
        status = status_csv_cells(st)
        for m in i.maalinger:
            lines.append(
                [
                    *first,
                    "maaling",
                    "",
                    m.aar,
                    m.til_aar,
                    format_ungrouped_number(m.vaerdi),
                    m.kilde or i.kilde or "",
                    *status,
                ]
            )
        for c in i.sammenligninger:
            lines.append(
                [
                    *first,
                    "sammenligning",
                    c.betegnelse,
                    c.aar,
                    c.til_aar,
                    format_ungrouped_number(c.vaerdi),
                    c.kilde or "",
                    *status,
                ]
            )
        if not i.maalinger and not i.sammenligninger:
            lines.append([*first, "status", "", None, None, None, "", *status])
    return csv_text(header + STATUS_CSV_HEADER, lines)


@router.get("/plan/{plan_id}/indikatorer")
async def indikatorer_liste(request: Request, plan_id: int) -> Response:
    return await cached_page(request, plan_id, lambda: _liste(request, plan_id))


@dataclass(frozen=True)
class ListView:
    """What the list shows for one status year, the same for every address of a data version:
    made once per version and year (`stored`), shared between requests: read, never changed."""

    groups: list[tuple[str, list[Indikator]]]
    statuses: dict[str, dict[str, Any]]
    optaelling: list[tuple[str, str, int]]
    any_illustrative: bool
    data: dict[str, Any]
    status: PlanStatus  # for the CSV


def _list_view(request: Request, plan_id: int, year: int) -> ListView:
    plan = overview(request, plan_id).plan
    groups: list[tuple[str, list[Indikator]]] = [(i.navn, plan.indikatorer_for(i.navn)) for i in plan.indsatsomraader]
    rest = [i for i in plan.indikatorer if i.indsatsomraade is None]
    if rest:
        groups.append(("Øvrige indikatorer", rest))
    ps = status_of(plan, year)
    by_id = {st.indikator.id: st for st in ps.indikatorer}
    data = {
        "plan_id": plan_id,
        "status_aar": year,
        "status": status_dict(ps),
        "statusrapport": {kind: f"/plan/{plan_id}/eksport/statusrapport-{year}.{kind}" for kind in ("docx", "pdf")},
        "indikatorer": [
            indikator_dict(plan_id, i) | {"status": indicator_status_dict(by_id[i.id])} for i in plan.indikatorer
        ],
    }
    return ListView(
        groups=groups,
        statuses={k: status_view(v) for k, v in by_id.items()},
        optaelling=[(k.value, k.label, n) for k, n in ps.counts().items()],
        any_illustrative=any(i.maal is not None and i.maal.illustrativ for i in plan.indikatorer),
        data=data,
        status=ps,
    )


def _liste(request: Request, plan_id: int) -> Response:
    plan = overview(request, plan_id).plan
    year = status_year(request, plan)
    shown = stored(request, plan_id, ("indikatorliste", year), lambda: _list_view(request, plan_id, year))
    context = {
        "plan_id": plan_id,
        "plan": plan,
        "groups": shown.groups,
        "svgs": _drawn(
            request,
            plan_id,
            ("indikatorliste", year),
            lambda: {i.id: chart(request, plan_id, i) for i in plan.indikatorer},
            dict[str, str](),
        ),
        "page": "indikatorer",
        "status_aar": year,
        "status_aarstal": plan.periode.aar,
        "statuses": shown.statuses,
        "optaelling": shown.optaelling,
        "status_rule": STATUS_RULE_DA,
        "any_illustrative": shown.any_illustrative,
    }
    return respond(
        request,
        "indikatorer.html",
        context,
        data=shown.data,
        csv=lambda: series_csv(shown.status),
        csv_name="indikatorer.csv",
    )


def record_dict(m: MaalingRecord) -> dict[str, Any]:
    return {
        "id": m.id,
        "type": m.kind,
        "vaerdi": m.vaerdi,
        "vaerdi_tekst": m.vaerdi_text,
        "aar": m.aar,
        "til_aar": m.til_aar,
        "kvalifikator": m.kvalifikator,
        "kilde": m.kilde,
        "betegnelse": m.betegnelse,
        "version": m.version,
        "opdateret": m.updated_at,
        "opdateret_af": m.updated_by,
    }


@dataclass(frozen=True)
class IndicatorView:
    """What an indicator's page shows for one status year besides the form, the same for every
    address of a data version: made once per version, indicator and year (`stored`), shared
    between requests: read, never changed."""

    status: dict[str, Any]
    indicator_status: IndicatorStatus  # for the status chart and the definition
    data: dict[str, Any]  # the JSON without the form's errors and conflict


def _indicator_view(request: Request, plan_id: int, record: IndikatorRecord, year: int) -> IndicatorView:
    plan = overview(request, plan_id).plan
    indikator = record.indikator
    try:
        st = indicator_status(plan, indikator, year)
    except StatusError as error:
        raise HTTPException(400, f"Status kan ikke beregnes: {error}") from None
    data = indikator_dict(plan_id, indikator) | {
        "status_aar": year,
        "status": indicator_status_dict(st),
        "vaerdier": [record_dict(m) for m in (*record.maalinger, *record.sammenligninger)],
    }
    return IndicatorView(
        status=status_view(st),
        indicator_status=st,
        data=data,
    )


def stored_indicator(request: Request, plan_id: int, indikator_id: str) -> IndikatorRecord:
    """The indicator with its stored values, taken from one read of all the plan's indicators per
    data version (`stored`): after a write every indicator page needs its own anew, and one read
    costs far less than one per indicator. One it does not hold is asked for alone (not found: 404)."""
    indicators = service(request).indicators

    def read() -> dict[str, IndikatorRecord]:
        return {record.indikator.id: record for record in indicators.indikatorer(plan_id)}

    found = stored(request, plan_id, ("indikatorer",), read).get(indikator_id)
    return found if found is not None else indicators.get_indikator(plan_id, indikator_id)


def indicator_page(
    request: Request,
    plan_id: int,
    indikator_id: str,
    *,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    conflict: str | None = None,
    form: dict[str, str] | None = None,
    form_for: str = "ny",
    status_code: int = 200,
) -> Response:
    view = overview(request, plan_id)
    record = stored_indicator(request, plan_id, indikator_id)
    year = status_year(request, view.plan)
    shown = stored(
        request, plan_id, ("indikatorside", indikator_id, year), lambda: _indicator_view(request, plan_id, record, year)
    )
    svg, status_svg = _drawn(
        request,
        plan_id,
        ("indikatorside", indikator_id, year),
        lambda: (
            chart(request, plan_id, record.indikator),
            status_chart_svg(request, view.plan, shown.indicator_status),
        ),
        ("", ""),
    )
    context = {
        "plan_id": plan_id,
        "plan": view.plan,
        "ind": record.indikator,
        "record": record,
        "svg": svg,
        "errors": errors or {},
        "message": message,
        "conflict": conflict,
        "form": form or {},
        "form_for": form_for,
        "page": "indikatorer",
        "status_aar": year,
        "status_aarstal": view.plan.periode.aar,
        "st": shown.status,
        "status_svg": status_svg,
        "definition": shown.indicator_status.definition,
        "status_rule": STATUS_RULE_DA,
        "projection_rule": PROJECTION_RULE_DA,
    }
    data = shown.data | {"fejl": errors or {}, "konflikt": conflict}
    template = "_indikator_data.html" if is_htmx(request) else "indikator.html"
    return respond(request, template, context, data=data, status_code=status_code)


@router.get("/plan/{plan_id}/indikatorer/{indikator_id}")
async def indikator_side(request: Request, plan_id: int, indikator_id: str) -> Response:
    return await cached_page(request, plan_id, lambda: indicator_page(request, plan_id, indikator_id))


@router.post("/plan/{plan_id}/indikatorer/{indikator_id}/maalinger", dependencies=[needs("redaktoer")])
async def gem_maaling(request: Request, plan_id: int, indikator_id: str) -> Response:
    """Add a year's value, or change a stored value (with `maaling_id` and its `version`)."""
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    maaling_id = form.get("maaling_id", "")
    version = form.get("version", "")
    if maaling_id and not (maaling_id.isdigit() and version.isdigit()):
        raise HTTPException(400, "Formularen mangler værdiens version; genindlæs siden.")
    form_for = maaling_id or "ny"

    def work() -> tuple[str, dict[str, str] | None, str | None, int]:
        svc = service(request)
        try:
            if maaling_id:
                saved = svc.indicators.update_maaling(plan_id, int(maaling_id), form.get("vaerdi", ""), int(version))
            else:
                saved = svc.indicators.add_or_update_maaling(
                    plan_id,
                    indikator_id,
                    form.get("aar", ""),
                    form.get("vaerdi", ""),
                    None,
                    kvalifikator=form.get("kvalifikator") or None,
                    kilde=form.get("kilde") or None,
                )
        except ValidationFailed as error:
            return str(error), error.errors, None, 422
        except ConflictError as error:
            return "", None, f"{error} Dine værdier er ikke gemt; tallene nedenfor er de gemte.", 409
        year = f" for {saved.aar}" if saved.aar else ""
        return f"Gemt: {saved.betegnelse or 'måling'}{year} = {saved.vaerdi_text}.", None, None, 200

    try:
        message, errors, conflict, status = await run_in_threadpool(work)
    finally:
        written(request, plan_id)
    if status == 200 and not is_htmx(request) and request.headers.get("accept", "").startswith("text/html"):
        return RedirectResponse(f"/plan/{plan_id}/indikatorer/{indikator_id}", status_code=303)
    return await run_in_threadpool(
        lambda: indicator_page(
            request,
            plan_id,
            indikator_id,
            errors=errors,
            message=message or None,
            conflict=conflict,
            form=form if status != 200 else None,
            form_for=form_for,
            status_code=status,
        )
    )

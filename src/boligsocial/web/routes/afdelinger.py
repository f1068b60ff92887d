"""The departments table (sortable, filterable, coloured by margin) and a department's page with
its criteria, history, charts and the key-figure form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from markupsafe import Markup
from starlette.responses import RedirectResponse, Response

from boligsocial.law.figures import Measure
from boligsocial.law.verdicts import UnitResult, criterion_dict, unit_dict
from boligsocial.law.vocabulary import (
    MEASURE_LABELS_DA,
    MEASURE_SHORT_DA,
    PREVENTION_LIST,
    REPORTED_LISTS,
    STATUS_WORD_DA,
)
from boligsocial.store import KEY_FIGURE_FIELDS, ConflictError, KeyFigureRecord, ValidationFailed
from boligsocial.web import charts, views
from boligsocial.web.auth import needs
from boligsocial.web.forecast_view import block_dict, forecast_block
from boligsocial.web.formats import EncodedJSON, Format, csv_text, is_htmx, json_text, request_format
from boligsocial.web.pages import (
    app_state,
    cached_page,
    overview_rows,
    overview_without_values,
    parse_year,
    respond,
    service,
    stored,
    written,
)

router = APIRouter()

MAIN_FIELDS = ("boliger", "beboere", *tuple(f.name for f in KEY_FIGURE_FIELDS if f.kind in ("pct", "income_pct")))
COUNT_FIELDS = tuple(f.name for f in KEY_FIGURE_FIELDS if f.kind in ("count", "amount"))
TEXT_FIELDS = tuple(f.name for f in KEY_FIGURE_FIELDS if f.kind == "text")
FIELD_LABELS = {f.name: f.label for f in KEY_FIGURE_FIELDS}


def _year_suffix(year: int | None) -> str:
    return f"?aar={year}" if year is not None else ""


# --------------------------------------------------------------------------------------------------
# The table


def row_dict(plan_id: int, row: views.DepartmentRow) -> dict[str, Any]:
    afd = row.afdeling
    return {
        "id": row.id,
        "url": f"/plan/{plan_id}/afdelinger/{row.id}",
        "afdeling": afd.navn,
        "boligorganisation": afd.boligorganisation,
        "afdelingsnummer": afd.afdelingsnummer,
        "deltagelse": afd.status.value,
        "boliger": afd.boliger,
        "beboere": row.residents,
        "naer_en_graense": row.near,
        "vurdering": unit_dict(row.unit) if row.unit is not None else None,
    }


def table_csv(rows: list[views.DepartmentRow], year: int | None) -> str:
    header = ["listeaar", "afdeling", "boligorganisation", "deltagelse", "boliger", "beboere"]
    for m in Measure:
        header += [f"{m.value}_pct", f"{m.value}_margin_udsat_parallel", f"{m.value}_margin_forebyggelse"]
    header += [*list(REPORTED_LISTS), "naer_en_graense"]
    lines: list[list[object]] = []
    for r in rows:
        line: list[object] = [year, r.afdeling.navn, r.afdeling.boligorganisation, r.afdeling.status.value]
        line += [r.afdeling.boliger, r.residents]
        for m in Measure:
            cell = r.cells[m]
            line.append(views.value_text(cell.value, m).replace("~", "") if cell.value is not None else "-")
            main = next((c for c in cell.criteria if c.list_name != PREVENTION_LIST), None)
            prev = next((c for c in cell.criteria if c.list_name == PREVENTION_LIST), None)
            line.append(main.margin.replace("−", "-") if main else "")
            line.append(prev.margin.replace("−", "-") if prev else "")
        line += [STATUS_WORD_DA[r.status(n)] if r.has_list(n) else "" for n in REPORTED_LISTS]
        line.append("ja" if r.near else "nej")
        lines.append(line)
    return csv_text(header, lines)


@router.get("/plan/{plan_id}/afdelinger")
async def afdelinger_tabel(request: Request, plan_id: int) -> Response:
    return await cached_page(request, plan_id, lambda: _tabel(request, plan_id))


def _tabel(request: Request, plan_id: int) -> Response:
    params = dict(request.query_params)
    year = parse_year(params.pop("aar", None))
    view, rows = overview_rows(request, plan_id, year)
    organisations = [o.kortnavn for o in view.plan.boligorganisationer]
    query = views.TableQuery.parse(params, organisations)
    shown = query.apply(rows)
    state = app_state(request)
    row_template = state.templates.env.get_template("_afdeling_raekke.html")
    version = request.state.version_without_values

    def row_html(row: views.DepartmentRow) -> Markup:
        """A row is the same in every sorting and filter: rendered once per data version."""
        key = ("raekke", plan_id, version, year, row.id)
        context = {"r": row, "plan_id": plan_id, "year_param": year, "measures": list(Measure)}
        return Markup(state.fragments.get(key, lambda: row_template.render(context)))

    context = {
        "row_html": row_html,
        "plan_id": plan_id,
        "plan": view.plan,
        "view": view,
        "rows": shown,
        "total": len(rows),
        "query": query,
        "organisations": organisations,
        "measures": list(Measure),
        "measure_short": MEASURE_SHORT_DA,
        "measure_labels": MEASURE_LABELS_DA,
        "sort_keys": views.SORT_KEYS,
        "year_param": year,
        "page": "afdelinger",
    }

    def row_json(row: views.DepartmentRow) -> str:
        """A row's JSON is the same in every sorting and filter too: made once per data version."""
        key = ("raekke json", plan_id, version, year, row.id)
        return state.fragments.get(key, lambda: json_text(row_dict(plan_id, row)))

    data: EncodedJSON | None = None
    if request_format(request) is Format.JSON:  # only a JSON answer needs every criterion as data
        envelope = {
            "plan_id": plan_id,
            "listeaar": view.list_year,
            "problem": view.problem,
            "filter": query.as_dict(),
            "fejl": query.errors,
            "antal": len(shown),
            "antal_i_alt": len(rows),
        }
        # the rows last, as {..., "afdelinger": [...]}: the envelope's JSON without its closing brace
        listed = ",".join(row_json(r) for r in shown)
        data = EncodedJSON(f'{json_text(envelope)[:-1]},"afdelinger":[{listed}]}}')
    template = "_afdelinger_tabel.html" if is_htmx(request) else "afdelinger.html"
    return respond(
        request,
        template,
        context,
        data=data,
        csv=lambda: table_csv(shown, view.list_year),
        csv_name="afdelinger.csv",
        status_code=400 if query.errors else 200,
    )


# --------------------------------------------------------------------------------------------------
# One department


def _find_row(rows: list[views.DepartmentRow], afdeling_id: int) -> views.DepartmentRow:
    for row in rows:
        if row.id == afdeling_id:
            return row
    raise HTTPException(404, f"Planen har ingen afdeling med nummer {afdeling_id}.")


def history(request: Request, plan_id: int, row: views.DepartmentRow, years: tuple[int, ...]) -> list[dict[str, Any]]:
    """The department's status on each list in every list year that has key figures."""
    out: list[dict[str, Any]] = []
    for year in years:
        try:
            other = overview_without_values(request, plan_id, year)
        except Exception as error:  # a law gap for an old year must not hide the page
            out.append({"aar": year, "lister": {}, "problem": str(error)})
            continue
        unit = other.verdict(row.afdeling)
        out.append(
            {
                "aar": year,
                "lister": {n: r.status for n, r in unit.lists.items()} if unit else {},
                "problem": other.problem if unit is None else None,
            }
        )
    return out


def chart_svgs(request: Request, unit: UnitResult) -> dict[str, Any]:
    """The criteria chart of each list, cached by what it shows (so an edit of one department
    does not redraw the others)."""
    state = app_state(request)
    out: dict[str, Any] = {}

    def render(name: str) -> Callable[[], str]:
        return lambda: str(charts.criteria_svg(unit, name))

    for name, result in unit.lists.items():
        shown = tuple((c.key, c.label, c.value, c.threshold, c.verdict, c.approximate) for c in result.criteria)
        key = ("kriterier", unit.list_year, unit.kind, unit.boligorganisation, unit.name, name, result.status, shown)
        out[name] = state.fragments.get(key, render(name))
    return out


def department_context(
    request: Request,
    plan_id: int,
    afdeling_id: int,
    year: int | None,
    *,
    record: KeyFigureRecord | None = None,
    form_values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    conflict: str | None = None,
    unsaved: dict[str, str] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    view, rows = overview_rows(request, plan_id, year)
    row = _find_row(rows, afdeling_id)
    if record is None:
        record = service(request).key_figures.get_afdeling_figures(plan_id, afdeling_id, year)
    unit = row.unit
    afd = row.afdeling
    omraade = view.omraade_of(afd)
    indikatorer = view.indicators_of(afd)
    years = tuple(sorted({u.list_year for u in view.units if u.list_year is not None}))
    hist = history(request, plan_id, row, years)
    cells = list(row.criteria)
    svgs = chart_svgs(request, unit) if unit else {}
    figures = view.figures(afd)
    prognose = forecast_block(view.units, view.list_year, figures.key) if figures and view.list_year else None
    values = dict(record.values)
    if form_values:
        values.update(form_values)
    context: dict[str, Any] = {
        "plan_id": plan_id,
        "plan": view.plan,
        "view": view,
        "row": row,
        "afd": afd,
        "unit": unit,
        "cells": cells,
        "as_area": row.as_area if unit is not None and unit.eligible is False else None,
        "omraade": omraade,
        "indikatorer": indikatorer,
        "history": hist,
        "prognose": prognose,
        "svgs": svgs,
        "record": record,
        "values": values,
        "errors": errors or {},
        "message": message,
        "conflict": conflict,
        "unsaved": unsaved or {},
        "main_fields": MAIN_FIELDS,
        "count_fields": COUNT_FIELDS,
        "text_fields": TEXT_FIELDS,
        "field_labels": FIELD_LABELS,
        "year_param": year,
        "page": "afdelinger",
    }
    data = {
        "plan_id": plan_id,
        "id": afdeling_id,
        "afdeling": afd.navn,
        "boligorganisation": afd.boligorganisation,
        "afdelingsnummer": afd.afdelingsnummer,
        "deltagelse": afd.status.value,
        "betingelse": afd.betingelse,
        "boliger": afd.boliger,
        "listeaar": view.list_year,
        "omraade": omraade.navn if omraade else None,
        "noegletal": {"version": record.version, "vaerdier": record.values, "listeaar": record.list_year},
        "vurdering": unit_dict(unit) if unit else None,
        "som_omraade": unit_dict(row.as_area) if row.as_area is not None and unit and unit.eligible is False else None,
        "kriterier": [criterion_dict(c.result) | {"lister": list(c.lists)} for c in cells],
        "historik": hist,
        "prognose": block_dict(prognose) if prognose else None,
        "indikatorer": [i.id for i in indikatorer],
        "fejl": errors or {},
        "konflikt": conflict,
    }
    return context, data


@router.get("/plan/{plan_id}/afdelinger/{afdeling_id}")
async def afdeling_side(request: Request, plan_id: int, afdeling_id: int, aar: str | None = None) -> Response:
    year = parse_year(aar)

    def build() -> Response:
        # the same for every address of the page until a write other than an indicator value
        what = ("afdelingsside", afdeling_id, year)
        context, data = stored(
            request, plan_id, what, lambda: department_context(request, plan_id, afdeling_id, year), values=False
        )
        unit = context["unit"]
        return respond(
            request,
            "afdeling.html",
            context,
            data=data,
            csv=lambda: views.criteria_csv(unit, context["view"].list_year, context["cells"]),
            csv_name="kriterier.csv",
        )

    return await cached_page(request, plan_id, build)


@router.post("/plan/{plan_id}/afdelinger/{afdeling_id}/noegletal", dependencies=[needs("redaktoer")])
async def ret_noegletal(request: Request, plan_id: int, afdeling_id: int, aar: str | None = None) -> Response:
    """Save the key-figure form. Only fields that differ from what is stored are sent; the form's
    version makes a concurrent change a conflict instead of a silent overwrite."""
    year = parse_year(aar)
    form = await request.form()
    submitted = {f.name: str(form.get(f.name, "")).strip() for f in KEY_FIGURE_FIELDS if f.name in form}
    version_text = str(form.get("version", ""))
    if not version_text.isdigit():
        raise HTTPException(400, "Formularen mangler sin version; genindlæs siden.")
    version = int(version_text)
    return await _save(request, plan_id, afdeling_id, year, submitted, version)


async def _save(
    request: Request, plan_id: int, afdeling_id: int, year: int | None, submitted: dict[str, str], version: int
) -> Response:
    from starlette.concurrency import run_in_threadpool

    def work() -> tuple[str, dict[str, Any], dict[str, Any], int]:
        svc = service(request)
        current = svc.key_figures.get_afdeling_figures(plan_id, afdeling_id, year)
        changes = {k: v for k, v in submitted.items() if v != current.values.get(k, "")}
        try:
            saved = svc.key_figures.update_key_figures(plan_id, afdeling_id, changes, version, year)
        except ValidationFailed as error:
            context, data = department_context(
                request,
                plan_id,
                afdeling_id,
                year,
                record=current,
                form_values=submitted,
                errors=error.errors,
                message=str(error),
            )
            return "invalid", context, data, 422
        except ConflictError as error:
            fresh = svc.key_figures.get_afdeling_figures(plan_id, afdeling_id, year)
            context, data = department_context(
                request, plan_id, afdeling_id, year, record=fresh, conflict=str(error), unsaved=changes
            )
            return "conflict", context, data, 409
        if not changes:  # the store checked the version: the form was simply sent as it was
            context, data = department_context(
                request, plan_id, afdeling_id, year, record=saved, message="Ingen ændringer at gemme."
            )
            return "ok", context, data, 200
        labels = ", ".join(FIELD_LABELS.get(k, k) for k in changes)
        context, data = department_context(
            request, plan_id, afdeling_id, year, record=saved, message=f"Gemt: {labels}."
        )
        return "saved", context, data, 200

    try:
        outcome, context, data, status = await run_in_threadpool(work)
    finally:
        written(request, plan_id)
    if outcome == "saved" and not is_htmx(request) and request.headers.get("accept", "").startswith("text/html"):
        # A plain form post (no JavaScript): back to the page, which shows the new verdicts.
        return RedirectResponse(f"/plan/{plan_id}/afdelinger/{afdeling_id}{_year_suffix(year)}", status_code=303)
    template = "_afdeling_data.html" if is_htmx(request) else "afdeling.html"
    return respond(request, template, context, data=data, status_code=status)

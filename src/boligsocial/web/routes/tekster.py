"""The plan's prose sections (`tekst/*.md`): the list, the editor with a live preview and the
lint's findings for the section, saving with optimistic locking, and new sections."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from markupsafe import Markup
from starlette.responses import RedirectResponse, Response

from boligsocial import danish
from boligsocial.reports.lint import RULES, Finding, Severity
from boligsocial.store import ConflictError, ValidationFailed
from boligsocial.store.records import ProseRecord
from boligsocial.web.auth import needs
from boligsocial.web.formats import csv_text, is_htmx
from boligsocial.web.pages import app_state, cached_page, overview, respond, service, stored, written
from boligsocial.web.prose_view import preview_html, prose_findings, prose_findings_key, section_title

router = APIRouter()

MAX_TEXT: Final = 500_000
"""Characters a section may hold (the whole projektbeskrivelse is at most five pages)."""

KEPT_TEXT: Final = (
    "Din tekst står stadig i feltet; den gemte tekst ses nedenfor. Gemmer du igen, erstatter din tekst den gemte."
)
NEW_TEXT: Final = "# {title}\n\nSkriv afsnittet her.\n"


@dataclass(frozen=True)
class EditorState:
    """What the editor shows: the text in the field, the version it was opened at, and notices."""

    text: str
    version: int
    message: str | None = None
    conflict: str | None = None
    stored: ProseRecord | None = None  # the stored text, shown beside a conflict


def _records(request: Request, plan_id: int) -> dict[str, ProseRecord]:
    return {r.name: r for r in stored(request, plan_id, ("prose",), lambda: service(request).prose.prose(plan_id))}


def _stored_findings(request: Request, plan_id: int) -> dict[str, tuple[Finding, ...]]:
    """The lint's findings by section of the plan as stored. Kept per data version (`stored`: the
    digest of what the lint reads is made once per version, not per address), and across versions
    until what the lint reads changes (`prose_findings_key`): an indicator value saved keeps them,
    a text or a name changed does not. Shared between requests: read, never changed."""

    def derive() -> dict[str, tuple[Finding, ...]]:
        view = overview(request, plan_id)
        texts = {n: r.text for n, r in _records(request, plan_id).items()}
        key = ("tekst-lint", plan_id, prose_findings_key(view, texts))

        def compute() -> str:
            found = prose_findings(view, texts)
            return json.dumps({name: [f.to_dict() for f in items] for name, items in found.items()})

        kept = json.loads(app_state(request).fragments.get(key, compute))
        return {name: tuple(_finding(item) for item in items) for name, items in kept.items()}

    return stored(request, plan_id, ("tekst-lint",), derive)


def _finding(item: dict[str, Any]) -> Finding:
    return Finding(
        code=item["code"],
        severity=Severity(item["severity"]),
        message=item["message"],
        location=item["location"],
        file=item["file"],
        line=item["line"],
    )


def _finding_view(finding: Finding) -> dict[str, Any]:
    rule = RULES.get(finding.code)
    return {**finding.to_dict(), "title": rule.title if rule else "", "heading": finding.severity.heading}


def editor_url(plan_id: int, name: str) -> str:
    return f"/plan/{plan_id}/tekster/{quote(name)}"


# ---- the list ---------------------------------------------------------------------------------------


@router.get("/plan/{plan_id}/tekster")
async def tekster(request: Request, plan_id: int) -> Response:
    return await cached_page(request, plan_id, lambda: _tekster(request, plan_id))


def _tekster(
    request: Request, plan_id: int, *, error: str | None = None, new_name: str = "", status: int = 200
) -> Response:
    rows = stored(request, plan_id, ("tekst-liste",), lambda: _list_rows(request, plan_id))

    def csv() -> str:
        return csv_text(
            ["navn", "titel", "tegn", "ord", "sidst_aendret", "aendret_af", "bemaerkninger"],
            [
                [r["navn"], r["titel"], r["tegn"], r["ord"], r["sidst_aendret"], r["aendret_af"], r["fund"]]
                for r in rows
            ],
        )

    context = {
        "plan_id": plan_id,
        "plan": overview(request, plan_id).plan,
        "rows": rows,
        "error": error,
        "new_name": new_name,
        "page": "tekster",
    }
    data = {"plan_id": plan_id, "tekster": rows}
    return respond(request, "tekster.html", context, data=data, csv=csv, csv_name="tekster.csv", status_code=status)


def _list_rows(request: Request, plan_id: int) -> list[dict[str, Any]]:
    """The list's rows (one per section, with its count of findings): the same for every address
    of one data version, so made once per version. Shared between requests: read, never changed."""
    findings = _stored_findings(request, plan_id)
    return [
        {
            "navn": r.name,
            "titel": section_title(r.name, r.text),
            "tegn": len(r.text),
            "ord": len(r.text.split()),
            "sidst_aendret": danish.as_utc(r.updated_at).isoformat() if r.updated_at else None,
            "sidst_aendret_tekst": danish.local_stamp(r.updated_at),
            "aendret_af": r.updated_by,
            "version": r.version,
            "fund": len(findings.get(r.name, ())),
            "url": editor_url(plan_id, r.name),
        }
        for r in _records(request, plan_id).values()
    ]


@router.post("/plan/{plan_id}/tekster", dependencies=[needs("redaktoer")])
def ny_tekst(request: Request, plan_id: int, navn: str = Form("")) -> Response:
    """A new section, named by the user (".md" is added when left out); the store checks the name."""
    name = navn.strip()
    if name and not name.lower().endswith(".md"):
        name += ".md"
    if not name:
        return _tekster(request, plan_id, error="Skriv et filnavn til det nye afsnit, fx 40-evaluering.md.", status=422)
    if name in _records(request, plan_id):
        message = f"Der findes allerede et afsnit med filnavnet {name}; vælg et andet navn, eller ret det eksisterende."
        return _tekster(request, plan_id, error=message, new_name=navn, status=409)
    title = name.removesuffix(".md").lstrip("0123456789-_ ").replace("-", " ").replace("_", " ").strip().capitalize()
    try:
        service(request).prose.save_prose(plan_id, name, NEW_TEXT.format(title=title or "Nyt afsnit"), 0)
    except (ValidationFailed, ConflictError) as error:
        written(request, plan_id)
        return _tekster(
            request,
            plan_id,
            error=refusal(error) if isinstance(error, ValidationFailed) else str(error),
            new_name=navn,
            status=422 if isinstance(error, ValidationFailed) else 409,
        )
    written(request, plan_id)
    return RedirectResponse(editor_url(plan_id, name), status_code=303)


# ---- the editor ---------------------------------------------------------------------------------------


@router.get("/plan/{plan_id}/tekster/{name}")
async def tekst(request: Request, plan_id: int, name: str) -> Response:
    return await cached_page(request, plan_id, lambda: _editor(request, plan_id, name))


def _editor(request: Request, plan_id: int, name: str, state: EditorState | None = None, status: int = 200) -> Response:
    records = _records(request, plan_id)
    record = records.get(name)
    if record is None:
        raise HTTPException(404, f"Planen har intet afsnit med filnavnet {name}.")
    view = overview(request, plan_id)
    if state is None:
        saved = "Teksten er gemt." if request.query_params.get("gemt") == "1" else None
        state = EditorState(record.text, record.version, message=saved)
    if state.text == record.text:  # the stored text: the same for every address of a data version
        section = stored(
            request, plan_id, ("tekst-visning", name), lambda: _stored_section(request, plan_id, name, record.text)
        )
    else:
        texts = {**{n: r.text for n, r in records.items()}, name: state.text}
        section = _section(
            name, state.text, prose_findings(view, texts).get(name, ()), preview_html(view, name, state.text)
        )
    data = {
        "plan_id": plan_id,
        "navn": name,
        "titel": section.title,
        "tekst": state.text,
        "version": state.version,
        "sidst_aendret": danish.as_utc(record.updated_at).isoformat() if record.updated_at else None,
        "aendret_af": record.updated_by,
        "fund": section.finding_dicts,
        "konflikt": state.conflict,
    }
    context = {
        "plan_id": plan_id,
        "plan": view.plan,
        "name": name,
        "record": record,
        "changed_text": danish.local_stamp(record.updated_at),
        "state": state,
        "title": data["titel"],
        "preview": section.preview,
        "filled": section.filled,
        "findings": section.finding_views,
        "sections": list(records),
        "url": editor_url(plan_id, name),
        "page": "tekster",
    }
    return respond(request, "tekst.html", context, data=data, status_code=status)


@dataclass(frozen=True)
class SectionView:
    """What the editor shows of a section's text besides the text: its title, the lint's findings
    (as JSON and as the page lists them) and the preview. Shared between requests when made from
    the stored text: read, never changed."""

    title: str
    finding_dicts: list[dict[str, Any]]
    finding_views: list[dict[str, Any]]
    preview: Markup
    filled: bool


def _section(name: str, text: str, findings: Iterable[Finding], preview: tuple[Markup, bool]) -> SectionView:
    found = list(findings)
    return SectionView(
        section_title(name, text), [f.to_dict() for f in found], [_finding_view(f) for f in found], *preview
    )


def _stored_section(request: Request, plan_id: int, name: str, text: str) -> SectionView:
    """The stored text's view, made once per data version. The preview is kept per data version
    for every role (the text and the plan are the same for all)."""
    view = overview(request, plan_id)
    key = ("tekst-forhaandsvisning", plan_id, request.state.data_version, name)
    preview = app_state(request).derived.get(key, lambda: preview_html(view, name, text))
    return _section(name, text, _stored_findings(request, plan_id).get(name, ()), preview)


@router.post("/plan/{plan_id}/tekster/{name}", dependencies=[needs("redaktoer")])
def gem_tekst(request: Request, plan_id: int, name: str, tekst: str = Form(""), version: str = Form("")) -> Response:
    """Save the section. The form's version makes a concurrent change a conflict (409) that keeps
    the user's text in the field, instead of a silent overwrite."""
    if not version.strip().isdigit():
        raise HTTPException(400, "Formularen mangler sin version; genindlæs siden.")
    text = tekst.replace("\r\n", "\n").replace("\r", "\n")
    svc = service(request)
    try:
        saved = svc.prose.save_prose(plan_id, name, _checked(text), int(version))
    except ConflictError as error:
        written(request, plan_id)
        stored = _records(request, plan_id).get(name)
        if stored is None:
            raise
        notice = f"{error} {KEPT_TEXT}"
        state = EditorState(text, stored.version, conflict=notice, stored=stored)
        return _editor(request, plan_id, name, state, status=409)
    except ValidationFailed as error:
        if name not in _records(request, plan_id):  # a new section with a name the store refuses
            raise HTTPException(422, refusal(error)) from None
        return _editor(request, plan_id, name, EditorState(text, int(version), message=refusal(error)), status=422)
    finally:
        written(request, plan_id)
    if is_htmx(request) or not request.headers.get("accept", "").startswith("text/html"):
        return _editor(request, plan_id, name, EditorState(saved.text, saved.version, message="Teksten er gemt."))
    return RedirectResponse(editor_url(plan_id, name) + "?gemt=1", status_code=303)


@router.post("/plan/{plan_id}/tekster/{name}/forhaandsvisning", dependencies=[needs("redaktoer")])
def forhaandsvisning(request: Request, plan_id: int, name: str, tekst: str = Form("")) -> Response:
    """The section as it would be with the text being edited (nothing is saved): the rendered
    preview and the lint's findings for the section, as a fragment for the editor."""
    text = tekst.replace("\r\n", "\n").replace("\r", "\n")
    try:
        _checked(text)
    except ValidationFailed as error:
        raise HTTPException(422, refusal(error)) from None
    records = _records(request, plan_id)
    if name not in records:
        raise HTTPException(404, f"Planen har intet afsnit med filnavnet {name}.")
    view = overview(request, plan_id)
    findings = prose_findings(view, {**{n: r.text for n, r in records.items()}, name: text}).get(name, [])
    preview, filled = preview_html(view, name, text)
    context = {
        "plan_id": plan_id,
        "name": name,
        "preview": preview,
        "filled": filled,
        "findings": [_finding_view(f) for f in findings],
    }
    data = {"navn": name, "html": str(preview), "fund": [f.to_dict() for f in findings]}
    return respond(request, "_tekst_visning.html", context, data=data)


def _checked(text: str) -> str:
    """The text, refused when far too long for a section."""
    if len(text) > MAX_TEXT:
        shown = danish.number(len(text), 0)
        limit = danish.number(MAX_TEXT, 0)
        raise ValidationFailed({"tekst": f"Teksten er for lang ({shown} tegn); et afsnit må højst have {limit} tegn."})
    return text


def refusal(error: ValidationFailed) -> str:
    """The store's refusal with the reason of each field (the summary alone names none)."""
    return " ".join([str(error), *error.errors.values()])

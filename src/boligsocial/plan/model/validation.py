"""The plan-level check: cross-references and uniqueness, each problem with its location.

`structural_problems` is what `Helhedsplan` raises as one `PLAN_REFERENCE_ERROR` on loading; the
problems come in the order of the plan file (organisations, afdelinger, omraader, indsatsomraader,
indicators), so the messages read top to bottom.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from boligsocial.plan.indicators import Catalogue, Definition, Retning, active_catalogue
from boligsocial.plan.model.areas import AfdelingRef
from boligsocial.plan.model.indicator import Indikator
from boligsocial.plan.model.values import Loc, name_key, quote_list

if TYPE_CHECKING:
    from boligsocial.plan.model.plan import Helhedsplan

Problem = tuple[Loc, str]
Add = Callable[[Problem], None]


def structural_problems(plan: Helhedsplan) -> list[Problem]:
    """Cross-reference and uniqueness errors, each with its location. Empty for a valid plan."""
    problems: list[Problem] = []
    add = problems.append
    _organisation_problems(plan, add)
    _afdeling_problems(plan, add)
    _afdeling_alias_problems(plan, add)
    _omraade_problems(plan, add)
    _theme_problems(plan, add)
    _indikator_problems(plan, add)
    return problems


def _organisation_problems(plan: Helhedsplan, add: Add) -> None:
    """Kortnavn unique; an alias names no other organisation."""
    org_names: dict[str, int] = {}
    for i, org in enumerate(plan.boligorganisationer):
        if name_key(org.kortnavn) in org_names:
            add((("boligorganisationer", i, "kortnavn"), f'kortnavnet "{org.kortnavn}" er brugt før'))
        org_names.setdefault(name_key(org.kortnavn), i)
    other_names: dict[str, set[int]] = {}
    for i, org in enumerate(plan.boligorganisationer):
        for name in org.alle_navne:
            other_names.setdefault(name_key(name), set()).add(i)
    for i, org in enumerate(plan.boligorganisationer):
        for j, alias in enumerate(org.aliaser):
            if other_names.get(name_key(alias), set()) - {i}:
                add(
                    (
                        ("boligorganisationer", i, "aliaser", j),
                        f'aliaset "{alias}" er også navn eller alias for en anden boligorganisation',
                    )
                )


def _afdeling_problems(plan: Helhedsplan, add: Add) -> None:
    """The organisation exists; the name is unique within the organisation."""
    kortnavne = {org.kortnavn for org in plan.boligorganisationer}
    seen: dict[tuple[str, str], int] = {}
    for i, afd in enumerate(plan.afdelinger):
        if afd.boligorganisation not in kortnavne:
            add((("afdelinger", i, "boligorganisation"), unknown_org(plan, afd.boligorganisation)))
        ident = (afd.boligorganisation, name_key(afd.navn))
        if ident in seen:
            add(
                (
                    ("afdelinger", i, "navn"),
                    f'boligorganisationen "{afd.boligorganisation}" har allerede en afdeling ved navn '
                    f'"{afd.navn}" (nr. {seen[ident] + 1})',
                )
            )
        seen.setdefault(ident, i)


def _afdeling_alias_problems(plan: Helhedsplan, add: Add) -> None:
    """An alias is not the afdeling's own name, nor another afdeling's name or alias."""
    names: dict[str, set[int]] = {}
    for i, afd in enumerate(plan.afdelinger):
        names.setdefault(name_key(afd.navn), set()).add(i)
    alias_owner: dict[str, int] = {}
    for i, afd in enumerate(plan.afdelinger):
        for j, alias in enumerate(afd.aliaser):
            loc: Loc = ("afdelinger", i, "aliaser", j)
            k = name_key(alias)
            if k == name_key(afd.navn):
                add((loc, f'aliaset "{alias}" er det samme som afdelingens navn'))
            elif names.get(k, set()) - {i}:
                add((loc, f'aliaset "{alias}" er navnet på en anden afdeling'))
            elif k in alias_owner and alias_owner[k] != i:
                other_navn = plan.afdelinger[alias_owner[k]].navn
                add((loc, f'aliaset "{alias}" er også alias for afdelingen "{other_navn}"'))
            alias_owner.setdefault(k, i)


def _omraade_problems(plan: Helhedsplan, add: Add) -> None:
    """Names unique; each member afdeling exists and is named once."""
    omr_seen: set[str] = set()
    for i, omr in enumerate(plan.omraader):
        if name_key(omr.navn) in omr_seen:
            add((("omraader", i, "navn"), f'området "{omr.navn}" er nævnt før'))
        omr_seen.add(name_key(omr.navn))
        members: set[int] = set()
        for j, ref in enumerate(omr.afdelinger):
            index, message = resolve_index(plan, ref)
            if message is not None:
                add((("omraader", i, "afdelinger", j), message))
            elif index in members:
                add((("omraader", i, "afdelinger", j), f'afdelingen "{ref}" er nævnt to gange'))
            if index is not None:
                members.add(index)


def _theme_problems(plan: Helhedsplan, add: Add) -> None:
    """Indsatsomraader unique; the afdelinger they and the points of attention name exist."""
    ind_seen: set[str] = set()
    for i, ind in enumerate(plan.indsatsomraader):
        if ind.navn in ind_seen:
            add((("indsatsomraader", i, "navn"), f'indsatsområdet "{ind.navn}" er nævnt før'))
        ind_seen.add(ind.navn)
        _check_refs(plan, ("indsatsomraader", i, "afdelinger"), ind.afdelinger, add)
    for i, punkt in enumerate(plan.opmaerksomhedspunkter):
        _check_refs(plan, ("opmaerksomhedspunkter", i, "afdelinger"), punkt.afdelinger, add)


def _indikator_problems(plan: Helhedsplan, add: Add) -> None:
    """Ids unique, the indsatsomraade is the plan's, the afdelinger exist, and the targets fit."""
    indsatsomraader = {ind.navn for ind in plan.indsatsomraader}
    ids: set[str] = set()
    for i, indikator in enumerate(plan.indikatorer):
        if indikator.id in ids:
            add((("indikatorer", i, "id"), f'id "{indikator.id}" er brugt før'))
        ids.add(indikator.id)
        if indikator.indsatsomraade is not None and indikator.indsatsomraade not in indsatsomraader:
            add(
                (
                    ("indikatorer", i, "indsatsomraade"),
                    f'indsatsområdet "{indikator.indsatsomraade}" er ikke med i planens indsatsomraader',
                )
            )
        _check_refs(plan, ("indikatorer", i, "afdelinger"), indikator.afdelinger, add)
        _target_problems(plan, ("indikatorer", i), indikator, add)


# --------------------------------------------------------------------------------------------------
# An indicator's catalogue reference, value ranges, baseline, target and milestones


def _target_problems(plan: Helhedsplan, loc: Loc, indikator: Indikator, add: Add) -> None:
    """The catalogue reference, the value ranges and the years of baseline, target and milestones."""
    retning = indikator.retning
    if indikator.katalog is not None:
        definition_retning = _catalogue_problems(loc, indikator, indikator.katalog, add)
        retning = retning or definition_retning
    elif indikator.baseline is not None and indikator.baseline.katalog_version is not None:
        add(((*loc, "baseline", "katalog_version"), "baseline har en katalogversion, men indikatoren intet katalog"))
    if indikator.maal is not None:
        _maal_problems(plan, loc, indikator, retning, add)
    if indikator.baseline is not None and indikator.baseline.aar > plan.periode.start.year:
        add(
            (
                (*loc, "baseline", "aar"),
                f"baseline er fra {indikator.baseline.aar}, efter planens start ({plan.periode.start.year}); "
                "baseline er tallet på tilsagnstidspunktet",
            )
        )


def _catalogue_problems(loc: Loc, indikator: Indikator, katalog: str, add: Add) -> Retning | None:
    """Problems with the catalogue definition the indicator follows; its direction when it exists."""
    catalogue = active_catalogue()
    message = catalogue.problem(katalog, indikator.katalog_version)
    if message is not None:
        field = "katalog" if not catalogue.versions(katalog) else "katalog_version"
        add(((*loc, field), message))
        return None
    definition = catalogue.get(katalog, indikator.katalog_version)
    if definition.enhed != indikator.enhed.value:
        add(
            (
                (*loc, "enhed"),
                f'enheden "{indikator.enhed.value}" passer ikke med katalogets definition '
                f'{definition.ref} ("{definition.enhed}")',
            )
        )
    _range_problems(loc, indikator, definition, add)
    _baseline_version_problems(loc, indikator, katalog, catalogue, add)
    return definition.retning


def _range_problems(loc: Loc, indikator: Indikator, definition: Definition, add: Add) -> None:
    """Every value of the indicator lies in the range its definition allows."""
    values: list[tuple[Loc, Decimal]] = [
        *(((*loc, "maalinger", j, "vaerdi"), m.vaerdi) for j, m in enumerate(indikator.maalinger)),
        *(((*loc, "sammenligninger", j, "vaerdi"), s.vaerdi) for j, s in enumerate(indikator.sammenligninger)),
        *(((*loc, "milepaele", j, "vaerdi"), m.vaerdi) for j, m in enumerate(indikator.milepaele)),
    ]
    if indikator.baseline is not None:
        values.append(((*loc, "baseline", "vaerdi"), indikator.baseline.vaerdi))
    if indikator.maal is not None:
        values.append(((*loc, "maal", "vaerdi"), indikator.maal.vaerdi))
    for value_loc, value in values:
        out_of_range = definition.out_of_range(value)
        if out_of_range is not None:
            add((value_loc, out_of_range))


def _baseline_version_problems(loc: Loc, indikator: Indikator, katalog: str, catalogue: Catalogue, add: Add) -> None:
    """A baseline states the definition version it was computed with, and that version exists."""
    baseline = indikator.baseline
    if baseline is None:
        return
    if baseline.katalog_version is None:
        add(
            (
                (*loc, "baseline", "katalog_version"),
                "angiv den version af definitionen, som baseline er beregnet efter "
                f"(indikatoren følger version {indikator.katalog_version})",
            )
        )
        return
    message = catalogue.problem(katalog, baseline.katalog_version)
    if message is not None:
        add(((*loc, "baseline", "katalog_version"), message))


def _maal_problems(plan: Helhedsplan, loc: Loc, indikator: Indikator, retning: Retning | None, add: Add) -> None:
    """A target needs a direction other than "ingen", and it and its milestones lie in the period."""
    assert indikator.maal is not None
    if retning is None:
        add(((*loc, "retning"), "et mål kræver en retning: angiv katalog eller retning"))
    elif retning is Retning.INGEN:
        add(((*loc, "maal"), 'indikatoren er en kontekstindikator (retning "ingen") og kan ikke have et mål'))
    years = plan.periode.aar
    if indikator.maal.aar not in years:
        add(
            (
                (*loc, "maal", "aar"),
                f"målets år ({indikator.maal.aar}) ligger uden for planens periode ({years[0]}-{years[-1]})",
            )
        )
    for j, m in enumerate(indikator.milepaele):
        if m.aar not in years:
            add(
                (
                    (*loc, "milepaele", j, "aar"),
                    f"milepælens år ({m.aar}) ligger uden for planens periode ({years[0]}-{years[-1]})",
                )
            )


# --------------------------------------------------------------------------------------------------
# References to afdelinger and organisations


def unknown_org(plan: Helhedsplan, name: str) -> str:
    """The Danish message for a boligorganisation the plan does not have, with a hint."""
    message = f'boligorganisationen "{name}" findes ikke i planens boligorganisationer'
    match = plan.find_boligorganisation(name)
    if match is not None:
        return message + f'; brug kortnavnet "{match.kortnavn}"'
    known = quote_list(org.kortnavn for org in plan.boligorganisationer)
    return message + (f" (kendte kortnavne: {known})" if known else "")


def _check_refs(plan: Helhedsplan, loc: Loc, refs: list[AfdelingRef], add: Add) -> None:
    for j, ref in enumerate(refs):
        _, message = resolve_index(plan, ref)
        if message is not None:
            add(((*loc, j), message))


def resolve_index(plan: Helhedsplan, ref: AfdelingRef) -> tuple[int | None, str | None]:
    """Index of the afdeling a reference points to, or a Danish error message."""
    if ref.boligorganisation is not None and ref.boligorganisation not in {
        o.kortnavn for o in plan.boligorganisationer
    }:
        return None, unknown_org(plan, ref.boligorganisation)
    hits = [
        i
        for i, afd in enumerate(plan.afdelinger)
        if afd.navn == ref.afdeling
        and (ref.boligorganisation is None or afd.boligorganisation == ref.boligorganisation)
    ]
    if len(hits) == 1:
        return hits[0], None
    if len(hits) > 1:
        orgs = quote_list(plan.afdelinger[i].boligorganisation for i in hits)
        return None, (f'der er flere afdelinger ved navn "{ref.afdeling}" (i {orgs}); angiv boligorganisation')
    message = f'afdelingen "{ref}" findes ikke i planens afdelinger'
    try:
        candidate = plan.find_afdeling(ref.afdeling, ref.boligorganisation)
    except LookupError:
        candidate = None
    if candidate is not None:
        message += f'; brug navnet "{candidate.navn}"'
    return None, message

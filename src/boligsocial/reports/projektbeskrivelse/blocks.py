"""The projektbeskrivelse's blocks drawn from the plan itself: the department list
(`{{ afdelingsliste }}`), partners (`{{ partnere }}`), fora (`{{ fora }}`), the quoted indicators
(`{{ indikatorer }}`) and the organisation diagram (`{{ organisationsdiagram }}`)."""

from __future__ import annotations

from boligsocial.danish import number
from boligsocial.plan.model import AfdelingStatus, Forum, Helhedsplan, Indikator, Partner
from boligsocial.reports.charts.org import org_diagram
from boligsocial.reports.document import (
    Block,
    BulletList,
    Cell,
    Column,
    Figure,
    Inline,
    ListItem,
    Paragraph,
    Row,
    RowKind,
    Table,
    Text,
)
from boligsocial.reports.wording import format_maaling, join_da, lower_first, unit_suffix

__all__ = ["afdelingsliste", "fora", "indikatorer", "organisationsdiagram", "partnere"]


def afdelingsliste(plan: Helhedsplan) -> list[Block]:
    """The departments per housing organisation with dwellings, subtotals and the grand total;
    conditional departments marked, with their condition in a note under the table."""
    conditions: dict[str, str] = {}  # condition text -> marker
    for afd in plan.afdelinger_betinget:
        key = (afd.betingelse or "").strip()
        conditions.setdefault(key, "*" * (len(conditions) + 1))

    def marker(afd_status: AfdelingStatus, betingelse: str | None) -> str:
        if afd_status is not AfdelingStatus.BETINGET:
            return ""
        return conditions[(betingelse or "").strip()]

    header = Row(
        (
            Cell((Text("Boligorganisation"),)),
            Cell((Text("Afdelinger (lejeboliger)"),)),
            Cell((Text("Afd."),)),
            Cell((Text("Lejeboliger"),)),
        ),
        RowKind.HEADER,
    )
    rows = [header]
    names = {org.kortnavn: org.navn for org in plan.boligorganisationer}
    for kortnavn, afdelinger in plan.afdelinger_by_boligorganisation().items():
        if not afdelinger:
            continue
        listed = ", ".join(f"{a.navn}{marker(a.status, a.betingelse)} ({number(a.boliger, 0)})" for a in afdelinger)
        rows.append(
            Row(
                (
                    Cell((Text(names.get(kortnavn, kortnavn)),), bold=True),
                    Cell((Text(listed),)),
                    Cell((Text(number(len(afdelinger), 0)),)),
                    Cell((Text(number(sum(a.boliger for a in afdelinger), 0)),)),
                )
            )
        )
    i_plan, betinget = plan.afdelinger_i_plan, plan.afdelinger_betinget
    detail = ""
    if betinget:
        detail = (
            f"heraf {number(len(i_plan), 0)} afdelinger med {number(sum(a.boliger for a in i_plan), 0)} lejeboliger "
            f"i helhedsplanen i dag og {number(len(betinget), 0)} med "
            f"{number(sum(a.boliger for a in betinget), 0)} lejeboliger med betinget deltagelse"
        )
    rows.append(
        Row(
            (
                Cell((Text("I alt"),), bold=True),
                Cell((Text(detail),)),
                Cell((Text(number(len(plan.afdelinger), 0)),), bold=True),
                Cell((Text(number(plan.total_boliger, 0)),), bold=True),
            ),
            RowKind.TOTAL,
        )
    )
    notes: list[tuple[Inline, ...]] = []
    for condition, mark in conditions.items():
        text = condition or "betingelsen er ikke angivet i planen."
        notes.append((Text(f"{mark} Betinget deltagelse: ", bold=True), Text(text)))
    table = Table(
        key="afdelingsliste",
        columns=(Column(2.9), Column(11.4), Column(1.0, "right"), Column(1.7, "right")),
        rows=tuple(rows),
        notes=tuple(notes),
    )
    return [table]


def partnere(plan: Helhedsplan) -> list[Block]:
    """The partners per group as lead paragraph + bullets, then the ungrouped ones in one sentence."""
    blocks: list[Block] = []
    groups: dict[str, list[Partner]] = {}
    others: list[Partner] = []
    for partner in plan.partnere:
        if partner.gruppe:
            groups.setdefault(partner.gruppe, []).append(partner)
        else:
            others.append(partner)
    for gruppe, members in groups.items():
        blocks.append(Paragraph((Text(f"{gruppe}, herunder:"),), style="lead"))
        items: list[ListItem] = []
        for partner in members:
            name = partner.navn
            listed = [m for m in partner.medlemmer if m.casefold() not in name.casefold()]
            if listed and len(listed) == len(partner.medlemmer):
                name += f" ({', '.join(partner.medlemmer)})"
            content: list[Inline] = [Text(name + (":" if partner.bidrag else ""), bold=True)]
            if partner.bidrag:
                content.append(Text(" " + partner.bidrag))
            items.append(ListItem(tuple(content)))
        blocks.append(BulletList(tuple(items)))
    if others:
        names = [p.navn if i == 0 else lower_first(p.navn) for i, p in enumerate(others)]
        lead = (
            "Derudover vil helhedsplanen blandt andet samarbejde med " if groups else "Helhedsplanen samarbejder med "
        )
        blocks.append(Paragraph((Text(lead + join_da(names, "samt") + "."),)))
        with_bidrag = [p for p in others if p.bidrag]
        if with_bidrag:
            blocks.append(
                BulletList(
                    tuple(ListItem((Text(p.navn + ":", bold=True), Text(" " + (p.bidrag or "")))) for p in with_bidrag)
                )
            )
    return blocks


def _forum_name(forum: Forum) -> str:
    name = forum.navn
    if forum.forkortelse and forum.forkortelse not in name:
        name += f" ({forum.forkortelse})"
    return name


def fora(plan: Helhedsplan) -> list[Block]:
    """The organisation's bodies as bullets: name, responsibility, participants and meetings."""
    if plan.organisation is None or not plan.organisation.fora:
        return []
    items: list[ListItem] = []
    for forum in plan.organisation.fora:
        content: list[Inline] = [Text(_forum_name(forum) + ":", bold=True)]
        if forum.er_bestyrelse:
            content = [Text(_forum_name(forum), bold=True), Text(" (den boligsociale bestyrelse):", italic=True)]
        parts: list[str] = []
        if forum.ansvar:
            parts.append(forum.ansvar.strip())
        if forum.deltagere:
            parts.append(f"Deltagere: {join_da([lower_first(d) for d in forum.deltagere])}.")
        if forum.moedefrekvens:
            parts.append(f"Mødes {forum.moedefrekvens}.")
        if parts:
            content.append(Text(" " + " ".join(parts)))
        items.append(ListItem(tuple(content)))
    return [BulletList(tuple(items))]


def _format_series(indikator: Indikator) -> str:
    parts = []
    for m in sorted(indikator.maalinger, key=lambda m: m.aar or 0):
        text = format_maaling(m, indikator.enhed) + unit_suffix(indikator.enhed)
        if m.aar:
            text += f" ({m.aar}" + (f"-{m.til_aar}" if m.til_aar else "") + ")"
        parts.append(text)
    return " → ".join(parts) or "-"


def indikatorer(plan: Helhedsplan, argument: str | None) -> list[Block]:
    """A compact table of quoted indicators with their comparison figures and sources."""
    selected: list[Indikator] = []
    if argument:
        for item in (part.strip() for part in argument.split(",")):
            indsatsomraade = plan.find_indsatsomraade(item)
            found = plan.indikatorer_for(indsatsomraade.navn) if indsatsomraade else []
            single = plan.find_indikator(item)
            for indikator in [*found, *([single] if single else [])]:
                if indikator not in selected:
                    selected.append(indikator)
    else:
        selected = list(plan.indikatorer)
    if not selected:
        return []
    rows = [
        Row(
            tuple(Cell((Text(h),)) for h in ("Indikator", "Gælder", "Værdi", "Sammenligning", "Kilde")),
            RowKind.HEADER,
        )
    ]
    for indikator in selected:
        comparisons = "; ".join(
            f"{s.betegnelse}: {format_maaling(s, indikator.enhed)}{unit_suffix(indikator.enhed)}"
            + (f" ({s.aar})" if s.aar else "")
            for s in indikator.sammenligninger
        )
        sources = list(
            dict.fromkeys([k for k in [indikator.kilde, *(s.kilde for s in indikator.sammenligninger)] if k])
        )
        rows.append(
            Row(
                (
                    Cell((Text(indikator.navn),)),
                    Cell((Text(indikator.gaelder),)),
                    Cell((Text(_format_series(indikator)),)),
                    Cell((Text(comparisons or "-"),)),
                    Cell((Text("; ".join(sources) or "ikke angivet"),)),
                )
            )
        )
    return [
        Table(
            key="indikatorer",
            columns=(Column(4.6), Column(2.6), Column(3.0), Column(3.8), Column(2.6)),
            rows=tuple(rows),
            small=True,
        )
    ]


def organisationsdiagram(plan: Helhedsplan) -> list[Block]:
    """The organisation diagram (`boligsocial.reports.charts.org.org_diagram`) as a figure."""
    organisation = plan.organisation
    if organisation is None or not (organisation.fora or organisation.team):
        return []
    try:
        chart = org_diagram(plan)
    except ValueError:  # nothing to draw
        return []
    caption = (Text(f"Figur 1. Organiseringen af {plan.navn}."),)
    return [Figure(key="organisationsdiagram", source=chart, caption=caption, width_cm=12.0)]

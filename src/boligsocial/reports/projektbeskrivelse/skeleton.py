"""The projektbeskrivelse's prose when a plan folder has no `tekst/`: a Markdown skeleton under
the guideline's three headings, from the plan's structured texts and with the data placeholders
in place."""

from __future__ import annotations

from boligsocial.plan.model import Helhedsplan, Indsatsomraade, Opmaerksomhedspunkt

__all__ = ["GUIDELINE_SECTIONS", "default_prose"]

GUIDELINE_SECTIONS: tuple[str, str, str] = (
    "1. Afdelingens/boligområdets problemkompleks, herunder målgrupper og problematikker, der bør adresseres i "
    "den planlagte indsats. De påtænkte indsatser skal holde sig inden for de fire indsatsområder *Uddannelse og "
    "livschancer, Beskæftigelse, Kriminalitetsforebyggelse og Sammenhængskraft og medborgerskab*.",
    "2. Hvilke samarbejdspartnere der ud fra en lokal vurdering bør involveres i indsatsen i boligområdet, "
    "herunder de enkelte samarbejdspartneres bidrag såvel inden for som uden for helhedsplanens rammer.",
    "3. Overvejelser om organiseringen, herunder den boligsociale bestyrelse, lokale styre-/følgegrupper og evt. "
    "politiske fora.",
)
"""The three sections LBF's guideline asks the kortfattet projektbeskrivelse to cover (Markdown)."""


def _md_text(text: str | None) -> str:
    return (text or "").strip().replace("{{", "{ {")


def _theme_prose(plan: Helhedsplan, tema: Indsatsomraade | Opmaerksomhedspunkt) -> list[str]:
    """A theme's heading, description, target groups and problems, and its quoted indicators."""
    out = [f"### {tema.navn}", ""]
    if tema.beskrivelse:
        out += [_md_text(tema.beskrivelse), ""]
    for title, entries in (("Målgrupper", tema.maalgrupper), ("Problemstillinger", tema.problemstillinger)):
        if entries:
            out += [f"**{title}:**", ""] + [f"- {_md_text(e)}" for e in entries] + [""]
    if tema in plan.indsatsomraader and plan.indikatorer_for(tema.navn):
        out += [f"{{{{ indikatorer: {tema.navn} }}}}", ""]
    return out


def _organisation_prose(plan: Helhedsplan) -> list[str]:
    if plan.organisation is None:
        return []
    out: list[str] = []
    if plan.organisation.beskrivelse:
        out += [_md_text(plan.organisation.beskrivelse), ""]
    out += ["{{ fora }}", "", "{{ organisationsdiagram }}", ""]
    team = plan.organisation.team
    if team is not None and team.beskrivelse:
        out += ["## Lokalt boligsocialt team", "", _md_text(team.beskrivelse), ""]
    return out


def default_prose(plan: Helhedsplan) -> str:
    """A Markdown skeleton from the plan's structured texts, used when the folder has no `tekst/`."""
    out: list[str] = [f"# {GUIDELINE_SECTIONS[0]}", ""]
    out += [
        "{{ ansoeger }} søger om støtte til den boligsociale helhedsplan {{ navn }} i perioden {{ periode }}. "
        "Der søges om at få prækvalificeret følgende {{ antal_afdelinger }} afdelinger med tilsammen "
        "{{ boliger_i_alt }} lejeboliger:",
        "",
        "{{ afdelingsliste }}",
        "",
    ]
    if plan.baggrund:
        out += [_md_text(plan.baggrund), ""]
    out += ["## Kriterierne for områdelisterne", ""]
    if plan.kriterier_tekst:
        out += [_md_text(plan.kriterier_tekst), ""]
    out += ["{{ kriterietabel }}", ""]
    if plan.indsatsomraader:
        out += ["## Indsatsområderne i den boligsociale helhedsplan", ""]
    for tema in plan.indsatsomraader:
        out += _theme_prose(plan, tema)
    if plan.opmaerksomhedspunkter:
        out += ["## Øvrige opmærksomhedspunkter", ""]
    for punkt in plan.opmaerksomhedspunkter:
        out += _theme_prose(plan, punkt)
    out += [f"# {GUIDELINE_SECTIONS[1]}", "", "{{ partnere }}", ""]
    out += [f"# {GUIDELINE_SECTIONS[2]}", ""]
    out += _organisation_prose(plan)
    return "\n".join(out)

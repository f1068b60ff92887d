"""BS301-BS304: claims that a unit is (or is not) on a statutory list, checked against the law.

Claims come from the plan (`oplyst_paa_lister` on afdelinger and omraader) and from the text
("Folehaven og Sjælør Boulevard fremgår på listen over forebyggelsesområder"). A claim the
verdict contradicts is an error; one the verdict leaves undetermined (suppressed figures) is a
warning. An afdeling's claim also holds when an area it belongs to is on the list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from boligsocial.law.verdicts import ListResult, Status, UnitResult
from boligsocial.law.vocabulary import LIST_PLURAL_DA
from boligsocial.plan.model import Afdeling, Liste, Omraade
from boligsocial.reports.lint.common import LintInput, Passage, Place, finding, fmt
from boligsocial.reports.lint.findings import Finding

__all__ = ["ListClaim", "check_lists", "find_list_claims"]

_SUFFIX = r"(?:r|rne|t|s)?"
_LIST_NAMES: list[tuple[Liste, str]] = [
    (Liste.OMDANNELSESOMRAADE, rf"hårde?t?\s+ghetto(?:område{_SUFFIX}|listen)"),
    (Liste.OMDANNELSESOMRAADE, rf"omdannelses(?:område{_SUFFIX}|listen)"),
    (Liste.UDSAT_BOLIGOMRAADE, rf"udsat(?:te)?\s+(?:almene?\s+)?boligområde{_SUFFIX}"),
    (Liste.PARALLELSAMFUND, r"parallelsamfund(?:et|ene|s)?(?:listen)?"),
    (Liste.PARALLELSAMFUND, rf"ghetto(?:område{_SUFFIX}|listen)"),
    (Liste.FOREBYGGELSESOMRAADE, rf"forebyggelses(?:område{_SUFFIX}|listen)"),
]
_LIST = "|".join(f"(?P<l{i}>{pattern})" for i, (_, pattern) in enumerate(_LIST_NAMES))
_ADVERBS = r"(?P<adv>(?:\s+(?:stadig|fortsat|nu|i\s+dag|også|desuden|derfor|igen|ikke|aktuelt|allerede))*)"
_OWNERS = r"(?:(?:den|regeringens|ministeriets|statens|seneste|nye|aktuelle|officielle|nyeste)\s+){0,3}"
# NAMES <verb> [adverbs] på/af/i [den ...] [listen over] <list>   |   NAMES er [ikke] [et] [udpeget som] <list>
_FORWARD = re.compile(
    r"(?<![\wæøå])(?P<verb>fremgår|står|er|optræder|figurerer|indgår|findes)"
    + _ADVERBS
    + r"\s+(?:(?:på|af|i|blandt)\s+"
    + _OWNERS
    + r"(?:(?:liste(?:n)?|listerne)\s+(?:over|med)\s+)?"
    + r"|(?:(?:et|en)\s+)?(?:(?:udpeget|opført|optaget|registreret|kategoriseret)\s+(?:som\s+)?)?)"
    + rf"(?:{_LIST})(?![\wæøå])",
    re.IGNORECASE,
)
# [på] listen over <list> står/er/findes/omfatter NAMES
_BACKWARD = re.compile(
    rf"(?<![\wæøå])(?:listen|listerne)\s+over\s+(?:{_LIST})\s+(?P<verb>står|er|findes|omfatter|indeholder|rummer|tæller)"
    r"(?P<adv>(?:\s+(?:også|fortsat|stadig|nu|i\s+dag))*)\s+",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"(?:\s*(?:,|og|samt|både|&)\s*)+|\s+", re.IGNORECASE)
_FOOTNOTE = re.compile(r"[\s¹²³⁴⁵⁶⁷⁸⁹⁰*¤]+$")
_CONDITIONAL = re.compile(r"(?<![\wæøå])(?:hvis|såfremt|om|når|ville|kunne|skulle)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class ListClaim:
    names: tuple[str, ...]  # as written in the text
    liste: Liste
    on_list: bool  # False for "fremgår ikke af listen"
    text: str
    position: int


def _list_of(match: re.Match[str]) -> Liste:
    for i, (liste, _) in enumerate(_LIST_NAMES):
        if match.group(f"l{i}"):
            return liste
    raise AssertionError("no list matched")  # pragma: no cover


def _names_before(text: str, end: int, names: list[str]) -> tuple[list[str], int]:
    """Known names written right before `end`, joined by commas, "og", "samt"; and where they start."""
    found: list[str] = []
    position = end
    while True:
        head = _FOOTNOTE.sub("", text[:position])
        match = next(
            (
                n
                for n in names
                if head.casefold().endswith(n.casefold()) and not _is_word_char(head, len(head) - len(n) - 1)
            ),
            None,
        )
        if match is None:
            return found, position
        found.insert(0, head[len(head) - len(match) :])
        position = len(head) - len(match)
        separator = re.search(r"(?:\s*(?:,|\bog\b|\bsamt\b|&)\s*)$", text[:position], re.IGNORECASE)
        if separator is None:
            return found, position
        before = text[: separator.start()]
        if not any(before.casefold().endswith(n.casefold()) for n in names):
            return found, position
        position = separator.start()


def _names_after(text: str, start: int, names: list[str]) -> list[str]:
    found: list[str] = []
    position = start
    while True:
        tail = text[position:]
        match = next(
            (n for n in names if tail.casefold().startswith(n.casefold()) and not _is_word_char(tail, len(n))),
            None,
        )
        if match is None:
            return found
        found.append(tail[: len(match)])
        position += len(match)
        separator = _SEPARATOR.match(text, position)
        if separator is None or not re.search(r",|og|samt|&", separator.group(0), re.IGNORECASE):
            return found
        position = separator.end()


def _is_word_char(text: str, index: int) -> bool:
    return 0 <= index < len(text) and (text[index].isalnum() or text[index] == "_")


def find_list_claims(text: str, names: list[str]) -> list[ListClaim]:
    """Claims in a text that named units are (or are not) on a list. `names` are the unit names to
    recognise; longer names are tried first."""
    ordered = sorted(set(names), key=len, reverse=True)
    claims: list[ListClaim] = []
    for match in _FORWARD.finditer(text):
        found, start = _names_before(text, match.start(), ordered)
        if not found or _CONDITIONAL.search(text, max(0, start - 12), start):
            continue
        negated = "ikke" in match.group("adv").casefold()
        claims.append(ListClaim(tuple(found), _list_of(match), not negated, text[start : match.end()], start))
    for match in _BACKWARD.finditer(text):
        found = _names_after(text, match.end(), ordered)
        if found:
            claims.append(
                ListClaim(tuple(found), _list_of(match), True, match.group(0) + ", ".join(found), match.start())
            )
    return claims


# ---- evaluation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Verdict:
    status: Status
    why: str  # Danish explanation of the status
    exists: bool = True


def _reasons(result: ListResult) -> str:
    return "; ".join(result.reasons)


def _unit_status(unit: UnitResult, liste: Liste) -> ListResult | None:
    return unit.lists.get(liste.value)


def _afdeling_verdict(inp: LintInput, afdeling: Afdeling, liste: Liste) -> _Verdict:
    unit = inp.verdict(afdeling)
    if unit is None:
        return _Verdict(None, "afdelingen findes ikke i nøgletallene, så påstanden kan ikke kontrolleres")
    result = _unit_status(unit, liste)
    if result is None:
        return _Verdict(None, "", exists=False)
    if result.status is not True:
        for omraade in inp.plan.omraader:
            if any(
                a is afdeling
                for ref in omraade.afdelinger
                for a in inp.plan.find_afdelinger(ref.afdeling, ref.boligorganisation)
            ):
                area = inp.area_verdict(omraade.navn)
                area_result = _unit_status(area, liste) if area is not None else None
                if area_result is not None and area_result.status is True:
                    return _Verdict(True, f'området "{omraade.navn}", som afdelingen hører til, er på listen')
    if result.status is False and unit.eligible is False:
        residents = f"{fmt(unit.residents)} beboere" if unit.residents is not None else "under 1.000 beboere"
        why = f"afdelingen har {residents} og er derfor ikke selv et boligområde efter loven"
        if unit.as_area and unit.as_area.get(liste.value) is True:
            why += " (som område ville den opfylde kriterierne)"
        return _Verdict(False, why)
    return _Verdict(result.status, _reasons(result))


def _omraade_verdict(inp: LintInput, omraade: Omraade, liste: Liste) -> _Verdict:
    unit = inp.area_verdict(omraade.navn)
    if unit is None:
        return _Verdict(
            None,
            f'området "{omraade.navn}" findes ikke i nøgletallene (kolonnen omraade), '
            "så påstanden kan ikke kontrolleres",
        )
    result = _unit_status(unit, liste)
    if result is None:
        return _Verdict(None, "", exists=False)
    return _Verdict(result.status, _reasons(result))


def _judge(inp: LintInput, what: str, liste: Liste, claimed: bool, verdict: _Verdict, place: Place) -> Finding | None:
    assert inp.result is not None
    year = inp.result.list_year
    listname = f"listen over {LIST_PLURAL_DA[liste]}"
    claim = f"{what} {'er' if claimed else 'er ikke'} på {listname}"
    if not verdict.exists:
        return finding(
            "BS303",
            f"Der står, at {claim}, men den liste fandtes ikke i listeår {year} ({inp.result.rule_set}).",
            place,
        )
    if verdict.status is None:
        return finding(
            "BS302",
            f"Der står, at {claim}, men det kan ikke afgøres ud fra nøgletallene for listeår {year}: {verdict.why}.",
            place,
        )
    if verdict.status != claimed:
        actual = "er den på listen" if verdict.status else "er den ikke på listen"
        return finding(
            "BS301",
            f"Der står, at {claim}, men ifølge lovens kriterier for listeår {year} {actual}: {verdict.why}.",
            place,
        )
    return None


def _lookup(inp: LintInput, name: str) -> tuple[list[Omraade], list[Afdeling]]:
    omraader = [o for o in inp.plan.omraader if o.navn.casefold() == name.casefold()]
    return omraader, inp.plan.find_afdelinger(name)


def _structured_claims(inp: LintInput) -> list[Finding]:
    """The plan's own `oplyst_paa_lister` on afdelinger and omraader."""
    plan = inp.plan
    out: list[Finding] = []
    for i, afdeling in enumerate(plan.afdelinger):
        for j, liste in enumerate(afdeling.oplyst_paa_lister):
            what = f'afdelingen "{afdeling.navn}" ({afdeling.boligorganisation})'
            verdict = _afdeling_verdict(inp, afdeling, liste)
            found = _judge(inp, what, liste, True, verdict, inp.at(("afdelinger", i, "oplyst_paa_lister", j)))
            if found is not None:
                out.append(found)
    for i, omraade in enumerate(plan.omraader):
        for j, liste in enumerate(omraade.oplyst_paa_lister):
            verdict = _omraade_verdict(inp, omraade, liste)
            found = _judge(
                inp, f'området "{omraade.navn}"', liste, True, verdict, inp.at(("omraader", i, "oplyst_paa_lister", j))
            )
            if found is not None:
                out.append(found)
    return out


def _unit_names(inp: LintInput) -> list[str]:
    """The names a text may use for the plan's units: areas, afdelinger, their aliases and the
    misspellings the plan itself corrects."""
    plan = inp.plan
    names = [o.navn for o in plan.omraader]
    for afdeling in plan.afdelinger:
        names += [afdeling.navn, *afdeling.aliaser]
    names += [r.original for r in plan.rettelser if plan.find_afdelinger(r.original)]
    return names


def _judge_name(inp: LintInput, claim: ListClaim, name: str, place: Place) -> Finding | None:
    """One unit named in a claim in the text: the area(s) and afdeling(er) the name may mean."""
    omraader, afdelinger = _lookup(inp, name)
    canonical = {o.navn for o in omraader} | {a.navn for a in afdelinger}
    written = "" if name in canonical else f', skrevet "{name}"'
    candidates: list[tuple[str, _Verdict]] = [
        (f'området "{o.navn}"{written}', _omraade_verdict(inp, o, claim.liste)) for o in omraader
    ] + [
        (f'afdelingen "{a.navn}" ({a.boligorganisation}{written})', _afdeling_verdict(inp, a, claim.liste))
        for a in afdelinger
    ]
    if not candidates:
        return None
    # A name shared by an area and an afdeling ("Sjælør Boulevard") is right if either reading is.
    if any(v.exists and v.status is claim.on_list for _, v in candidates):
        return None
    what, verdict = candidates[0]
    return _judge(inp, what, claim.liste, claim.on_list, verdict, place)


def _text_claims(inp: LintInput, passages: list[Passage]) -> list[Finding]:
    names = _unit_names(inp)
    out: list[Finding] = []
    for passage in passages:
        for claim in find_list_claims(passage.text, names):
            place = passage.place(claim.position)
            for name in claim.names:
                found = _judge_name(inp, claim, name, place)
                if found is not None:
                    out.append(found)
    return out


def _unclaimed_units(inp: LintInput) -> list[Finding]:
    """Units on a list that the plan does not say are."""
    plan = inp.plan
    out: list[Finding] = []
    for i, afdeling in enumerate(plan.afdelinger):
        unit = inp.verdict(afdeling)
        if unit is not None:
            out += _unclaimed(
                inp,
                f'Afdelingen "{afdeling.navn}" ({afdeling.boligorganisation})',
                unit,
                afdeling.oplyst_paa_lister,
                ("afdelinger", i),
            )
    for i, omraade in enumerate(plan.omraader):
        unit = inp.area_verdict(omraade.navn)
        if unit is not None:
            out += _unclaimed(inp, f'Området "{omraade.navn}"', unit, omraade.oplyst_paa_lister, ("omraader", i))
    return out


def check_lists(inp: LintInput, passages: list[Passage]) -> list[Finding]:
    if inp.result is None:
        return []
    return _structured_claims(inp) + _text_claims(inp, passages) + _unclaimed_units(inp)


def _unclaimed(
    inp: LintInput, what: str, unit: UnitResult, claimed: list[Liste], loc: tuple[str, int]
) -> list[Finding]:
    assert inp.result is not None
    out: list[Finding] = []
    for liste in Liste:
        result = unit.lists.get(liste.value)
        if result is not None and result.status is True and liste not in claimed:
            out.append(
                finding(
                    "BS304",
                    f"{what} er på listen over {LIST_PLURAL_DA[liste]} ifølge lovens kriterier for listeår "
                    f"{inp.result.list_year}, men planen oplyser det ikke. "
                    f'Tilføj "{liste.value}" til oplyst_paa_lister, og nævn det i ansøgningen: '
                    "områder på listerne prioriteres.",
                    inp.at(loc),
                )
            )
    return out

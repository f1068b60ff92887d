"""The structured sections of a plan that are edited as a whole in the browser: what each holds
(`SECTIONS`: fields with Danish labels and kinds, which a form can be rendered from), a
section's current value as JSON-able data (`section_value`), and the Danish message of a refused
value, naming the row and the field (`problem_messages`).

A section's value has the shape of `helhedsplan.toml`, with three differences that make it easy
to edit: numbers are texts with decimal comma ("8,21", what the plan file accepts), rows of
organisations and afdelinger carry their database `id` (so a rename keeps the row and its key
figures), `forkortelser` is a list of rows (`forkortelse`, `betydning`), and the indicator targets
(`maalstyring`) are one row per indicator (`id`, `navn` (shown only), `retning`, `baseline`,
`maal`, `milepaele`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, Final

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from boligsocial.law.vocabulary import list_title_da
from boligsocial.plan.indicators import Retning
from boligsocial.plan.model import (
    INDSATSOMRAADER,
    PLAN_REFERENCE_ERROR,
    AfdelingStatus,
    FinansieringKilde,
    ForumNiveau,
    Helhedsplan,
    Liste,
    Loc,
)

__all__ = [
    "SECTIONS",
    "STAMDATA_KEYS",
    "EditField",
    "EditSection",
    "EditTable",
    "SectionRecord",
    "jsonable",
    "problem_messages",
    "section_value",
]

STAMDATA_KEYS: Final = (
    "navn",
    "kommune",
    "ansoeger",
    "periode",
    "liste_aar",
    "beboere_dato",
    "baggrund",
    "kriterier_tekst",
)


@dataclass(frozen=True)
class EditField:
    """One field of a section. `name` is its key (dotted for a nested object: "periode.start").
    `kind`: "text", "textarea", "lines" (a list of texts, one per line), "refs" (afdelinger, one
    per line: "navn" or "kortnavn: navn"), "milepaele" (one per line: "2026: 7,8"), "int", "year",
    "number", "date", "bool", "select", "choices" (several of `options`), "hidden", "readonly".
    `options` are (value, Danish label); `options_from` names options the plan supplies
    ("boligorganisationer")."""

    name: str
    label: str
    kind: str = "text"
    options: tuple[tuple[str, str], ...] = ()
    options_from: str | None = None


@dataclass(frozen=True)
class EditTable:
    """A list of rows inside a section: `key` is its dotted place in the section's value ("" when
    the section is the list itself); `row_label` names one row in messages ("Afdeling 3")."""

    key: str
    title: str
    row_label: str
    fields: tuple[EditField, ...]
    fixed: bool = False  # rows cannot be added or removed (one per indicator)


@dataclass(frozen=True)
class EditSection:
    name: str
    title: str
    description: str
    fields: tuple[EditField, ...] = ()  # a section that is an object: its own fields
    tables: tuple[EditTable, ...] = ()
    is_list: bool = False  # the value is the list of `tables[0]`
    optional: bool = False  # the value may be null (no organisation, no budget)


@dataclass(frozen=True)
class SectionRecord:
    """A section's value (JSON-able, see the module docstring) and the plan's version, which the
    form carries back as `expected_version`."""

    name: str
    value: Any
    version: int


def _opts(enum: Iterable[Enum], labels: Mapping[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    return tuple((str(e.value), (labels or {}).get(str(e.value), str(e.value))) for e in enum)


_LISTER: Final = tuple((str(liste.value), list_title_da(str(liste.value))) for liste in Liste)
_NOTER = EditField("noter", "Noter", "lines")
_THEME_FIELDS: Final = (
    EditField("beskrivelse", "Beskrivelse", "textarea"),
    EditField("fokusomraader", "Fokusområder", "lines"),
    EditField("maalgrupper", "Målgrupper", "lines"),
    EditField("problemstillinger", "Problemstillinger", "lines"),
    EditField("indsatser", "Indsatser", "lines"),
    EditField("afdelinger", "Afdelinger", "refs"),
    _NOTER,
)

SECTIONS: Final[dict[str, EditSection]] = {
    s.name: s
    for s in (
        EditSection(
            "stamdata",
            "Stamdata",
            "Planens navn, kommune, ansøger, periode, listeår og de indledende tekster.",
            fields=(
                EditField("navn", "Navn"),
                EditField("kommune", "Kommune"),
                EditField("ansoeger", "Ansøger"),
                EditField("periode.start", "Periodens start", "date"),
                EditField("periode.slut", "Periodens slut", "date"),
                EditField("liste_aar", "Listeår", "year"),
                EditField("beboere_dato", "Beboertal pr.", "date"),
                EditField("baggrund", "Baggrund", "textarea"),
                EditField("kriterier_tekst", "Tekst om kriterierne", "textarea"),
            ),
        ),
        EditSection(
            "boligorganisationer",
            "Boligorganisationer",
            "Kortnavnet er det navn, afdelingerne og nøgletalsfilen bruger; ændres det, følger afdelingerne med.",
            tables=(
                EditTable(
                    "",
                    "Boligorganisationer",
                    "Boligorganisation",
                    (
                        EditField("id", "", "hidden"),
                        EditField("kortnavn", "Kortnavn"),
                        EditField("navn", "Navn"),
                        EditField("administrator", "Administrator"),
                        EditField("aliaser", "Andre navne", "lines"),
                        _NOTER,
                    ),
                ),
            ),
            is_list=True,
        ),
        EditSection(
            "afdelinger",
            "Afdelinger",
            "Omdøbes en afdeling, beholder den sine nøgletal, og områder og indikatorer følger med. "
            "Fjernes en afdeling, slettes også alle dens nøgletal (alle listeår).",
            tables=(
                EditTable(
                    "",
                    "Afdelinger",
                    "Afdeling",
                    (
                        EditField("id", "", "hidden"),
                        EditField("navn", "Navn"),
                        EditField(
                            "boligorganisation", "Boligorganisation", "select", options_from="boligorganisationer"
                        ),
                        EditField("afdelingsnummer", "Afd.nr."),
                        EditField("boliger", "Boliger", "int"),
                        EditField(
                            "status",
                            "Status",
                            "select",
                            tuple((s.value, s.label) for s in AfdelingStatus),
                        ),
                        EditField("betingelse", "Betingelse", "textarea"),
                        EditField("oplyst_paa_lister", "Oplyst på lister", "choices", _LISTER),
                        EditField("aliaser", "Andre stavemåder", "lines"),
                        _NOTER,
                    ),
                ),
            ),
            is_list=True,
        ),
        EditSection(
            "omraader",
            "Områder",
            'Boligområder af flere afdelinger. Skriv én afdeling pr. linje, evt. "kortnavn: afdeling".',
            tables=(
                EditTable(
                    "",
                    "Områder",
                    "Område",
                    (
                        EditField("navn", "Navn"),
                        EditField("afdelinger", "Afdelinger", "refs"),
                        EditField("afgraensning", "Afgrænsning", "textarea"),
                        EditField("oplyst_paa_lister", "Oplyst på lister", "choices", _LISTER),
                        _NOTER,
                    ),
                ),
            ),
            is_list=True,
        ),
        EditSection(
            "indsatsomraader",
            "Indsatsområder",
            "LBF's fire indsatsområder med planens målgrupper, problemstillinger og indsatser.",
            tables=(
                EditTable(
                    "",
                    "Indsatsområder",
                    "Indsatsområde",
                    (
                        EditField("navn", "Indsatsområde", "select", tuple((n, n) for n in INDSATSOMRAADER)),
                        *_THEME_FIELDS,
                    ),
                ),
            ),
            is_list=True,
        ),
        EditSection(
            "opmaerksomhedspunkter",
            "Øvrige opmærksomhedspunkter",
            "Målgrupper, dele af området eller temaer uden for de fire indsatsområder.",
            tables=(
                EditTable(
                    "", "Opmærksomhedspunkter", "Opmærksomhedspunkt", (EditField("navn", "Navn"), *_THEME_FIELDS)
                ),
            ),
            is_list=True,
        ),
        EditSection(
            "partnere",
            "Partnere",
            "Samarbejdspartnere og deres bidrag.",
            tables=(
                EditTable(
                    "",
                    "Partnere",
                    "Partner",
                    (
                        EditField("navn", "Navn"),
                        EditField("gruppe", "Gruppe"),
                        EditField("medlemmer", "Medlemmer", "lines"),
                        EditField("bidrag", "Bidrag", "textarea"),
                        _NOTER,
                    ),
                ),
            ),
            is_list=True,
        ),
        EditSection(
            "organisation",
            "Organisation",
            "Planens fora (bestyrelse, styre- og følgegrupper) og det lokale team.",
            fields=(
                EditField("beskrivelse", "Beskrivelse", "textarea"),
                EditField("team.beskrivelse", "Det lokale team", "textarea"),
                EditField("team.baser", "Teamets baser", "lines"),
            ),
            tables=(
                EditTable(
                    "fora",
                    "Fora",
                    "Forum",
                    (
                        EditField("navn", "Navn"),
                        EditField("forkortelse", "Forkortelse"),
                        EditField(
                            "niveau",
                            "Niveau",
                            "select",
                            _opts(ForumNiveau, {"by": "By", "bydel": "Bydel", "helhedsplan": "Helhedsplan"}),
                        ),
                        EditField("er_bestyrelse", "Planens bestyrelse", "bool"),
                        EditField("deltagere", "Deltagere", "lines"),
                        EditField("ansvar", "Ansvar", "textarea"),
                        EditField("moedefrekvens", "Mødes"),
                        _NOTER,
                    ),
                ),
                EditTable(
                    "team.stillinger",
                    "Stillinger i teamet",
                    "Stilling",
                    (
                        EditField("titel", "Titel"),
                        EditField("antal", "Antal", "int"),
                        EditField("opgaver", "Opgaver", "textarea"),
                    ),
                ),
            ),
            optional=True,
        ),
        EditSection(
            "forkortelser",
            "Forkortelser",
            "Forkortelser, som teksterne bruger, og hvad de står for.",
            tables=(
                EditTable(
                    "",
                    "Forkortelser",
                    "Forkortelse",
                    (EditField("forkortelse", "Forkortelse"), EditField("betydning", "Betydning")),
                ),
            ),
            is_list=True,
        ),
        EditSection(
            "budget",
            "Budget",
            "Budgetoverslaget: finansieringen pr. kilde og udgiftsposterne, i kroner uden tusindtalsseparator.",
            fields=(_NOTER,),
            tables=(
                EditTable(
                    "finansiering",
                    "Finansiering",
                    "Finansiering",
                    (
                        EditField(
                            "kilde",
                            "Kilde",
                            "select",
                            tuple((k.value, k.label) for k in FinansieringKilde),
                        ),
                        EditField("beloeb", "Beløb (kr.)", "number"),
                        EditField("betegnelse", "Betegnelse"),
                        EditField("aar", "År", "year"),
                        _NOTER,
                    ),
                ),
                EditTable(
                    "udgifter",
                    "Udgifter",
                    "Udgift",
                    (
                        EditField("post", "Post"),
                        EditField("beloeb", "Beløb (kr.)", "number"),
                        EditField("aar", "År", "year"),
                        _NOTER,
                    ),
                ),
            ),
            optional=True,
        ),
        EditSection(
            "maalstyring",
            "Mål for indikatorerne",
            "Retning, baseline, mål og milepæle pr. indikator. Milepæle skrives én pr. linje som "
            '"år: værdi", fx "2026: 7,8". Retning tom: katalogets.',
            tables=(
                EditTable(
                    "",
                    "Indikatorer",
                    "Indikator",
                    (
                        EditField("id", "", "hidden"),
                        EditField("navn", "Indikator", "readonly"),
                        EditField("retning", "Retning", "select", tuple((r.value, r.label) for r in Retning)),
                        EditField("baseline.vaerdi", "Baseline", "number"),
                        EditField("baseline.aar", "Baselineår", "year"),
                        EditField("baseline.katalog_version", "Katalogversion", "int"),
                        EditField("baseline.kilde", "Baselinens kilde"),
                        EditField("maal.vaerdi", "Mål", "number"),
                        EditField("maal.aar", "Målår", "year"),
                        EditField("maal.illustrativ", "Illustrativt mål", "bool"),
                        EditField("maal.begrundelse", "Begrundelse", "textarea"),
                        EditField("milepaele", "Milepæle", "milepaele"),
                    ),
                    fixed=True,
                ),
            ),
            is_list=True,
        ),
    )
}
"""Every editable section by name, in the order of the edit page."""


# --------------------------------------------------------------------------------------------------
# Values


def jsonable(value: Any) -> Any:
    """Model data as JSON: numbers with decimal comma ("8,21"), dates ISO, enums by value."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def section_value(name: str, plan: Helhedsplan, organisation_ids: list[int], afdeling_ids: list[int]) -> Any:
    """The section's value (see the module docstring); the ids are the rows' in plan order."""
    data = plan.model_dump()
    if name == "stamdata":
        return jsonable({key: data[key] for key in STAMDATA_KEYS})
    if name == "boligorganisationer":
        return jsonable([{"id": i, **org} for i, org in zip(organisation_ids, data[name], strict=True)])
    if name == "afdelinger":
        return jsonable([{"id": i, **afd} for i, afd in zip(afdeling_ids, data[name], strict=True)])
    if name == "forkortelser":
        return [{"forkortelse": k, "betydning": v} for k, v in plan.forkortelser.items()]
    if name == "maalstyring":
        keys = ("id", "navn", "retning", "baseline", "maal", "milepaele")
        return jsonable([{key: ind[key] for key in keys} for ind in data["indikatorer"]])
    return jsonable(data[name])


# --------------------------------------------------------------------------------------------------
# Messages

_MESSAGES: Final[dict[str, str]] = {
    "missing": "skal udfyldes",
    "string_too_short": "skal udfyldes",
    "string_type": "skal være en tekst",
    "string_pattern_mismatch": "har ikke det rigtige format",
    "int_type": "skal være et helt tal",
    "int_parsing": "skal være et helt tal",
    "int_from_float": "skal være et helt tal",
    "bool_type": "skal være ja eller nej",
    "bool_parsing": "skal være ja eller nej",
    "date_type": "skal være en dato, fx 2025-01-01",
    "date_parsing": "skal være en dato, fx 2025-01-01",
    "date_from_datetime_parsing": "skal være en dato, fx 2025-01-01",
    "date_from_datetime_inexact": "skal være en dato uden klokkeslæt, fx 2025-01-01",
    "list_type": "skal være en liste",
    "dict_type": "skal udfyldes",
    "model_type": "skal udfyldes",
    "model_attributes_type": "skal udfyldes",
    "decimal_type": "skal være et tal, fx 8,21",
    "decimal_parsing": "skal være et tal, fx 8,21",
    "finite_number": "skal være et endeligt tal",
    "too_short": "skal have mindst {min_length}",
    "less_than_equal": "må højst være {le}",
    "extra_forbidden": "er ikke et felt her",
}


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    given = error.get("input")
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    if given is None or given == "":
        return "skal udfyldes"
    if kind == "greater_than_equal":
        return f"skal være et tal ≥ {ctx.get('ge')}"  # "et helt tal" for whole-number fields: `describe`
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", "")).replace(" or ", " eller ").replace("'", '"')
        return f"skal være en af: {expected}"
    template = _MESSAGES.get(kind, "har en ugyldig værdi")
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def _table_at(section: EditSection, loc: Loc) -> tuple[EditTable, int, Loc] | None:
    """The table a section-relative location is in, the row index and the rest of the location."""
    for table in section.tables:
        prefix = tuple(table.key.split(".")) if table.key else ()
        if loc[: len(prefix)] == prefix and len(loc) > len(prefix) and isinstance(loc[len(prefix)], int):
            return table, int(loc[len(prefix)]), loc[len(prefix) + 1 :]
    return None


_GROUP_LABELS: Final = {"periode": "Periode", "baseline": "Baseline", "maal": "Mål", "team": "Det lokale team"}


def _field_label(fields: Iterable[EditField], rest: Loc) -> tuple[str, str, str]:
    """The field a location points into: its dotted name, Danish label and kind."""
    names = [str(part) for part in rest if not isinstance(part, int)]
    for length in range(len(names), 0, -1):
        dotted = ".".join(names[:length])
        found = next((f for f in fields if f.name == dotted), None)
        if found is not None:
            return dotted, found.label, found.kind
    dotted = ".".join(names)
    return dotted, _GROUP_LABELS.get(dotted, dotted), ""


def _whole(message: str, kind: str) -> str:
    return message.replace("et tal ≥", "et helt tal ≥") if kind in ("int", "year") else message


def _row_name(value: Any, index: int) -> str:
    row = value[index] if isinstance(value, list) and 0 <= index < len(value) else None
    if isinstance(row, dict):
        for key in ("navn", "kortnavn", "forkortelse", "post", "titel", "betegnelse", "id"):
            found = row.get(key)
            if isinstance(found, str) and found.strip() and not found.strip().isdigit():
                return f' ("{found.strip()}")'
    return ""


def _nested(value: Any, key: str) -> Any:
    for part in key.split(".") if key else ():
        value = value.get(part) if isinstance(value, dict) else None
    return value


def describe(section: EditSection, loc: Loc, value: Any, message: str) -> tuple[str, str]:
    """The error key (the dotted section-relative field, e.g. "2.boliger") and the Danish
    message naming row and field: 'Afdeling 3 ("Folehaven"), boliger: skal være et helt tal ≥ 0'."""
    found = _table_at(section, loc)
    if found is not None:
        table, index, rest = found
        field, label, kind = _field_label(table.fields, rest)
        key = ".".join(part for part in (table.key, str(index), field) if part)
        row = f"{table.row_label} {index + 1}{_row_name(_nested(value, table.key), index)}"
        message = _whole(message, kind)
        return key, (f"{row}, {label.lower()}: {message}" if field else f"{row}: {message}")
    field, label, kind = _field_label(section.fields, loc)
    message = _whole(message, kind)
    return field, (f"{label}: {message}" if field else f"{section.title}: {message}")


def problem_messages(error: ValidationError, locate: Any, own: str, values: Mapping[str, Any]) -> dict[str, str]:
    """The Danish messages of a refused plan by error key. `locate(loc)` maps a location in the
    plan to (section name, section-relative location); `own` is the edited section and
    `values[section]` a section's value (for the rows' names). A problem outside the edited
    section has a key starting with "@" and the other section's name."""
    located: list[tuple[Loc, str]] = []
    for detail in error.errors():
        if detail["type"] == PLAN_REFERENCE_ERROR:
            located.extend((tuple(loc), msg) for loc, msg in detail["ctx"]["problems"])
        else:
            located.append((tuple(detail["loc"]), _message(detail)))
    messages: dict[str, str] = {}
    for loc, message in located:
        name, relative = locate(loc)
        key, text = describe(SECTIONS[name], relative, values.get(name), message)
        messages.setdefault(key if name == own else f"@{name}.{key}", text)
    return messages

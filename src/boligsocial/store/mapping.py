"""Conversions between the domain objects and the rows: `Helhedsplan` <-> plan rows, and
`UnitFigures` <-> key-figure rows (and the Danish texts a form shows). Pure functions, no
session handling."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any, Final

from pydantic import BaseModel

from boligsocial.danish import format_danish_number, fraction_to_decimal, round_half_up, written_decimals
from boligsocial.law.figures import Measure, Measurement, UnitFigures
from boligsocial.plan.keyfigures import (
    EXTRA_AFDELINGSNUMMER,
    EXTRA_INDKOMST_REGION_GNS,
    PCT_COLUMN,
    region_average,
)
from boligsocial.plan.model import Helhedsplan, Indikator, Maaling, Sammenligning
from boligsocial.store.models import (
    AfdelingRow,
    BoligorganisationRow,
    IndikatorRow,
    KeyFigureRow,
    MaalingRow,
    OmraadeRow,
    PlanRow,
)
from boligsocial.store.records import KEY_FIGURE_FIELDS

__all__ = [
    "COUNT_COLUMNS",
    "DOCUMENT_KEYS",
    "EXTRA_AFDELINGSNUMMER",
    "EXTRA_INDKOMST_REGION_GNS",
    "figure_columns",
    "figure_texts",
    "indikator_from_row",
    "maaling_from_row",
    "maalstyring_document",
    "new_plan_rows",
    "plan_document",
    "plan_from_rows",
    "unit_from_row",
]

#: The plan's nested parts kept as one JSON document on the plan row.
DOCUMENT_KEYS: Final = (
    "indsatsomraader",
    "opmaerksomhedspunkter",
    "partnere",
    "organisation",
    "forkortelser",
    "budget",
    "rettelser",
)

#: Count columns per measure: numerator, denominator (income: and the region's average).
COUNT_COLUMNS: Final[dict[Measure, tuple[str, ...]]] = {
    measure: (
        (f"{measure.value}_taeller", f"{measure.value}_naevner", "indkomst_region_gns")
        if measure is Measure.INDKOMST
        else (f"{measure.value}_taeller", f"{measure.value}_naevner")
    )
    for measure in Measure
}

_FIGURE_NUMBERS: Final = (
    *PCT_COLUMN.values(),
    *(name for names in COUNT_COLUMNS.values() for name in names),
)
_TEXT_COLUMNS: Final = ("afdelingsnummer", "omraade", "kommune")


# --------------------------------------------------------------------------------------------------
# Plans


def _dump(items: Iterable[Any]) -> list[Any]:
    return [item.model_dump(mode="json") for item in items]


def _comma_decimals(value: Any) -> Any:
    """JSON data with every Decimal as its exact text with decimal comma ("2500000,50"), which the
    model reads back unambiguously ("1.500" would be refused as a possible thousands separator)."""
    if isinstance(value, dict):
        return {k: _comma_decimals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_comma_decimals(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    return value.value if isinstance(value, Enum) else value


def plan_document(plan: Helhedsplan) -> dict[str, Any]:
    """The plan's parts kept as one JSON document on the plan row (`DOCUMENT_KEYS`)."""
    return {
        "indsatsomraader": _dump(plan.indsatsomraader),
        "opmaerksomhedspunkter": _dump(plan.opmaerksomhedspunkter),
        "partnere": _dump(plan.partnere),
        "organisation": None if plan.organisation is None else plan.organisation.model_dump(mode="json"),
        "forkortelser": dict(plan.forkortelser),
        "budget": None if plan.budget is None else _comma_decimals(plan.budget.model_dump(mode="python")),
        "rettelser": _dump(plan.rettelser),
    }


def new_plan_rows(plan: Helhedsplan, actor: str) -> tuple[PlanRow, dict[tuple[str, str], AfdelingRow]]:
    """New rows for a plan (not yet added to a session), and its afdeling rows by
    (kortnavn, navn) so that key figures can be attached."""
    row = PlanRow(
        navn=plan.navn,
        kommune=plan.kommune,
        ansoeger=plan.ansoeger,
        periode_start=plan.periode.start,
        periode_slut=plan.periode.slut,
        liste_aar=plan.liste_aar,
        beboere_dato=plan.beboere_dato,
        noegletal=plan.noegletal,
        baggrund=plan.baggrund,
        kriterier_tekst=plan.kriterier_tekst,
        dokument=plan_document(plan),
        updated_by=actor,
    )
    organisations: dict[str, BoligorganisationRow] = {}
    for position, org in enumerate(plan.boligorganisationer):
        organisations[org.kortnavn] = BoligorganisationRow(
            position=position,
            kortnavn=org.kortnavn,
            navn=org.navn,
            administrator=org.administrator,
            aliaser=list(org.aliaser),
            noter=list(org.noter),
            updated_by=actor,
        )
        row.boligorganisationer.append(organisations[org.kortnavn])
    afdelinger: dict[tuple[str, str], AfdelingRow] = {}
    for position, afd in enumerate(plan.afdelinger):
        afdeling = AfdelingRow(
            position=position,
            navn=afd.navn,
            afdelingsnummer=afd.afdelingsnummer,
            boliger=afd.boliger,
            status=afd.status.value,
            betingelse=afd.betingelse,
            aliaser=list(afd.aliaser),
            oplyst_paa_lister=[liste.value for liste in afd.oplyst_paa_lister],
            noter=list(afd.noter),
            updated_by=actor,
        )
        afdeling.organisation = organisations[afd.boligorganisation]
        row.afdelinger.append(afdeling)
        afdelinger[(afd.boligorganisation, afd.navn)] = afdeling
    for position, omr in enumerate(plan.omraader):
        row.omraader.append(
            OmraadeRow(
                position=position,
                navn=omr.navn,
                afdelinger=_dump(omr.afdelinger),
                afgraensning=omr.afgraensning,
                oplyst_paa_lister=[liste.value for liste in omr.oplyst_paa_lister],
                noter=list(omr.noter),
                updated_by=actor,
            )
        )
    for position, indikator in enumerate(plan.indikatorer):
        indikator_row = IndikatorRow(
            position=position,
            ident=indikator.id,
            navn=indikator.navn,
            enhed=indikator.enhed.value,
            gaelder=indikator.gaelder,
            indsatsomraade=indikator.indsatsomraade,
            kilde=indikator.kilde,
            definition=indikator.definition,
            afsnit=indikator.afsnit,
            afdelinger=_dump(indikator.afdelinger),
            noter=list(indikator.noter),
            katalog=indikator.katalog,
            katalog_version=indikator.katalog_version,
            retning=indikator.retning.value if indikator.retning is not None else None,
            maalstyring=maalstyring_document(indikator),
            updated_by=actor,
        )
        values: list[Maaling] = [*indikator.maalinger, *indikator.sammenligninger]
        for value_position, value in enumerate(values):
            indikator_row.vaerdier.append(new_maaling_row(value, value_position, actor))
        row.indikatorer.append(indikator_row)
    return row, afdelinger


def new_maaling_row(value: Maaling, position: int, actor: str) -> MaalingRow:
    return MaalingRow(
        art="sammenligning" if isinstance(value, Sammenligning) else "maaling",
        position=position,
        betegnelse=value.betegnelse if isinstance(value, Sammenligning) else None,
        vaerdi=value.vaerdi,
        aar=value.aar,
        til_aar=value.til_aar,
        kvalifikator=value.kvalifikator,
        kilde=value.kilde,
        updated_by=actor,
    )


def maaling_from_row(row: MaalingRow) -> dict[str, Any]:
    data: dict[str, Any] = {
        "vaerdi": row.vaerdi,
        "aar": row.aar,
        "til_aar": row.til_aar,
        "kvalifikator": row.kvalifikator,
        "kilde": row.kilde,
    }
    if row.art == "sammenligning":
        data["betegnelse"] = row.betegnelse
    return data


def _decimal_texts(model: BaseModel | None) -> dict[str, Any] | None:
    """A target part as JSON: every Decimal as its exact text, None values left out."""
    if model is None:
        return None
    data = model.model_dump(exclude_none=True)
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in data.items()}


def maalstyring_document(indikator: Indikator) -> dict[str, Any] | None:
    """The baseline, target and milestones of an indicator as the `maalstyring` JSON column
    holds them (None when it has none of them)."""
    if indikator.baseline is None and indikator.maal is None and not indikator.milepaele:
        return None
    document: dict[str, Any] = {}
    if indikator.baseline is not None:
        document["baseline"] = _decimal_texts(indikator.baseline)
    if indikator.maal is not None:
        document["maal"] = _decimal_texts(indikator.maal)
    if indikator.milepaele:
        document["milepaele"] = [_decimal_texts(m) for m in indikator.milepaele]
    return document


def _stored_values(part: dict[str, Any] | None) -> dict[str, Any] | None:
    """A target part as stored: its `vaerdi` is Decimal's own text ("1.964" is one point nine
    six four), read back exactly here rather than by the plan file's parser, which refuses
    "1.964" as ambiguous."""
    if part is None or not isinstance(part.get("vaerdi"), str):
        return part
    return {**part, "vaerdi": Decimal(part["vaerdi"])}


def _indikator_data(row: IndikatorRow) -> dict[str, Any]:
    targets = dict(row.maalstyring or {})
    return {
        "katalog": row.katalog,
        "katalog_version": row.katalog_version,
        "retning": row.retning,
        "baseline": _stored_values(targets.get("baseline")),
        "maal": _stored_values(targets.get("maal")),
        "milepaele": [_stored_values(m) for m in targets.get("milepaele", [])],
        "id": row.ident,
        "navn": row.navn,
        "enhed": row.enhed,
        "gaelder": row.gaelder,
        "indsatsomraade": row.indsatsomraade,
        "kilde": row.kilde,
        "definition": row.definition,
        "afsnit": row.afsnit,
        "afdelinger": list(row.afdelinger),
        "maalinger": [maaling_from_row(v) for v in row.vaerdier if v.art == "maaling"],
        "sammenligninger": [maaling_from_row(v) for v in row.vaerdier if v.art == "sammenligning"],
        "noter": list(row.noter),
    }


def indikator_from_row(row: IndikatorRow) -> Indikator:
    return Indikator.model_validate(_indikator_data(row))


def plan_from_rows(row: PlanRow) -> Helhedsplan:
    """The plan as a model, from its rows (with the children loaded)."""
    data: dict[str, Any] = {
        "navn": row.navn,
        "kommune": row.kommune,
        "ansoeger": row.ansoeger,
        "periode": {"start": row.periode_start, "slut": row.periode_slut},
        "liste_aar": row.liste_aar,
        "beboere_dato": row.beboere_dato,
        "noegletal": row.noegletal,
        "baggrund": row.baggrund,
        "kriterier_tekst": row.kriterier_tekst,
        "boligorganisationer": [
            {
                "kortnavn": org.kortnavn,
                "navn": org.navn,
                "administrator": org.administrator,
                "aliaser": list(org.aliaser),
                "noter": list(org.noter),
            }
            for org in row.boligorganisationer
        ],
        "afdelinger": [
            {
                "navn": afd.navn,
                "boligorganisation": afd.organisation.kortnavn,
                "afdelingsnummer": afd.afdelingsnummer,
                "boliger": afd.boliger,
                "status": afd.status,
                "betingelse": afd.betingelse,
                "aliaser": list(afd.aliaser),
                "oplyst_paa_lister": list(afd.oplyst_paa_lister),
                "noter": list(afd.noter),
            }
            for afd in row.afdelinger
        ],
        "omraader": [
            {
                "navn": omr.navn,
                "afdelinger": list(omr.afdelinger),
                "afgraensning": omr.afgraensning,
                "oplyst_paa_lister": list(omr.oplyst_paa_lister),
                "noter": list(omr.noter),
            }
            for omr in row.omraader
        ],
        "indikatorer": [_indikator_data(indikator) for indikator in row.indikatorer],
    }
    document = dict(row.dokument)
    for key in DOCUMENT_KEYS:
        value = document.pop(key, None)
        if value is not None:
            data[key] = value
    if document:  # pragma: no cover - only a future migration could leave keys behind
        raise ValueError(f"unknown keys in the plan document: {sorted(document)}")
    return Helhedsplan.model_validate(data)


# --------------------------------------------------------------------------------------------------
# Key figures


def _exact(value: Fraction, what: str) -> Decimal:
    exact = fraction_to_decimal(value)
    if exact is None:
        raise ValueError(f"{what} = {value} har ingen endelig decimalbrøk og kan ikke gemmes eksakt")
    return exact


def figure_columns(unit: UnitFigures) -> dict[str, Any]:
    """The key-figure row's column values for a unit (every figure column, None where unknown).
    A measure with counts is stored as its counts (income: the sum in kroner and the region's
    average, as in the key-figure file); without, as its percentage."""
    values: dict[str, Any] = {name: None for name in _FIGURE_NUMBERS}
    values["beboere"] = unit.residents
    values["boliger"] = unit.dwellings
    values["afdelingsnummer"] = unit.extra.get(EXTRA_AFDELINGSNUMMER) or None
    values["omraade"] = unit.omraade or None
    values["kommune"] = unit.kommune or None
    for measure in Measure:
        measurement = unit.measurement(measure)
        if measurement.approximate:
            raise ValueError(f"{measure.value}: tilnærmede tal kan ikke gemmes som nøgletal")
        counts = COUNT_COLUMNS[measure]
        if measurement.numerator is not None and measurement.denominator is not None:
            numerator = measurement.numerator
            if measure is Measure.INDKOMST:
                region = region_average(unit, numerator)
                values[counts[2]] = region
                numerator *= Fraction(region)
            values[counts[0]] = _exact(numerator, counts[0])
            values[counts[1]] = _exact(measurement.denominator, counts[1])
        elif measurement.value is not None:
            values[PCT_COLUMN[measure]] = _written(measurement, PCT_COLUMN[measure])
    return values


def _written(measurement: Measurement, what: str) -> Decimal:
    """A published percentage with the decimals it was written with ("52,0" stays 52.0), so that
    its precision, which bounds the areas built from it, survives the database."""
    assert measurement.value is not None
    exact = _exact(measurement.value, what)
    decimals = measurement.written_decimals
    if decimals is None or written_decimals(exact) >= decimals:
        return exact
    return exact.quantize(Decimal(1).scaleb(-decimals))


def _measurement(row: KeyFigureRow, measure: Measure) -> tuple[Measurement, Decimal | None]:
    """The measurement a row holds, and the region's average income when the income is counts."""
    counts = [getattr(row, name) for name in COUNT_COLUMNS[measure]]
    if counts[0] is not None and counts[1] is not None:
        numerator = Fraction(counts[0])
        region: Decimal | None = None
        if measure is Measure.INDKOMST:
            region = counts[2]
            assert region is not None
            numerator /= Fraction(region)
        return Measurement.from_counts(numerator, Fraction(counts[1])), region
    percentage = getattr(row, PCT_COLUMN[measure])
    if percentage is None:
        return Measurement.unknown(), None
    return Measurement.published(Fraction(percentage), written_decimals(percentage)), None


def unit_from_row(row: KeyFigureRow, navn: str, kortnavn: str) -> UnitFigures:
    """The key figures of a row as the law reads them (the same `UnitFigures` as
    `read_key_figures` gives for the file row, except `source`)."""
    measures: dict[Measure, Measurement] = {}
    extra: dict[str, str] = {}
    for measure in Measure:
        measurement, region = _measurement(row, measure)
        measures[measure] = measurement
        if region is not None:
            extra[EXTRA_INDKOMST_REGION_GNS] = format(region, "f")
    if row.afdelingsnummer:
        extra[EXTRA_AFDELINGSNUMMER] = row.afdelingsnummer
    return UnitFigures(
        name=navn,
        kind="afdeling",
        list_year=row.listeaar,
        residents=row.beboere,
        measures=measures,
        boligorganisation=kortnavn,
        omraade=row.omraade,
        kommune=row.kommune,
        dwellings=row.boliger,
        source=None,
        extra=extra,
    )


def _number_text(value: Decimal | int | Fraction | None) -> str:
    return "-" if value is None else format_danish_number(value)


def figure_texts(row: KeyFigureRow | None) -> dict[str, str]:
    """Every form field's Danish text for a row ("-" unknown, "" empty text); all unknown for
    None. A percentage backed by counts shows the computed share rounded to two decimals."""
    texts: dict[str, str] = {spec.name: ("" if spec.kind == "text" else "-") for spec in KEY_FIGURE_FIELDS}
    if row is None:
        return texts
    texts["beboere"] = _number_text(row.beboere)
    texts["boliger"] = _number_text(row.boliger)
    for name in _TEXT_COLUMNS:
        texts[name] = getattr(row, name) or ""
    for measure in Measure:
        for name in COUNT_COLUMNS[measure]:
            texts[name] = _number_text(getattr(row, name))
        measurement, _ = _measurement(row, measure)
        stored = getattr(row, PCT_COLUMN[measure])
        if stored is not None:
            texts[PCT_COLUMN[measure]] = format_danish_number(stored)
        elif measurement.value is not None:
            texts[PCT_COLUMN[measure]] = format_danish_number(round_half_up(measurement.value, 2))
    return texts

"""How an indicator's figures are written in status texts, tables and charts: with their unit,
and in the precision they were given."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from boligsocial.danish import number, written_decimals
from boligsocial.plan.model import Enhed, Indikator

__all__ = ["display_names", "fmt_change", "fmt_value", "shown", "value_digits"]


def _unit_word(enhed: Enhed) -> str:
    return {
        Enhed.PCT: "procentpoint",
        Enhed.PR_1000_BOERN: "pr. 1.000 børn",
        Enhed.PR_1000_BEBOERE: "pr. 1.000 beboere",
        Enhed.ANTAL: "",
        Enhed.KR: "kr.",
    }[enhed]


def fmt_value(value: Fraction | Decimal | float, enhed: Enhed, digits: int = 1) -> str:
    """A value with its unit for status texts: `7,9 %`, `281`, `478,4 pr. 1.000 børn`."""
    exact = Decimal(str(value)) if isinstance(value, float) else value
    text = number(exact, digits)
    if enhed is Enhed.PCT:
        return f"{text}\u00a0%"
    label = enhed.label
    return f"{text} {label}" if label else text


def fmt_change(value: Fraction | float, enhed: Enhed, digits: int = 2) -> str:
    exact = Decimal(str(value)) if isinstance(value, float) else value
    text = number(exact, digits)
    if not text.startswith("-") and exact > 0:
        text = "+" + text
    word = _unit_word(enhed)
    return f"{text} {word}".strip()


def value_digits(indikator: Indikator) -> int:
    """The decimals an indicator's figures are written with (the most any of its values has)."""
    values = [m.vaerdi for m in indikator.maalinger] + [m.vaerdi for m in indikator.milepaele]
    values += [x.vaerdi for x in (indikator.baseline, indikator.maal) if x is not None]
    return max([0, *(written_decimals(v) for v in values)])


def shown(value: Fraction | Decimal | float, indikator: Indikator) -> str:
    """An indicator's figure as the plan writes it. A given figure (a Decimal: a measurement, a
    baseline, a target, a set milestone, a comparison) keeps the decimals it was written with
    (338,4 stays 338,4; 46 stays 46). A computed one (an interpolated milestone, a projection) gets
    the decimals of the indicator's own figures, and counts and kroner are whole (no "279,5 sager")."""
    if isinstance(value, Decimal):
        return fmt_value(value, indikator.enhed, written_decimals(value))
    whole = indikator.enhed in (Enhed.ANTAL, Enhed.KR)
    return fmt_value(value, indikator.enhed, 0 if whole else value_digits(indikator))


def display_names(indikatorer: Sequence[Indikator]) -> dict[str, str]:
    """Each indicator's name by id, with where it applies added when two share a name (the same
    measure for two parts of the area)."""
    names = [i.navn for i in indikatorer]
    return {i.id: i.navn if names.count(i.navn) == 1 else f"{i.navn} ({i.gaelder})" for i in indikatorer}

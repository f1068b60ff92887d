"""How the documents write enumerations and quoted values in Danish: "a, b og c", "8,21 %" (with a
no-break space before the unit). Numbers and dates themselves are `boligsocial.danish`'s."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from boligsocial.danish import number, written_decimals
from boligsocial.plan.model import Enhed, Maaling

__all__ = ["NBSP", "format_maaling", "join_da", "lower_first", "unit_suffix"]

NBSP = "\u00a0"  # between a number and its unit: "8,21 %" never breaks


def join_da(items: Sequence[str], last: str = "og") -> str:
    """`["a", "b", "c"]` -> `"a, b og c"`."""
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word looks like an abbreviation (SAF, UU)."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _decimal_text(value: Decimal) -> str:
    return number(value, written_decimals(value))


def format_maaling(maaling: Maaling, enhed: Enhed) -> str:
    """A quoted value as the text writes it: `8,21 %`, `godt 5,5 %`, `439`, `1.200 kr.` (with a
    no-break space before the unit).

    Percentages and amounts carry their unit; rates per 1,000 and counts are bare, because the
    sentence around them names the unit ("per 1.000 børn er der 439 sager")."""
    text = _decimal_text(maaling.vaerdi)
    if enhed is Enhed.PCT:
        text += NBSP + "%"
    elif enhed is Enhed.KR:
        text += NBSP + "kr."
    if maaling.kvalifikator:
        text = f"{maaling.kvalifikator} {text}"
    return text


def unit_suffix(enhed: Enhed) -> str:
    """The unit after a rate ("439 per 1.000 børn"); other units are written by `format_maaling`."""
    return NBSP + enhed.label if enhed in (Enhed.PR_1000_BOERN, Enhed.PR_1000_BEBOERE) else ""

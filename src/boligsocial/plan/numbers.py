"""Danish numbers: exact parsing and formatting (Decimal and Fraction, never float).

Danish tables write `1.964` for one thousand nine hundred and sixty-four and `8,21` for eight point
twenty-one. Files exported by other tools sometimes use a decimal point (`8.21`). The rules:

- a comma is the decimal sign; dots before it must group thousands (`1.234,5`);
- a dot followed by exactly three digits, in a valid grouping (`1.964`, `12.345.678`), groups
  thousands; any other single dot (`8.21`, `0.125`, `1234.567`, `2.1234`) is a decimal point;
- spaces (also non-breaking and thin spaces) may group thousands (`1 964`);
- surrounding spaces and a trailing `%`, `pct.` or `procent` are ignored;
- a leading `-`, `−`, `–` or `÷` (Danish accounting) is a minus sign;
- the suppression markers `""`, `-`, `–`, `—`, `x` and `..` mean "not published" and give `None`.

Everything else raises `ValueError` with a Danish message that a user can act on.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

__all__ = [
    "SUPPRESSED_MARKERS",
    "format_danish_number",
    "fraction_to_decimal",
    "parse_danish_number",
    "round_half_up",
]

#: Cell contents that mean "suppressed or unknown" (compared after stripping and casefolding).
SUPPRESSED_MARKERS: frozenset[str] = frozenset({"", "-", "–", "—", "x", ".."})

_MINUS_SIGNS = "-−–÷"
_SPACE_CLASS = "[ \u00a0\u202f\u2009\u2007]"
_PERCENT_SUFFIX = re.compile(r"\s*(?:%|pct\.?|procent)\Z", re.IGNORECASE)
# re.ASCII: only 0-9 are digits (\d would also accept e.g. Arabic-Indic digits).
_PLAIN = re.compile(r"(\d+)(?:,(\d+))?", re.ASCII)
_DOT_GROUPED = re.compile(r"([1-9]\d{0,2}(?:\.\d{3})+)(?:,(\d+))?", re.ASCII)
_SPACE_GROUPED = re.compile(rf"([1-9]\d{{0,2}}(?:{_SPACE_CLASS}\d{{3}})+)(?:,(\d+))?", re.ASCII)
_DOT_DECIMAL = re.compile(r"(\d+)\.(\d+)", re.ASCII)


def _not_a_number(text: str, hint: str = "") -> ValueError:
    message = f'"{text}" er ikke et tal'
    if hint:
        message += f" ({hint})"
    return ValueError(message)


def parse_danish_number(text: str) -> Decimal | None:
    """Parse a number written the Danish way (or with a decimal point); `None` when suppressed.

    The result keeps the written precision: `"24,30"` gives `Decimal("24.30")`.
    """
    shown = text.strip()
    if shown.casefold() in SUPPRESSED_MARKERS:
        return None
    body = _PERCENT_SUFFIX.sub("", shown)
    sign = ""
    if body and body[0] in _MINUS_SIGNS:
        sign = "-"
        body = body[1:]
    elif body.startswith("+"):
        body = body[1:]
    if not body[:1].isascii() or not body[:1].isdigit():
        raise _not_a_number(shown)

    if match := _PLAIN.fullmatch(body):
        integer, fraction = match.group(1), match.group(2)
    elif match := _DOT_GROUPED.fullmatch(body):
        integer, fraction = match.group(1).replace(".", ""), match.group(2)
    elif match := _DOT_DECIMAL.fullmatch(body):
        integer, fraction = match.group(1), match.group(2)
    elif match := _SPACE_GROUPED.fullmatch(body):
        integer, fraction = re.sub(_SPACE_CLASS, "", match.group(1)), match.group(2)
    else:
        raise _not_a_number(shown, _hint(body))
    digits = integer if fraction is None else f"{integer}.{fraction}"
    return Decimal(sign + digits)


def _hint(body: str) -> str:
    """An explanation for the commonest ways a number is written wrongly, or ''."""
    if "," in body and "." in body and body.rfind(",") < body.rfind("."):
        return "skriv tal på dansk med komma som decimaltegn og punktum mellem tusinder, fx 1.234,5"
    if body.count(",") > 1:
        return "der må kun være ét decimalkomma"
    if "." in body and re.fullmatch(r"[\d.,]+", body):
        return "punktum mellem tusinder skal stå foran præcis tre cifre, fx 12.345"
    return ""


def fraction_to_decimal(value: Fraction | Decimal | int) -> Decimal | None:
    """The exact decimal for `value`, or `None` if it has no finite decimal expansion (1/3)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return None
    places = max(twos, fives)
    scaled = value * 10**places
    return _scaled_decimal(scaled.numerator, places)


def _scaled_decimal(digits: int, places: int) -> Decimal:
    """`digits * 10**-places` exactly (Decimal arithmetic would round to the context precision)."""
    return Decimal(f"{digits}E-{places}")


def round_half_up(value: Fraction | Decimal | int, decimals: int) -> Decimal:
    """Round exactly to `decimals` places, halves away from zero (the usual Danish statistics rule)."""
    exact = Fraction(value)
    scaled = abs(exact) * 10**decimals
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    result = _scaled_decimal(whole, decimals)
    return result.copy_negate() if exact < 0 and whole != 0 else result


def format_danish_number(value: Decimal | Fraction | int, *, decimals: int | None = None, grouping: bool = True) -> str:
    """Format the Danish way: `1.964`, `8,21`, `-1.234,5`.

    With `decimals=None` the value is written exactly (all its digits; a `Fraction` must have a
    finite decimal expansion, else `ValueError`); otherwise it is rounded half up to `decimals`.
    `parse_danish_number` reads the result back to the same value.
    """
    if decimals is not None:
        number = round_half_up(value, decimals)
    else:
        exact = fraction_to_decimal(value)
        if exact is None:
            raise ValueError(f"{value} kan ikke skrives eksakt som decimaltal")
        number = exact
    if not number.is_finite():
        raise ValueError(f"{value} er ikke et endeligt tal")
    plain = format(number.copy_abs(), "f")
    integer, _, fraction = plain.partition(".")
    if grouping:
        groups: list[str] = []
        while len(integer) > 3:
            groups.insert(0, integer[-3:])
            integer = integer[:-3]
        integer = ".".join([integer, *groups])
    sign = "-" if number < 0 else ""
    return f"{sign}{integer},{fraction}" if fraction else f"{sign}{integer}"

"""Danish display formatting of exact numbers (`1.964`, `8,21`), shared by every layer.

Rounding happens here and only here: the rules and the stored figures stay exact.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from babel.numbers import format_decimal

LOCALE = "da_DK"

MONTHS_DA: tuple[str, ...] = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)


def to_decimal(value: Fraction | Decimal | int, digits: int) -> Decimal:
    """Round half up to `digits` decimals, exactly (no binary floating point on the way)."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    quantum = Decimal(1).scaleb(-digits)
    return Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)


def number(value: Fraction | Decimal | int | None, digits: int = 1, missing: str = "-") -> str:
    """`1964` -> `1.964`, `8.21` -> `8,21` (with digits=2); None -> `-`."""
    if value is None:
        return missing
    rounded = to_decimal(value, digits)
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return str(format_decimal(rounded, format=pattern, locale=LOCALE))


def short_number(value: Fraction | Decimal | int, max_digits: int = 2) -> str:
    """Like `number` but without trailing zeros: 30 -> `30`, 2.18 -> `2,18`, 2.7 -> `2,7`."""
    text = number(value, max_digits)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def percent(value: Fraction | Decimal | int | None, digits: int = 1) -> str:
    return "-" if value is None else f"{number(value, digits)} %"

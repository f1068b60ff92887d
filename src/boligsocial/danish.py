"""Danish numbers, rounding, month names and times: the common floor every layer formats with.

Rounding happens here and only here: the rules and the stored figures stay exact.

Numbers come in three syntaxes, each with its own pair of functions:

- **tables** (key-figure files, register output): `parse_danish_number` / `format_danish_number`,
  exact, with thousands grouping (`1.964`, `8,21`) and the suppression markers;
- **the plan file** (`helhedsplan.toml`): `parse_ungrouped_number` / `format_ungrouped_number`,
  exact, without thousands separators, so `"1.964"` is refused as ambiguous;
- **display** (reports, web, terminal): `number`, `short_number`, `percent`, rounded with
  `to_decimal` and laid out by babel's Danish locale.

The rules of the table syntax (`parse_danish_number`):

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

import math
import re
import unicodedata
from datetime import UTC, date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "LOCALE",
    "MONTHS_DA",
    "SUPPRESSED_MARKERS",
    "format_danish_number",
    "format_ungrouped_number",
    "fraction_to_decimal",
    "local_stamp",
    "local_time_text",
    "local_zone",
    "number",
    "parse_danish_number",
    "parse_ungrouped_number",
    "percent",
    "round_half_up",
    "short_number",
    "to_decimal",
]

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


# --------------------------------------------------------------------------------------------------
# Rounding


def round_half_up(value: Fraction | Decimal | int, decimals: int) -> Decimal:
    """Round exactly to `decimals` places, halves away from zero (the usual Danish statistics rule).

    Exact for any size, and a value rounded to zero is `0`, never `-0`: what files and the
    database store. (`to_decimal` is the display twin; see there why there are two.)"""
    exact = Fraction(value)
    scaled = abs(exact) * 10**decimals
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    result = _scaled_decimal(whole, decimals)
    return result.copy_negate() if exact < 0 and whole != 0 else result


def to_decimal(value: Fraction | Decimal | int, digits: int) -> Decimal:
    """Round half up to `digits` decimals with Decimal arithmetic (no binary floating point).

    Unlike `round_half_up` it keeps the sign of a negative value rounded to zero (`-0.00`, shown
    `-0,00`) and works within the 28 digits of the decimal context: the display and the published
    register figures have always been rounded this way, and the golden outputs pin it."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    quantum = Decimal(1).scaleb(-digits)
    return Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)


def written_decimals(value: Decimal) -> int:
    """How many decimals a number was written with: `Decimal("52.0")` -> 1, `52` -> 0 (also for
    `5E+1`: a number is never read as rounded to tens)."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


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


# --------------------------------------------------------------------------------------------------
# Display: rounded, laid out by babel


def number(value: Fraction | Decimal | int | None, digits: int = 1, missing: str = "-") -> str:
    """`1964` -> `1.964`, `8.21` -> `8,21` (with digits=2); None -> `-`.

    For reading, not for files: rounded by `to_decimal`, so `-0,001` shows as `-0,00`, where
    `format_danish_number` (exact, for files) writes `0,00`."""
    if value is None:
        return missing
    rounded = to_decimal(value, digits)
    # Babel's "#,##0.0…" in da_DK, written directly: babel parses the pattern and locale on every
    # call, which a national `check` does a hundred thousand times (tests/test_danish_number.py).
    return f"{rounded:,.{max(digits, 0)}f}".translate(_DANISH_SEPARATORS)


_DANISH_SEPARATORS = str.maketrans({",": ".", ".": ","})


def short_number(value: Fraction | Decimal | int, max_digits: int = 2) -> str:
    """Like `number` but without trailing zeros: 30 -> `30`, 2.18 -> `2,18`, 2.7 -> `2,7`."""
    text = number(value, max_digits)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def percent(value: Fraction | Decimal | int | None, digits: int = 1) -> str:
    return "-" if value is None else f"{number(value, digits)} %"


# --------------------------------------------------------------------------------------------------
# Tables: exact, grouped

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
#: Unsigned, unspaced digits, plain (`12,3`) or grouped by dots (`1.964,5`): no other rule applies.
_FAST = re.compile(r"(?:\d+|[1-9]\d{0,2}(?:\.\d{3})+)(?:,\d+)?", re.ASCII)


def _not_a_number(text: str, hint: str = "") -> ValueError:
    message = f'"{text}" er ikke et tal'
    if hint:
        message += f" ({hint})"
    return ValueError(message)


def parse_danish_number(text: str) -> Decimal | None:
    """Parse a number written the Danish way (or with a decimal point); `None` when suppressed.

    The result keeps the written precision: `"24,30"` gives `Decimal("24.30")`.
    """
    # Nearly every cell of a key-figure file is plain or dot-grouped digits; this returns exactly
    # what the general path below returns for them (tests/test_danish_number.py holds it to that).
    if _FAST.fullmatch(text):
        return Decimal(text.replace(".", "").replace(",", "."))
    return _parse_written(text)


def _parse_written(text: str) -> Decimal | None:
    """`parse_danish_number` by its rules, one by one (every form, with the errors' hints)."""
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


def format_danish_number(value: Decimal | Fraction | int, *, decimals: int | None = None, grouping: bool = True) -> str:
    """Format the Danish way: `1.964`, `8,21`, `-1.234,5`.

    With `decimals=None` the value is written exactly (all its digits; a `Fraction` must have a
    finite decimal expansion, else `ValueError`); otherwise it is rounded half up to `decimals`.
    `parse_danish_number` reads the result back to the same value.
    """
    if decimals is not None:
        rounded = round_half_up(value, decimals)
    else:
        exact = fraction_to_decimal(value)
        if exact is None:
            raise ValueError(f"{value} kan ikke skrives eksakt som decimaltal")
        rounded = exact
    if not rounded.is_finite():
        raise ValueError(f"{value} er ikke et endeligt tal")
    plain = format(rounded.copy_abs(), "f")
    integer, _, fraction = plain.partition(".")
    if grouping:
        groups: list[str] = []
        while len(integer) > 3:
            groups.insert(0, integer[-3:])
            integer = integer[:-3]
        integer = ".".join([integer, *groups])
    sign = "-" if rounded < 0 else ""
    return f"{sign}{integer},{fraction}" if fraction else f"{sign}{integer}"


# --------------------------------------------------------------------------------------------------
# The plan file: exact, never grouped

_UNGROUPED = re.compile(r"[+-]?\d+(?:[.,]\d+)?", re.ASCII)
_LOOKS_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}", re.ASCII)


def parse_ungrouped_number(value: object) -> Decimal:
    """Read a number as the plan file may write it: a TOML integer or float, or a string with a
    decimal comma or point ("8,21", "8.21"). Thousands separators are not accepted, and a string
    such as "1.964" is refused as ambiguous (Danish thousands separator or decimal point?).

    Stricter than `parse_danish_number` because a person types these by hand, one at a time."""
    if isinstance(value, bool):
        raise ValueError("skal være et tal, ikke true/false")
    if isinstance(value, Decimal | int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("skal være et endeligt tal")
        # repr gives the shortest text that reads back as the same float, i.e. what the file says.
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip().replace("\u2212", "-")
        if not _UNGROUPED.fullmatch(text):
            raise ValueError(
                f'"{value}" er ikke et tal; skriv fx "8,21" (decimalkomma eller -punktum, ingen tusindtalsseparator)'
            )
        if _LOOKS_GROUPED.fullmatch(text):
            raise ValueError(
                f'"{value}" er tvetydigt; skriv "{text.replace(".", "")}" uden tusindtalsseparator '
                f'eller "{text.replace(".", ",")}" med decimalkomma'
            )
        return Decimal(text.replace(",", "."))
    raise ValueError('skal være et tal, fx "8,21"')


def format_ungrouped_number(value: Decimal) -> str:
    """The plan file's text for a number: fixed-point with a decimal comma ("8,21", "439").

    Not `format_danish_number(value, grouping=False)`: that writes `-0` as `0`, this keeps what
    the file said."""
    return format(value, "f").replace(".", ",")


# --------------------------------------------------------------------------------------------------
# Times


def date_text(value: date) -> str:
    """A date the Danish way: `3. februar 2025`."""
    return f"{value.day}. {MONTHS_DA[value.month - 1]} {value.year}"


def as_utc(moment: datetime) -> datetime:
    """A moment with its zone: timestamps are stored in UTC, and SQLite gives them back without one."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def local_zone() -> tzinfo:
    """Danish time (Europe/Copenhagen): the zone every moment a user reads is shown in."""
    try:
        return ZoneInfo("Europe/Copenhagen")
    except ZoneInfoNotFoundError:  # pragma: no cover - a system without time-zone data
        return UTC


def local_stamp(moment: datetime | None) -> str:
    """A stored moment in Danish time (Europe/Copenhagen), in the one format every page, table and
    message uses: `03.02.2025 kl. 14.05`. A moment without a zone is UTC (as the database stores
    it); None is ""."""
    if moment is None:
        return ""
    return as_utc(moment).astimezone(local_zone()).strftime("%d.%m.%Y kl. %H.%M")


def local_time_text(moment: datetime | None) -> str:
    """A moment inside a sentence: "den 03.02.2025 kl. 14.05" (`local_stamp` with its preposition)."""
    return "på et ukendt tidspunkt" if moment is None else f"den {local_stamp(moment)}"


# --------------------------------------------------------------------------------------------------
# Sorting names

_DANISH_ORDER = str.maketrans({"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}"})
"""Æ, Ø and Å after Z and in that order (Ä and Ö with Æ and Ø, as Danish dictionaries sort them):
characters just after "z" in code-point order."""
_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[str | int, ...]:
    """A sort key that orders names as a Danish reader does: numbers by value ("karre 2" before
    "karre 11"), letters without regard to case or accents (é with e), æ, ø, å last. Texts and
    numbers alternate from a text (maybe empty), so any two keys compare."""
    folded = " ".join(name.split()).casefold().translate(_DANISH_ORDER)
    plain = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    parts = _DIGITS.split(plain)
    return (*(int(p) if i % 2 else p for i, p in enumerate(parts)), name)

"""A flip (`verdicts.Flip`): the threshold a measure's change crosses, and the Danish sentence
that says it, and the order a flip's candidates are tried in. Which change flips a list is found in
`law/evaluate.py` (`find_flips`)."""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from fractions import Fraction

from boligsocial.danish import short_number
from boligsocial.law.figures import Measure
from boligsocial.law.thresholds import CompiledRules
from boligsocial.law.verdicts import Flip
from boligsocial.law.vocabulary import MEASURE_LABELS_DA


def _flip_text(label: str, joins: bool, threshold: Fraction, falls: bool, inclusive: bool, kind: str) -> str:
    verb = "kommer på listen" if joins else "forlader listen"
    t = short_number(threshold)
    if falls:
        where = f"falder til {t} pct. eller derunder" if inclusive else f"falder under {t} pct."
    else:
        where = f"stiger til {t} pct. eller derover" if inclusive else f"stiger over {t} pct."
    return f"{verb.capitalize()}, hvis {label.lower()} {where} ({kind})"


def make_flip(
    rules: CompiledRules, change: Fraction, measure: Measure, value: Fraction, candidate: Fraction, joins: bool
) -> Flip:
    """The flip of `value` to `candidate`; `change`: its distance to the threshold crossed."""
    threshold, inclusive, label = crossing(rules, measure, candidate)
    falls = candidate < value
    text_key = ("flip text", measure, candidate, joins, falls)
    head = rules.local.get(text_key)
    if head is None:
        head = rules.local[text_key] = _flip_text(label, joins, threshold, falls, inclusive, "")[:-2]
    flip = object.__new__(Flip)
    # Flip(**fields), without the frozen dataclass's field-by-field __init__ (a flip for most
    # of a national file's lists); every field is given (tests/test_law_result_fields.py).
    flip.__dict__.update(
        measure=measure,
        label=label,
        current=value,
        threshold=threshold,
        target=candidate,
        direction="falder" if falls else "stiger",
        inclusive=inclusive,
        change_pp=change,
        joins=joins,
        text=f"{head}(i dag {short_number(value)} pct.)",
    )
    return flip


def crossing(rules: CompiledRules, measure: Measure, candidate: Fraction) -> tuple[Fraction, bool, str]:
    """The threshold a flip to `candidate` crosses (the nearest), whether the candidate is the
    threshold itself, and the measure's label; the same for every unit, so found once."""
    memo_key = ("crossing", measure, candidate)
    found = rules.local.get(memo_key)
    if found is None:
        keys = rules.criteria_for(measure)
        threshold = min((rules.thresholds[k] for k in keys), key=lambda t: abs(t - candidate))
        found = rules.local[memo_key] = (threshold, candidate == threshold, MEASURE_LABELS_DA[measure])
    return found


def nearest_first(
    candidates: list[tuple[Fraction, Mapping[str, bool]]], value: Fraction
) -> Iterator[tuple[Fraction, Mapping[str, bool]]]:
    """The candidates other than `value` by distance from it, the lower first on a tie: the order
    of sorting by (|c - value|, c), found by walking out from the value's place on both sides."""
    right = bisect.bisect_left(candidates, value, key=lambda co: co[0])
    left = right - 1
    if right < len(candidates) and candidates[right][0] == value:
        right += 1
    while left >= 0 or right < len(candidates):
        if right >= len(candidates) or (left >= 0 and value - candidates[left][0] <= candidates[right][0] - value):
            yield candidates[left]
            left -= 1
        else:
            yield candidates[right]
            right += 1

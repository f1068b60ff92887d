"""BS201: the same afdeling spelled differently in different places.

Names in the text are compared with the plan's afdelinger (names and aliases) and areas. Words that
spell a known name exactly (case-insensitively, also in the genitive "Folehavens") are left alone;
the remaining phrases that start with a capital letter and are nearly equal to a known name
(rapidfuzz ratio of at least `THRESHOLD`, the same digits) are reported with the plan's spelling.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from boligsocial.reports.lint.common import LintInput, Passage, finding
from boligsocial.reports.lint.findings import Finding

__all__ = ["THRESHOLD", "check_names", "find_misspellings"]

THRESHOLD = 88
"""Minimum similarity (0-100) for a phrase to count as a misspelling of a known name."""

MIN_LENGTH = 5
"""Shorter phrases ("AAB", "Valby") are not compared: too many ordinary words are that close."""

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_JOINER = re.compile(r"[ \t.,\-]{1,3}")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class KnownName:
    tokens: tuple[str, ...]  # casefolded
    written: str  # as the plan writes it
    kind: str  # "afdeling", "omraade" or "" (known, but not a target for fuzzy matching)
    canonical: str  # the afdeling's or area's name
    owner: str | None = None  # the afdeling's organisation


_Windows = dict[int, list[tuple[int, str]]]  # size in words -> (first word, casefolded phrase)


@dataclass(frozen=True)
class Misspelling:
    start: int
    end: int
    text: str
    name: KnownName
    score: float


def _tokens(text: str) -> list[re.Match[str]]:
    return list(_TOKEN.finditer(text))


def known_names(inp: LintInput) -> list[KnownName]:
    plan = inp.plan
    names: list[KnownName] = []

    def add(written: str, kind: str, canonical: str, owner: str | None = None) -> None:
        tokens = tuple(m.group(0).casefold() for m in _tokens(written))
        if tokens:
            names.append(KnownName(tokens, written, kind, canonical, owner))

    for afdeling in plan.afdelinger:
        for written in (afdeling.navn, *afdeling.aliaser):
            add(written, "afdeling", afdeling.navn, afdeling.boligorganisation)
    for omraade in plan.omraader:
        add(omraade.navn, "omraade", omraade.navn)
    for org in plan.boligorganisationer:
        for written in org.alle_navne:
            add(written, "", written)
    for written in (plan.navn, plan.kommune):
        add(written, "", written)
    return names


def _same(token: str, known: str, last: bool) -> bool:
    return token == known or (last and token in (known + "s", known + "'s", known + "’s"))


def _joined(text: str, words: list[re.Match[str]]) -> bool:
    """The words follow each other on one line, separated only by spaces and light punctuation."""
    return all(_JOINER.fullmatch(text[a.end() : b.start()]) for a, b in itertools.pairwise(words))


def _by_first_token(names: list[KnownName]) -> dict[str, list[KnownName]]:
    """Names by their first token (and its genitive, for one-word names), so each word is compared
    only with the names it can start."""
    by_first: dict[str, list[KnownName]] = {}
    for name in names:
        first = name.tokens[0]
        variants = (first, first + "s", first + "'s", first + "’s") if len(name.tokens) == 1 else (first,)
        for variant in variants:
            by_first.setdefault(variant, []).append(name)
    return by_first


def _exact_words(text: str, words: list[re.Match[str]], folded: list[str], names: list[KnownName]) -> list[bool]:
    """Per word: whether it is part of a known name spelled exactly."""
    exact = [False] * len(words)
    by_first = _by_first_token(names)
    for i, token in enumerate(folded):
        for name in by_first.get(token, ()):
            n = len(name.tokens)
            if (
                i + n <= len(words)
                and all(_same(folded[i + k], name.tokens[k], k == n - 1) for k in range(n))
                and _joined(text, words[i : i + n])
            ):
                exact[i : i + n] = [True] * n
    return exact


def _windows(text: str, words: list[re.Match[str]], exact: list[bool], names: list[KnownName]) -> _Windows:
    """Candidate phrases per size in words: they start with a capital, are not (part of) an exact
    name and are long enough. Candidates do not depend on the name: found once per size."""
    folded = [w.group(0).casefold() for w in words]
    sizes = sorted(
        {size for name in names if name.kind for size in (len(name.tokens) - 1, len(name.tokens), len(name.tokens) + 1)}
        - {0}
    )
    windows: _Windows = {}
    for size in sizes:
        found = windows.setdefault(size, [])
        for i in range(len(words) - size + 1):
            window = words[i : i + size]
            if any(exact[i : i + size]) or not window[0].group(0)[0].isupper() or not _joined(text, window):
                continue
            candidate = " ".join(folded[i : i + size])
            if len(candidate) >= MIN_LENGTH:
                found.append((i, candidate))
    return windows


def _similarity(candidate: str, target: str) -> float:
    score = fuzz.ratio(candidate, target)
    if candidate.endswith("s"):  # a genitive
        score = max(score, fuzz.ratio(candidate[:-1], target))
    return score


def _near_misses(text: str, words: list[re.Match[str]], windows: _Windows, name: KnownName) -> list[Misspelling]:
    """The candidates nearly equal to one name, with the same digits, one word more or less."""
    target = " ".join(name.tokens)
    target_digits = _DIGITS.findall(target)
    n = len(name.tokens)
    hits: list[Misspelling] = []
    for size in sorted({n - 1, n, n + 1} - {0}):
        for i, candidate in windows.get(size, ()):
            if _DIGITS.findall(candidate) != target_digits:
                continue
            score = _similarity(candidate, target)
            if score >= THRESHOLD:
                start, end = words[i].start(), words[i + size - 1].end()
                hits.append(Misspelling(start, end, text[start:end], name, score))
    return hits


def find_misspellings(text: str, names: list[KnownName]) -> list[Misspelling]:
    words = _tokens(text)
    folded = [w.group(0).casefold() for w in words]
    windows = _windows(text, words, _exact_words(text, words, folded, names), names)
    hits = [hit for name in names if name.kind for hit in _near_misses(text, words, windows, name)]
    chosen: list[Misspelling] = []
    # Among overlapping candidates prefer the afdeling's own name to an alias, then the closest match.
    for hit in sorted(hits, key=lambda h: (h.name.written != h.name.canonical, -h.score, h.end - h.start, h.start)):
        if all(hit.end <= other.start or hit.start >= other.end for other in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda h: h.start)


def check_names(inp: LintInput, passages: list[Passage]) -> list[Finding]:
    names = known_names(inp)
    corrections = {r.original.casefold(): r for r in inp.plan.rettelser}
    out: list[Finding] = []
    for passage in passages:
        for hit in find_misspellings(passage.text, names):
            name = hit.name
            if name.kind == "afdeling":
                what = f'afdelingen "{name.canonical}" ({name.owner})'
                if name.written != name.canonical:
                    what = f'"{name.written}" (afdelingen "{name.canonical}", {name.owner})'
            else:
                what = f'området "{name.canonical}"'
            message = f'Teksten skriver "{hit.text}", som ligner {what}. Skriv navnet som i planen: "{name.written}".'
            correction = corrections.get(hit.text.casefold())
            if correction is not None:
                message += (
                    f' Planen har selv rettet "{correction.original}" til "{correction.rettet}" under [[rettelser]].'
                )
            out.append(finding("BS201", message, passage.place(hit.start)))
    return out

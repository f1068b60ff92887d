"""The law's words: the one place for the reported list names and every Danish label of the
lists, the measures, the statuses, the verdicts and the citations' certainty.

Every view (the `check` table, the documents, the annex, the charts, the web pages) takes its
words from here. Where two views show the same thing in different words (a wide web column
"Omdannelse", the narrow check table's "Omdann."), both are kept, each named for where it is
shown. The list titles of each era are read from the parameter files (`lists.*.label`); the rest
are constants, since no parameter file holds them.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from boligsocial.law.closeness import near_text_da
from boligsocial.law.figures import Measure
from boligsocial.law.parameters import load_law
from boligsocial.law.verdicts import Status, Verdict

__all__ = [
    "CERTAINTY_DA",
    "LIST_COLUMN_DA",
    "LIST_MARK",
    "LIST_PLURAL_DA",
    "LIST_SHORT_DA",
    "MARKED_LISTS",
    "MEASURE_COLUMN_DA",
    "MEASURE_DIGITS",
    "MEASURE_LABELS_DA",
    "MEASURE_SHORT_DA",
    "NEAR_DA",
    "PREVENTION_LIST",
    "REPORTED_LISTS",
    "STATUS_CSS",
    "STATUS_LABEL_DA",
    "STATUS_MARK_DA",
    "STATUS_SENTENCE_DA",
    "STATUS_WORD_DA",
    "VERDICT_LABEL_DA",
    "VERDICT_WORD_DA",
    "list_era_names_da",
    "list_name_da",
    "list_title_da",
]

# ---- the lists -----------------------------------------------------------------------------------

REPORTED_LISTS: Final[tuple[str, ...]] = (
    "udsat_boligomraade",
    "parallelsamfund",
    "omdannelsesomraade",
    "forebyggelsesomraade",
)
"""The lists the product reports, by today's names (from L 23, 2021), in the order every view
shows them. Each era's lists map onto them in the parameter files (`reported_as`): ghettoomraade
-> parallelsamfund, haardt ghettoomraade -> omdannelsesomraade."""

PREVENTION_LIST: Final = "forebyggelsesomraade"
"""The list with the lower tier of thresholds (from 2021); the other lists share the strict tier."""

MARKED_LISTS: Final[tuple[str, ...]] = tuple(n for n in REPORTED_LISTS if n != "omdannelsesomraade")
"""The lists a value is marked with when it meets their threshold. Omdannelsesomraade only adds a
look-back to the parallelsamfund criteria, so a value meets no threshold of its own."""

LIST_SHORT_DA: Final[dict[str, str]] = {
    "udsat_boligomraade": "Udsat",
    "parallelsamfund": "Parallel",
    "omdannelsesomraade": "Omdannelse",
    "forebyggelsesomraade": "Forebyggelse",
}
"""Column headings of the web tables."""

LIST_COLUMN_DA: Final[dict[str, str]] = {
    "udsat_boligomraade": "Udsat",
    "parallelsamfund": "Parallel",
    "omdannelsesomraade": "Omdann.",
    "forebyggelsesomraade": "Forebyg.",
}
"""Column headings of the narrow `check` table (a terminal line)."""

LIST_MARK: Final[dict[str, str]] = {
    "udsat_boligomraade": "U",
    "parallelsamfund": "P",
    "omdannelsesomraade": "O",
    "forebyggelsesomraade": "F",
}
"""One-letter marks: next to a value that meets a list's criterion, and as list codes."""

LIST_PLURAL_DA: Final[dict[str, str]] = {
    "udsat_boligomraade": "udsatte boligområder",
    "parallelsamfund": "parallelsamfund",
    "omdannelsesomraade": "omdannelsesområder",
    "forebyggelsesomraade": "forebyggelsesområder",
}
"""Plural names in sentences: "listen over omdannelsesområder"."""


@cache
def _era_titles() -> dict[str, tuple[str, ...]]:
    """Each reported list's titles in the parameter files, newest era first, without repeats."""
    titles: dict[str, list[str]] = {name: [] for name in REPORTED_LISTS}
    for rule_set in sorted(load_law().rule_sets, key=lambda rs: rs.list_years.first, reverse=True):
        for param in rule_set.lists.values():
            if param.label not in titles[param.reported_as]:
                titles[param.reported_as].append(param.label)
    return {name: tuple(labels) for name, labels in titles.items()}


def list_title_da(name: str) -> str:
    """Today's title of a reported list ("Omdannelsesområde"); an unknown name is returned as is."""
    titles = _era_titles().get(name)
    return titles[0] if titles else name


def list_name_da(name: str) -> str:
    """Today's name of a list in a sentence ("omdannelsesområde")."""
    return list_title_da(name).lower()


def list_era_names_da(name: str) -> str:
    """Today's name with the earlier eras' names, for texts spanning list years
    ("omdannelsesområde/hårdt ghettoområde"); an unknown name is returned as is."""
    titles = _era_titles().get(name)
    return "/".join(t.lower() for t in titles) if titles else name


# ---- the measures --------------------------------------------------------------------------------

MEASURE_LABELS_DA: Final[dict[Measure, str]] = {
    Measure.UDEN_FOR_ARBEJDSMARKED: "Uden for arbejdsmarked og uddannelse",
    Measure.IKKE_VESTLIGE: "Ikke-vestlige indvandrere og efterkommere",
    Measure.DOEMTE: "Dømte",
    Measure.KUN_GRUNDSKOLE: "Kun grundskole",
    Measure.INDKOMST: "Gns. bruttoindkomst i pct. af regionen",
}
"""The measures' names in full (criteria, headings, messages)."""

MEASURE_SHORT_DA: Final[dict[Measure, str]] = {
    Measure.UDEN_FOR_ARBEJDSMARKED: "Uden for arb.",
    Measure.IKKE_VESTLIGE: "Ikke-vestl.",
    Measure.DOEMTE: "Dømte",
    Measure.KUN_GRUNDSKOLE: "Grundskole",
    Measure.INDKOMST: "Indkomst",
}
"""Column headings of tables."""

MEASURE_COLUMN_DA: Final[dict[Measure, str]] = {
    Measure.UDEN_FOR_ARBEJDSMARKED: "Udenfor arbejdsmarked",
    Measure.IKKE_VESTLIGE: "IE ikke vestlige",
    Measure.DOEMTE: "Dømte",
    Measure.KUN_GRUNDSKOLE: "Kun grundskole",
    Measure.INDKOMST: "Gns. indkomst",
}
"""Column headings of the application's criteria table (as in LBF's template), which the
key-figure import also accepts."""

MEASURE_DIGITS: Final[dict[Measure, int]] = {
    Measure.UDEN_FOR_ARBEJDSMARKED: 1,
    Measure.IKKE_VESTLIGE: 1,
    Measure.DOEMTE: 2,  # around 2 %: one decimal would hide the distance to the threshold
    Measure.KUN_GRUNDSKOLE: 1,
    Measure.INDKOMST: 1,
}
"""Decimals a measure's value is shown with."""

# ---- statuses, verdicts, certainty ---------------------------------------------------------------

STATUS_MARK_DA: Final[dict[Status, str]] = {True: "JA", False: "nej", None: "?"}
"""A status in the `check` table: "JA" stands out in a column of "nej"."""

STATUS_WORD_DA: Final[dict[Status, str]] = {True: "ja", False: "nej", None: "ubestemt"}
"""A status as a word in running text, CSV files and URL parameters."""

STATUS_LABEL_DA: Final[dict[Status, str]] = {True: "Ja", False: "Nej", None: "Ubestemt"}
"""A status on its own (a badge, a cell)."""

STATUS_SENTENCE_DA: Final[dict[Status, str]] = {True: "på listen", False: "ikke på listen", None: "ubestemt"}
"""A status completing "Status: ..."."""

STATUS_CSS: Final[dict[Status, str]] = {True: "ja", False: "nej", None: "ubestemt"}
"""The CSS class of a status in the web pages."""

VERDICT_WORD_DA: Final[dict[Verdict, str]] = {
    Verdict.MET: "opfyldt",
    Verdict.NOT_MET: "ikke opfyldt",
    Verdict.UNKNOWN: "ukendt",
}
"""A criterion's verdict in running text."""

VERDICT_LABEL_DA: Final[dict[Verdict, str]] = {
    Verdict.MET: "Opfyldt",
    Verdict.NOT_MET: "Ikke opfyldt",
    Verdict.UNKNOWN: "Ukendt",
}
"""A criterion's verdict on its own (a chart legend)."""

NEAR_DA: Final = near_text_da()
"""What "near a threshold" means (`law.verdicts.is_near`), completing "tæt på grænsen (...)"."""

CERTAINTY_DA: Final[dict[str, str]] = {
    # the source's certainty (`Source.certainty`, `Citation.certainty`)
    "solid": "sikker (lovtekst eller officiel kilde)",
    "reported": "gengivet (sekundær kilde)",
    "user": "angivet af brugeren",
    # how the value follows from its source (`CitationRef.certainty`, `Citation.value_certainty`)
    "stated": "står i kilden",
    "derived": "beregnet ud fra kildens tal",
    "inferred": "udledt",  # also a source's: computed, not read
    "assumed": "antaget (ingen kilde siger det)",
}
"""How sure a citation is: its source's certainty (the annex's source list) and how the value
follows from the source (`law.parameters.VALUE_CERTAINTIES`, docs/law.md "Sources")."""


LIST_COLOURS: Final[dict[str, str]] = {
    "omdannelsesomraade": "#7B2C2C",
    "parallelsamfund": "#B0500F",
    "udsat_boligomraade": "#D9A300",
    "forebyggelsesomraade": "#2E75B6",
}
"""One colour per list (today's names): the atlas table's cells and the history charts' threshold
lines. White text on all but udsat's yellow (dark text) has a contrast of at least 4,5:1."""

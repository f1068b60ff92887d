"""The plan's narrative: Markdown files in `<plan>/tekst/*.md` with placeholders for the data.

The team writes the prose of the application (the kortfattet projektbeskrivelse) in ordinary
Markdown, one file per part, read in the order of the file names. Wherever the text needs a figure
or a table that the tool computes, it writes a placeholder in double braces:

* **block placeholders** stand alone on their own line and become a table, a list or a figure:
  `{{ afdelingsliste }}`, `{{ kriterietabel }}`, `{{ partnere }}`, `{{ fora }}`,
  `{{ organisationsdiagram }}`, `{{ indikatorer }}` / `{{ indikatorer: Beskæftigelse }}`;
* **inline placeholders** become a value inside a sentence: `{{ antal_afdelinger }}`,
  `{{ boliger_i_alt }}`, `{{ indikator:fravaer-grundskole }}`, `{{ paa_liste:forebyggelsesomraade }}` ...

Footnotes use the common Markdown extension: `[^1]` in the text and a line `[^1]: Text.`

This module knows the format (which placeholders exist, where they may stand, what their arguments
mean) and checks it; `boligsocial.reports.projektbeskrivelse` turns the prose into a document. The format is
documented in `docs/plan-folder.md` ("Prose (tekst/)").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from rapidfuzz import process

from boligsocial.plan.model import Helhedsplan, Indikator, Liste

__all__ = [
    "BLOCK_PLACEHOLDERS",
    "BRACES_RE",
    "FOOTNOTE_DEF_RE",
    "FOOTNOTE_REF_RE",
    "INLINE_PLACEHOLDERS",
    "PROSE_DIR",
    "Placeholder",
    "PlaceholderSpec",
    "ProseError",
    "ProseProblem",
    "ProseSection",
    "check_prose",
    "find_footnotes",
    "find_placeholders",
    "list_placeholders",
    "load_prose",
    "parse_prose",
    "split_qualifier",
]

PROSE_DIR: Final = "tekst"
"""The folder inside the plan folder that holds the prose."""

Argument = Literal["none", "optional", "required"]


@dataclass(frozen=True)
class PlaceholderSpec:
    """What a placeholder is, whether it takes an argument, and a Danish description."""

    name: str
    block: bool
    argument: Argument
    description: str


_SPECS: Final[tuple[PlaceholderSpec, ...]] = (
    # Blocks: tables, lists and figures, each on a line of its own.
    PlaceholderSpec("afdelingsliste", True, "none", "afdelingerne pr. boligorganisation med lejeboliger og totaler"),
    PlaceholderSpec(
        "kriterietabel", True, "none", "tabellen over lovens kriterier med grænseværdier, markeringer og listestatus"
    ),
    PlaceholderSpec("partnere", True, "none", "samarbejdspartnerne og deres bidrag"),
    PlaceholderSpec("fora", True, "none", "organisationens fora (bestyrelse, styre- og følgegrupper)"),
    PlaceholderSpec("organisationsdiagram", True, "none", "organisationsdiagrammet som figur"),
    PlaceholderSpec(
        "indikatorer",
        True,
        "optional",
        "tabel over indikatorerne med sammenligningstal og kilder; evt. et indsatsområde eller indikator-id'er",
    ),
    # Inline values.
    PlaceholderSpec("navn", False, "none", "planens navn"),
    PlaceholderSpec("ansoeger", False, "none", "ansøgeren"),
    PlaceholderSpec("kommune", False, "none", "kommunen"),
    PlaceholderSpec("periode", False, "none", "planperioden, fx 1. januar 2025 – 31. december 2028"),
    PlaceholderSpec("liste_aar", False, "none", "nøgletallenes listeår"),
    PlaceholderSpec("antal_afdelinger", False, "none", "antal afdelinger i alt"),
    PlaceholderSpec("antal_afdelinger_i_plan", False, "none", "antal afdelinger, der er med i helhedsplanen"),
    PlaceholderSpec("antal_afdelinger_betinget", False, "none", "antal afdelinger med betinget deltagelse"),
    PlaceholderSpec("boliger_i_alt", False, "none", "antal lejeboliger i alt"),
    PlaceholderSpec("boliger_i_plan", False, "none", "antal lejeboliger i de afdelinger, der er med i helhedsplanen"),
    PlaceholderSpec("indikator", False, "required", "en indikators værdi: id, evt. id:år"),
    PlaceholderSpec("sammenligning", False, "required", "en indikators sammenligningstal: id, evt. id:nummer"),
    PlaceholderSpec(
        "kilde", False, "required", "en indikators kilde: id, eller id:nummer for et sammenligningstals kilde"
    ),
    PlaceholderSpec(
        "paa_liste",
        False,
        "required",
        "de afdelinger og områder, der er på en liste, fx paa_liste:forebyggelsesomraade",
    ),
)

BLOCK_PLACEHOLDERS: Final[dict[str, PlaceholderSpec]] = {s.name: s for s in _SPECS if s.block}
INLINE_PLACEHOLDERS: Final[dict[str, PlaceholderSpec]] = {s.name: s for s in _SPECS if not s.block}
_ALL: Final[dict[str, PlaceholderSpec]] = {s.name: s for s in _SPECS}

# Anything between double braces; its content is checked separately so that a malformed
# placeholder is reported rather than printed.
BRACES_RE = re.compile(r"\{\{(.*?)\}\}")
_CONTENT_RE = re.compile(r"\s*([a-z_]+)\s*(?::\s*(.*?))?\s*", re.DOTALL)
FOOTNOTE_DEF_RE = re.compile(r"^\[\^([^\]\s]+)\]:[ \t]?(.*)$")
FOOTNOTE_REF_RE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_HEADING_RE = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$")


@dataclass(frozen=True)
class Placeholder:
    """One placeholder as it stands in a prose file."""

    name: str
    argument: str | None
    file: Path
    line: int  # 1-based
    column: int  # 1-based
    raw: str  # the text between and including the braces
    alone: bool  # alone on its line (required for blocks)

    @property
    def spec(self) -> PlaceholderSpec | None:
        return _ALL.get(self.name)

    @property
    def block(self) -> bool:
        return self.name in BLOCK_PLACEHOLDERS


@dataclass(frozen=True)
class ProseProblem:
    file: Path
    line: int
    message: str
    folder: Path | None = None

    def __str__(self) -> str:
        shown = self.file
        if self.folder is not None:
            try:
                shown = self.file.relative_to(self.folder)
            except ValueError:
                shown = self.file
        return f"{shown}, linje {self.line}: {self.message}"


class ProseError(ValueError):
    """The prose cannot be used; every problem names its file and line (Danish)."""

    def __init__(self, problems: Sequence[ProseProblem]) -> None:
        self.problems = list(problems)
        super().__init__("Fejl i planens tekst:\n" + "\n".join(f"  {p}" for p in self.problems))


@dataclass(frozen=True)
class ProseSection:
    """One prose file: its path, its title (first heading, else the file name) and its Markdown."""

    file: Path
    title: str
    markdown: str
    folder: Path | None = field(default=None, compare=False)

    @property
    def placeholders(self) -> list[Placeholder]:
        return find_placeholders(self.markdown, self.file)

    @property
    def footnotes(self) -> dict[str, str]:
        return find_footnotes(self.markdown)


def split_qualifier(argument: str) -> tuple[str, str | None]:
    """`"beskaeftigelse:2"` -> `("beskaeftigelse", "2")`; `"socialsager"` -> `("socialsager", None)`."""
    head, sep, tail = argument.partition(":")
    return head.strip(), (tail.strip() if sep else None)


def find_placeholders(text: str, file: Path) -> list[Placeholder]:
    """Every `{{ ... }}` in the text, in order, including malformed ones (name ""), unchecked."""
    found: list[Placeholder] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in BRACES_RE.finditer(line):
            content = _CONTENT_RE.fullmatch(match.group(1))
            name = content.group(1) if content else ""
            argument = content.group(2) if content else None
            found.append(
                Placeholder(
                    name=name,
                    argument=argument if argument else None,
                    file=file,
                    line=number,
                    column=match.start() + 1,
                    raw=match.group(0),
                    alone=line.strip() == match.group(0),
                )
            )
    return found


def list_placeholders(sections: Iterable[ProseSection]) -> list[Placeholder]:
    """All placeholders of all sections, in document order."""
    return [p for section in sections for p in section.placeholders]


def find_footnotes(text: str) -> dict[str, str]:
    """Footnote definitions (`[^label]: text` on a line of its own) by label."""
    notes: dict[str, str] = {}
    for line in text.splitlines():
        match = FOOTNOTE_DEF_RE.match(line)
        if match:
            notes.setdefault(match.group(1), match.group(2).strip())
    return notes


def _suggest(name: str) -> str:
    best = process.extractOne(name, list(_ALL), score_cutoff=60)
    return f'; mente du "{best[0]}"?' if best else ""


def _check_syntax(section: ProseSection) -> list[ProseProblem]:
    problems: list[ProseProblem] = []

    def add(line: int, message: str) -> None:
        problems.append(ProseProblem(section.file, line, message, section.folder))

    for p in section.placeholders:
        for message in _placeholder_problems(p):
            add(p.line, message)
    # Unclosed braces: "{{" without a matching "}}" on the same line.
    for number, line in enumerate(section.markdown.splitlines(), start=1):
        if line.count("{{") > len(BRACES_RE.findall(line)):
            add(number, '"{{" uden afsluttende "}}" på samme linje')
    for number, message in _footnote_problems(section):
        add(number, message)
    return problems


def _placeholder_problems(p: Placeholder) -> list[str]:
    """A placeholder must be readable, known, take an argument as its kind does, and a block
    must stand alone on its line."""
    if not p.name:
        return [f"pladsholderen {p.raw} kan ikke læses; skriv fx {{{{ antal_afdelinger }}}}"]
    spec = p.spec
    if spec is None:
        return [f"ukendt pladsholder {p.raw}{_suggest(p.name)}"]
    problems: list[str] = []
    if spec.argument == "none" and p.argument is not None:
        problems.append(f"pladsholderen {p.raw} tager ikke noget argument; skriv {{{{ {p.name} }}}}")
    if spec.argument == "required" and p.argument is None:
        problems.append(f"pladsholderen {p.raw} mangler et argument ({spec.description})")
    if spec.block and not p.alone:
        problems.append(f"pladsholderen {p.raw} indsætter {spec.description} og skal stå alene på sin linje")
    return problems


def _footnote_problems(section: ProseSection) -> list[tuple[int, str]]:
    """Footnote references need a definition."""
    defined = section.footnotes
    problems: list[tuple[int, str]] = []
    for number, line in enumerate(section.markdown.splitlines(), start=1):
        if FOOTNOTE_DEF_RE.match(line):
            continue
        for match in FOOTNOTE_REF_RE.finditer(line):
            if match.group(1) not in defined:
                problems.append(
                    (
                        number,
                        f'fodnoten [^{match.group(1)}] er ikke defineret (skriv en linje "[^{match.group(1)}]: tekst")',
                    )
                )
    return problems


def _check_references(section: ProseSection, plan: Helhedsplan) -> list[ProseProblem]:
    """Arguments that name parts of the plan: indicator ids and years, comparison numbers, lists."""
    problems: list[ProseProblem] = []
    for p in section.placeholders:
        if p.argument is None or p.spec is None:
            continue
        for message in _reference_problems(p, p.argument, plan):
            problems.append(ProseProblem(section.file, p.line, f"{p.raw}: {message}", section.folder))
    return problems


def _reference_problems(p: Placeholder, argument: str, plan: Helhedsplan) -> list[str]:
    if p.name in ("indikator", "sammenligning", "kilde"):
        return _indikator_reference_problems(p.name, argument, plan)
    if p.name == "paa_liste":
        allowed = [liste.value for liste in Liste]
        if argument not in allowed:
            return [f'"{argument}" er ikke en liste (kendte: {", ".join(allowed)})']
    elif p.name == "indikatorer":
        return [
            f'"{item}" er hverken et af planens indsatsområder eller en indikator'
            for item in (part.strip() for part in argument.split(","))
            if item and plan.find_indsatsomraade(item) is None and plan.find_indikator(item) is None
        ]
    return []


def _indikator_reference_problems(name: str, argument: str, plan: Helhedsplan) -> list[str]:
    """`indikator:id[:år]`, `sammenligning:id[:nummer]` and `kilde:id[:nummer]`."""
    ident, qualifier = split_qualifier(argument)
    indikator = plan.find_indikator(ident)
    if indikator is None:
        ids = [i.id for i in plan.indikatorer]
        best = process.extractOne(ident, ids, score_cutoff=60) if ids else None
        hint = f'; mente du "{best[0]}"?' if best else ""
        return [f'indikatoren "{ident}" findes ikke i planens indikatorer{hint}']
    check = {"indikator": _measurement_problem, "sammenligning": _comparison_problem, "kilde": _source_problem}[name]
    message = check(indikator, ident, qualifier)
    return [] if message is None else [message]


def _measurement_problem(indikator: Indikator, ident: str, year: str | None) -> str | None:
    if not indikator.maalinger:
        return f'indikatoren "{ident}" har ingen målinger'
    if year is None:
        return None
    years = [m.aar for m in indikator.maalinger]
    if year.isdigit() and int(year) in years:
        return None
    known = ", ".join(str(y) for y in years if y is not None) or "ingen"
    return f'indikatoren "{ident}" har ingen måling for "{year}" (år: {known})'


def _comparison_problem(indikator: Indikator, ident: str, number: str | None) -> str | None:
    count = len(indikator.sammenligninger)
    index = 1 if number is None else _index(number)
    if count == 0:
        return f'indikatoren "{ident}" har ingen sammenligningstal'
    if not 1 <= index <= count:
        return f'indikatoren "{ident}" har {count} sammenligningstal; skriv et nummer 1-{count}'
    return None


def _source_problem(indikator: Indikator, ident: str, number: str | None) -> str | None:
    """Without a number the indicator's own source; with one, that comparison figure's (or the
    indicator's, which it falls back to)."""
    if number is None:
        return None if indikator.kilde else f'indikatoren "{ident}" har ingen kilde'
    count = len(indikator.sammenligninger)
    index = _index(number)
    if not 1 <= index <= count:
        return f'indikatoren "{ident}" har {count} sammenligningstal; skriv et nummer 1-{count}'
    if not (indikator.sammenligninger[index - 1].kilde or indikator.kilde):
        return f'sammenligningstal nr. {index} for "{ident}" har ingen kilde'
    return None


def _index(number: str) -> int:
    """A 1-based number as written; 0 (never valid) when it is not a number."""
    return int(number) if number.isdigit() else 0


def check_prose(sections: Sequence[ProseSection], plan: Helhedsplan | None = None) -> list[ProseProblem]:
    """Every problem in the prose: malformed or unknown placeholders, blocks not on a line of their
    own, undefined footnotes and, given the plan, arguments that name nothing in it."""
    problems: list[ProseProblem] = []
    for section in sections:
        syntax = _check_syntax(section)
        problems.extend(syntax)
        if plan is not None and not syntax:
            problems.extend(_check_references(section, plan))
    return problems


def _title(text: str, file: Path) -> str:
    for line in text.splitlines():
        match = _HEADING_RE.match(line)
        if match:
            return BRACES_RE.sub("", match.group(1)).replace("*", "").replace("_", " ").strip()
    stem = re.sub(r"^[0-9]+[-_ ]*", "", file.stem)
    return stem.replace("-", " ").replace("_", " ").strip().capitalize() or file.stem


def parse_prose(text: str, file: Path, folder: Path | None = None) -> ProseSection:
    """A prose section from text (no checks)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return ProseSection(file=file, title=_title(text, file), markdown=text, folder=folder)


def load_prose(folder: Path, plan: Helhedsplan | None = None) -> list[ProseSection]:
    """The prose files of a plan folder (`tekst/*.md`, ordered by file name), checked.

    Returns an empty list when the folder has no `tekst/`. Raises `ProseError` naming every
    problem with file and line; with `plan`, arguments are checked against the plan too."""
    directory = folder / PROSE_DIR
    if not directory.is_dir():
        return []
    sections: list[ProseSection] = []
    problems: list[ProseProblem] = []
    for path in sorted(directory.glob("*.md"), key=lambda p: p.name):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as error:
            problems.append(ProseProblem(path, 1, f"filen er ikke gemt som UTF-8 ({error.reason})", folder))
            continue
        sections.append(parse_prose(text, path, folder))
    problems.extend(check_prose(sections, plan))
    if problems:
        raise ProseError(problems)
    return sections

"""What every rule works on: the plan, its key figures and verdicts, the prose as passages with
places, and helpers that turn a plan key path into a file, line and Danish location."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from boligsocial.danish import number
from boligsocial.law.figures import UnitFigures
from boligsocial.law.verdicts import ListYearResult, UnitResult
from boligsocial.plan.assessment import PlanAssessment
from boligsocial.plan.folder import locate_key, plan_file
from boligsocial.plan.model import Afdeling, Helhedsplan, Loc
from boligsocial.plan.prose import PROSE_DIR, ProseSection, check_prose, parse_prose
from boligsocial.reports.lint.findings import RULES, Finding, Severity

__all__ = [
    "LintInput",
    "Passage",
    "Place",
    "all_passages",
    "finding",
    "fmt",
    "plan_passages",
    "read_prose",
]


def fmt(value: int | Decimal | Fraction, digits: int = 0) -> str:
    """A number the Danish way: 5980 -> `5.980`, 20.5 -> `20,5` (with digits=1)."""
    return number(value, digits)


@dataclass(frozen=True)
class Place:
    """Where a finding is: a Danish location, and the file (relative to the plan folder) and line."""

    location: str
    file: str | None = None
    line: int | None = None


def finding(code: str, message: str, place: Place, severity: Severity | None = None) -> Finding:
    """A finding of rule `code`, with the rule's usual severity unless another is given."""
    return Finding(
        code=code,
        severity=severity or RULES[code].severity,
        message=message,
        location=place.location,
        file=place.file,
        line=place.line,
    )


# --------------------------------------------------------------------------------------------------
# Passages of text


@dataclass(frozen=True)
class Passage:
    """A piece of the application's text with its place.

    `text` has placeholders (`{{ ... }}`), template tags and comments replaced by `¤` of the same
    length, so positions and line numbers stay those of the file. `line` is the line of `text[0]`
    in `file`; `headings` are (position, heading text) of the Markdown headings in the text."""

    text: str
    file: str
    line: int | None
    location: str
    headings: tuple[tuple[int, str], ...] = field(default=())

    def place(self, position: int) -> Place:
        """The place of a position in the text."""
        line = None if self.line is None else self.line + self.text.count("\n", 0, position)
        heading = None
        for start, text in self.headings:
            if start > position:
                break
            heading = text
        parts = [part for part in (self.location, f'afsnittet "{heading}"' if heading else "") if part]
        return Place(", ".join(parts) or "teksten", self.file, line)


_BLANK = "¤"
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|<!--.*?-->|\[\^[^\]\s]+\]", re.DOTALL)
_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.DOTALL | re.MULTILINE)
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def _blank(match: re.Match[str]) -> str:
    return "".join(c if c == "\n" else _BLANK for c in match.group(0))


def blank_templates(text: str) -> str:
    """Text with placeholders, template tags, HTML comments, footnote marks (`[^1]`) and code blocks
    blanked out: they are not claims. Newlines are kept, so line numbers do not move."""
    return _FENCE.sub(_blank, _TEMPLATE.sub(_blank, text))


def read_prose(folder: Path, plan: Helhedsplan | None) -> tuple[list[Passage], list[Finding]]:
    """The plan's Markdown prose (`<plan>/tekst/*.md`, in name order) as passages, and its format
    problems (unknown placeholders, undefined footnotes, ...) as findings (BS004).

    Unlike `load_prose`, a problem does not stop the reading: the rules check what can be read."""
    directory = folder / PROSE_DIR
    if not directory.is_dir():
        return [], []
    sections: list[ProseSection] = []
    problems: list[Finding] = []
    for path in sorted(directory.glob("*.md"), key=lambda p: p.name):
        relative = f"{PROSE_DIR}/{path.name}"
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            reason = error.reason if isinstance(error, UnicodeDecodeError) else error.strerror
            problems.append(
                finding("BS004", f"Filen kan ikke læses som UTF-8-tekst ({reason}).", Place("teksten", relative))
            )
            continue
        sections.append(parse_prose(text, path, folder))
    for problem in check_prose(sections, plan):
        relative = f"{PROSE_DIR}/{problem.file.name}"
        message = problem.message[:1].upper() + problem.message[1:]
        problems.append(finding("BS004", message, Place("teksten", relative, problem.line)))
    passages: list[Passage] = []
    for section in sections:
        relative = f"{PROSE_DIR}/{section.file.name}"
        text = blank_templates(section.markdown)
        headings = tuple(
            (m.start(), m.group(1).replace(_BLANK, "").strip().strip("*_").strip()) for m in _HEADING.finditer(text)
        )
        passages.append(Passage(text=text, file=relative, line=1, location="", headings=headings))
    return passages, problems


# --------------------------------------------------------------------------------------------------
# The plan


_NAME_ATTRIBUTES = ("id", "navn", "kortnavn", "betegnelse", "titel", "post", "afdeling")


def _item_name(item: object) -> str | None:
    if isinstance(item, str):
        return None
    for attribute in _NAME_ATTRIBUTES:
        value = getattr(item, attribute, None)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


@dataclass(frozen=True)
class LintInput:
    """Everything the rules look at. `assessment` is None when the key figures could not be read;
    `units` and `result` are then None (the reason is reported separately) and the rules that need
    them are skipped. The verdict look-ups are the assessment's (`plan/assessment.py`)."""

    folder: Path
    plan: Helhedsplan
    plan_text: str
    assessment: PlanAssessment | None
    noegletal_file: str | None
    prose: list[Passage]

    @property
    def units(self) -> list[UnitFigures] | None:
        return None if self.assessment is None else self.assessment.units

    @property
    def result(self) -> ListYearResult | None:
        return None if self.assessment is None else self.assessment.result

    @property
    def plan_file(self) -> str:
        """The plan file's name, as findings show it (`helhedsplan.toml`)."""
        return plan_file(self.folder).name

    # ---- places in the plan file ---------------------------------------------------------------

    def describe(self, loc: Loc) -> str:
        """Danish key path with 1-based numbers and item names: `afdelinger nr. 10 ("X") › betingelse`."""
        parts: list[str] = []
        node: object = self.plan
        for element in loc:
            if isinstance(element, int):
                item = node[element] if isinstance(node, list) and 0 <= element < len(node) else None
                label = f"nr. {element + 1}"
                name = _item_name(item)
                if name is not None:
                    label += f' ("{name}")'
                if parts:
                    parts[-1] = f"{parts[-1]} {label}"
                else:
                    parts.append(label)
                node = item
            else:
                parts.append(element)
                node = node.get(element) if isinstance(node, dict) else getattr(node, element, None)
        return " › ".join(parts)

    def line_of(self, loc: Loc) -> int | None:
        lines = self.plan_text.splitlines()
        line = locate_key(self.plan_text, loc)
        if line is None and all(isinstance(k, str) for k in loc):
            # A table written only through its sub-tables (`[[budget.finansiering]]` without
            # `[budget]`): the first header that starts with the key path.
            keys = [k for k in loc if isinstance(k, str)]
            while keys and line is None:
                header = re.compile(r"^\s*\[\[?\s*" + re.escape(".".join(keys)) + r"\s*[.\]]")
                line = next((n for n, text in enumerate(lines, start=1) if header.match(text)), None)
                keys.pop()
        return line

    def at(self, loc: Loc) -> Place:
        """The place of a plan key path: its Danish description, the plan file and the line."""
        return Place(self.describe(loc), self.plan_file, self.line_of(loc))

    def afdeling_loc(self, afdeling: Afdeling) -> Loc:
        index = next(i for i, a in enumerate(self.plan.afdelinger) if a is afdeling)
        return ("afdelinger", index)

    # ---- key figures and verdicts ----------------------------------------------------------------

    def year_units(self) -> list[UnitFigures]:
        """The key-figure rows of the list year (afdelinger), or all rows if no list year is known."""
        return [] if self.assessment is None else self.assessment.year_units()

    def figures_for(self, afdeling: Afdeling) -> UnitFigures | None:
        return None if self.assessment is None else self.assessment.figures(afdeling)

    def verdict(self, afdeling: Afdeling) -> UnitResult | None:
        return None if self.assessment is None else self.assessment.verdict(afdeling)

    def area_verdict(self, name: str) -> UnitResult | None:
        return None if self.assessment is None else self.assessment.area_verdict(name)


# ---- passages from the plan's own text fields ------------------------------------------------------


def _string_passage(inp: LintInput, loc: Loc, text: str | None) -> Iterator[Passage]:
    if not text or not text.strip():
        return
    line = inp.line_of(loc)
    if line is not None:
        # A multi-line string whose opening quotes end the line starts its text on the next line.
        source = inp.plan_text.splitlines()
        opening = source[line - 1] if 0 < line <= len(source) else ""
        if re.search(r"(\"\"\"|''')\s*$", opening):
            line += 1
    yield Passage(text=blank_templates(text), file=inp.plan_file, line=line, location=inp.describe(loc))


def _list_passages(inp: LintInput, loc: Loc, texts: list[str]) -> Iterator[Passage]:
    for index, text in enumerate(texts):
        yield from _string_passage(inp, (*loc, index), text)


def plan_passages(inp: LintInput) -> list[Passage]:
    """The plan's text fields that become part of the application: background, criteria text,
    descriptions, target groups, problems, efforts, conditions, partners and organisation. Notes
    (`noter`) and corrections (`rettelser`) are the plan team's own and are not checked."""
    plan = inp.plan
    out: list[Passage] = []
    out += _string_passage(inp, ("baggrund",), plan.baggrund)
    out += _string_passage(inp, ("kriterier_tekst",), plan.kriterier_tekst)
    for i, afdeling in enumerate(plan.afdelinger):
        out += _string_passage(inp, ("afdelinger", i, "betingelse"), afdeling.betingelse)
    for key, temaer in (
        ("indsatsomraader", plan.indsatsomraader),
        ("opmaerksomhedspunkter", plan.opmaerksomhedspunkter),
    ):
        for i, tema in enumerate(temaer):
            out += _string_passage(inp, (key, i, "beskrivelse"), tema.beskrivelse)
            out += _list_passages(inp, (key, i, "maalgrupper"), tema.maalgrupper)
            out += _list_passages(inp, (key, i, "problemstillinger"), tema.problemstillinger)
            out += _list_passages(inp, (key, i, "indsatser"), tema.indsatser)
    for i, indikator in enumerate(plan.indikatorer):
        out += _string_passage(inp, ("indikatorer", i, "navn"), indikator.navn)
        out += _string_passage(inp, ("indikatorer", i, "gaelder"), indikator.gaelder)
        out += _string_passage(inp, ("indikatorer", i, "definition"), indikator.definition)
    for i, partner in enumerate(plan.partnere):
        out += _string_passage(inp, ("partnere", i, "navn"), partner.navn)
        out += _string_passage(inp, ("partnere", i, "bidrag"), partner.bidrag)
    if plan.organisation is not None:
        organisation = plan.organisation
        out += _string_passage(inp, ("organisation", "beskrivelse"), organisation.beskrivelse)
        for i, forum in enumerate(organisation.fora):
            out += _list_passages(inp, ("organisation", "fora", i, "deltagere"), forum.deltagere)
            out += _string_passage(inp, ("organisation", "fora", i, "ansvar"), forum.ansvar)
        if organisation.team is not None:
            out += _string_passage(inp, ("organisation", "team", "beskrivelse"), organisation.team.beskrivelse)
            for i, stilling in enumerate(organisation.team.stillinger):
                out += _string_passage(inp, ("organisation", "team", "stillinger", i, "opgaver"), stilling.opgaver)
    return out


def all_passages(inp: LintInput) -> list[Passage]:
    return plan_passages(inp) + inp.prose

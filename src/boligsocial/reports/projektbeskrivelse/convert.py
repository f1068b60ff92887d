"""Markdown prose -> document blocks: one section of `tekst/` (see `boligsocial.plan.prose`) becomes
headings, paragraphs, lists and tables, with every placeholder filled in from the plan and its
verdicts (`{{ navn }}` inline, `{{ kriterietabel }}` as a block of its own) and footnotes resolved.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from boligsocial.danish import date_text, number
from boligsocial.law.verdicts import ListYearResult
from boligsocial.plan.assessment import PlanAssessment
from boligsocial.plan.model import Indikator, Maaling
from boligsocial.plan.prose import (
    BRACES_RE,
    FOOTNOTE_DEF_RE,
    FOOTNOTE_REF_RE,
    Placeholder,
    ProseError,
    ProseProblem,
    ProseSection,
    find_placeholders,
    split_qualifier,
)
from boligsocial.reports.document import (
    Align,
    Block,
    BulletList,
    Cell,
    Column,
    Footnote,
    Heading,
    Inline,
    LineBreak,
    ListItem,
    Paragraph,
    Row,
    RowKind,
    Table,
    Text,
)
from boligsocial.reports.projektbeskrivelse.blocks import (
    afdelingsliste,
    fora,
    indikatorer,
    organisationsdiagram,
    partnere,
)
from boligsocial.reports.projektbeskrivelse.criteria import kriterietabel
from boligsocial.reports.wording import format_maaling, join_da

__all__ = ["block_for", "convert_section", "inline_value", "units_on_list"]

# ---- placeholder values --------------------------------------------------------------------------


def _maaling_for_year(indikator: Indikator, qualifier: str | None) -> Maaling:
    if qualifier is None:
        latest = indikator.seneste
        assert latest is not None  # checked by check_prose
        return latest
    year = int(qualifier)
    return next(m for m in indikator.maalinger if m.aar == year)


def inline_value(ctx: PlanAssessment, placeholder: Placeholder) -> str:
    """The text an inline placeholder stands for. The placeholder has been checked."""
    plan = ctx.plan
    name, argument = placeholder.name, placeholder.argument or ""
    simple: dict[str, Callable[[], str]] = {
        "navn": lambda: plan.navn,
        "ansoeger": lambda: plan.ansoeger,
        "kommune": lambda: plan.kommune,
        "periode": lambda: f"{date_text(plan.periode.start)} – {date_text(plan.periode.slut)}",
        "liste_aar": lambda: str(ctx.list_year),
        "antal_afdelinger": lambda: number(len(plan.afdelinger), 0),
        "antal_afdelinger_i_plan": lambda: number(len(plan.afdelinger_i_plan), 0),
        "antal_afdelinger_betinget": lambda: number(len(plan.afdelinger_betinget), 0),
        "boliger_i_alt": lambda: number(plan.total_boliger, 0),
        "boliger_i_plan": lambda: number(sum(a.boliger for a in plan.afdelinger_i_plan), 0),
    }
    if name in simple:
        return simple[name]()
    if name in ("indikator", "sammenligning", "kilde"):
        ident, qualifier = split_qualifier(argument)
        indikator = plan.find_indikator(ident)
        assert indikator is not None
        if name == "indikator":
            return format_maaling(_maaling_for_year(indikator, qualifier), indikator.enhed)
        if name == "sammenligning":
            index = int(qualifier) if qualifier else 1
            return format_maaling(indikator.sammenligninger[index - 1], indikator.enhed)
        if qualifier:
            comparison = indikator.sammenligninger[int(qualifier) - 1] if qualifier.isdigit() else None
            if comparison is not None and comparison.kilde:
                return comparison.kilde
        return indikator.kilde or ""
    if name == "paa_liste":
        return join_da(units_on_list(ctx.require_result(), argument)) or "ingen afdelinger eller områder"
    raise ValueError(f"ukendt pladsholder {placeholder.raw}")  # pragma: no cover - checked before


def units_on_list(result: ListYearResult, list_name: str) -> list[str]:
    """Names of the units (areas and eligible afdelinger) that are on a list, in result order."""
    names: list[str] = []
    for unit in result.units:
        status = unit.lists.get(list_name)
        if status is not None and status.status is True and unit.name not in names:
            names.append(unit.name)
    return names


def block_for(ctx: PlanAssessment, placeholder: Placeholder) -> list[Block]:
    name = placeholder.name
    if name == "afdelingsliste":
        return afdelingsliste(ctx.plan)
    if name == "kriterietabel":
        return kriterietabel(ctx)
    if name == "partnere":
        return partnere(ctx.plan)
    if name == "fora":
        return fora(ctx.plan)
    if name == "organisationsdiagram":
        return organisationsdiagram(ctx.plan)
    if name == "indikatorer":
        return indikatorer(ctx.plan, placeholder.argument)
    raise ValueError(f"ukendt blok {placeholder.raw}")  # pragma: no cover - checked before


# ---- Markdown -> blocks -------------------------------------------------------------------------


_PH_OPEN, _PH_CLOSE = "\ue000", "\ue001"
_FN_OPEN, _FN_CLOSE = "\ue002", "\ue003"
_SENTINEL_RE = re.compile(f"{_PH_OPEN}(\\d+){_PH_CLOSE}|{_FN_OPEN}([^{_FN_CLOSE}]+){_FN_CLOSE}")

_MD = MarkdownIt("commonmark", {"typographer": False}).enable("table")


@dataclass
class _OpenLists:
    """The Markdown lists being read. Markdown nests lists in list items; the document flattens
    the nested items into the outermost list, each with its level."""

    ordered: list[bool] = field(default_factory=list)  # per open list, innermost last
    items: list[ListItem] = field(default_factory=list)  # the outermost open list's items, flattened
    open_items: list[tuple[int, list[Inline]]] = field(default_factory=list)  # (insert position, content)

    def open_list(self, ordered: bool) -> None:
        self.ordered.append(ordered)

    def close_list(self) -> BulletList | None:
        """The finished list when the outermost list closes."""
        ordered = self.ordered.pop()
        if self.ordered:
            return None
        finished = BulletList(tuple(self.items), ordered)
        self.items = []
        return finished

    def open_item(self) -> None:
        self.open_items.append((len(self.items), []))

    def close_item(self) -> None:
        position, content = self.open_items.pop()
        # Nested items were added while this one was open: the item goes before them.
        self.items.insert(position, ListItem(tuple(content), len(self.ordered) - 1))

    def in_item(self) -> bool:
        return bool(self.open_items)

    def add_paragraph(self, inlines: list[Inline]) -> None:
        """A paragraph of the innermost open item: further paragraphs start on a new line."""
        content = self.open_items[-1][1]
        if content:
            content.append(LineBreak())
        content.extend(inlines)


class _Converter:
    """Turns one prose section into blocks, resolving placeholders and footnotes."""

    def __init__(self, ctx: PlanAssessment, section: ProseSection) -> None:
        self.ctx = ctx
        self.section = section
        self.placeholders: list[Placeholder] = []
        self.footnotes: dict[str, str] = {}
        self.blocks: list[Block] = []
        self.lists = _OpenLists()

    def _prepare(self) -> str:
        found = iter(find_placeholders(self.section.markdown, self.section.file))
        lines: list[str] = []
        for line in self.section.markdown.split("\n"):
            definition = FOOTNOTE_DEF_RE.match(line)

            def substitute(_: re.Match[str]) -> str:
                self.placeholders.append(next(found))
                return f"{_PH_OPEN}{len(self.placeholders) - 1}{_PH_CLOSE}"

            line = BRACES_RE.sub(substitute, line)
            if definition:
                body = FOOTNOTE_DEF_RE.match(line)
                assert body is not None
                self.footnotes.setdefault(body.group(1), body.group(2).strip())
                lines.append("")
                continue
            line = FOOTNOTE_REF_RE.sub(lambda m: f"{_FN_OPEN}{m.group(1)}{_FN_CLOSE}", line)
            stripped = line.strip()
            if stripped.startswith(_PH_OPEN) and _SENTINEL_RE.fullmatch(stripped):
                index = int(stripped[1:-1])
                if self.placeholders[index].block:
                    # A block stands alone: make it a paragraph of its own even without blank lines.
                    lines.extend(["", stripped, ""])
                    continue
            lines.append(line)
        return "\n".join(lines)

    def convert(self) -> list[Block]:
        tokens = _MD.parse(self._prepare())
        i = 0
        while i < len(tokens):
            i = self._step(tokens, i)
        return self.blocks

    def _step(self, tokens: list[Token], i: int) -> int:
        """Take in the token at `i` (and the ones it owns); the index of the next token to read."""
        token = tokens[i]
        kind = token.type
        if kind == "heading_open":
            level = min(4, int(token.tag[1:]))
            self.blocks.append(Heading(level, tuple(self._inlines(tokens[i + 1]))))
            return i + 3
        if kind == "paragraph_open":
            self._paragraph(tokens[i + 1])
            return i + 3
        if kind == "table_open":
            end = next(j for j in range(i, len(tokens)) if tokens[j].type == "table_close")
            self.blocks.append(self._table(tokens[i : end + 1]))
            return end + 1
        if kind in ("fence", "code_block"):
            self.blocks.append(Paragraph((Text(token.content.rstrip("\n")),)))
        else:
            self._list_token(kind)
        return i + 1

    def _list_token(self, kind: str) -> None:
        if kind in ("bullet_list_open", "ordered_list_open"):
            self.lists.open_list(kind == "ordered_list_open")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            finished = self.lists.close_list()
            if finished is not None:
                self.blocks.append(finished)
        elif kind == "list_item_open":
            self.lists.open_item()
        elif kind == "list_item_close":
            self.lists.close_item()

    def _paragraph(self, inline: Token) -> None:
        if self.lists.in_item():
            self.lists.add_paragraph(self._inlines(inline))
            return
        block = self._block_placeholder(inline)
        if block is not None:
            self.blocks.extend(block)
        else:
            self.blocks.append(Paragraph(tuple(self._inlines(inline))))

    def _block_placeholder(self, inline: Token) -> list[Block] | None:
        match = _SENTINEL_RE.fullmatch(inline.content.strip())
        if match is None or match.group(1) is None:
            return None
        placeholder = self.placeholders[int(match.group(1))]
        if not placeholder.block:
            return None
        return block_for(self.ctx, placeholder)

    def _table(self, tokens: list[Token]) -> Table:
        rows: list[Row] = []
        current: list[Cell] = []
        header = False
        aligns: list[Align] = []
        for j, token in enumerate(tokens):
            if token.type == "thead_open":
                header = True
            elif token.type == "tbody_open":
                header = False
            elif token.type == "tr_open":
                current = []
            elif token.type in ("th_open", "td_open"):
                style = str(token.attrGet("style") or "")
                align: Align = "right" if "right" in style else "center" if "center" in style else "left"
                if header:
                    aligns.append(align)
                current.append(Cell(tuple(self._inlines(tokens[j + 1]))))
            elif token.type == "tr_close":
                rows.append(Row(tuple(current), RowKind.HEADER if header else RowKind.BODY))
        columns = tuple(Column(1.0, a) for a in aligns) or tuple(Column(1.0) for _ in rows[0].cells)
        return Table(key="tekst", columns=columns, rows=tuple(rows))

    def _inlines(self, inline: Token) -> list[Inline]:
        out: list[Inline] = []
        bold = italic = False
        for child in inline.children or []:
            kind = child.type
            if kind == "strong_open":
                bold = True
            elif kind == "strong_close":
                bold = False
            elif kind == "em_open":
                italic = True
            elif kind == "em_close":
                italic = False
            elif kind == "softbreak":
                out.append(Text(" ", bold, italic))
            elif kind == "hardbreak":
                out.append(LineBreak())
            elif kind in ("text", "code_inline", "html_inline"):
                out.extend(self._resolve(child.content, bold, italic))
            elif kind == "image":
                out.append(Text(child.content, bold, italic))
        return _merge(out)

    def _resolve(self, text: str, bold: bool, italic: bool) -> list[Inline]:
        out: list[Inline] = []
        position = 0
        for match in _SENTINEL_RE.finditer(text):
            if match.start() > position:
                out.append(Text(text[position : match.start()], bold, italic))
            if match.group(1) is not None:
                placeholder = self.placeholders[int(match.group(1))]
                if placeholder.block:
                    raise ProseError(
                        [
                            ProseProblem(
                                placeholder.file,
                                placeholder.line,
                                f"pladsholderen {placeholder.raw} skal stå alene i sit eget afsnit",
                                self.section.folder,
                            )
                        ]
                    )
                out.append(Text(inline_value(self.ctx, placeholder), bold, italic))
            else:
                label = match.group(2)
                parsed = _MD.parseInline(self.footnotes.get(label, ""))
                content = self._inlines(parsed[0]) if parsed else []
                out.append(Footnote(tuple(c for c in content if not isinstance(c, Footnote))))
            position = match.end()
        if position < len(text):
            out.append(Text(text[position:], bold, italic))
        return out


def _merge(items: list[Inline]) -> list[Inline]:
    """Join adjacent text runs of the same formatting."""
    merged: list[Inline] = []
    for item in items:
        last = merged[-1] if merged else None
        if (
            isinstance(item, Text)
            and isinstance(last, Text)
            and (last.bold, last.italic, last.mark) == (item.bold, item.italic, item.mark)
        ):
            merged[-1] = Text(last.text + item.text, item.bold, item.italic, item.mark)
        else:
            merged.append(item)
    return merged


def convert_section(ctx: PlanAssessment, section: ProseSection) -> list[Block]:
    """The blocks of one prose section, its placeholders filled in from `ctx`."""
    return _Converter(ctx, section).convert()

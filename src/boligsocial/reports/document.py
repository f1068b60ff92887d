"""The intermediate document that both renderers (`docx_render`, `pdf_render`) walk, so the Word
file and the PDF carry the same content: headings, paragraphs, lists, tables with marked cells,
figures and footnotes.

The projektbeskrivelse (`boligsocial.reports.projektbeskrivelse`) and the status report
(`boligsocial.reports.status_report`) are built as such a `Document`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal, Protocol

__all__ = [
    "Align",
    "Block",
    "BulletList",
    "Cell",
    "Column",
    "Document",
    "Figure",
    "FigureSource",
    "Footnote",
    "Heading",
    "Inline",
    "LineBreak",
    "ListItem",
    "Mark",
    "Paragraph",
    "Row",
    "RowKind",
    "Table",
    "Text",
    "plain_text",
]


class Mark(StrEnum):
    """How a table value is marked: it meets the stricter threshold (udsat boligområde /
    parallelsamfund), or only the forebyggelsesområde threshold."""

    STRONG = "strong"
    WEAK = "weak"


@dataclass(frozen=True)
class Text:
    text: str
    bold: bool = False
    italic: bool = False
    mark: Mark | None = None  # a sample of a marked table cell, used in legends


@dataclass(frozen=True)
class LineBreak:
    pass


@dataclass(frozen=True)
class Footnote:
    content: tuple[Text | LineBreak, ...]


Inline = Text | LineBreak | Footnote


@dataclass(frozen=True)
class Heading:
    level: int  # 1-4
    content: tuple[Inline, ...]


ParagraphStyle = Literal["normal", "lead", "note"]


@dataclass(frozen=True)
class Paragraph:
    content: tuple[Inline, ...]
    style: ParagraphStyle = "normal"  # lead: introduces a list; note: small text under a table


@dataclass(frozen=True)
class ListItem:
    content: tuple[Inline, ...]
    level: int = 0


@dataclass(frozen=True)
class BulletList:
    items: tuple[ListItem, ...]
    ordered: bool = False


Align = Literal["left", "right", "center"]


@dataclass(frozen=True)
class Column:
    width: float  # relative width
    align: Align = "left"


@dataclass(frozen=True)
class Cell:
    content: tuple[Inline, ...]
    mark: Mark | None = None
    bold: bool = False
    italic: bool = False
    colspan: int = 1
    align: Align | None = None  # None: the column's alignment

    @property
    def text(self) -> str:
        return plain_text(self.content)


class RowKind(StrEnum):
    HEADER = "header"
    THRESHOLD = "threshold"
    BODY = "body"
    AREA = "area"
    TOTAL = "total"


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    kind: RowKind = RowKind.BODY


@dataclass(frozen=True)
class Table:
    key: str  # "afdelingsliste", "kriterietabel", "indikatorer" or "tekst" (a table in the prose)
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    notes: tuple[tuple[Inline, ...], ...] = ()
    small: bool = False  # small type (the criteria table)

    def body_rows(self) -> list[Row]:
        return [r for r in self.rows if r.kind in (RowKind.BODY, RowKind.AREA)]


class FigureSource(Protocol):
    """Anything that can save itself as PNG (for Word) and SVG (for the PDF)."""

    def save_png(self, path: Path) -> None: ...

    def save_svg(self, path: Path) -> None: ...


@dataclass(frozen=True)
class Figure:
    key: str
    source: FigureSource
    caption: tuple[Inline, ...]
    width_cm: float = 16.0


Block = Heading | Paragraph | BulletList | Table | Figure


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    meta: tuple[str, ...]
    header: str  # running header text
    blocks: tuple[Block, ...]
    language: str = "da"

    def tables(self, key: str) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table) and b.key == key]

    def headings(self, level: int | None = None) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading) and (level is None or b.level == level)]


def plain_text(content: Iterable[Inline]) -> str:
    """The text of inline content without footnotes."""
    parts: list[str] = []
    for item in content:
        if isinstance(item, Text):
            parts.append(item.text)
        elif isinstance(item, LineBreak):
            parts.append("\n")
    return "".join(parts)

"""LibreOffice headless for the print tests: a Word or Excel file converted to PDF as a word
processor or spreadsheet lays it out, and the text of the PDF with each piece's size and colour.

LibreOffice (`soffice`, Debian's libreoffice-writer-nogui and libreoffice-calc-nogui) and the
Carlito font (fonts-crosextra-carlito: Calibri's metrics, so the page breaks are Word's) are
installed by `python3 dev.py test`. Without them the tests FAIL, never skip.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

INSTALL = "`apt-get install libreoffice-writer-nogui libreoffice-calc-nogui fonts-crosextra-carlito`"


def soffice() -> str:
    path = shutil.which("soffice")
    if path is None:
        pytest.fail(f"LibreOffice (soffice) is missing; the print tests need it: {INSTALL} (`python3 dev.py test`).")
    return path


def require_carlito() -> None:
    """The template's Calibri must be laid out with Calibri's metrics, else the page count is a guess."""
    found = subprocess.run(["fc-match", "Calibri"], capture_output=True, text=True, check=False).stdout
    if "Carlito" not in found and "Calibri" not in found:
        pytest.fail(f"Neither Calibri nor Carlito is installed (fc-match Calibri: {found.strip()!r}): {INSTALL}.")


def to_pdf(document: Path, out: Path) -> Path:
    """`document` converted to PDF in `out`, with a LibreOffice profile of its own (a shared one
    would be locked by a parallel run)."""
    require_carlito()
    with tempfile.TemporaryDirectory(prefix="boligsocial-lo-") as profile:
        result = subprocess.run(
            [
                soffice(),
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                str(document),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    pdf = out / (document.stem + ".pdf")
    assert pdf.is_file(), f"LibreOffice wrote no PDF: {result.stdout} {result.stderr}"
    return pdf


@dataclass(frozen=True)
class Span:
    """A piece of text as drawn on a PDF page."""

    text: str
    size: float  # pt, as drawn (the font size scaled by the text and graphics matrices)
    font: str
    colour: tuple[float, ...]
    x: float
    y: float


class _PageText:
    """Collects a page's text pieces; tracks the fill colour set before each is drawn."""

    def __init__(self) -> None:
        self.found: list[Span] = []
        self.colour: tuple[float, ...] = (0.0,)

    def operand(self, op: bytes, args: list[Any], *_: Any) -> None:
        if op in (b"rg", b"g", b"k", b"sc", b"scn"):
            self.colour = tuple(round(float(a), 3) for a in args if isinstance(a, (int, float)))

    def text(self, content: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if content.strip():
            name = str(font.get("/BaseFont", "")) if font else ""
            scale = abs(tm[3] * cm[3]) or 1.0
            self.found.append(Span(content, round(size * scale, 2), name, self.colour, tm[4], tm[5]))


def spans(pdf: Path) -> list[list[Span]]:
    """The text drawn on each page, with size, font and fill colour."""
    pages: list[list[Span]] = []
    for page in PdfReader(pdf).pages:
        collector = _PageText()
        page.extract_text(visitor_operand_before=collector.operand, visitor_text=collector.text)
        pages.append(collector.found)
    return pages

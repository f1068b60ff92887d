"""Problems found in a key-figure file: `ImportIssue` names file, row and column; `KeyFigureError`
carries every issue of one file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from boligsocial.danish import format_danish_number

#: How many issues `str(KeyFigureError)` lists; all of them are in `.issues`.
MAX_ISSUES_SHOWN = 50


@dataclass(frozen=True)
class ImportIssue:
    """One problem in a key-figure file. `row` is the row number a person sees in the file
    (header = 1 in a normal file; the sheet row in XLSX); `column` the header text as written."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"række {self.row}")
        if self.column is not None:
            where.append(f'kolonne "{self.column}"')
        return f"{', '.join(where)}: {self.message}"


class KeyFigureError(Exception):
    """A key-figure file could not be read (or written); `issues` holds every problem found."""

    def __init__(self, issues: Sequence[ImportIssue], summary: str | None = None) -> None:
        self.issues: list[ImportIssue] = list(issues)
        if summary is None:
            files = sorted({issue.file for issue in self.issues})
            name = files[0] if len(files) == 1 else "nøgletalsfilen"
            summary = f"{name} kan ikke indlæses ({_count_errors(len(self.issues))}):"
        self.summary = summary
        super().__init__(self._render())

    def _render(self) -> str:
        lines = [self.summary]
        lines += [f"  {issue}" for issue in self.issues[:MAX_ISSUES_SHOWN]]
        hidden = len(self.issues) - MAX_ISSUES_SHOWN
        if hidden > 0:
            lines.append(f"  … og {_count_errors(hidden)} mere")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._render()


def _count_errors(n: int) -> str:
    return f"{format_danish_number(n)} fejl"

"""The length rule (BS6xx): the kortfattet projektbeskrivelse may be at most five A4 pages."""

from __future__ import annotations

from boligsocial.reports.lint.common import Place, finding
from boligsocial.reports.lint.findings import Finding

__all__ = ["MAX_PAGES", "check_pages"]

MAX_PAGES = 5
"""LBF's vejledning: "en kortfattet projektbeskrivelse på maksimalt fem A4-sider"."""


def check_pages(pages: int | None, reason: str | None = None) -> list[Finding]:
    place = Place("projektbeskrivelsen (PDF)")
    if pages is None:
        why = f" ({reason})" if reason else ""
        return [
            finding(
                "BS602",
                f"Sideantallet er ikke kontrolleret{why}. Projektbeskrivelsen må højst fylde {MAX_PAGES} A4-sider; "
                "byg ansøgningspakken, så kontrollen kan tælle siderne.",
                place,
            )
        ]
    if pages > MAX_PAGES:
        return [
            finding(
                "BS601",
                f"Projektbeskrivelsen fylder {pages} sider som PDF; LBF tillader højst {MAX_PAGES} A4-sider. "
                f"Forkort teksten med mindst {pages - MAX_PAGES} {'side' if pages - MAX_PAGES == 1 else 'sider'}.",
                place,
            )
        ]
    return []

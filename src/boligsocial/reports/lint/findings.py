"""What the lint reports: findings with a code, a severity, a Danish message and a place, and the
report that groups them (text for people, JSON for programs)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["RULES", "Finding", "LintReport", "Rule", "Severity"]


class Severity(StrEnum):
    """How serious a finding is. `fejl` is what a case officer would send back."""

    FEJL = "fejl"
    ADVARSEL = "advarsel"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"fejl": 0, "advarsel": 1, "info": 2}[self.value]

    @property
    def heading(self) -> str:
        return {"fejl": "Fejl", "advarsel": "Advarsler", "info": "Til orientering"}[self.value]


@dataclass(frozen=True)
class Rule:
    """A lint rule: its code, the severity it usually reports with and a short Danish title."""

    code: str
    severity: Severity
    title: str


_F, _A, _I = Severity.FEJL, Severity.ADVARSEL, Severity.INFO

RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule("BS000", _I, "Øvrige kontroller er ikke kørt, fordi planen ikke kunne indlæses"),
        Rule("BS001", _F, "Planfilen kan ikke indlæses"),
        Rule("BS002", _F, "Nøgletallene kan ikke indlæses"),
        Rule("BS003", _F, "Lovens kriterier kan ikke anvendes på nøgletallene"),
        Rule("BS004", _F, "Fejl i planens tekst (tekst/*.md)"),
        Rule("BS101", _F, "Et antal i teksten passer ikke med planens tal"),
        Rule("BS102", _A, "Et beboertal i teksten kan ikke bekræftes, fordi beboertal er diskretioneret"),
        Rule("BS201", _A, "En afdeling er stavet anderledes end i planen"),
        Rule("BS301", _F, "Påstand om en liste, som beregningen modsiger"),
        Rule("BS302", _A, "Påstand om en liste, som ikke kan afgøres"),
        Rule("BS303", _F, "Påstand om en liste, der ikke fandtes i listeåret"),
        Rule("BS304", _I, "Enhed på en liste, uden at planen oplyser det"),
        Rule("BS401", _F, "Indsatsområde uden for LBF's fire"),
        Rule("BS402", _A, "Indikator uden indsatsområde"),
        Rule("BS403", _A, "Indsatsområdets navn er ikke skrevet som LBF skriver det"),
        Rule("BS404", _A, "Planen har ingen indsatsområder"),
        Rule("BS405", _A, "Indsatsområde uden målgrupper og problemstillinger"),
        Rule("BS501", _F, "Lokal medfinansiering under 25 %"),
        Rule("BS502", _F, "Udgifter og finansiering stemmer ikke"),
        Rule("BS503", _I, "Intet budget angivet"),
        Rule("BS601", _F, "Projektbeskrivelsen er over fem A4-sider"),
        Rule("BS602", _I, "Sideantallet er ikke kontrolleret"),
        Rule("BS701", _A, "Diskretionerede eller manglende nøgletal"),
        Rule("BS702", _A, "Usandsynligt antal beboere pr. bolig"),
        Rule("BS703", _A, "Usandsynlig procent (0 eller 100)"),
        Rule("BS704", _F, "Afdeling i planen mangler i nøgletallene"),
        Rule("BS705", _F, "Afdeling i nøgletallene mangler i planen"),
        Rule("BS706", _F, "Antal boliger i nøgletallene afviger fra planen"),
        Rule("BS707", _I, "Nøgletallene er mere end tre år ældre end planens start"),
        Rule("BS801", _F, "Betinget afdeling uden betingelse"),
        Rule("BS802", _A, "Betingelse angivet for en afdeling, der er med i planen"),
        Rule("BS901", _A, "Tal uden kilde"),
        Rule("BS902", _A, "Tal uden årstal"),
        Rule("BS903", _A, "Indikator uden værdier"),
    )
}
"""Every code the lint can report. `docs/lint.md` describes each one."""


@dataclass(frozen=True)
class Finding:
    """One thing a case officer would remark on.

    `location` is a Danish description of the place (a plan key path such as
    `afdelinger nr. 10 ("Frederiksholm karre 17") › betingelse`, a department, or a section of the
    prose); `file` is relative to the plan folder and `line` 1-based, where known."""

    code: str
    severity: Severity
    message: str
    location: str
    file: str | None = None
    line: int | None = None

    @property
    def place(self) -> str:
        """File, line and location in one Danish phrase: `helhedsplan.toml, linje 12, afdelinger nr. 3`."""
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"linje {self.line}")
        if self.location:
            parts.append(self.location)
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "location": self.location,
            "file": self.file,
            "line": self.line,
        }


def _sort_key(finding: Finding) -> tuple[int, str, str, int, str]:
    return (finding.severity.rank, finding.code, finding.file or "", finding.line or 0, finding.location)


@dataclass(frozen=True)
class LintReport:
    """The findings of one lint run, sorted by severity, code and place."""

    findings: list[Finding]
    title: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # Frozen: the sorted, de-duplicated copy replaces the list passed in (which is left alone).
        object.__setattr__(self, "findings", sorted(dict.fromkeys(self.findings), key=_sort_key))

    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.FEJL]

    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ADVARSEL]

    def infos(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.INFO]

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def counts(self) -> dict[str, int]:
        return {s.value: sum(1 for f in self.findings if f.severity is s) for s in Severity}

    def summary(self) -> str:
        counts = self.counts()
        errors, warnings, infos = counts["fejl"], counts["advarsel"], counts["info"]
        return f"{errors} fejl, {warnings} {'advarsel' if warnings == 1 else 'advarsler'}, {infos} til orientering."

    def to_json(self) -> str:
        document = {
            "title": self.title,
            "summary": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
        }
        return json.dumps(document, ensure_ascii=False, indent=2)

    def to_text(self) -> str:
        lines: list[str] = []
        if self.title:
            lines += [f"{self.title}: kontrol af ansøgningen", ""]
        if not self.findings:
            lines.append("Ingen bemærkninger.")
        for severity in Severity:
            group = [f for f in self.findings if f.severity is severity]
            if not group:
                continue
            lines.append(f"{severity.heading} ({len(group)})")
            for finding in group:
                place = finding.place
                lines.append(f"  {finding.code}  {place}:" if place else f"  {finding.code}")
                lines.append(f"         {finding.message}")
            lines.append("")
        if lines and lines[-1] != "":
            lines.append("")
        lines.append(self.summary())
        return "\n".join(lines)

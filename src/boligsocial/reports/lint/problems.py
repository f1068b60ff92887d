"""Rule group 0: a plan or key-figure file that does not load becomes findings, each with its place.

Problems with the indsatsomraader (a name outside LBF's four, an indicator referring to one the
plan does not declare) get their own code, BS401: the model refuses them at load, and a case
officer treats them as content, not syntax."""

from __future__ import annotations

import re
from pathlib import Path

from boligsocial.plan.folder import PlanError, PlanProblem
from boligsocial.plan.keyfigures import KeyFigureError
from boligsocial.reports.lint.common import Place, finding
from boligsocial.reports.lint.findings import Finding

__all__ = ["key_figure_findings", "plan_error_findings"]

_INDSATSOMRAADE_PATH = re.compile(r"^(?:indsatsomraader\[\d+\]\.navn|indikatorer\[\d+\]\.indsatsomraade)$")


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.relative_to(folder).as_posix() or path.name
    except ValueError:
        return path.as_posix()


def _code(problem: PlanProblem) -> str:
    if _INDSATSOMRAADE_PATH.match(problem.key_path) or "indsatsområde" in problem.message:
        return "BS401"
    return "BS001"


def plan_error_findings(error: PlanError, folder: Path) -> list[Finding]:
    file = _relative(error.path, folder) if error.path != folder else None
    out = [
        finding(_code(problem), _capitalised(problem.message), Place(problem.location or "planen", file, problem.line))
        for problem in error.problems
    ]
    out.append(
        finding(
            "BS000",
            "Planen kunne ikke indlæses, så de øvrige kontroller (tal, navne, lister, budget, nøgletal) er ikke kørt. "
            "Ret fejlene ovenfor, og kør kontrollen igen.",
            Place("planen", file),
        )
    )
    return out


def key_figure_findings(error: KeyFigureError) -> list[Finding]:
    out: list[Finding] = []
    for issue in error.issues:
        where = f'kolonnen "{issue.column}"' if issue.column else "nøgletallene"
        out.append(finding("BS002", _capitalised(issue.message), Place(where, issue.file, issue.row)))
    return out


def _capitalised(message: str) -> str:
    return message[:1].upper() + message[1:] if message else message

"""Rules on the budget (BS5xx): local co-financing of at least 25 % and a budget that balances."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from boligsocial.reports.lint.common import LintInput, finding, fmt
from boligsocial.reports.lint.findings import Finding

__all__ = ["MIN_LOCAL_SHARE", "check_budget"]

MIN_LOCAL_SHARE = Decimal("0.25")
"""LBF finances at most 75 %: at least 25 % must be financed locally (lbf.dk, "Organisation og
økonomiske rammer"; `domain/lbf.md` §0-1)."""


def _kr(value: Decimal) -> str:
    digits = 0 if value == value.to_integral_value() else 2
    return f"{fmt(value, digits)} kr."


def check_budget(inp: LintInput) -> list[Finding]:
    budget = inp.plan.budget
    if budget is None:
        return [
            finding(
                "BS503",
                "Planen har intet budget, så den lokale medfinansiering er ikke kontrolleret. "
                "Ansøgningen skal have et budgetoverslag med forslag til lokal medfinansiering (mindst 25 %); "
                "angiv det under [budget] i helhedsplan.toml.",
                inp.at(("budget",)),
            )
        ]
    out: list[Finding] = []
    total = budget.finansiering_i_alt
    lbf = budget.lbf_finansiering
    local = budget.lokal_finansiering
    if total > 0:
        share = local / total
        if share < MIN_LOCAL_SHARE:
            needed = (lbf / 3).quantize(Decimal(1), rounding=ROUND_CEILING)
            out.append(
                finding(
                    "BS501",
                    f"Den lokale medfinansiering er {fmt(share * 100, 1)} % ({_kr(local)} af i alt {_kr(total)}; "
                    f"Landsbyggefonden {_kr(lbf)}). Mindst 25 % skal finansieres lokalt (kommune, "
                    f"boligorganisationer, fonde m.fl.). Med uændret tilskud fra LBF skal den lokale "
                    f"finansiering være mindst {_kr(needed)}",
                    inp.at(("budget", "finansiering")),
                )
            )
    elif budget.udgifter:
        out.append(
            finding(
                "BS502",
                f"Budgettet har udgifter for {_kr(budget.udgifter_i_alt)}, men ingen finansiering. "
                "Angiv finansieringen under [[budget.finansiering]].",
                inp.at(("budget", "udgifter")),
            )
        )
        return out
    if budget.udgifter and budget.udgifter_i_alt != total:
        difference = budget.udgifter_i_alt - total
        which = "større" if difference > 0 else "mindre"
        out.append(
            finding(
                "BS502",
                f"Udgifterne i alt ({_kr(budget.udgifter_i_alt)}) er {_kr(abs(difference))} {which} end "
                f"finansieringen i alt ({_kr(total)}). Budgettet skal balancere.",
                inp.at(("budget", "udgifter")),
            )
        )
    return out

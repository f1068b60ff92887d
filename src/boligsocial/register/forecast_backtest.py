"""The forecast's backtest on a synthetic history: a synthetic country over several data years,
every list year it allows computed in one pass, and the forecast scored year by year
(`law/forecast_backtest.py`; the figures are in docs/forecast.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from boligsocial.law.classify import Options
from boligsocial.law.figures import UnitFigures
from boligsocial.law.forecast import Settings
from boligsocial.law.forecast_backtest import BacktestResult, backtest
from boligsocial.law.parameters import Law, load_law
from boligsocial.register.lists import run
from boligsocial.register.synth import SynthSpec, synth

# The first list year the data allow: two data years averaged, the last one a year before.
_LEAD_YEARS = 2


@dataclass(frozen=True)
class SyntheticHistory:
    units: list[UnitFigures]
    list_years: tuple[int, ...]
    options: Options
    law: Law  # the law with no published conviction averages: the data's own are in `options`


def synthetic_history(spec: SynthSpec, folder: Path, ignore_min_residents: bool = False) -> SyntheticHistory:
    """Generate the country into `folder` and compute every list year its data years allow.

    The national conviction averages are the data's own, and the law's published ones are set
    aside, so that every year is judged by the average its own data give (as `register compute`
    does)."""
    synth(spec, folder)
    list_years = list(range(spec.data_years()[0] + _LEAD_YEARS, spec.last_year + 2))
    computed = run([folder], list_years)
    law = load_law()
    law = law.model_copy(update={"conviction_years": {}})
    options = Options(ignore_min_residents=ignore_min_residents, conviction_averages=computed.national_averages())
    return SyntheticHistory(computed.units(), tuple(list_years), options, law)


def synthetic_backtest(
    history: SyntheticHistory,
    kinds: Sequence[str] = ("omraade",),
    settings: Settings | None = None,
    min_residents: int = 0,
) -> BacktestResult:
    return backtest(
        history.units, history.options, history.law, settings or Settings(), kinds, min_residents=min_residents
    )


__all__ = ["SyntheticHistory", "synthetic_backtest", "synthetic_history"]

"""An indicator's figures are written in the precision they were given (issue 13, point 4)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from boligsocial.plan.folder import load_plan
from boligsocial.plan.indicator_text import display_names, shown
from boligsocial.plan.model import Enhed
from test_status_report import EXAMPLE

PLAN = load_plan(EXAMPLE)


def indicator(ident: str):  # type: ignore[no-untyped-def]
    return next(i for i in PLAN.indikatorer if i.id == ident)


def test_a_given_figure_keeps_its_own_decimals() -> None:
    social = indicator("socialsager")
    assert shown(Decimal("338.4"), social) == "338,4 pr. 1.000 børn"
    assert shown(Decimal("439"), social) == "439 pr. 1.000 børn"
    fravaer = indicator("fravaer-grundskole")
    assert shown(Decimal("7.5"), fravaer) == "7,5\u00a0%" and shown(Decimal("8.21"), fravaer) == "8,21\u00a0%"


def test_a_computed_figure_gets_the_indicators_decimals_and_counts_are_whole() -> None:
    fravaer = indicator("fravaer-grundskole")  # its figures have up to two decimals
    assert shown(Fraction(7703, 1000), fravaer) == "7,70\u00a0%"
    ssp = indicator("ssp-sager-kategori-1-2")
    assert ssp.enhed is Enhed.ANTAL
    assert shown(Fraction(559, 2), ssp) == "280"  # 279,5 cases is no figure
    assert shown(279.4, ssp) == "279"


def test_names_are_told_apart_by_where_they_apply() -> None:
    names = display_names(PLAN.indikatorer)
    assert names["fravaer-grundskole"] == "Fravær blandt børn i grundskolen"
    same = [n for n in names.values() if n.startswith("Socialsager pr. 1.000 børn")]
    assert len(same) == 2 and len(set(same)) == 2 and all(n.endswith(")") for n in same)

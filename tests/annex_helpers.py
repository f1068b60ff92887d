"""The example plan's key-figure annex, written once per test module, for the tests that read it
(tests/test_annex.py: its content; tests/test_annex_print.py: how it prints). Import the
fixtures into a test module to use them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest

from boligsocial.plan.assessment import PlanAssessment, load_assessment
from boligsocial.reports.annex import ANNEX_FILENAME, write_annex

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter"
GENERATED = date(2025, 3, 14)


@pytest.fixture(scope="module")
def ctx() -> PlanAssessment:
    return load_assessment(EXAMPLE)


@pytest.fixture(scope="module")
def annex(ctx: PlanAssessment, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("annex") / ANNEX_FILENAME
    write_annex(ctx, path, generated=GENERATED)
    return path


@pytest.fixture(scope="module")
def wb(annex: Path) -> Iterator[Any]:
    workbook = openpyxl.load_workbook(annex)
    yield workbook
    workbook.close()

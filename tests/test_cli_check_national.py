"""`check` on a small synthetic country, pinned byte for byte (tests/golden/national/).

Written before `check` was made fast at national scale (issue 12): the table, JSON and CSV must
stay exactly what the straightforward evaluation printed, flips and explanations included. When
an output is meant to change, regenerate the files with `tests/check_national_golden.py` and say
why in the commit.
"""

from __future__ import annotations

import difflib
import gzip

import pytest

from check_national_golden import CASES, HERE, KEY_FIGURES, pinned
from cli_golden import run


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_output_on_a_synthetic_country_is_unchanged(name: str) -> None:
    code, out = run(CASES[name])
    expected = gzip.decompress(pinned(name).read_bytes()).decode()
    actual = f"# exit {code}\n{out}"
    if actual != expected:
        diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(), "pinned", "now", lineterm="", n=1)
        pytest.fail("\n".join(list(diff)[:60]))


def test_the_pinned_country_is_national_in_kind() -> None:
    """The pin covers what a national file holds: several hundred departments and areas per year,
    suppressed cells, areas given as rows, and units on every list or open."""
    rows = KEY_FIGURES.read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) > 1200
    assert sum(row.endswith(";omraade") for row in rows) >= 40
    assert any(";-;" in row for row in rows)
    table = gzip.decompress(pinned("check-2024-avg.txt").read_bytes()).decode()
    statuses = {
        cell
        for line in table.splitlines()
        if "  afdeling  " in line or "  omraade  " in line
        for cell in line.split()[-4:]
    }
    assert statuses == {"JA", "nej", "?"}
    assert "Kommer på listen, hvis" in table and "Forlader listen, hvis" in table
    names = {p.name for p in HERE.iterdir() if p.suffix == ".gz"}
    assert names == {f"{n}.gz" for n in CASES}

"""The CLI's output on the bundled example, pinned byte for byte (tests/golden/).

Written before the restructuring of issue 9 so that moving code cannot change what `check`,
`lint` and `status` print. When an output is meant to change, regenerate the files with
`tests/cli_golden.py` and say why in the commit.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cli_golden import CASES, HERE, ROOT, run


@pytest.mark.parametrize("name", sorted(CASES))
def test_cli_output_is_unchanged(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out = run(CASES[name])
    expected = (HERE / name).read_text(encoding="utf-8")
    assert f"# exit {code}\n{out}" == expected


def test_every_pinned_file_has_a_case() -> None:
    pinned = {p.name for p in Path(HERE).iterdir() if p.suffix in {".json", ".txt", ".csv"}}
    assert pinned == set(CASES), "tests/golden holds a file no case writes (or a case has no file)"
    assert os.path.isdir(ROOT / "examples" / "mit-kvarter")

"""Write the pinned `check` outputs on a small synthetic country (tests/test_cli_check_national.py
compares them), so that making `check` fast at national scale (issue 12) cannot change a byte.

    .venv/bin/python tests/check_national_golden.py           # rewrite the pinned outputs
    .venv/bin/python tests/check_national_golden.py --input   # also remake the key-figure file

The key-figure file is made once by `register synth` (300.000 persons, 4 data years, seed 7) and
`register compute` (list years 2022-2024) and kept in tests/golden/national/, so the pin does not
move when the register computation changes. Run only when an output is meant to change, and say
why in the commit. The outputs are kept gzip-compressed (the JSON is 6 MB uncompressed).
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import tempfile
from pathlib import Path

from cli_golden import run

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent / "golden" / "national"
KEY_FIGURES = HERE / "noegletal-2022-2024.csv"
SYNTH = ["--persons", "300000", "--years", "4", "--seed", "7"]
COMPUTE = ["--year", "2024", "--from-year", "2022"]

AVERAGES = [
    "--convicted-national-avg",
    "2022:0,505431",
    "--convicted-national-avg",
    "2023:0,511130",
    "--convicted-national-avg",
    "2024:0,537964",
]
FILE = str(KEY_FIGURES)

# file name -> command-line arguments. Without averages the convicted criteria are open for every
# year (needs_conviction_average, history_needs_conviction_average); 2022 is the file's first
# year, so the lists that look back meet years the file does not hold.
CASES: dict[str, list[str]] = {
    "check-2024.json": ["check", FILE, "--year", "2024", "--format", "json"],
    "check-2024.txt": ["check", FILE, "--year", "2024"],
    "check-2024.csv": ["check", FILE, "--year", "2024", "--format", "csv"],
    "check-2024-avg.json": ["check", FILE, "--year", "2024", *AVERAGES, "--format", "json"],
    "check-2024-avg.txt": ["check", FILE, "--year", "2024", *AVERAGES],
    "check-2022-avg.txt": ["check", FILE, "--year", "2022", *AVERAGES],
    "check-2023-ignore-min.json": ["check", FILE, "--year", "2023", "--ignore-min-residents", "--format", "json"],
}


def pinned(name: str) -> Path:
    return HERE / f"{name}.gz"


def make_key_figures() -> None:
    binary = Path(sys.executable).with_name("boligsocial")
    with tempfile.TemporaryDirectory() as folder:
        persons = Path(folder) / "persons"
        subprocess.run([binary, "register", "synth", *SYNTH, "--out", persons, "--no-progress"], check=True)
        out = Path(folder) / "noegletal.csv"
        subprocess.run(
            [binary, "register", "compute", persons, *COMPUTE, "--out", out, "--no-progress"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        KEY_FIGURES.write_bytes(out.read_bytes())


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    if "--input" in sys.argv or not KEY_FIGURES.exists():
        make_key_figures()
    for name, args in CASES.items():
        code, out = run(args)
        # mtime=0: the same output gives the same bytes, so an unchanged pin shows no diff.
        pinned(name).write_bytes(gzip.compress(f"# exit {code}\n{out}".encode(), mtime=0))
        print(name, code, len(out))


if __name__ == "__main__":
    main()

"""Write the pinned CLI outputs for the bundled example (tests/test_cli_golden.py compares them).

    .venv/bin/python tests/cli_golden.py

Run only when an output is meant to change, and say why in the commit: these files pin the
behaviour that refactoring must not change, byte for byte.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from boligsocial.cli import app

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent / "golden"
EXAMPLE = "examples/mit-kvarter"

# file name -> command-line arguments
CASES: dict[str, list[str]] = {
    "check-2022.json": ["check", EXAMPLE, "--year", "2022", "--format", "json"],
    "check-2022.txt": ["check", EXAMPLE, "--year", "2022"],
    "check-2022.csv": ["check", EXAMPLE, "--year", "2022", "--format", "csv"],
    "check-2022-ignore-min.json": ["check", EXAMPLE, "--year", "2022", "--ignore-min-residents", "--format", "json"],
    "lint.json": ["lint", EXAMPLE, "--format", "json"],
    "lint.txt": ["lint", EXAMPLE],
    "status-2026.json": ["status", EXAMPLE, "--year", "2026", "--format", "json"],
    "status-2026.txt": ["status", EXAMPLE, "--year", "2026"],
}


def run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.stdout


def main() -> None:
    import os

    os.chdir(ROOT)
    for name, args in CASES.items():
        code, out = run(args)
        (HERE / name).write_text(f"# exit {code}\n{out}", encoding="utf-8")
        print(name, code, len(out))


if __name__ == "__main__":
    main()

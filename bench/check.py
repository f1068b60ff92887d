"""Benchmark of `boligsocial check` on a national key-figure file (issue 12, point 1; bench/README.md).

    .venv/bin/python bench/check.py [--persons 6000000] [--repeat 3]

Generates (or reuses) in bench/data/ a synthetic country (`register synth`, 2 data years) and its
key-figure file for list year 2024 (`register compute --out`): about 8,800 afdelinger and 200
areas at the default size. Then times whole processes from the outside, start-up included:

- check json:  `boligsocial check FILE --format json`;
- check table: `boligsocial check FILE` (the table with one explanation per unit);
- import:      `python -c "import boligsocial.cli"`, the start-up every command pays (baseline);
- read:        reading the key-figure file alone (`load_key_figure_input`), start-up included.

Each is run --repeat times; the fastest and the median are reported, the ratios use the fastest
(the machine may be shared). The last line printed is one JSON object with `units`, `seconds`
(the fastest `check --format json`) and `units_per_second`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
PYTHON = sys.executable
BOLIGSOCIAL = str(Path(PYTHON).with_name("boligsocial"))
YEAR = 2024


def ensure_file(persons: int) -> Path:
    """The national key-figure file, made once per size."""
    folder = DATA / f"check-{persons}-seed1"
    figures = folder / f"noegletal-{YEAR}.csv"
    if figures.exists():
        return figures
    persons_folder = folder / "persons"
    folder.mkdir(parents=True, exist_ok=True)
    run = [BOLIGSOCIAL, "register"]
    synth = [*run, "synth", "--persons", str(persons), "--seed", "1", "--out", str(persons_folder), "--no-progress"]
    subprocess.run(synth, check=True, stdout=subprocess.DEVNULL)
    compute = [*run, "compute", str(persons_folder), "--year", str(YEAR), "--no-progress"]
    subprocess.run([*compute, "--out", str(figures)], check=True, stdout=subprocess.DEVNULL)
    return figures


def timed(command: list[str], repeat: int) -> tuple[float, float]:
    """(fastest, median) wall seconds of a whole process; its output is thrown away."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def units_in(figures: Path) -> int:
    out = subprocess.run(
        [BOLIGSOCIAL, "check", str(figures), "--format", "csv"], check=True, capture_output=True, text=True
    ).stdout
    return len(out.splitlines()) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=6_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    figures = ensure_file(args.persons)
    units = units_in(figures)
    read = (
        "from pathlib import Path; from boligsocial.plan.inputs import load_key_figure_input as load; "
        f"load(Path({str(figures)!r}))"
    )
    runs = {
        "check json": [BOLIGSOCIAL, "check", str(figures), "--format", "json"],
        "check table": [BOLIGSOCIAL, "check", str(figures)],
        "import": [PYTHON, "-c", "import boligsocial.cli"],
        "read": [PYTHON, "-c", read],
    }
    results = {name: timed(command, args.repeat) for name, command in runs.items()}
    print(f"{figures} ({units} enheder), {args.repeat} kørsler, hele processen:")
    for name, (fastest, median) in results.items():
        print(f"  {name:<12} hurtigst {fastest:7.2f} s  median {median:7.2f} s")
    fastest = {name: best for name, (best, _) in results.items()}
    seconds = fastest["check json"]
    print(f"  check json / import: {seconds / fastest['import']:.1f}x")
    print(f"  check json / read: {seconds / fastest['read']:.1f}x")
    print(f"  check table / import: {fastest['check table'] / fastest['import']:.1f}x")
    print(f"  {units / seconds:.0f} enheder pr. sekund (json), mål: hele kommandoen på højst 2 s")
    summary = {
        "units": units,
        "seconds": round(seconds, 3),
        "units_per_second": round(units / seconds, 1),
        "seconds_median": round(results["check json"][1], 3),
        "table_seconds": round(fastest["check table"], 3),
        "import_seconds": round(fastest["import"], 3),
        "read_seconds": round(fastest["read"], 3),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()

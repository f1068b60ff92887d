"""Benchmark of `boligsocial atlas` on a national synthetic country (issue 12, point 4; bench/README.md).

    .venv/bin/python bench/atlas.py [--persons 6000000] [--from 2010] [--to 2025] [--sample 2012,2025]

Makes once in bench/data/ (git-ignored) a synthetic country with `register synth` covering the
data years the list years need (2005-2024 for 2010-2025: the early rules average four years), then
times whole processes from the outside, start-up included, in the same run:

- atlas:    `boligsocial atlas DATA --from 2010 --to 2025 --out DIR` (every list year in one pass
            over the person data, each year classified, atlas.csv and atlas.json written);
- baseline: what one list year costs on its own, for each list year of --sample:
            `boligsocial register compute DATA --year Y --out noegletal-Y.csv` and then
            `boligsocial check noegletal-Y.csv --format json`; their mean times the number of
            list years is the cost of making the atlas one year at a time.

Wall seconds and CPU seconds (user + sys of the child processes) are printed for each, with the
load average before and after, and the ratios baseline / atlas. The machine may be shared: compare
the ratios, which are measured in the same minutes, not seconds from another run. The last line
printed is one JSON object (units, years, seconds, cpu_seconds, ratio and the parts).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
PYTHON = sys.executable
BOLIGSOCIAL = str(Path(PYTHON).with_name("boligsocial"))


def ensure_country(persons: int, first: int, last: int, seed: int = 1) -> Path:
    """The synthetic country with the data years `first`-5 .. `last`-1, made once per size."""
    years, last_data = last - first + 5, last - 1
    folder = DATA / f"atlas-{persons}x{years}-{last_data}-seed{seed}"
    manifest = folder / "synth.json"
    wanted = {"persons": persons, "years": years, "seed": seed, "last_year": last_data, "format": "parquet"}
    if manifest.exists() and json.loads(manifest.read_text(encoding="utf-8"))["spec"] == wanted:
        return folder
    print(f"Laver syntetiske data: {persons:,} personer x {years} år -> {folder}", flush=True)
    command = [BOLIGSOCIAL, "register", "synth", "--persons", str(persons), "--years", str(years), "--seed",
               str(seed), "--last-year", str(last_data), "--out", str(folder), "--no-progress"]  # fmt: skip
    subprocess.run(command, check=True)
    return folder


def measured_commit() -> str:
    """HEAD, marked when src/ differs from it (work in progress is measured too)."""
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run([*git, "status", "--porcelain", "--", "src"], capture_output=True, text=True).stdout
    return f"{head}+ændringer i src/" if dirty.strip() else head


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + sys) of one whole process; its output is thrown away."""
    cpu, start = _cpu(), time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, _cpu() - cpu


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def units_in(atlas_json: Path) -> tuple[int, int]:
    """(areas, afdelinger) of the atlas written."""
    data = json.loads(atlas_json.read_text(encoding="utf-8"))
    kinds: dict[str, set[Any]] = {"omraade": set(), "afdeling": set()}
    for unit in data["units"]:
        kinds[unit["kind"]].add((unit["name"], unit["boligorganisation"], unit["kommune"]))
    return len(kinds["omraade"]), len(kinds["afdeling"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=6_000_000)
    parser.add_argument("--from", dest="first", type=int, default=2010)
    parser.add_argument("--to", dest="last", type=int, default=2025)
    parser.add_argument("--sample", default="2012,2025", help="list years whose compute + check is timed")
    args = parser.parse_args()
    sample = [int(y) for y in args.sample.split(",")]
    years = args.last - args.first + 1

    country = ensure_country(args.persons, args.first, args.last)
    commit = measured_commit()
    print(f"Commit {commit}; data {country.name}; belastning før: {load()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-atlas-") as folder:
        out = Path(folder)
        atlas = timed([BOLIGSOCIAL, "atlas", str(country), "--from", str(args.first), "--to", str(args.last),
                       "--out", str(out / "atlas")])  # fmt: skip
        areas, afdelinger = units_in(out / "atlas" / "atlas.json")
        print(f"atlas {args.first}-{args.last}: {atlas[0]:.1f} s ({atlas[1]:.1f} s CPU); belastning {load()}")
        parts: dict[int, dict[str, float]] = {}
        for year in sample:
            figures = out / f"noegletal-{year}.csv"
            compute = timed([BOLIGSOCIAL, "register", "compute", str(country), "--year", str(year),
                             "--out", str(figures), "--format", "json", "--no-progress"])  # fmt: skip
            check = timed([BOLIGSOCIAL, "check", str(figures), "--format", "json"])
            parts[year] = {"compute_s": compute[0], "compute_cpu_s": compute[1], "check_s": check[0],
                           "check_cpu_s": check[1]}  # fmt: skip
            print(f"  listeår {year}: compute {compute[0]:.1f} s ({compute[1]:.1f} s CPU), check {check[0]:.1f} s "
                  f"({check[1]:.1f} s CPU); belastning {load()}")  # fmt: skip
    per_year = sum(p["compute_s"] + p["check_s"] for p in parts.values()) / len(parts)
    per_year_cpu = sum(p["compute_cpu_s"] + p["check_cpu_s"] for p in parts.values()) / len(parts)
    baseline, baseline_cpu = per_year * years, per_year_cpu * years
    print(f"Ét listeår ad gangen: {per_year:.1f} s ({per_year_cpu:.1f} s CPU) x {years} = {baseline:.0f} s "
          f"({baseline_cpu:.0f} s CPU)")  # fmt: skip
    print(f"Atlas mod ét år ad gangen: {baseline / atlas[0]:.1f}x hurtigere i væg-tid, "
          f"{baseline_cpu / atlas[1]:.1f}x i CPU-tid; belastning efter: {load()}")  # fmt: skip
    result = {
        "commit": commit,
        "persons": args.persons,
        "units": {"omraader": areas, "afdelinger": afdelinger},
        "years": [args.first, args.last],
        "seconds": round(atlas[0], 2),
        "cpu_seconds": round(atlas[1], 2),
        "baseline_seconds": round(baseline, 1),
        "baseline_cpu_seconds": round(baseline_cpu, 1),
        "ratio": round(baseline / atlas[0], 2),
        "cpu_ratio": round(baseline_cpu / atlas[1], 2),
        "sample": {str(y): {k: round(v, 2) for k, v in p.items()} for y, p in parts.items()},
        "load_after": os.getloadavg()[0],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

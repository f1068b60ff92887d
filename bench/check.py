"""Benchmark of `boligsocial check` on a national key-figure file (issue 12, point 1; bench/README.md).

    .venv/bin/python bench/check.py [--persons 6000000] [--repeat 3]

Generates (or reuses) in bench/data/ a synthetic country (`register synth`, 2 data years) and its
key-figure file for list year 2024 (`register compute --out`): about 8,800 afdelinger and 200
areas at the default size. Then times whole processes from the outside, start-up included:

- check json:  `boligsocial check FILE --format json`;
- check table: `boligsocial check FILE` (the table with one explanation per unit);
- import:      `python -c "import boligsocial.cli"`, the start-up every command pays (baseline);
- read:        reading the key-figure file alone (`load_key_figure_input`), start-up included;
- check csv:   `boligsocial check FILE --format csv`;
- json serial: `check FILE --format json` in one process (`check_run.default_workers` set to 1);
- json forked: the same with a worker on every core (`default_workers` set to the cores), whether
               or not they are idle (by default `check` forks only for cores idle while it reads);
               the CPU seconds include the workers';
- write:       a process that writes as many characters as the JSON has to stdout (what merely
               writing the output costs, the floor under `check --format json`).

Each is run --repeat times; the fastest and the median wall seconds are reported, with the CPU
seconds (user + sys) of the fastest run's process, which a loaded machine disturbs less. The
ratios use the fastest. The last line printed is one JSON object with `units`, `seconds` (the
fastest `check --format json`), `units_per_second`, and the table's, CSV's and baselines' figures.

`--against REF` also times `check` (JSON and table) as it was at git REF (its `src/`, unpacked
from git into a temporary folder, with today's environment), so that before and after are
measured in the same run on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
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


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], repeat: int, env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """(fastest, median) wall seconds of a whole process and the fastest run's CPU seconds
    (user + sys of the child); its output is thrown away."""
    runs = []
    for _ in range(repeat):
        cpu, start = _cpu(), time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        runs.append((time.perf_counter() - start, _cpu() - cpu))
    fastest = min(runs)
    return fastest[0], statistics.median(wall for wall, _ in runs), fastest[1]


def units_in(figures: Path) -> int:
    out = subprocess.run(
        [BOLIGSOCIAL, "check", str(figures), "--format", "csv"], check=True, capture_output=True, text=True
    ).stdout
    return len(out.splitlines()) - 1


def earlier_source(ref: str, folder: Path) -> dict[str, str]:
    """The package as it was at git `ref`, unpacked into `folder`; the environment that runs it."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return {**os.environ, "PYTHONPATH": str(folder / "src")}


def json_chars(figures: Path) -> int:
    out = subprocess.run([BOLIGSOCIAL, "check", str(figures), "--format", "json"], check=True, capture_output=True)
    return len(out.stdout.decode())


def _with_workers(workers: str) -> str:
    """`boligsocial` with `check_run.default_workers` giving `workers` (a Python expression)."""
    return (
        f"import sys; import boligsocial.law.check_run as run; run.default_workers = lambda *_: {workers}; "
        "from boligsocial.cli import main; sys.argv[0] = 'boligsocial'; main()"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=6_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--against", help="git ref whose `check` (table and JSON) is timed in the same run")
    args = parser.parse_args()

    figures = ensure_file(args.persons)
    units, chars = units_in(figures), json_chars(figures)
    read = (
        "from pathlib import Path; from boligsocial.plan.inputs import load_key_figure_input as load; "
        f"load(Path({str(figures)!r}))"
    )
    check = [BOLIGSOCIAL, "check", str(figures)]
    runs = {
        "check json": [*check, "--format", "json"],
        "check table": check,
        "check csv": [*check, "--format", "csv"],
        "json serial": [PYTHON, "-c", _with_workers("1"), "check", str(figures), "--format", "json"],
        "json forked": [PYTHON, "-c", _with_workers("run.cores()"), "check", str(figures), "--format", "json"],
        "import": [PYTHON, "-c", "import boligsocial.cli"],
        "read": [PYTHON, "-c", read],
        "write": [PYTHON, "-c", f"import sys; sys.stdout.write('æ' * 10 + 'x' * {chars - 10})"],
    }
    results = {name: timed(command, args.repeat) for name, command in runs.items()}
    if args.against:
        with tempfile.TemporaryDirectory() as folder:
            env = earlier_source(args.against, Path(folder))
            old = [PYTHON, "-c", "import sys; from boligsocial.cli import main; sys.argv[0] = 'boligsocial'; main()"]
            for output in ("json", "table"):
                command = [*old, "check", str(figures), *(["--format", "json"] if output == "json" else [])]
                results[f"{args.against} {output}"] = timed(command, args.repeat, env)
    print(f"{figures} ({units} enheder, JSON {chars / 1e6:.0f} mio. tegn), {args.repeat} kørsler, hele processen:")
    for name, (fastest, median, cpu) in results.items():
        print(f"  {name:<12} hurtigst {fastest:7.2f} s  median {median:7.2f} s  CPU {cpu:6.2f} s")
    wall = {name: best for name, (best, _, _) in results.items()}
    cpu = {name: used for name, (_, _, used) in results.items()}
    for output in ("json", "table", "csv"):
        name = f"check {output}"
        print(
            f"  {name} / import: {wall[name] / wall['import']:.1f}x (CPU {cpu[name] / cpu['import']:.1f}x), "
            f"/ read: {wall[name] / wall['read']:.1f}x (CPU {cpu[name] / cpu['read']:.1f}x)"
        )
    print(
        f"  check json / write: {wall['check json'] / wall['write']:.1f}x (CPU {cpu['check json'] / cpu['write']:.1f}x)"
    )
    print(
        f"  json serial / json forked: {wall['json serial'] / wall['json forked']:.2f}x "
        f"(CPU {cpu['json serial'] / cpu['json forked']:.2f}x)"
    )
    for output in ("json", "table") if args.against else ():
        before, now = f"{args.against} {output}", f"check {output}"
        print(f"  {before} / now: {wall[before] / wall[now]:.1f}x (CPU {cpu[before] / cpu[now]:.1f}x)")
    seconds = wall["check json"]
    print(f"  {units / seconds:.0f} enheder pr. sekund (json), mål: hele kommandoen på højst 2 s")
    summary = {
        "units": units,
        "seconds": round(seconds, 3),
        "units_per_second": round(units / seconds, 1),
        "seconds_median": round(results["check json"][1], 3),
        "cpu_seconds": round(cpu["check json"], 3),
        "table_seconds": round(wall["check table"], 3),
        "table_cpu_seconds": round(cpu["check table"], 3),
        "csv_seconds": round(wall["check csv"], 3),
        "csv_cpu_seconds": round(cpu["check csv"], 3),
        "serial_json_seconds": round(wall["json serial"], 3),
        "serial_json_cpu_seconds": round(cpu["json serial"], 3),
        "forked_json_seconds": round(wall["json forked"], 3),
        "forked_json_cpu_seconds": round(cpu["json forked"], 3),
        "import_seconds": round(wall["import"], 3),
        "import_cpu_seconds": round(cpu["import"], 3),
        "read_seconds": round(wall["read"], 3),
        "read_cpu_seconds": round(cpu["read"], 3),
        "write_seconds": round(wall["write"], 3),
        "write_cpu_seconds": round(cpu["write"], 3),
    }
    if args.against:
        summary["against"] = args.against
        for output in ("json", "table"):
            summary[f"against_{output}_seconds"] = round(wall[f"{args.against} {output}"], 3)
            summary[f"against_{output}_cpu_seconds"] = round(cpu[f"{args.against} {output}"], 3)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
